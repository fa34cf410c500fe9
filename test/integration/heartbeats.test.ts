import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { startTestSystem, type TestSystem } from '../support/harness';
import { StateMachineClock } from '../support/time';

const config = onCallConfigSchema.parse({
  people: { ana: { name: 'Ana', email: 'ana@example.com', phone: '+33612345678' } },
  teams: { ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ana'] }] } } },
  services: { pay: { team: 'ops' }, backups: { team: 'ops' }, quiet: { team: 'ops' }, etl: { team: 'ops' }, db: { team: 'ops' } },
  heartbeats: {
    'pay-cron': { service: 'pay', intervalMinutes: 5, graceMinutes: 1 },
    'never-pinged': { service: 'quiet', intervalMinutes: 1 },
    'etl-run': { service: 'etl', intervalMinutes: 10, onPing: 'comment' },
    'db-dump': { service: 'db', intervalMinutes: 5 },
    'nightly-backup': {
      service: 'backups',
      intervalMinutes: 1440,
      graceMinutes: 60,
      severity: 'CRIT',
      supportHours: { timeZone: 'America/New_York', windows: [{ from: '08:00', to: '18:00' }] },
    },
  },
  apiKeys: { responders: { role: 'responder' } },
});

let system: TestSystem;
const secrets = new Map<string, string>();
beforeAll(async () => {
  system = await startTestSystem({ config, secrets });
});
afterAll(() => system.stop());

const tokenOf = (monitor: string) => `${monitor}.${secrets.get(`heartbeat:${monitor}`)}`;
const ping = (monitor: string, method = 'GET', body?: string) =>
  fetch(`${system.runtime.apiUrl}/heartbeats/${tokenOf(monitor)}`, { method, ...(body === undefined ? {} : { body }) });
const responder = () => system.keys.responders!;
interface Incident {
  number: number;
  state: string;
  title: string;
  urgency: string;
  raiseAt?: string;
  severity: string;
  resolvedBy?: string;
}
const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: responder() })).body as Incident;
/** The service's incidents, whole, newest first. */
const incidentsOf = async (service: string) =>
  Promise.all(((await system.request('GET', `/incidents?service=${service}`, { key: responder() })).body.items as Incident[]).map((i) => incident(i.number)));
const heartbeat = async (name: string) => ((await system.request('GET', '/heartbeats', { key: responder() })).body.items as { name: string }[]).find((h) => h.name === name);
/** Moves the fake clock a minute at a time, running the checker each minute as its timer does. */
const clock = new StateMachineClock(() => system.runtime.runningTasks());
const minutes = async (n: number) => {
  for (let i = 0; i < n; i++) {
    await clock.minutes(1);
    await system.runtime.checkHeartbeats();
  }
};

