import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';

/** The bounds every local server holds its clients to, so that no client can stop or starve the runtime. */
export interface ServerLimits {
  /** How long a connection may stay silent before it is cut. */
  readonly idleMs: number;
  /** The most bytes of request headers (HTTP servers). */
  readonly maxHeaderBytes: number;
}

/** API Gateway's own limits: 30 s of silence ends a connection, and headers stay within 10 KB. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = { idleMs: 30_000, maxHeaderBytes: 10 * 1024 };

/**
 * Guards a listening server's connections: a socket error ends that socket only, and a socket silent for
 * `idleMs` is cut. For servers built elsewhere (the S3 and SES emulators) as much as for our own.
 */
export function guardConnections(server: NetServer, { idleMs }: Pick<ServerLimits, 'idleMs'>): void {
  server.on('connection', (socket: Socket) => {
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
  });
  server.on('error', () => undefined);
}

/** The answers to the client errors that are not a malformed request. */
const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Guards an HTTP server: its connections as {@link guardConnections} does, bounded header and request times,
 * and a malformed request answered 400 (431 for oversized headers) on that connection alone.
 */
export function guardHttpServer(server: Server, limits: ServerLimits): Server {
  guardConnections(server, limits);
  server.headersTimeout = limits.idleMs;
  server.requestTimeout = limits.idleMs * 4;
  server.removeAllListeners('clientError');
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return server;
}

/**
 * An HTTP server of our own, guarded: headers bounded at creation (Node cannot change it later), and a
 * request or response stream error ends that exchange only. `listener` may reject: the client then gets a
 * 400 if nothing was sent yet, else its connection is closed.
 */
export function createGuardedServer(limits: ServerLimits, listener: (...args: Parameters<RequestListener>) => Promise<void>): Server {
  // Node checks header and request deadlines only this often (30 s by default): a client dripping a byte a
  // second would otherwise outlive a short idle limit.
  const checkEveryMs = Math.max(50, Math.min(limits.idleMs / 2, 30_000));
  const server = createServer({ maxHeaderSize: limits.maxHeaderBytes, connectionsCheckingInterval: checkEveryMs }, (req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    listener(req, res).catch(() => {
      if (!res.headersSent && res.writable) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Bad Request' }));
      } else res.destroy();
    });
  });
  return guardHttpServer(server, limits);
}

/** A request's body, or 'too large' as soon as it passes `maxBytes` (the rest is not read). */
export async function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return 'too large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Listens on `host` (loopback by default) and answers the server's base URL; port 0 picks a free port. */
export async function listenOn(server: Server, port: number, host = '127.0.0.1'): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(server.address() as { port: number }).port}`;
}

/** Closes a server at once: idle keep-alive connections would hold close() until they time out. */
export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
