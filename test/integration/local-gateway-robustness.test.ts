import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../lambdas/config/routes';
import type { ApiHandler } from '../../lambdas/http/api';
import { HttpGateway } from '../../lib/local/http-gateway';

/** A function that answers every request, so the gateway alone is under test. */
const echo: ApiHandler = async (event) => ({ statusCode: 200, body: JSON.stringify({ route: event.routeKey }) });

const IDLE_MS = 300;
let gateway: HttpGateway;
let port: number;

beforeAll(async () => {
  gateway = new HttpGateway(API_ROUTES, { incidentQuery: echo, incidentProcessor: echo }, { idleMs: IDLE_MS, maxHeaderBytes: 10 * 1024 });
  port = Number(new URL(await gateway.listen(0)).port);
});

afterAll(() => gateway?.close());

/** Opens a raw connection, writes `data`, and resolves with what the server sent once it closed the connection. */
function raw(data: string | Buffer, { end = false, destroyAfterWrite = false } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.write(data, () => {
      if (destroyAfterWrite) socket.destroy();
      else if (end) socket.end();
    });
  });
}

const stillServes = async () => {
  const res = await fetch(`http://127.0.0.1:${port}/incidents?service=athens`);
  expect(res.status).toBe(200);
};

describe('the local HTTP gateway, against broken clients', () => {
  it('survives a client that announces a large body, sends a byte and closes', async () => {
    await raw('PUT /incidents HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 99999999\r\n\r\n{', { destroyAfterWrite: true });
    await stillServes();
  });

  it('refuses a flood of 5,000 headers with 431', async () => {
    const headers = Array.from({ length: 5000 }, (_, i) => `x-h${i}: v`).join('\r\n');
    expect(await raw(`GET /incidents HTTP/1.1\r\nhost: x\r\n${headers}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    await stillServes();
  });

  it('answers a garbage request line with 400', async () => {
    expect(await raw('\u0001\u0002 garbage !!\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await stillServes();
  });

  it('answers a path with a malformed escape with 400', async () => {
    expect(await raw('GET /incidents/%E0%A4%A HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await stillServes();
  });

  it('cuts off a client that sends a byte at a time and then falls silent', async () => {
    // The connection is closed by the server once it has been idle for IDLE_MS: 'close' resolves the promise.
    const answer = await raw('GET /incidents HTTP/1.1\r\nhost: x\r\nx-slow: ');
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
    await stillServes();
  });
});
