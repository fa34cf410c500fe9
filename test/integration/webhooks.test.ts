import { createHmac } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import type { DeadLetter } from '../../lambdas/adapters/sqs-dead-letters';
import { documentClient } from '../../lambdas/composition';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import type { WebhookPayload } from '../../lambdas/domain/webhooks/webhook';
import { LOCAL_AWS } from '../../lib/local/local-aws';
import type { ReceivedWebhook } from '../../lib/local/webhook-receiver';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { sentEmails } from '../support/mailbox';
import { eventually, StateMachineClock } from '../support/time';

const WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef';
const contacts = { oncall: 'ops-oncall@example.com', escalation: 'ops-manager@example.com' };

/**
 * `payments` (two levels) posts to the receiver's /hooks/chat; `ledger` (one level, so no escalation
 * crosses a test that moves time far) to /hooks/flaky, which tests make fail; `billing` to a port where
 * nothing listens.
 */
const configWith = (receiverUrl: string) =>
  onCallConfigSchema.parse({
    teams: {
      ops: { timeZone: 'Europe/Paris', defaultContact: 'ops-lead@example.com', calendar: [{ day: '2026-11-24', ...contacts }] },
      solo: { timeZone: 'Europe/Paris', defaultContact: 'solo-lead@example.com', escalation: { levels: [{ targets: [{ email: 'solo@example.com' }] }] } },
    },
    services: { payments: { team: 'ops' }, billing: { team: 'ops' }, ledger: { team: 'solo' } },
    apiKeys: {
      'payments-key': { role: 'integration', service: 'payments' },
      'billing-key': { role: 'integration', service: 'billing' },
      'ledger-key': { role: 'integration', service: 'ledger' },
      responders: { role: 'responder' },
    },
    webhooks: {
      chat: { url: `${receiverUrl}/hooks/chat`, services: ['payments'] },
      flaky: { url: `${receiverUrl}/hooks/flaky`, teams: ['solo'] },
      // Port 9 (discard) on loopback: refused at once, like a receiver that is down.
      down: { url: 'http://127.0.0.1:9/hooks/down', services: ['billing'], events: ['created'] },
    },
  });

let system: TestSystem;
const secrets = new Map<string, string>();
let sqs: SQSClient;
/** Whether starting an announcement fails, injected at the Step Functions client the incident functions use. */
const announcementStarts = { fail: false };

beforeAll(async () => {
  // The webhooks point at the receiver, whose port is known once the runtime runs: applied after the start.
  system = await startTestSystem({ config: configWith('http://localhost'), secrets, webhookSecret: WEBHOOK_SECRET });
  const { runtime } = system;
  await applyOnCallConfig(documentClient(runtime.clients.dynamoDb), runtime.deployment.tables, configWith(runtime.webhookReceiverUrl), { env: {}, secrets });
  sqs = new SQSClient({ ...LOCAL_AWS, endpoint: runtime.sqsEndpoint });
  runtime.clients.sfn.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { stateMachineArn?: string };
      if (announcementStarts.fail && context.commandName === 'StartExecutionCommand' && input.stateMachineArn === runtime.deployment.announcementStateMachineArn) {
        throw Object.assign(new Error('injected'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'announcementFaults' },
  );
});
afterAll(async () => {
  sqs.destroy();
  await system.stop();
});

const clock = new StateMachineClock(() => system.runtime.runningTasks());
beforeEach(() => {
  announcementStarts.fail = false;
  clock.install('2026-11-24T10:00:00Z');
});
afterEach(() => clock.uninstall());

const raise = async (service: string) => {
  const res = await system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, title: `${service} ${Math.random()}` }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
};
const act = (number: number, action: string) =>
  system.request('POST', `/incidents/${number}`, { key: system.keys.responders!, body: { action, by: 'ana@example.com' } });

/** Tells the receiver to answer its next POSTs to /hooks/flaky with `status`. */
const answerNext = async (status: number, times: number) => {
  const res = await fetch(`${system.runtime.webhookReceiverUrl}/control/answers`, { method: 'POST', body: JSON.stringify({ path: '/hooks/flaky', status, times }) });
  expect(res.status).toBe(204);
};

