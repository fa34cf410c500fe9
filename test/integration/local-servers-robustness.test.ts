import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { rawExchange } from '../support/raw-socket';

/** Short enough that an idle or dripping client is cut within the test; every server gets the same limits. */
const IDLE_MS = 300;
let system: TestSystem;
let servers: { name: string; url: string }[];

beforeAll(async () => {
  system = await startTestSystem({ serverLimits: { idleMs: IDLE_MS, maxHeaderBytes: 10 * 1024 } });
  const { runtime } = system;
  servers = [
    { name: 'HTTP gateway', url: runtime.apiUrl },
    { name: 'SES API', url: runtime.sesUrl },
    { name: 'S3 API', url: runtime.s3Endpoint },
    { name: 'Step Functions API', url: runtime.sfnEndpoint },
    { name: 'SMS and Voice API', url: runtime.smsUrl },
    { name: 'Slack Web API', url: runtime.slackUrl },
    { name: 'outbox viewer', url: runtime.outboxUrl },
    { name: 'webhook receiver', url: runtime.webhookReceiverUrl },
    { name: 'SQS API', url: runtime.sqsEndpoint },
  ];
});

afterAll(() => system?.stop());

const portOf = (url: string) => Number(new URL(url).port);

/** The runtime as a whole still works: a server answers, and an incident can be raised end to end. */
async function stillServes(url: string): Promise<void> {
  expect((await fetch(url)).status).toBeGreaterThanOrEqual(200);
}

describe.each(['HTTP gateway', 'SES API', 'S3 API', 'Step Functions API', 'SMS and Voice API', 'outbox viewer', 'webhook receiver', 'SQS API'])('the local %s, against broken clients', (name) => {
  const port = () => portOf(servers.find((s) => s.name === name)!.url);
  const url = () => servers.find((s) => s.name === name)!.url;

  it('survives a client that announces a large body, sends a byte and resets the connection', async () => {
    await rawExchange(port(), 'POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 99999999\r\n\r\n{', {
      destroyAfterWrite: true,
    });
    await stillServes(url());
  });

  it('refuses a flood of 5,000 headers with 431', async () => {
    const headers = Array.from({ length: 5000 }, (_, i) => `x-h${i}: v`).join('\r\n');
    expect(await rawExchange(port(), `GET / HTTP/1.1\r\nhost: x\r\n${headers}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431/);
    await stillServes(url());
  });

  it('answers a garbage request line with 400', async () => {
    expect(await rawExchange(port(), '\u0001\u0002 garbage !!\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    await stillServes(url());
  });

  it('cuts off a client that sends a byte at a time and then falls silent', async () => {
    // The connection is closed by the server once it has been idle for IDLE_MS: 'close' resolves the exchange.
    expect(await rawExchange(port(), 'GET / HTTP/1.1\r\nhost: x\r\nx-slow: ')).not.toMatch(/^HTTP\/1\.1 200/);
    await stillServes(url());
  });
});

describe.each(['HTTP gateway', 'Step Functions API'])('the local %s, against a client that drips its headers', (name) => {
  it('cuts it off although it is never silent for long', async () => {
    const { url } = servers.find((s) => s.name === name)!;
    // One byte every IDLE_MS / 3: never idle long enough for the idle cut, so only the header deadline ends it.
    const request = `GET / HTTP/1.1\r\nhost: x\r\n${'x-drip: a\r\n'.repeat(20)}\r\n`;
    expect(await rawExchange(portOf(url), request, { dripMs: IDLE_MS / 3 })).toMatch(/^(HTTP\/1\.1 408 |$)/);
    await stillServes(url);
  });
});

describe('the local HTTP gateway, against malformed paths', () => {
  it('answers a path with a malformed escape with 400', async () => {
    const answer = await rawExchange(portOf(system.runtime.apiUrl), 'GET /incidents/%E0%A4%A HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('the local SMTP listener, against broken clients', () => {
  const smtp = (data: string, options?: Parameters<typeof rawExchange>[2]) =>
    rawExchange(system.runtime.smtpPort, data, { afterGreeting: true, ...options });
  const envelope = (to: string) => `EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<${to}>\r\n`;

  it('survives a client that resets the connection in the middle of DATA', async () => {
    await smtp(`${envelope(`athens@${system.runtime.inboundDomain}`)}DATA\r\nSubject: half\r\n\r\nhalf a messa`, { destroyAfterWrite: true });
    await stillTakesMail();
  });

  it('answers garbage commands with an error, and a 100,000-character line without breaking', async () => {
    expect(await smtp(`\u0001\u0002 garbage\r\n${'x'.repeat(100_000)}\r\nQUIT\r\n`)).toMatch(/^220 [\s\S]*\r\n5\d\d /);
    await stillTakesMail();
  });

  it('cuts off a client that falls silent', async () => {
    expect(await smtp('EHLO x\r\n')).toMatch(/^220 [\s\S]*250/);
    await stillTakesMail();
  });

  /** A whole message still becomes an incident after the broken client. */
  async function stillTakesMail(): Promise<void> {
    const title = `still takes mail ${Math.random()}`;
    const answer = await smtp(`${envelope(`athens+warn@${system.runtime.inboundDomain}`)}DATA\r\nSubject: ${title}\r\n\r\nbody\r\n.\r\nQUIT\r\n`);
    expect(answer).toMatch(/\r\n250 [^\r]*\r\n221 /);
    const listed = await system.request('GET', '/incidents?service=athens', { key: system.keys.responders });
    expect(listed.body.items.map((i: { title: string }) => i.title)).toContain(title);
  }
});

describe('the whole local runtime, after every broken client above', () => {
  it('still raises an incident end to end', async () => {
    const created = await system.request('PUT', '/incidents', { key: system.keys['athens-nagios'], body: validEvent({ title: 'after the storm' }) });
    expect(created.status).toBe(201);
  });
});
