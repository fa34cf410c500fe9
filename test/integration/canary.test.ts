import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import { documentClient, type AwsClients } from '../../lambdas/composition';
import { CANARY_SERVICE, CANARY_TEAM } from '../../lambdas/domain/canary/canary-service';
import { TEST_CONFIG } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { sentEmails } from '../support/mailbox';

const CANARY_ADDRESS = 'success@simulator.amazonses.com';

/** SES's answer to a recipient it will not send to (as in its sandbox), for the canary address alone. */
const refuseCanaryAddress = (clients: AwsClients) =>
  clients.ses.middlewareStack.add(
    (next) => async (args) => {
      const to = (args.input as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses ?? [];
      if (to.includes(CANARY_ADDRESS)) {
        throw Object.assign(new Error(`Email address is not verified. The following identities failed the check: ${CANARY_ADDRESS}`), {
          name: 'MessageRejected',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'refuseCanaryAddress' },
  );

/** A notifier whose store fails every call with an error that is not worth retrying: no step can run. */
const breakNotifierStore = (notifier: Pick<AwsClients, 'dynamoDb'>) =>
  notifier.dynamoDb.middlewareStack.add(
    () => async () => {
      throw Object.assign(new Error('the notifier is broken'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    },
    { step: 'initialize', name: 'breakNotifierStore' },
  );

describe('the canary', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system.stop());
  const responder = () => system.keys.responders!;

  it('runs green: numbered, escalated, paged through SES to the canary address, resolved, and leaves no incident behind', async () => {
    const result = await system.runtime.runCanary();

    expect(result).toMatchObject({ ok: true, passed: ['numbered', 'escalation started', 'notifier ran', 'SES accepted', 'resolved'] });
    const { number } = result as { number: number };
    const page = (await sentEmails(system.runtime.sesUrl)).find((mail) => mail.subject.includes(`#${number} `));
    expect(page?.to).toEqual([CANARY_ADDRESS]);
    expect((await system.request('GET', `/incidents/${number}`, { key: responder() })).status).toBe(404);
  });

  it('writes its own service and team, which config apply leaves alone', async () => {
    await system.runtime.runCanary();
    const db = documentClient(system.runtime.clients.dynamoDb);
    const { tables } = system.runtime.deployment;
    expect((await db.send(new GetCommand({ TableName: tables.services, Key: { serviceId: CANARY_SERVICE } }))).Item).toMatchObject({ team: CANARY_TEAM });
    expect((await db.send(new GetCommand({ TableName: tables.config, Key: { configkey: `team#${CANARY_TEAM}` } }))).Item).toMatchObject({
      defaultContact: CANARY_ADDRESS,
      escalation: { levels: [{ delayMinutes: 0, targets: [`email:${CANARY_ADDRESS}`] }] },
    });

    const applied = await applyOnCallConfig(db, tables, TEST_CONFIG, { env: {}, secrets: new Map(Object.entries(system.keys)), dryRun: true });
    expect(applied.plan).toEqual([]);
  });
});

describe('the canary, when SES refuses its page', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ instrument: refuseCanaryAddress });
  });
  afterAll(() => system.stop());
  const responder = () => system.keys.responders!;

  it('turns red at "SES accepted", and keeps its resolved incident out of the default list but findable by service', async () => {
    const result = await system.runtime.runCanary();

    expect(result).toMatchObject({ ok: false, passed: ['numbered', 'escalation started', 'notifier ran'], failed: 'SES accepted', reason: expect.stringContaining('not verified') });
    const { number } = result as { number: number };
    expect((await system.request('GET', `/incidents/${number}`, { key: responder() })).body).toMatchObject({ state: 'RESOLVED', resolvedBy: 'canary' });
    const listed = async (query: string) => ((await system.request('GET', `/incidents${query}`, { key: responder() })).body.items as { number: number }[]).map((i) => i.number);
    expect(await listed('')).not.toContain(number);
    expect(await listed('?state=RESOLVED')).not.toContain(number);
    expect(await listed(`?service=${CANARY_SERVICE}`)).toContain(number);
  });
});

describe('the canary, when the notifier is broken', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ instrument: (_clients, { notifier }) => breakNotifierStore(notifier), canary: { deadlineMs: 1_000, pollMs: 50 } });
  });
  afterAll(() => system.stop());

  it('turns red when no step of its escalation runs within the deadline, and resolves its incident', async () => {
    const result = await system.runtime.runCanary();

    expect(result).toMatchObject({ ok: false, passed: ['numbered'], failed: 'escalation started', reason: 'not seen within 1 s' });
    const { number } = result as { number: number };
    expect((await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body).toMatchObject({ state: 'RESOLVED' });
  });
});
