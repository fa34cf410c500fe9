import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/sfn-escalations';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually, StateMachineClock } from '../support/time';

const alwaysHigh = { CRIT: 'high', ERR: 'high', WARN: 'high' };
/** New York's support hours, every day: 2026-11-01 is the day clocks go back (EDT to EST at 06:00Z). */
const newYorkHours = { timeZone: 'America/New_York', windows: [{ from: '08:00', to: '18:00' }], holidays: ['2026-12-25'] };

const config = onCallConfigSchema.parse({
  people: {
    ana: {
      name: 'Ana',
      email: 'ana@example.com',
      phone: '+33612345678',
      slack: 'U0ANA',
      notificationRules: {
        high: [
          { afterMinutes: 0, channels: ['sms', 'slack'] },
          { afterMinutes: 2, channels: ['voice'] },
          { afterMinutes: 5, channels: ['voice', 'email'] },
        ],
      },
    },
    mute: { name: 'Mute', email: 'mute@example.com', phone: '+14155550111', notificationRules: { high: [{ afterMinutes: 0, channels: ['sms'] }] } },
    nia: { name: 'Nia', email: 'nia@example.com', phone: '+12125550142' },
    boss: { name: 'Boss', email: 'boss@example.com' },
  },
  teams: {
    ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ana'] }, { targets: ['person:boss'] }] } },
    quiet: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:mute'] }, { targets: ['person:boss'] }] } },
    nyc: { timeZone: 'America/New_York', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:nia'] }, { targets: ['person:boss'] }] } },
  },
  services: {
    pay: { team: 'ops' },
    hush: { team: 'quiet' },
    night: { team: 'nyc', urgency: { bySeverity: alwaysHigh, supportHours: newYorkHours } },
    manual: { team: 'nyc', urgency: { fromEvents: true } },
  },
  apiKeys: {
    'pay-key': { role: 'integration', service: 'pay' },
    'hush-key': { role: 'integration', service: 'hush' },
    'night-key': { role: 'integration', service: 'night' },
    'manual-key': { role: 'integration', service: 'manual' },
    responders: { role: 'responder' },
  },
});

/** Failures of SendTextMessage per number, injected at the SDK client: the stand-in does not fail. */
const smsFaults = new Map<string, { name: string; status: number }>();
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ config });
  system.runtime.clients.sms!.middlewareStack.add(
    (next) => async (args) => {
      const fault = smsFaults.get((args.input as { DestinationPhoneNumber?: string }).DestinationPhoneNumber ?? '');
      if (fault) throw Object.assign(new Error(fault.name), { name: fault.name, $metadata: { httpStatusCode: fault.status } });
      return next(args);
    },
    { step: 'initialize', name: 'smsFaults' },
  );
});
afterAll(() => system.stop());
const clock = new StateMachineClock(() => system.runtime.runningTasks());
beforeEach(() => {
  smsFaults.clear();
  clock.install('2026-11-24T10:00:00Z');
});
afterEach(() => clock.uninstall());

interface Entry {
  type: string;
  at: string;
  to?: string;
  channel?: string;
  level?: number;
  run?: number;
  step?: number;
  urgency?: string;
  note?: string;
}
const raise = async (service: string, overrides: Record<string, unknown> = {}) => {
  const res = await system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, title: `${service} ${Math.random()}`, ...overrides }) });
  expect(res.status).toBe(201);
  return res.body as { number: number; urgency: string; raiseAt?: string };
};
const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;
const pagesOf = async (number: number) =>
  ((await incident(number)).timeline as Entry[])
    .filter((e) => e.type === 'notified' || e.type === 'notify_failed')
    .map((e) => `${e.type === 'notified' ? '' : 'failed '}${e.channel ?? 'email'} ${e.to}`);
const pagesAre = (number: number, count: number) =>
  eventually(`${count} pages of #${number}`, async () => {
    const pages = await pagesOf(number);
    return pages.length >= count ? pages : undefined;
  });
const statesEntered = async (number: number, execution?: string) => {
  const arn = executionArnOf(system.runtime.deployment.escalationStateMachineArn, { number, ...(execution ? { escalationExecution: execution } : {}) });
  const { events } = await system.runtime.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
  return events!.map((e) => e.stateEnteredEventDetails!.name!);
};
const minutes = (n: number) => clock.minutes(n);

