import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from './server-guard';
import { answerJson, RecordingStandIn } from './recording-stand-in';

/** The Web API methods the stand-in takes. */
export const SLACK_METHODS = ['chat.postMessage', 'chat.update', 'chat.postEphemeral'] as const;
export type SlackMethod = (typeof SLACK_METHODS)[number];

/** One call the stand-in took, as the real Web API would have had it. */
export interface RecordedSlackCall {
  readonly method: SlackMethod;
  readonly at: string;
  /** The conversation the message is in: the direct message conversation of a user id posted to. */
  readonly channel: string;
  /** The message's ts: its own for a post, the edited one's for an update. */
  readonly ts: string;
  /** The form fields as the client sent them, `blocks` parsed from its JSON. */
  readonly request: Readonly<Record<string, unknown>>;
}

/** Slack's own limit on a request body is far below this; anything larger is refused unread. */
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * A local stand-in for Slack's Web API, which no emulator covers: `POST /api/chat.postMessage`,
 * `chat.update` and `chat.postEphemeral`, form-encoded with a bearer token, answered `{ ok, channel, ts }` as
 * Slack answers, so that the real `@slack/web-api` client (with `slackApiUrl` set to {@link apiUrl}) talks to
 * it unchanged. A post to a user id (U… or W…) lands in their direct message conversation (D…), as in Slack. It
 * records what it took; `GET /messages` lists it, newest first.
 */
export class SlackApiServer extends RecordingStandIn<RecordedSlackCall> {
  private lastTs = 0;



  /** A message ts: seconds and a sequence, unique and increasing, as Slack's are. */
  private nextTs(): string {
    this.lastTs = Math.max(this.lastTs + 1, Date.now() * 1000);
    return `${Math.floor(this.lastTs / 1_000_000)}.${String(this.lastTs % 1_000_000).padStart(6, '0')}`;
  }

  protected async take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = SLACK_METHODS.find((m) => req.url === `/api/${m}`);
    if (req.method !== 'POST' || !method) return answerJson(res, 404, { ok: false, error: 'unknown_method' });
    if (!/^Bearer xox[bp]-\S+$/.test(req.headers.authorization ?? '')) return answerJson(res, 200, { ok: false, error: 'not_authed' });
    const body = await readBoundedBody(req, MAX_REQUEST_BYTES);
    if (body === 'too large') return answerJson(res, 413, { ok: false, error: 'request_too_large' });
    const request: Record<string, unknown> = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    try {
      if (typeof request.blocks === 'string') request.blocks = JSON.parse(request.blocks);
    } catch {
      return answerJson(res, 200, { ok: false, error: 'invalid_blocks' });
    }
    const target = String(request.channel ?? '');
    if (!/^[CDGUW][A-Z0-9]{2,}$/.test(target)) return answerJson(res, 200, { ok: false, error: 'channel_not_found' });
    // A post to a user (U…, or W… in Enterprise Grid) goes to the direct message conversation with them.
    const channel = /^[UW]/.test(target) ? `D${target.slice(1)}` : target;
    if (method === 'chat.update') {
      const ts = String(request.ts ?? '');
      const posted = this.records.some((c) => c.method === 'chat.postMessage' && c.channel === channel && c.ts === ts);
      if (!posted) return answerJson(res, 200, { ok: false, error: 'message_not_found' });
      this.records.push({ method, at: new Date().toISOString(), channel, ts, request });
      return answerJson(res, 200, { ok: true, channel, ts, text: request.text });
    }
    const ts = this.nextTs();
    this.records.push({ method, at: new Date().toISOString(), channel, ts, request });
    answerJson(res, 200, method === 'chat.postEphemeral' ? { ok: true, message_ts: ts } : { ok: true, channel, ts });
  }
}