describe('heartbeats', () => {
  beforeEach(() => clock.install('2026-11-24T00:00:00Z'));
  afterEach(() => clock.uninstall());

  it('open one incident by 00:07 for a 5-minute heartbeat with 1 minute of grace last pinged at 00:00; the next ping resolves it', async () => {
    vi.setSystemTime(new Date('2026-11-24T00:00:00Z'));
    const first = await ping('pay-cron');
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ monitor: 'pay-cron', nextDeadline: '2026-11-24T00:06:00.000Z' });
    await minutes(6);
    expect(await incidentsOf('pay')).toEqual([]);
    await minutes(1);
    const [opened] = await incidentsOf('pay');
    expect(opened).toMatchObject({ state: 'OPEN', title: 'No heartbeat from pay-cron since 2026-11-24T00:00:00.000Z', urgency: 'high' });
    expect(await heartbeat('pay-cron')).toMatchObject({ status: 'overdue', incidentNumber: opened!.number });
    await minutes(10);
    expect(await incidentsOf('pay')).toHaveLength(1);

    expect((await ping('pay-cron', 'POST', 'backup took 7 minutes')).status).toBe(200);
    expect(await incident(opened!.number)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'heartbeat' });
    expect(await heartbeat('pay-cron')).toMatchObject({ status: 'up', lastNote: 'backup took 7 minutes', deadline: '2026-11-24T00:23:00.000Z' });
  });

  it('only comment on the open incident at the next ping, when the monitor is configured so', async () => {
    vi.setSystemTime(new Date('2026-11-24T00:00:00Z'));
    await ping('etl-run');
    await minutes(11);
    const [opened] = await incidentsOf('etl');
    await ping('etl-run');
    const after = (await system.request('GET', `/incidents/${opened!.number}`, { key: responder() })).body;
    expect(after.state).toBe('OPEN');
    expect(after.timeline.at(-1)).toMatchObject({ type: 'comment', by: 'heartbeat', note: 'heartbeat etl-run pinged again at 2026-11-24T00:11:00.000Z' });
  });

  it('open nothing while its service is in maintenance, and open the incident once the window ends if still overdue', async () => {
    // Later than the tests before: the raise path caches the windows it read for a few seconds of this clock.
    vi.setSystemTime(new Date('2026-11-26T00:00:00Z'));
    await ping('db-dump');
    const window = await system.request('POST', '/maintenance', { key: responder(), body: { services: ['db'], reason: 'database upgrade', durationMinutes: 30 } });
    expect(window.status).toBe(201);
    await minutes(29);
    expect(await incidentsOf('db')).toEqual([]);
    await minutes(2);
    const opened = await incidentsOf('db');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ title: 'No heartbeat from db-dump since 2026-11-26T00:00:00.000Z' });
  });

  it('never fire for a monitor that was never pinged', async () => {
    vi.setSystemTime(new Date('2026-11-24T00:00:00Z'));
    await minutes(30);
    expect(await incidentsOf('quiet')).toEqual([]);
    expect(await heartbeat('never-pinged')).toMatchObject({ status: 'waiting for first ping' });
    expect((await heartbeat('never-pinged')) as object).not.toHaveProperty('deadline');
  });

  it('open a daily heartbeat outside its support hours as low, and raise it when they start', async () => {
    vi.setSystemTime(new Date('2026-11-01T04:00:00Z')); // 00:00 in New York, the day clocks go back
    expect((await ping('nightly-backup', 'HEAD')).status).toBe(200);
    // Due 25 hours later: 00:00 EST on 2 November; the hours start at 08:00 EST.
    await clock.advance(25 * 60 * 60_000);
    await minutes(1);
    const [opened] = await incidentsOf('backups');
    expect(opened).toMatchObject({ urgency: 'low', raiseAt: '2026-11-02T13:00:00.000Z', severity: 'CRIT' });
    await clock.advanceTo('2026-11-02T13:00:00.000Z');
    const raised = await incident(opened!.number);
    expect(raised).toMatchObject({ urgency: 'high', state: 'OPEN' });
    expect((raised as unknown as { timeline: { type: string; at: string }[] }).timeline.find((e) => e.type === 'urgency_changed')).toMatchObject({ at: '2026-11-02T13:00:00.000Z' });
  });

  it('refuse a wrong token with 404 and a malformed one with 400, each naming the token', async () => {
    const wrong = await fetch(`${system.runtime.apiUrl}/heartbeats/pay-cron.${'x'.repeat(40)}`);
    expect(wrong.status).toBe(404);
    expect(((await wrong.json()) as { details: unknown }).details).toEqual([expect.objectContaining({ field: 'token' })]);
    const malformed = await fetch(`${system.runtime.apiUrl}/heartbeats/nodot`);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { details: unknown }).details).toEqual([expect.objectContaining({ field: 'token' })]);
  });
});

describe('a restart', () => {
  it('fires a deadline that passed while the runtime was down once, after the restart', async () => {
    let now = Date.parse('2026-11-24T00:00:00Z');
    const clock = () => new Date(now);
    const shared = { config, secrets: new Map<string, string>(), tablePrefix: `t${randomUUID().slice(0, 8)}`, clock };
    const first = await startTestSystem(shared);
    const token = `pay-cron.${shared.secrets.get('heartbeat:pay-cron')}`;
    expect((await fetch(`${first.runtime.apiUrl}/heartbeats/${token}`)).status).toBe(200);
    await first.stop();
    now += 30 * 60_000;
    const second = await startTestSystem(shared);
    try {
      await second.runtime.checkHeartbeats();
      const items = (await second.request('GET', '/incidents?service=pay', { key: second.keys.responders! })).body.items as Incident[];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ title: 'No heartbeat from pay-cron since 2026-11-24T00:00:00.000Z' });
    } finally {
      await second.stop();
    }
  });
});