describe('personal notification rules', () => {
  it('page a high CRIT by SMS and Slack at once, by voice 2 minutes later, then by voice and email: two transitions per personal step', async () => {
    const { number } = await raise('pay');
    expect(await pagesAre(number, 2)).toEqual(['sms +33612345678', 'slack U0ANA']);
    const dm = ((await (await fetch(`${system.runtime.slackUrl}/messages`)).json()) as { messages: { method: string; request: { channel: string; text: string } }[] }).messages;
    expect(dm.some((m) => m.method === 'chat.postMessage' && m.request.channel === 'U0ANA' && m.request.text.includes(`#${number} `))).toBe(true);
    await clock.settle();
    await minutes(1);
    expect(await pagesOf(number)).toHaveLength(2);
    await minutes(1);
    expect(await pagesAre(number, 3)).toEqual(['sms +33612345678', 'slack U0ANA', 'voice +33612345678']);
    await minutes(3);
    expect(await pagesAre(number, 5)).toEqual(['sms +33612345678', 'slack U0ANA', 'voice +33612345678', 'voice +33612345678', 'email ana@example.com']);
    const steps = ((await incident(number)).timeline as Entry[]).filter((e) => e.type === 'notified').map((e) => [e.at, e.step]);
    expect(steps).toEqual([
      ['2026-11-24T10:00:00.000Z', undefined],
      ['2026-11-24T10:00:00.000Z', undefined],
      ['2026-11-24T10:02:00.000Z', 1],
      ['2026-11-24T10:05:00.000Z', 2],
      ['2026-11-24T10:05:00.000Z', 2],
    ]);
    // The first level, then one wake (Wait until due, Notify due) per personal step and for the second level,
    // all in one list; then the end.
    await minutes(5);
    expect(await pagesAre(number, 6)).toContain('email boss@example.com');
    expect(await statesEntered(number)).toEqual([
      'Escalate', 'Escalation over?', 'Wake in turn',
      'Wait until due', 'Notify due', 'Wait until due', 'Notify due', 'Wait until due', 'Notify due',
      'Escalation over?', 'Ended',
    ]);
  });

  it('stop the voice call once an SMS reply claims the incident', async () => {
    const { number } = await raise('pay');
    await pagesAre(number, 2);
    await clock.settle();
    await minutes(1);
    const reply = await fetch(`${system.runtime.smsUrl}/two-way`, {
      method: 'POST',
      body: JSON.stringify({ originationNumber: '+33612345678', destinationNumber: '+18005550199', messageBody: `${number - 100_000}C`, inboundMessageId: 'in-1' }),
    });
    expect(reply.status).toBe(202);
    await eventually('the claim', async () => (await incident(number)).state === 'CLAIMED');
    await minutes(30);
    expect(await pagesOf(number)).toEqual(['sms +33612345678', 'slack U0ANA']);
  });

  it('pass a person none of whose channels reach them over to the next level at once, and record it', async () => {
    smsFaults.set('+14155550111', { name: 'ValidationException', status: 400 });
    const { number } = await raise('hush');
    expect(await pagesAre(number, 2)).toEqual(['failed sms +14155550111', 'email boss@example.com']);
    const passed = ((await incident(number)).timeline as Entry[]).find((e) => e.type === 'passed_over');
    expect(passed).toMatchObject({ to: 'mute@example.com', level: 1, at: '2026-11-24T10:00:00.000Z' });
  });
});

describe('urgency and support hours', () => {
  it('email a WARN outside support hours only, never escalate it, and raise it at 08:00 New York time on the day clocks go back', async () => {
    vi.setSystemTime(new Date('2026-11-01T08:00:00Z')); // 03:00 EST
    const raised = await raise('night', { severity: 'WARN' });
    expect(raised).toMatchObject({ urgency: 'low', raiseAt: '2026-11-01T13:00:00.000Z' });
    const { number } = raised;
    expect(await pagesAre(number, 1)).toEqual(['email nia@example.com']);
    await clock.settle();
    await minutes(60);
    await minutes(239);
    expect(await pagesOf(number)).toEqual(['email nia@example.com']);
    await minutes(1);
    expect(await pagesAre(number, 4)).toEqual(['email nia@example.com', 'email nia@example.com', 'sms +12125550142', 'voice +12125550142']);
    const current = await incident(number);
    expect(current).toMatchObject({ urgency: 'high' });
    expect(current.raiseAt).toBeUndefined();
    expect((current.timeline as Entry[]).find((e) => e.type === 'urgency_changed')).toMatchObject({
      at: '2026-11-01T13:00:00.000Z',
      urgency: 'high',
      note: 'raised to high: support hours of night started',
    });
    await minutes(10);
    expect(await pagesAre(number, 5)).toContain('email boss@example.com');
  });

  it('keep a CRIT within support hours high', async () => {
    vi.setSystemTime(new Date('2026-11-02T15:00:00Z')); // 10:00 EST
    expect(await raise('night')).toMatchObject({ urgency: 'high' });
  });

  it('take an event\'s urgency only where the service allows it, refusing it elsewhere with the field named', async () => {
    const refused = await system.request('PUT', '/incidents', { key: system.keys['pay-key']!, body: validEvent({ service: 'pay', urgency: 'low' }) });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([expect.objectContaining({ field: 'urgency' })]);
    const { number, urgency } = await raise('manual', { urgency: 'low' });
    expect(urgency).toBe('low');
    expect(await pagesAre(number, 1)).toEqual(['email nia@example.com']);
    await clock.settle();
    expect((await statesEntered(number)).at(-1)).toBe('Ended');
  });

  it('let a responder raise a low incident, which escalates again from the first level, and lower a high one, which then stops', async () => {
    const { number } = await raise('manual', { urgency: 'low' });
    await pagesAre(number, 1);
    const act = (urgency: string) =>
      system.request('POST', `/incidents/${number}`, { key: system.keys.responders!, body: { action: 'urgency', urgency, by: 'lead@example.com' } });
    const raisedNow = await act('high');
    expect(raisedNow.status).toBe(200);
    expect(raisedNow.body).toMatchObject({ urgency: 'high', escalationExecution: `incident-${number}-run-1` });
    expect(await pagesAre(number, 4)).toEqual(['email nia@example.com', 'email nia@example.com', 'sms +12125550142', 'voice +12125550142']);
    await clock.settle();
    expect((await act('low')).body).toMatchObject({ urgency: 'low' });
    await minutes(30);
    await clock.settle();
    expect(await pagesOf(number)).toHaveLength(4);
    const invalid = await system.request('POST', `/incidents/${number}`, { key: system.keys.responders!, body: { action: 'urgency', by: 'x' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details).toEqual([expect.objectContaining({ field: 'urgency' })]);
  });
});
