import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { escapeHtml } from '../../lambdas/domain/notification/notification';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, type ServerLimits } from './server-guard';
import type { SlackApiServer, SlackMethod } from './slack-api-server';
import type { SmsVoiceServer } from './sms-voice-server';
import type { WebhookReceiver } from './webhook-receiver';

/** How the viewer marks each Slack call: a post shows as it is, an edit or a message only one user sees is marked. */
const SLACK_MARKS: Readonly<Record<SlackMethod, string>> = { 'chat.postMessage': '', 'chat.update': '(updated) ', 'chat.postEphemeral': '(only they see) ' };

/** One message any channel sent, as the viewer lists it. */
export interface OutboxEntry {
  readonly at: string;
  readonly channel: 'email' | 'sms' | 'voice' | 'slack' | 'webhook';
  readonly to: string;
  /** The subject of an email; the text of an SMS; the SSML of a call; a Slack message's text, marked when an update or ephemeral; a webhook's status and JSON body. */
  readonly text: string;
}

/**
 * The local viewer of everything every channel sent, newest first: the SES emulator's mail, the SMS and
 * Voice stand-in's messages, the Slack stand-in's posts, updates and ephemeral messages, and the webhook receiver's deliveries. `GET /` is a page for a person, `GET /messages` the same as JSON.
 */
export class OutboxViewer {
  private server: Server | undefined;

  constructor(
    private readonly sms: SmsVoiceServer,
    private readonly slack: SlackApiServer,
    private readonly webhooks: WebhookReceiver,
  ) {}

  entries(): OutboxEntry[] {
    const mail = getStoreReadonly().emails.map((email): OutboxEntry => ({
      at: new Date(email.at * 1000).toISOString(),
      channel: 'email',
      to: email.destination.to.join(', '),
      text: email.subject,
    }));
    const phone = this.sms.list().map((m): OutboxEntry => ({
      at: m.at,
      channel: m.operation === 'SendVoiceMessage' ? 'voice' : 'sms',
      to: String(m.request.DestinationPhoneNumber),
      text: String(m.request.MessageBody),
    }));
    const slack = this.slack.list().map((call): OutboxEntry => ({
      at: call.at,
      channel: 'slack',
      to: call.method === 'chat.postEphemeral' ? `${String(call.request.user)} in ${call.channel}` : call.channel,
      text: `${SLACK_MARKS[call.method]}${String(call.request.text ?? '')}`,
    }));
    const posted = this.webhooks.list().map((w): OutboxEntry => ({
      at: w.at,
      channel: 'webhook',
      to: `POST ${w.path}`,
      text: `answered ${w.status}: ${w.body}`,
    }));
    return [...mail, ...phone, ...slack, ...posted].sort((a, b) => b.at.localeCompare(a.at));
  }

  async listen(port = 0, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<string> {
    const server = createGuardedServer(limits, async (req, res) => this.handle(req, res));
    this.server = server;
    return listenOn(server, port);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === '/messages') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messages: this.entries() }));
      return;
    }
    const rows = this.entries().map(
      (e) => `<tr><td>${escapeHtml(e.at)}</td><td>${e.channel}</td><td>${escapeHtml(e.to)}</td><td><pre>${escapeHtml(e.text)}</pre></td></tr>`,
    );
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      [
        '<!doctype html><html><head><meta charset="utf-8"><title>InResponse: everything sent</title></head><body style="font-family:sans-serif">',
        '<h2>Everything InResponse sent, newest first</h2><p>Email bodies are in the SES viewer.</p>',
        '<table border="1" cellpadding="4"><tr><th>at</th><th>channel</th><th>to</th><th>subject or text</th></tr>',
        ...rows,
        '</table></body></html>',
      ].join('\n'),
    );
  }
}
