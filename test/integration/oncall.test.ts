import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import ICAL from 'ical.js';
import { loadOnCallConfig } from '../../lambdas/adapters/config-file';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import { createLogger, documentClient, notifierDeps } from '../../lambdas/composition';
import { createHandler as createNotifier } from '../../lambdas/handlers/notifier';
import { sentEmails } from '../support/mailbox';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually, StateMachineClock } from '../support/time';

const person = (id: string) => ({ name: id[0]!.toUpperCase() + id.slice(1), email: `${id}@example.com` });
// 2026-11-20 is a Friday: the weekly turns hand off on Fridays at 17:00 in Paris.
const weekly = (participants: string[]) => ({ name: 'weekly', rotation: { participants, turn: '1 week', handoff: '2026-11-20T17:00' } });
const config = onCallConfigSchema.parse({
  people: Object.fromEntries(['alice', 'bob', 'carol', 'erin', 'dave'].map((id) => [id, person(id)])),
  teams: {
    sre: {
      timeZone: 'Europe/Paris',
      defaultContact: 'sre-lead@example.com',
      schedules: { primary: { layers: [weekly(['alice', 'bob'])] }, secondary: { layers: [weekly(['carol', 'erin'])] } },
      escalation: { levels: [{ targets: ['schedule:primary'] }, { delayMinutes: 30, targets: ['schedule:primary', 'schedule:secondary'] }] },
      handoffNotice: { minutesBefore: 30 },
    },
  },
  services: { pay: { team: 'sre' } },
  apiKeys: { 'pay-key': { role: 'integration', service: 'pay' }, responders: { role: 'responder' } },
});

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ config });
});
afterAll(() => system.stop());

const clock = new StateMachineClock(() => system.runtime.runningTasks());
beforeEach(async () => {
  await fetch(`${system.runtime.sesUrl}/clear-store`, { method: 'POST' });
  clock.install('2026-11-24T10:00:00Z');
});
afterEach(() => clock.uninstall());

