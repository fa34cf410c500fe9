/**
 * The benchmark's senders: a separate process, as monitoring systems are, so that their HTTP client does
 * not share a thread with the system under test. A plain keep-alive `node:http` client with bodies
 * serialised once keeps the sender's own CPU use (which competes for the same cores) small.
 * Told what to send over IPC; answers with the phase timing.
 */
import { Agent, request } from 'node:http';
import { validEvent } from '../support/fixtures';
import { CONCURRENCY, measure } from './measure';

export interface LoadRequest {
  readonly url: string;
  readonly key: string;
  readonly service: string;
  readonly operations: number;
  /** Every request a new title (new incidents), or one title repeated (dedup). */
  readonly titles: 'unique' | 'repeated';
  readonly label: string;
  readonly expectStatus: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function put(url: URL, key: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'PUT',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': key },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

process.on('message', async (load: LoadRequest) => {
  try {
    const url = new URL('/incidents', load.url);
    const repeated = JSON.stringify(validEvent({ service: load.service, title: load.label }));
    const phase = await measure(load.operations, async (i) => {
      const body = load.titles === 'unique' ? JSON.stringify(validEvent({ service: load.service, title: `${load.label} ${i}` })) : repeated;
      const res = await put(url, load.key, body);
      if (res.status !== load.expectStatus) throw new Error(`expected ${load.expectStatus}, got ${res.status}: ${res.body}`);
    });
    process.send!({ phase });
  } catch (error) {
    process.send!({ error: (error as Error).message });
  }
});
