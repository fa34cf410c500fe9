import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/sfn-escalations';
import { LIMITS } from '../../lambdas/config/limits';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import { documentClient } from '../../lambdas/composition';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually, StateMachineClock } from '../support/time';

/** One service per test, so that a window of one test never covers another's; the same team pages for all. */
const config = onCallConfigSchema.parse({
  people: { ana: { name: 'Ana', email: 'ana@example.com' }, boss: { name: 'Boss', email: 'boss@example.com' } },
  teams: {
    ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ana'] }, { delayMinutes: 10, targets: ['person:boss'] }] } },
  },
  services: { pay: { team: 'ops' }, shop: { team: 'ops' }, web: { team: 'ops' } },
  apiKeys: {
    'pay-key': { role: 'integration', service: 'pay' },
    'shop-key': { role: 'integration', service: 'shop' },
    'web-key': { role: 'integration', service: 'web' },
    responders: { role: 'responder' },
  },
  maintenance: { 'year-end': { services: ['web'], reason: 'year-end freeze', from: '2026-12-31T22:00:00Z', to: '2026-12-31T23:00:00Z' } },
});

let system: TestSystem;
/** The API keys' secrets, for config apply to keep. */
const secrets = new Map<string, string>();
beforeAll(async () => {
  system = await startTestSystem({ config, secrets });
});
afterAll(() => system.stop());
/** Each test starts at 10:00 a day later than the one before: the clock never runs back past a cached read or a window. */
let start = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
const clock = new StateMachineClock(() => system.runtime.runningTasks());
beforeEach(() => {
  start += 86_400_000;
  clock.install(new Date(start).toISOString());
});
afterEach(() => clock.uninstall());

const responder = () => system.keys.responders!;
const raise = (service: string, dedupKey: string) =>
  system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, title: `${service} down`, dedupKey, detectedAt: at(0) }) });
const startWindow = async (body: Record<string, unknown>) => {
  const res = await system.request('POST', '/maintenance', { key: responder(), body });
  expect(res.status).toBe(201);
  return res.body as { id: string; from: string; to: string };
};
const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: responder() })).body;
const pagesOf = async (number: number) =>
  ((await incident(number)).timeline as { type: string; to?: string }[]).filter((e) => e.type === 'notified').map((e) => e.to);
const pagesAre = (number: number, count: number) =>
  eventually(`${count} pages of #${number}`, async () => {
    const pages = await pagesOf(number);
    return pages.length >= count ? pages : undefined;
  });
/** Waits until the execution waits for its next wake: the step before is complete. */
const waiting = (number: number, execution?: string) =>
  eventually(`#${number} to wait`, async () => {
    const arn = executionArnOf(system.runtime.deployment.escalationStateMachineArn, { number, ...(execution ? { escalationExecution: execution } : {}) });
    const { events } = await system.runtime.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const states = events!.map((e) => e.stateEnteredEventDetails?.name);
    return states.at(-1) === 'Wait until due' && states;
  });
const minutes = async (n: number, number: number, execution?: string) => {
  await clock.advance(n * 60_000);
  await waiting(number, execution);
};

