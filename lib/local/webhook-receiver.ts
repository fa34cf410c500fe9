import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from './server-guard';
import { answerJson, RecordingStandIn } from './recording-stand-in';

/** One POST the receiver took, as it came. */
export interface ReceivedWebhook {
  readonly at: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The status it answered. */
  readonly status: number;
}

/** Far above any payload InResponse sends. */
const MAX_BODY_BYTES = 64 * 1024;
const CONTROL_PATH = '/control/answers';

/**
 * A local stand-in for the systems webhooks post to: records every POST (headers and raw body) and answers
 * 200, or, when told to with `POST /control/answers` `{ "path": "/hooks/x", "status": 500, "times": 1 }`, that
 * status to that path that many times first (to see retries and dead letters). `GET /messages` lists what it
 * took, newest first.
 */
export class WebhookReceiver extends RecordingStandIn<ReceivedWebhook> {
  /** The statuses to answer next, by path. */
  private readonly planned = new Map<string, number[]>();



  protected async take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return answerJson(res, 405, { message: 'POST a webhook, or GET /messages' });
    const body = await readBoundedBody(req, MAX_BODY_BYTES);
    if (body === 'too large') return answerJson(res, 413, { message: `bodies above ${MAX_BODY_BYTES} bytes are refused` });
    if (req.url === CONTROL_PATH) {
      const { path, status, times } = JSON.parse(body.toString('utf8')) as { path: string; status: number; times: number };
      if (typeof path !== 'string' || !Number.isInteger(status) || status < 200 || status > 599 || !Number.isInteger(times) || times < 0) {
        return answerJson(res, 400, { message: 'give { path: "/...", status: 200-599, times: >= 0 }' });
      }
      this.planned.set(path, [...(this.planned.get(path) ?? []), ...Array<number>(times).fill(status)]);
      return answerJson(res, 204);
    }
    const status = this.planned.get(req.url ?? '/')?.shift() ?? 200;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
    this.records.push({ at: new Date().toISOString(), path: req.url ?? '/', headers, body: body.toString('utf8'), status });
    answerJson(res, status, status < 300 ? { received: true } : { message: 'answered as told' });
  }
}
