import {
  type Block,
  type KnownBlock,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import * as z from 'zod';
import type { ContactMethod, Notification, Notifier, NotifyResult } from '../domain/notification/notification';
import { parseSlackMessageId, renderSlackPage, type SlackMessage, type SlackMessages, slackMessageId } from '../domain/notification/slack';

/** The Slack secret in Secrets Manager, filled by the operator: the app's bot token and its signing secret. */
export const slackSecretSchema = z.strictObject({
  botToken: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-...)'),
  signingSecret: z.string().min(16, 'must be the signing secret of the Slack app'),
});

export type SlackSecret = z.output<typeof slackSecretSchema>;

/** The Slack secret does not hold the app's JSON yet (or holds it misspelt): a person must put it there. */
export class SlackSecretNotSetError extends Error {
  override readonly name = 'SlackSecretNotSetError';
}

const SECRET_SHAPE = '{"botToken":"xoxb-...","signingSecret":"..."}';

/** The Slack secret's text, read: a {@link SlackSecretNotSetError} saying what to put there when it is not that JSON. */
export function parseSlackSecret(text: string): SlackSecret {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // No cause: JSON.parse quotes the text it failed on, which would put part of the secret in the logs.
    throw new SlackSecretNotSetError(`the Slack secret is not JSON: put ${SECRET_SHAPE} in it`);
  }
  const parsed = slackSecretSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'secret'} ${i.message}`).join('; ');
    throw new SlackSecretNotSetError(`the Slack secret is not ${SECRET_SHAPE}: ${problems}`);
  }
  return parsed.data;
}

/**
 * Slack's error codes that mean "busy or briefly broken": a later attempt may succeed. Every other code
 * (channel_not_found, account_inactive, invalid_auth, not_in_channel, is_archived, ...) needs a person to act.
 */
const TRANSIENT_SLACK_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** A Slack Web API failure sorted as the Notifier port wants it, with Slack's own code as the reason. */
export function sortSlackError(error: unknown): Extract<NotifyResult, { reason: string }> {
  if (error instanceof WebAPIRateLimitedError) return { outcome: 'retryable', reason: `slack rate limited: retry after ${error.retryAfter} s` };
  if (error instanceof WebAPIRequestError) return { outcome: 'retryable', reason: `slack unreachable: ${error.original.message}` };
  if (error instanceof WebAPIHTTPError) {
    const transient = error.statusCode >= 500 || error.statusCode === 429;
    return { outcome: transient ? 'retryable' : 'permanent', reason: `slack HTTP ${error.statusCode} ${error.statusMessage}` };
  }
  if (error instanceof WebAPIPlatformError) {
    return { outcome: TRANSIENT_SLACK_ERRORS.has(error.data.error) ? 'retryable' : 'permanent', reason: `slack ${error.data.error}` };
  }
  // Not an error of the client's own: a bug, which no retry mends.
  return { outcome: 'permanent', reason: `slack client: ${(error as Error).message}` };
}

/**
 * The Web API client: no retries of its own and a short timeout, so that a button click is answered within
 * Slack's 3 seconds and the state machine, not the client, retries pages (visibly, with backoff).
 */
export const slackWebClient = (botToken: string, slackApiUrl?: string): WebClient =>
  new WebClient(botToken, { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 2_000, ...(slackApiUrl ? { slackApiUrl } : {}) });

/** Block Kit blocks as the client types them; ours are a subset, written as plain data. */
const blocksOf = (message: SlackMessage) => message.blocks as unknown as (KnownBlock | Block)[];

/** Slack messages through its Web API: chat.postMessage, chat.update and chat.postEphemeral. */
export class SlackWebApi implements SlackMessages {
  constructor(private readonly client: WebClient) {}

  async post(conversation: string, message: SlackMessage): Promise<NotifyResult> {
    try {
      const posted = await this.client.chat.postMessage({ channel: conversation, text: message.text, blocks: blocksOf(message) });
      // For a user id, Slack answers with the id of the direct message conversation: the one chat.update needs.
      return { outcome: 'sent', messageId: slackMessageId(posted.channel ?? conversation, posted.ts ?? '') };
    } catch (error) {
      return sortSlackError(error);
    }
  }

  async update(messageId: string, message: SlackMessage): Promise<void> {
    const ref = parseSlackMessageId(messageId);
    if (!ref) throw new Error(`not a Slack message id: ${messageId}`);
    await this.client.chat.update({ channel: ref.conversation, ts: ref.ts, text: message.text, blocks: blocksOf(message) });
  }

  async postEphemeral(conversation: string, user: string, text: string): Promise<void> {
    await this.client.chat.postEphemeral({ channel: conversation, user, text });
  }
}

/** The Slack channel of the Notifier port: a page as a direct message to the person's Slack user, with its buttons. */
export class SlackNotifier implements Notifier {
  constructor(private readonly messages: Pick<SlackMessages, 'post'>) {}

  async notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult> {
    if (contact.channel !== 'slack') return { outcome: 'permanent', reason: `not a Slack contact: ${contact.channel}` };
    if (notification.kind !== 'page') return { outcome: 'permanent', reason: 'only pages go by Slack' };
    return this.messages.post(contact.user, renderSlackPage(notification.incident));
  }
}