describe('maintenance windows', () => {
  it('suppress new events of their services, record them, and list as active', async () => {
    const window = await startWindow({ services: ['pay'], reason: 'database upgrade', durationMinutes: 120 });
    expect(window).toMatchObject({ services: ['pay'], from: at(0), to: at(120), origin: 'api', createdBy: 'responders' });

    const raised = await raise('pay', 'disk');
    expect(raised.status).toBe(202);
    expect(raised.body).toEqual({ suppressed: true, maintenance: { id: window.id, until: window.to } });
    const events = (await system.request('GET', '/events?service=pay&limit=5', { key: responder() })).body.items;
    expect(events.find((e: { source: string }) => e.source === 'nagios')).toMatchObject({ outcome: 'suppressed', reason: `maintenance ${window.id} until ${window.to}`, summary: 'pay down', from: 'pay-key' });
    expect((await system.request('GET', '/incidents?service=pay', { key: responder() })).body.items).toEqual([]);

    // The integrations take the event as usual, and record it as suppressed too.
    const enqueued = await system.request('POST', '/v2/enqueue', {
      body: { routing_key: system.keys['pay-key'], event_action: 'trigger', dedup_key: 'lag', payload: { summary: 'replica lag', source: 'db-2', severity: 'error' } },
    });
    expect(enqueued.status).toBe(202);
    const recorded = (await system.request('GET', '/events?service=pay&limit=5', { key: responder() })).body.items;
    expect(recorded.find((e: { source: string }) => e.source === 'pagerduty-events-v2')).toMatchObject({ outcome: 'suppressed', source: 'pagerduty-events-v2', reason: `maintenance ${window.id} until ${window.to}`, summary: 'replica lag' });

    const active = await system.request('GET', '/maintenance?service=pay&active=true', { key: responder() });
    expect(active.body.items.map((w: { id: string }) => w.id)).toEqual([window.id]);
    expect((await system.request('GET', '/maintenance?service=shop', { key: responder() })).body.items).toEqual([]);

    // Once the window is over (ended early here), the next event opens an incident: at the latest when the
    // raise's brief cache of the windows expires.
    await clock.advance(60_000);
    expect((await system.request('POST', `/maintenance/${window.id}/end`, { key: responder() })).status).toBe(200);
    expect((await system.request('GET', '/maintenance?service=pay&active=true', { key: responder() })).body.items).toEqual([]);
    await clock.advance(LIMITS.maintenanceCacheSeconds * 1000);
    expect((await raise('pay', 'disk')).status).toBe(201);
    expect((await system.request('GET', '/maintenance?service=pay&active=false', { key: responder() })).body.items).toMatchObject([{ id: window.id, to: at(1) }]);
  });

  it('planned in the config file are listed, kept by config apply beside the API windows, and ended only by the file', async () => {
    const started = await startWindow({ services: ['web'], reason: 'hotfix', from: '2026-12-30T10:00:00Z', to: '2026-12-30T11:00:00Z' });
    const apply = (dryRun: boolean, file = config) =>
      applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, file, { env: {}, secrets, dryRun });
    expect((await apply(false)).plan).toEqual([]);
    const listed = (await system.request('GET', '/maintenance?service=web', { key: responder() })).body.items;
    expect(listed.map((w: { id: string; origin: string }) => `${w.id} ${w.origin}`)).toEqual(['year-end config', `${started.id} api`]);
    expect((await system.request('POST', '/maintenance/year-end/end', { key: responder() })).status).toBe(409);
    const moved = { ...config, maintenance: { 'year-end': { ...config.maintenance['year-end']!, to: new Date('2027-01-01T00:00:00Z') } } };
    expect((await apply(true, moved)).plan).toEqual([{ action: 'change', what: 'maintenance year-end' }]);
    expect((await apply(true, { ...config, maintenance: {} })).plan).toEqual([{ action: 'remove', what: 'maintenance year-end' }]);
    expect((await system.request('POST', `/maintenance/${started.id}/end`, { key: responder() })).status).toBe(200);
  });

  it('refuse bad input with 400 naming the field, and start nothing', async () => {
    const unknown = await system.request('POST', '/maintenance', { key: responder(), body: { services: ['pay', 'nope'], reason: 'x', durationMinutes: 5 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([{ field: 'services.1', problem: 'nope is not a configured service' }]);
    const noDuration = await system.request('POST', '/maintenance', { key: responder(), body: { services: ['pay'], reason: 'x' } });
    expect(noDuration.status).toBe(400);
    expect(noDuration.body.details[0].field).toBe('durationMinutes');
    const backwards = await system.request('POST', '/maintenance', { key: responder(), body: { services: ['pay'], reason: 'x', from: '2026-12-25T10:00:00Z', to: '2026-12-25T09:00:00Z' } });
    expect(backwards.body.details).toEqual([{ field: 'to', problem: 'must be after from' }]);
    const integration = await system.request('POST', '/maintenance', { key: system.keys['pay-key']!, body: { services: ['pay'], reason: 'x', durationMinutes: 5 } });
    expect(integration.status).toBe(403);
    const badQuery = await system.request('GET', '/maintenance?active=yes', { key: responder() });
    expect(badQuery.body.details).toEqual([{ field: 'active', problem: 'must be true or false' }]);
    expect((await system.request('GET', '/maintenance?service=pay&active=true', { key: responder() })).body.items).toEqual([]);
  });

  it('hold a running escalation, counting repeats, and resume it at the level reached once the window ends', async () => {
    const opened = await raise('shop', 'cpu');
    expect(opened.status).toBe(201);
    const { number } = opened.body as { number: number };
    expect(await pagesAre(number, 1)).toEqual(['ana@example.com']);
    await waiting(number);

    await clock.advance(5 * 60_000);
    const window = await startWindow({ services: ['shop'], reason: 'deploy', durationMinutes: 30 });
    // A repeat of the open incident is counted; it pages nothing.
    const repeat = await raise('shop', 'cpu');
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ number, occurrences: 2, maintenance: { id: window.id, until: at(35) } });

    // Level 2 was due at 10:10: held, it waits for the window's end.
    await minutes(10, number);
    expect(await pagesOf(number)).toEqual(['ana@example.com']);
    expect((await incident(number)).maintenance).toEqual({ id: window.id, until: at(35) });
    const listed = (await system.request('GET', '/incidents?service=shop', { key: responder() })).body.items;
    expect(listed.find((i: { number: number }) => i.number === number).maintenance).toEqual({ id: window.id, until: at(35) });
    await minutes(19, number);
    expect(await pagesOf(number)).toEqual(['ana@example.com']);

    await clock.advance(60_000);
    expect(await pagesAre(number, 2)).toEqual(['ana@example.com', 'boss@example.com']);
    const boss = ((await incident(number)).timeline as { type: string; to?: string; at: string }[]).find((e) => e.to === 'boss@example.com')!;
    expect(boss.at).toBe(at(35));
    expect((await incident(number)).maintenance).toBeUndefined();
    // The hold is said once on the timeline, and so is the resumption.
    const holds = ((await incident(number)).timeline as { type: string; note?: string }[]).filter((e) => e.type === 'held' || e.type === 'resumed');
    expect(holds.map(({ type, note }) => ({ type, note }))).toEqual([
      { type: 'held', note: `escalation held: service shop in maintenance ${window.id} until ${at(35)}` },
      { type: 'resumed', note: `escalation resumed: maintenance ${window.id} is over` },
    ]);
  });

  it('ended early, release the held escalations at once, in a new execution', async () => {
    const { number } = (await raise('web', 'mem')).body as { number: number };
    expect(await pagesAre(number, 1)).toEqual(['ana@example.com']);
    await waiting(number);
    await clock.advance(60_000);
    const window = await startWindow({ services: ['web'], reason: 'migration', durationMinutes: 120 });
    await minutes(11, number);
    expect(await pagesOf(number)).toEqual(['ana@example.com']);

    const ended = await system.request('POST', `/maintenance/${window.id}/end`, { key: responder() });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ id: window.id, to: at(12), endedEarlyBy: 'responders' });
    expect(await pagesAre(number, 2)).toEqual(['ana@example.com', 'boss@example.com']);
    expect((await incident(number)).escalationExecution).toBe(`incident-${number}-m-${window.id}`);

    const again = await system.request('POST', `/maintenance/${window.id}/end`, { key: responder() });
    expect(again.status).toBe(409);
    const missing = await system.request('POST', '/maintenance/no-such-window/end', { key: responder() });
    expect(missing.status).toBe(404);
  });
});