/** The POSTs the receiver took for one incident, oldest first. */
const postsOf = async (number: number): Promise<ReceivedWebhook[]> => {
  const { messages } = (await (await fetch(`${system.runtime.webhookReceiverUrl}/messages`)).json()) as { messages: ReceivedWebhook[] };
  return messages.filter((m) => m.headers['x-inresponse-delivery']?.startsWith(`incident-${number}-`)).reverse();
};
const posts = (number: number, count: number) =>
  eventually(`${count} POSTs for #${number}`, async () => {
    const got = await postsOf(number);
    return got.length >= count ? got : undefined;
  });

interface RecordedEvent {
  outcome: string;
  source: string;
  incidentNumber?: number;
  reason?: string;
  summary?: string;
}
/** The event record's webhook entries for an incident, oldest first. */
const deliveryRecords = async (service: string, number: number): Promise<RecordedEvent[]> => {
  const res = await system.request('GET', `/events?service=${service}&limit=100`, { key: system.keys.responders! });
  return (res.body.items as RecordedEvent[]).filter((e) => e.incidentNumber === number && e.source.startsWith('webhook:')).reverse();
};
const records = (service: string, number: number, count: number) =>
  eventually(`${count} delivery records of #${number}`, async () => {
    const got = await deliveryRecords(service, number);
    return got.length >= count ? got : undefined;
  });

