import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually, StateMachineClock } from '../support/time';

/** Email first, SMS 10 minutes later if nobody claimed; a lead 30 minutes after the first level. */
const emailThenSms = { high: [{ afterMinutes: 0, channels: ['email'] }, { afterMinutes: 10, channels: ['sms'] }] };
const config = onCallConfigSchema.parse({
  people: {
    ana: { name: 'Ana', email: 'ana@example.com', phone: '+15550100001', notificationRules: emailThenSms },
    cleo: { name: 'Cleo', email: 'cleo@example.com', phone: '+15550100002', notificationRules: emailThenSms },
    eve: { name: 'Eve', email: 'eve@example.com' },
    gus: { name: 'Gus', email: 'gus@example.com', phone: '+15550100004', notificationRules: { high: [{ afterMinutes: 0, channels: ['sms'] }, { afterMinutes: 15, channels: ['email'] }] } },
    lead: { name: 'Lead', email: 'lead@example.com' },
  },
  teams: Object.fromEntries(
    ['ana', 'cleo', 'eve', 'gus'].map((person) => [
      person,
      {
        timeZone: 'Europe/Paris',
        defaultContact: 'lead@example.com',
        schedules: { primary: { layers: [{ name: 'all', rotation: { participants: [person], turn: '1 week', handoff: '2026-11-20T09:00' } }] } },
        escalation: { levels: [{ targets: ['schedule:primary'] }, { delayMinutes: 30, targets: ['person:lead'] }] },
      },
    ]),
  ),
  services: { 'ana-svc': { team: 'ana' }, 'cleo-svc': { team: 'cleo' }, 'eve-svc': { team: 'eve' }, 'gus-svc': { team: 'gus' } },
  apiKeys: {
    ...Object.fromEntries(['ana', 'cleo', 'eve', 'gus'].map((p) => [`${p}-key`, { role: 'integration', service: `${p}-svc` }])),
    responders: { role: 'responder' },
  },
});

interface Entry {
  readonly type: string;
  readonly at: string;
  readonly to?: string;
  readonly channel?: string;
  readonly level?: number;
  readonly step?: number;
  readonly note?: string;
  readonly messageId?: string;
}

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ config, deliveryReports: true });
  system.runtime.deliveries.email('ana@example.com', 'bounce');
  system.runtime.deliveries.email('cleo@example.com', 'complain');
  system.runtime.deliveries.email('eve@example.com', 'bounce');
  system.runtime.deliveries.phone('+15550100004', 'invalid');
});
afterAll(() => system.stop());
const clock = new StateMachineClock(() => system.runtime.runningTasks());
beforeEach(() => clock.install('2026-11-24T10:00:00Z'));
afterEach(() => clock.uninstall());

const raise = async (person: string) => {
  const res = await system.request('PUT', '/incidents', { key: system.keys[`${person}-key`]!, body: validEvent({ service: `${person}-svc`, title: `${person} down` }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
};
const timeline = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body.timeline as Entry[];
const entries = (number: number, wanted: (e: Entry) => boolean, what: string) =>
  eventually(what, async () => {
    const found = (await timeline(number)).filter(wanted);
    return found.length ? found : undefined;
  });
const onCall = async (team: string) => (await system.request('GET', `/oncall?team=${team}`, { key: system.keys.responders! })).body.schedules[0].onCall[0];

describe('delivery feedback', () => {
  it('records a hard bounce beside its page, flags the address, and sends the next channel at once, not 10 minutes later', async () => {
    const number = await raise('ana');
    const [bounced] = await entries(number, (e) => e.type === 'bounced', 'the bounce');
    const page = (await timeline(number)).find((e) => e.type === 'notified' && e.to === 'ana@example.com')!;
    expect(bounced).toMatchObject({ to: 'ana@example.com', level: 1, messageId: page.messageId, note: 'hard bounce: 550 5.1.1 user unknown' });
    // The clock has not moved: the SMS planned for 10:10 goes out now.
    const [sms] = await entries(number, (e) => e.type === 'notified' && e.channel === 'sms', 'the SMS brought forward');
    expect(sms).toMatchObject({ to: '+15550100001', step: 1, at: '2026-11-24T10:00:00.000Z' });
    await entries(number, (e) => e.type === 'delivered' && e.channel === 'sms', 'the SMS delivered');
    expect((await onCall('ana')).contactProblems).toEqual([
      { to: 'ana@example.com', channel: 'email', problem: 'hard bounce: 550 5.1.1 user unknown', at: bounced!.at, incident: number },
    ]);
    // The lead is still paged only when due.
    expect((await timeline(number)).some((e) => e.to === 'lead@example.com')).toBe(false);
  });

  it('records a complaint after the delivery, and moves on to the next channel the same way', async () => {
    const number = await raise('cleo');
    await entries(number, (e) => e.type === 'complained', 'the complaint');
    const types = (await timeline(number)).filter((e) => e.to === 'cleo@example.com').map((e) => e.type);
    expect(types).toEqual(['notified', 'delivered', 'complained']);
    await entries(number, (e) => e.type === 'notified' && e.channel === 'sms' && e.at === '2026-11-24T10:00:00.000Z', 'the SMS brought forward');
    expect((await onCall('cleo')).contactProblems).toMatchObject([{ to: 'cleo@example.com', problem: 'complaint (abuse): the recipient marked the page as spam' }]);
  });

  it('pages the next level at once when the only channel of everyone paged bounced', async () => {
    const number = await raise('eve');
    await entries(number, (e) => e.type === 'notified' && e.to === 'lead@example.com', 'the lead paged');
    const passed = (await timeline(number)).find((e) => e.type === 'passed_over')!;
    expect(passed).toMatchObject({ to: 'eve@example.com', level: 1 });
    expect((await timeline(number)).find((e) => e.to === 'lead@example.com' && e.type === 'notified')).toMatchObject({ level: 2, at: '2026-11-24T10:00:00.000Z' });
  });

  it('records an SMS that failed and the email that followed it, delivered once', async () => {
    const number = await raise('gus');
    const [failed] = await entries(number, (e) => e.type === 'undelivered', 'the failed SMS');
    expect(failed).toMatchObject({ to: '+15550100004', channel: 'sms', note: 'invalid: Destination phone number is not valid' });
    await entries(number, (e) => e.type === 'delivered' && e.to === 'gus@example.com', 'the email brought forward and delivered');
    expect((await onCall('gus')).contactProblems).toMatchObject([{ to: '+15550100004', channel: 'sms' }]);
    await eventually('the reports handled', async () => system.runtime.deliveries.pending === 0);
    const delivered = (await timeline(number)).filter((e) => e.type === 'delivered');
    expect(delivered).toHaveLength(1);
  });
});
