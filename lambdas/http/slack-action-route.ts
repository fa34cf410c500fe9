import type { Logger } from '@aws-lambda-powertools/logger';
import { LIMITS } from '../config/limits';
import { slackButtonClickOf } from '../adapters/slack-interactivity';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, verifySlackRequest } from '../domain/access/slack-signature';
import { handleSlackButtonClick, type SlackActionDeps } from '../domain/notification/slack-messages';
import { PayloadTooLargeError } from '../domain/shared/errors';
import { httpEdge, type ApiHandler } from './api';

export interface SlackActionRouteDeps {
  readonly actions: SlackActionDeps;
  /** The Slack app's signing secret: the route's only credential. */
  readonly signingSecret: string;
  readonly logger: Logger;
}

/**
 * `POST /slack/actions`, the Slack app's interactivity URL: a page's Claim or Resolve button. The signature
 * over the raw body, as API Gateway passed it (base64 or not), is checked before anything is read; a bad
 * one is refused with 401 and nothing changes. Slack wants a 200 within 3 seconds, with an empty body.
 */
export function createSlackActionRoute({ actions, signingSecret, logger }: SlackActionRouteDeps): ApiHandler {
  return httpEdge(logger, async (event) => {
    const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    if (rawBody.length > LIMITS.maxBodyBytes) {
      throw new PayloadTooLargeError(`the body is ${rawBody.length} bytes; the limit is ${LIMITS.maxBodyBytes}`, [{ field: 'body', problem: `must be at most ${LIMITS.maxBodyBytes} bytes` }]);
    }
    const signed = { timestamp: event.headers[SLACK_TIMESTAMP_HEADER], signature: event.headers[SLACK_SIGNATURE_HEADER], rawBody };
    verifySlackRequest(signed, signingSecret, actions.useCases.clock());
    const click = slackButtonClickOf(rawBody);
    logger.info('Slack button', { action: click.action, outcome: await handleSlackButtonClick(actions, click) });
    return { status: 200, body: undefined, document: { contentType: 'text/plain; charset=utf-8', text: '' }, incidentNumber: click.incident };
  });
}
