/**
 * The benchmark's senders: a separate process, as monitoring systems and mail servers are, so that their
 * clients do not share a thread with the system under test. A plain keep-alive `node:http` client with
 * bodies serialised once, and pooled SMTP connections sending prebuilt messages, keep the sender's own CPU
 * use (which competes for the same cores) small. Told what to send over IPC; answers with the phase timing.
 */
import { Agent, request } from 'node:http';
import nodemailer from 'nodemailer';
import { validEvent } from '../support/fixtures';
import { benchMessage } from './bench-message';
import { CONCURRENCY, measure } from './measure';

export type LoadRequest = HttpLoad | WebhookLoad | SmtpLoad;

/** PUT /incidents. */
export interface HttpLoad {
  readonly kind: 'http';
  readonly url: string;
  readonly key: string;
  readonly service: string;
  readonly operations: number;
  /** Every request a new title (new incidents), or one title repeated (dedup). */
  readonly titles: 'unique' | 'repeated';
  readonly label: string;
  readonly expectStatus: number;
}

/** The same JSON body POSTed again and again: a storm of one alert. */
export interface WebhookLoad {
  readonly kind: 'webhook';
  readonly url: string;
  readonly body: string;
  readonly operations: number;
  readonly expectStatus: number;
}

/** Plain-text messages over SMTP, each with its own subject and Message-ID. */
export interface SmtpLoad {
  readonly kind: 'smtp';
  readonly port: number;
  readonly to: string;
  readonly operations: number;
  readonly label: string;
}


const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(method: 'PUT' | 'POST', url: URL, body: string, key?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(key ? { 'x-api-key': key } : {}) },
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

async function sendMail(load: SmtpLoad) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: load.port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONCURRENCY, maxMessages: Infinity });
  try {
    const run = `${process.pid}-${Date.now()}`;
    return await measure(load.operations, async (i) => {
      const raw = benchMessage(load.to, `${load.label} ${i}`, `${load.label.replace(/\W/g, '')}-${run}-${i}`);
      await transport.sendMail({ envelope: { from: 'cto@customer.example', to: load.to }, raw });
    });
  } finally {
    transport.close();
  }
}

async function putIncidents(load: HttpLoad) {
  const url = new URL('/incidents', load.url);
  const repeated = JSON.stringify(validEvent({ service: load.service, title: load.label }));
  return measure(load.operations, async (i) => {
    const body = load.titles === 'unique' ? JSON.stringify(validEvent({ service: load.service, title: `${load.label} ${i}` })) : repeated;
    const res = await send('PUT', url, body, load.key);
    if (res.status !== load.expectStatus) throw new Error(`expected ${load.expectStatus}, got ${res.status}: ${res.body}`);
  });
}

async function postWebhook(load: WebhookLoad) {
  const url = new URL(load.url);
  return measure(load.operations, async () => {
    const res = await send('POST', url, load.body);
    if (res.status !== load.expectStatus) throw new Error(`expected ${load.expectStatus}, got ${res.status}: ${res.body}`);
  });
}

const run = (load: LoadRequest) => (load.kind === 'smtp' ? sendMail(load) : load.kind === 'webhook' ? postWebhook(load) : putIncidents(load));

process.on('message', async (load: LoadRequest) => {
  try {
    process.send!({ phase: await run(load) });
  } catch (error) {
    process.send!({ error: (error as Error).message });
  }
});