/** Takes every dead letter off the queue, as an operator replaying them would. */
const takeDeadLetters = async (): Promise<DeadLetter[]> => {
  const QueueUrl = system.runtime.webhookDeadLetterQueueUrl;
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  for (const m of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return Messages.map((m) => JSON.parse(m.Body!) as DeadLetter);
};

describe('webhook deliveries', () => {
  it('POSTs a created incident to the receiver, signed over the timestamp and the raw body, and records it', async () => {
    const number = await raise('payments');
    const [post] = await posts(number, 1);
    expect(post!.path).toBe('/hooks/chat');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.headers['x-inresponse-delivery']).toBe(`incident-${number}-created.chat`);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(post!.headers['x-inresponse-signature']!)!;
    expect(Number(t)).toBe(Date.parse('2026-11-24T10:00:00Z') / 1000);
    expect(v1).toBe(createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${post!.body}`).digest('hex'));
    const payload = JSON.parse(post!.body) as WebhookPayload;
    expect(payload).toEqual({
      id: `incident-${number}-created.chat`,
      type: 'created',
      at: '2026-11-24T10:00:00.000Z',
      by: 'payments-key',
      incident: {
        number,
        title: expect.stringMatching(/^payments /),
        service: 'payments',
        team: 'ops',
        severity: 'CRIT',
        state: 'OPEN',
        url: `${system.runtime.apiUrl}/incidents/${number}`,
      },
    });
    expect(await records('payments', number, 1)).toEqual([
      expect.objectContaining({ outcome: 'delivered', source: 'webhook:chat', reason: 'HTTP 200', summary: `created (delivery incident-${number}-created.chat)` }),
    ]);
  });

  it('retries a delivery answered 500 after 10 s, delivering it exactly once, each attempt recorded', async () => {
    await answerNext(500, 1);
    const number = await raise('ledger');
    await records('ledger', number, 1);
    await clock.advance(9_000);
    expect(await postsOf(number)).toHaveLength(1);
    await clock.advance(1_000);
    const [first, second] = await posts(number, 2);
    expect([first!.status, second!.status]).toEqual([500, 200]);
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['x-inresponse-delivery']).toBe(first!.headers['x-inresponse-delivery']);
    // Signed again at the time of the retry.
    expect(second!.headers['x-inresponse-signature']).toMatch(new RegExp(`^t=${Date.parse('2026-11-24T10:00:10Z') / 1000},`));
    expect((await records('ledger', number, 2)).map((e) => [e.outcome, e.reason])).toEqual([
      ['delivery_failed', 'HTTP 500'],
      ['delivered', 'HTTP 200'],
    ]);
    await clock.advance(600_000);
    expect((await postsOf(number)).filter((p) => p.status === 200)).toHaveLength(1);
  });

  it('dead-letters a delivery refused with a 4xx at once, without retrying, and records it', async () => {
    await answerNext(404, 1);
    const number = await raise('ledger');
    // Both at the same instant: the event record orders them by time only.
    expect(await records('ledger', number, 2)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'delivery_failed', reason: 'HTTP 404' }),
        expect.objectContaining({ outcome: 'dead_lettered', reason: 'HTTP 404' }),
      ]),
    );
    expect(await takeDeadLetters()).toEqual([{ delivery: expect.objectContaining({ deliveryId: `incident-${number}-created.flaky`, url: expect.stringMatching(/\/hooks\/flaky$/) }), reason: 'HTTP 404' }]);
    const timeline = (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body.timeline;
    expect(timeline).toContainEqual(expect.objectContaining({ type: 'webhook_failed', to: 'flaky', note: 'created not delivered to webhook flaky: HTTP 404' }));
    await clock.advance(600_000);
    expect(await postsOf(number)).toHaveLength(1);
  });

  it('dead-letters a delivery after 5 retries with backoff (10, 20, 40, 80, 160 s)', async () => {
    await answerNext(503, 6);
    const number = await raise('ledger');
    for (const [attempt, waitSeconds] of [10, 20, 40, 80, 160].entries()) {
      await records('ledger', number, attempt + 1);
      await clock.advance(waitSeconds * 1000);
    }
    const recorded = await records('ledger', number, 7);
    expect(recorded.map((e) => `${e.outcome}: ${e.reason}`).sort()).toEqual(['dead_lettered: HTTP 503', ...Array(6).fill('delivery_failed: HTTP 503')]);
    expect((await postsOf(number)).map((p) => p.status)).toEqual(Array(6).fill(503));
    expect(await takeDeadLetters()).toEqual([expect.objectContaining({ delivery: expect.objectContaining({ deliveryId: `incident-${number}-created.flaky` }), reason: 'HTTP 503' })]);
  });

  it('delivers the claim and the resolution, with who acted', async () => {
    const number = await raise('payments');
    await posts(number, 1);
    expect((await act(number, 'claim')).status).toBe(200);
    await posts(number, 2);
    expect((await act(number, 'resolve')).status).toBe(200);
    const delivered = (await posts(number, 3)).map((p) => JSON.parse(p.body) as WebhookPayload);
    expect(delivered.map((p) => [p.type, p.by, p.incident.state])).toEqual([
      ['created', 'payments-key', 'OPEN'],
      ['claimed', 'ana@example.com', 'CLAIMED'],
      ['resolved', 'ana@example.com', 'RESOLVED'],
    ]);
  });

  it('delivers an escalation to the next level, with the level', async () => {
    const number = await raise('payments');
    await records('payments', number, 1);
    await clock.advance(10 * 60_000);
    const [, escalated] = await posts(number, 2);
    expect(escalated!.headers['x-inresponse-delivery']).toBe(`incident-${number}-escalated-l2-r0.chat`);
    expect(JSON.parse(escalated!.body)).toMatchObject({ type: 'escalated', level: 2, round: 0, incident: { number, state: 'OPEN' } });
  });

  it('lists the deliveries on the everything-sent page, newest first', async () => {
    const number = await raise('payments');
    await posts(number, 1);
    const { messages } = (await (await fetch(`${system.runtime.outboxUrl}/messages`)).json()) as { messages: { at: string; channel: string; to: string; text: string }[] };
    const delivery = messages.find((m) => m.channel === 'webhook' && m.text.includes(`"number":${number},`));
    expect(delivery).toMatchObject({ to: 'POST /hooks/chat', text: expect.stringMatching(/^answered 200: \{"id":"incident-\d+-created\.chat"/) });
    expect(messages.map((m) => m.at)).toEqual(messages.map((m) => m.at).sort().reverse());
    expect(await (await fetch(`${system.runtime.outboxUrl}/`)).text()).toContain('<td>webhook</td><td>POST /hooks/chat</td>');
  });

  it('raises and claims when the announcement cannot be started: webhooks miss it, nobody else does', async () => {
    announcementStarts.fail = true;
    const number = await raise('payments');
    await eventually('the page', async () => (await sentEmails(system.runtime.sesUrl)).some((e) => e.subject.includes(`#${number} `)));
    expect((await act(number, 'claim')).status).toBe(200);
    expect(await postsOf(number)).toEqual([]);
  });

  it('pages when the receiver is down: the failing delivery goes on beside it', async () => {
    const number = await raise('billing');
    await eventually('the page', async () => (await sentEmails(system.runtime.sesUrl)).some((e) => e.subject.includes(`#${number} `) && e.to[0] === contacts.oncall));
    const [failed] = await records('billing', number, 1);
    expect(failed).toMatchObject({ outcome: 'delivery_failed', source: 'webhook:down' });
  });
});