const responder = () => system.keys.responders!;
const get = (path: string) => system.request('GET', path, { key: responder() });
const raise = async () => {
  const res = await system.request('PUT', '/incidents', { key: system.keys['pay-key']!, body: validEvent({ service: 'pay', title: `t ${Math.random()}` }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
};
const incident = async (number: number) => (await get(`/incidents/${number}`)).body;
/** The pages of an incident's level, once `count` of them are in the timeline: who, when, and why. */
const pagedAtLevel = (number: number, level: number, count: number) =>
  eventually(`${count} pages of #${number} at level ${level}`, async () => {
    const pages = (await incident(number)).timeline.filter((e: { type: string; level?: number }) => e.type === 'notified' && e.level === level);
    return pages.length >= count ? (pages as { to: string; at: string; note: string }[]) : undefined;
  });
const minutes = (n: number) => clock.minutes(n);

/** The override the escalation test made, which the reading tests list and delete. */
let overrideId = '';

describe('escalating through schedules, in virtual time', () => {
  it('pages the new on-call at a level that falls after the handoff', async () => {
    vi.setSystemTime(new Date('2026-11-27T15:45:00Z')); // 16:45 in Paris, a quarter of an hour before the handoff
    const number = await raise();
    expect((await pagedAtLevel(number, 1, 1)).map((p) => [p.to, p.note])).toEqual([['alice@example.com', 'as schedule primary (layer weekly)']]);
    await minutes(30);
    const level2 = await pagedAtLevel(number, 2, 2);
    expect(level2.map((p) => p.to)).toEqual(['bob@example.com', 'erin@example.com']);
    expect(level2.every((p) => p.at === '2026-11-27T16:15:00.000Z')).toBe(true);
  });

  it('pages whom an override made through the API names, from the next level on; deleting it restores the rotation', async () => {
    vi.setSystemTime(new Date('2026-11-24T10:00:00Z'));
    const number = await raise();
    expect((await pagedAtLevel(number, 1, 1)).map((p) => p.to)).toEqual(['alice@example.com']);
    const made = await system.request('POST', '/schedules/sre/primary/overrides', {
      key: responder(),
      body: { person: 'dave', replaces: 'alice', from: '2026-11-24T11:05', to: '2026-11-24T13:00' },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ person: 'dave', replaces: 'alice', from: '2026-11-24T10:05:00.000Z', source: 'api' });
    await minutes(30);
    const level2 = await pagedAtLevel(number, 2, 2);
    expect(level2.map((p) => [p.to, p.note])).toEqual([
      ['dave@example.com', `as schedule primary (override ${made.body.id})`],
      ['carol@example.com', 'as schedule secondary (layer weekly)'],
    ]);    overrideId = made.body.id;
  });

  it('previews exactly what the escalation then sends, for the same incident at the same instants', async () => {
    const raisedAt = new Date('2026-11-27T15:50:00Z');
    vi.setSystemTime(raisedAt);
    const preview = await get(`/services/pay/escalation-preview?at=${raisedAt.toISOString()}`);
    expect(preview.status).toBe(200);
    const number = await raise();
    await pagedAtLevel(number, 1, 1);
    await minutes(30);
    await pagedAtLevel(number, 2, 2);
    const sent = (await incident(number)).timeline
      .filter((e: { type: string }) => e.type === 'notified')
      .map((e: { level: number; at: string; to: string; note: string }) => ({ level: e.level, at: e.at, to: e.to, as: e.note.replace(/^as /, '') }));
    const previewed = preview.body.levels.flatMap((l: { level: number; at: string; recipients: { address: string; as: string }[] }) =>
      l.recipients.map((r) => ({ level: l.level, at: l.at, to: r.address, as: r.as })),
    );
    expect(previewed).toEqual(sent);
    expect(previewed.map((p: { to: string }) => p.to)).toEqual(['alice@example.com', 'bob@example.com', 'erin@example.com']);
  });
});

describe('reading schedules', () => {
  beforeEach(() => clock.uninstall());

  it('says who is on call in each schedule, with the shift and the layer that decided it', async () => {
    const res = await get('/oncall?team=sre&at=2026-11-25T10:00:00Z');
    expect(res.body).toEqual({
      team: 'sre',
      at: '2026-11-25T10:00:00.000Z',
      schedules: [
        {
          schedule: 'primary',
          timeZone: 'Europe/Paris',
          // Her shift resumed when the override made above ended.
          onCall: [{ person: 'alice', name: 'Alice', email: 'alice@example.com', layer: 'weekly', start: '2026-11-24T12:00:00.000Z', end: '2026-11-27T16:00:00.000Z' }],
        },
        {
          schedule: 'secondary',
          timeZone: 'Europe/Paris',
          onCall: [{ person: 'carol', name: 'Carol', email: 'carol@example.com', layer: 'weekly', start: '2026-11-20T16:00:00.000Z', end: '2026-11-27T16:00:00.000Z' }],
        },
      ],
    });
  });

  it('lists the final shifts of a range, the override made above spliced in, and refuses a range it cannot answer, naming the field', async () => {
    const res = await get('/schedules/sre/primary/shifts?from=2026-11-20T16:00:00Z&to=2026-12-11T16:00:00Z');
    expect(res.body.shifts.map((s: { person: string; layer: string; start: string; end: string }) => [s.person, s.layer, s.start, s.end])).toEqual([
      ['alice', 'weekly', '2026-11-20T16:00:00.000Z', '2026-11-24T10:05:00.000Z'],
      ['dave', 'override', '2026-11-24T10:05:00.000Z', '2026-11-24T12:00:00.000Z'],
      ['alice', 'weekly', '2026-11-24T12:00:00.000Z', '2026-11-27T16:00:00.000Z'],
      ['bob', 'weekly', '2026-11-27T16:00:00.000Z', '2026-12-04T16:00:00.000Z'],
      ['alice', 'weekly', '2026-12-04T16:00:00.000Z', '2026-12-11T16:00:00.000Z'],
    ]);
    const tooLong = await get('/schedules/sre/primary/shifts?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.details).toEqual([{ field: 'to', problem: 'must be at most 90 days after from' }]);
    expect((await get('/schedules/sre/nope/shifts?from=2026-11-20T16:00:00Z&to=2026-11-21T16:00:00Z')).status).toBe(404);
  });

  it('keeps overrides made through the API when the config is applied again, lists them, and deletes one, restoring the rotation', async () => {
    const onCallAt11 = async () => (await get('/oncall?team=sre&at=2026-11-24T11:00:00Z')).body.schedules[0].onCall.map((s: { person: string }) => s.person);
    const reapplied = await applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, config, { env: {} });
    expect(reapplied.plan).toEqual([]);
    expect((await get('/schedules/sre/primary/overrides')).body.items.map((o: { id: string }) => o.id)).toEqual([overrideId]);
    expect(await onCallAt11()).toEqual(['dave']);
    const remove = () => system.request('DELETE', `/schedules/sre/primary/overrides/${overrideId}`, { key: responder() });
    expect((await remove()).status).toBe(204);
    expect((await remove()).status).toBe(404);
    expect(await onCallAt11()).toEqual(['alice']);
  });

  it('refuses a bad override with 400 naming each field, and changes nothing', async () => {
    const post = (body: unknown, key = responder()) => system.request('POST', '/schedules/sre/primary/overrides', { key, body });
    const bad = await post({ person: 'nobody', from: '2026-11-24T11:00', to: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['to']);
    const unknown = await post({ person: 'nobody', from: '2026-11-24T11:00', to: '2026-11-24T12:00' });
    expect(unknown.body.details).toEqual([{ field: 'person', problem: 'is not a known person id or an email address' }]);
    expect((await post({ person: 'dave', from: '2026-11-24T11:00', to: '2026-11-24T12:00' }, system.keys['pay-key'])).status).toBe(403);
    expect((await get('/schedules/sre/primary/overrides')).body.items).toEqual([]);
  });
});

describe('calendar feeds', () => {
  beforeEach(() => vi.setSystemTime(new Date('2026-11-25T10:00:00Z')));

  /** The events of a feed as ical.js, a real iCalendar parser, reads them. */
  async function eventsOf(path: string) {
    const res = await fetch(system.runtime.apiUrl + path);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const calendar = new ICAL.Component(ICAL.parse(await res.text()));
    return calendar.getAllSubcomponents('vevent').map((vevent) => {
      const event = new ICAL.Event(vevent);
      return { uid: event.uid, summary: event.summary, start: event.startDate.toJSDate().toISOString(), end: event.endDate.toJSDate().toISOString() };
    });
  }

  it('serves a schedule’s shifts of the next weeks as iCalendar with stable UIDs, until the feed is revoked', async () => {
    const made = await system.request('POST', '/ical-feeds', { key: responder(), body: { schedule: 'sre/primary', weeks: 2 } });
    expect(made.status).toBe(201);
    expect(made.body.path).toMatch(/^\/ical\/[\w-]{16}\.[\w-]{43}\.ics$/);
    const events = await eventsOf(made.body.path);
    expect(events.map((e) => [e.summary, e.start, e.end])).toEqual([
      ['On call: Alice (sre/primary)', '2026-11-20T16:00:00.000Z', '2026-11-27T16:00:00.000Z'],
      ['On call: Bob (sre/primary)', '2026-11-27T16:00:00.000Z', '2026-12-04T16:00:00.000Z'],
      ['On call: Alice (sre/primary)', '2026-12-04T16:00:00.000Z', '2026-12-09T10:00:00.000Z'],
    ]);
    vi.setSystemTime(new Date('2026-11-26T10:00:00Z'));
    // The shift in progress shows whole, so every UID stays the same from one fetch to the next.
    expect((await eventsOf(made.body.path)).map((e) => e.uid)).toEqual(events.map((e) => e.uid));
    expect((await get('/ical-feeds')).body.items.map((f: { id: string }) => f.id)).toContain(made.body.id);
    expect(JSON.stringify((await get('/ical-feeds')).body)).not.toContain(made.body.path.split('.')[1]);

    expect((await system.request('DELETE', `/ical-feeds/${made.body.id}`, { key: responder() })).status).toBe(204);
    expect((await fetch(system.runtime.apiUrl + made.body.path)).status).toBe(401);
  });

  it('serves one person’s shifts across the team’s schedules, and refuses a forged token', async () => {
    const made = await system.request('POST', '/ical-feeds', { key: responder(), body: { person: 'carol', weeks: 1 } });
    const events = await eventsOf(made.body.path);
    expect(events.map((e) => [e.summary, e.start, e.end])).toEqual([['On call: Carol (sre/secondary)', '2026-11-20T16:00:00.000Z', '2026-11-27T16:00:00.000Z']]);
    const forged = made.body.path.replace(/\.[\w-]{43}\./, `.${'A'.repeat(43)}.`);
    expect((await fetch(system.runtime.apiUrl + forged)).status).toBe(401);
    expect((await fetch(`${system.runtime.apiUrl}/ical/nonsense.ics`)).status).toBe(400);
    const unknown = await system.request('POST', '/ical-feeds', { key: responder(), body: { person: 'nobody' } });
    expect(unknown.body.details).toEqual([{ field: 'person', problem: 'is not a configured person' }]);
  });
});

describe('handoff notices', () => {
  beforeEach(() => clock.uninstall());

  /** The notifier on its 5-minute schedule, as the rule invokes it, with the clock at `now`. */
  const tick = (now: string) => {
    const { runtime } = system;
    const settings = { from: 'oncall@inresponse.local', publicApiUrl: runtime.apiUrl, linkSecret: 'x'.repeat(32) };
    const notifier = createNotifier({ ...notifierDeps(runtime.clients, runtime.deployment.tables, settings, () => new Date(now)), logger: createLogger('test') });
    return notifier({ 'detail-type': 'Scheduled Event' });
  };
  const notices = async () => (await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.startsWith('On call from'));

  it('tells each person coming on call, once, within the minutes before the shift, with its times and the open incidents', async () => {
    // The Friday handoff is at 16:00Z (17:00 in Paris): 35 minutes ahead nothing is due yet.
    expect(await tick('2026-11-27T15:25:00Z')).toEqual({ sent: 0, failed: 0 });
    expect(await tick('2026-11-27T15:35:00Z')).toEqual({ sent: 2, failed: 0 });
    expect(await tick('2026-11-27T15:40:00Z')).toEqual({ sent: 0, failed: 0 });
    const sent = await notices();
    expect(sent.map((e) => e.to[0])).toEqual(['bob@example.com', 'erin@example.com']);
    expect(sent[0]!.subject).toBe('On call from Friday, 27 November 2026 at 17:00 (Europe/Paris): sre/primary');
    expect(sent[0]!.text).toContain('To:   Friday, 4 December 2026 at 17:00 (Europe/Paris)');
    expect(sent[0]!.text).toMatch(/Open incidents of team sre:\n#\d+ \[CRIT\] (OPEN|CLAIMED) pay: /);
  });
});

describe('the config files', () => {
  beforeEach(() => clock.uninstall());

  it('takes the older calendar file unchanged: its days become the oncall and escalation schedules', async () => {
    const other = await startTestSystem({ config: loadOnCallConfig('test/fixtures/calendar-config.yaml') });
    try {
      const key = other.keys['devops-responders']!;
      const res = await other.request('GET', '/oncall?team=devops&at=2026-12-02T10:00:00Z', { key });
      expect(res.body.schedules.map((s: { schedule: string; onCall: { person: string }[] }) => [s.schedule, s.onCall.map((p) => p.person)])).toEqual([
        ['escalation', ['manoj@example.com']],
        ['oncall', ['safeer@example.com']],
      ]);
    } finally {
      await other.stop();
    }
  });

  it('answers who is on call for the example file npm start applies', async () => {
    const other = await startTestSystem({ config: loadOnCallConfig('inresponse.config.yaml') });
    try {
      const res = await other.request('GET', '/oncall?team=devops&at=2026-12-05T10:00:00Z', { key: other.keys['devops-responders']! });
      expect(res.status).toBe(200);
      expect(res.body.schedules.map((s: { schedule: string }) => s.schedule)).toEqual(expect.arrayContaining(['primary', 'secondary']));
      expect(res.body.schedules.every((s: { onCall: unknown[] }) => s.onCall.length > 0)).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
