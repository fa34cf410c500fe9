import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, readBoundedBody, type ServerLimits } from './server-guard';

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
export class WebhookReceiver {
  private readonly received: ReceivedWebhook[] = [];
  /** The statuses to answer next, by path. */
  private readonly planned = new Map<string, number[]>();
  private server: Server | undefined;

  /** Everything it took, oldest first. */
  list(): readonly ReceivedWebhook[] {
    return this.received;
  }

  async listen(port = 0, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<string> {
    const server = createGuardedServer(limits, (req, res) => this.handle(req, res));
    this.server = server;
    return listenOn(server, port);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/messages') return answer(res, 200, { messages: [...this.received].reverse() });
    if (req.method !== 'POST') return answer(res, 405, { message: 'POST a webhook, or GET /messages' });
    const body = await readBoundedBody(req, MAX_BODY_BYTES);
    if (body === 'too large') return answer(res, 413, { message: `bodies above ${MAX_BODY_BYTES} bytes are refused` });
    if (req.url === CONTROL_PATH) {
      const { path, status, times } = JSON.parse(body.toString('utf8')) as { path: string; status: number; times: number };
      if (typeof path !== 'string' || !Number.isInteger(status) || status < 200 || status > 599 || !Number.isInteger(times) || times < 0) {
        return answer(res, 400, { message: 'give { path: "/...", status: 200-599, times: >= 0 }' });
      }
      this.planned.set(path, [...(this.planned.get(path) ?? []), ...Array<number>(times).fill(status)]);
      return answer(res, 204);
    }
    const status = this.planned.get(req.url ?? '/')?.shift() ?? 200;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
    this.received.push({ at: new Date().toISOString(), path: req.url ?? '/', headers, body: body.toString('utf8'), status });
    answer(res, status, status < 300 ? { received: true } : { message: 'answered as told' });
  }
}

function answer(res: ServerResponse, status: number, body?: Record<string, unknown>): void {
  res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
  res.end(body ? JSON.stringify(body) : undefined);
}
