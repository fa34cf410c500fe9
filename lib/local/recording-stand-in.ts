import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, type ServerLimits } from './server-guard';

/** Answers JSON, or nothing with a status alone. */
export function answerJson(res: ServerResponse, status: number, body?: Record<string, unknown>): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/**
 * A local stand-in for a service no emulator covers, which records what it takes: behind the server guard,
 * `GET /messages` lists the records newest first; every other request goes to {@link take}.
 */
export abstract class RecordingStandIn<Recorded> {
  protected readonly records: Recorded[] = [];
  private server: Server | undefined;

  /** Everything it took, oldest first. */
  list(): readonly Recorded[] {
    return this.records;
  }

  async listen(port = 0, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<string> {
    const server = createGuardedServer(limits, async (req, res) => {
      if (req.method === 'GET' && req.url === '/messages') answerJson(res, 200, { messages: [...this.records].reverse() });
      else await this.take(req, res);
    });
    this.server = server;
    return listenOn(server, port);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** Handles a request of the service's own protocol. */
  protected abstract take(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
