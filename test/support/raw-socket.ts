import { connect, type Socket } from 'node:net';

/** The real setTimeout, taken before any test fakes timers. */
const realSetTimeout = globalThis.setTimeout;

export interface RawExchange {
  /** Ends the sending side once everything is written. */
  readonly end?: boolean;
  /** Resets the connection once everything is written, as a client that dies mid-request does. */
  readonly destroyAfterWrite?: boolean;
  /** Written one byte every `dripMs` instead of at once (a slow client). */
  readonly dripMs?: number;
  /** Written only once the server has spoken first (SMTP's greeting). */
  readonly afterGreeting?: boolean;
}

/**
 * Opens a raw TCP connection to `port`, writes `data` as told, and resolves with everything the server sent
 * once the connection is closed (by either side).
 */
export function rawExchange(
  port: number,
  data: string | Buffer,
  { end = false, destroyAfterWrite = false, dripMs, afterGreeting = false }: RawExchange = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    const done = () => {
      if (destroyAfterWrite) socket.destroy();
      else if (end) socket.end();
    };
    const bytes = Buffer.from(data);
    let next = 0;
    const drip = () => {
      if (socket.destroyed) return;
      if (next >= bytes.length) return done();
      socket.write(bytes.subarray(next, ++next));
      realSetTimeout(drip, dripMs);
    };
    const write = () => (dripMs === undefined ? socket.write(bytes, done) : drip());
    if (afterGreeting) socket.once('data', write);
    else socket.once('connect', write);
  });
}
