import { describe, expect, it } from 'vitest';
import { deadlineAfter, type HeartbeatMonitor, type HeartbeatState, listHeartbeats, pingTokenSchema } from '../../lambdas/domain/heartbeats/heartbeats';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';

const monitor = (name: string): HeartbeatMonitor => ({ name, service: 'pay', intervalMinutes: 5, graceMinutes: 1, severity: 'ERR', onPing: 'resolve', tokenHash: 'h' });
const NOW = new Date('2026-11-24T10:00:00Z');

describe('heartbeat monitors', () => {
  it('are due their interval and grace after a ping', () => {
    expect(new Date(deadlineAfter({ intervalMinutes: 5, graceMinutes: 1 }, NOW)).toISOString()).toBe('2026-11-24T10:06:00.000Z');
  });

  it('take tokens <name>.<secret> in the path, and nothing else', () => {
    expect(pingTokenSchema.safeParse({ token: 'nightly-backup.irk_abcdefghijklmnopqrstuvwxyz' }).success).toBe(true);
    for (const token of ['nightly-backup', '.irk_abcdefghijklmnopqrstuvwxyz', 'a.short', 'a b.irk_abcdefghijklmnopqrstuvwxyz']) {
      expect(pingTokenSchema.safeParse({ token }).success).toBe(false);
    }
  });

  it('need a configured service, an interval from 1 minute to 7 days, and name the field otherwise', () => {
    const base = { teams: { ops: { timeZone: 'UTC', defaultContact: 'a@example.com' } }, services: { pay: { team: 'ops' } } };
    const problems = (heartbeats: unknown) => onCallConfigSchema.safeParse({ ...base, heartbeats }).error?.issues.map((i) => i.path.join('.'));
    expect(problems({ job: { service: 'pay', intervalMinutes: 60 } })).toBeUndefined();
    expect(problems({ job: { service: 'nope', intervalMinutes: 60 } })).toEqual(['heartbeats.job.service']);
    expect(problems({ job: { service: 'pay', intervalMinutes: 7 * 24 * 60 + 1 } })).toEqual(['heartbeats.job.intervalMinutes']);
    expect(problems({ job: { service: 'pay', intervalMinutes: 0 } })).toEqual(['heartbeats.job.intervalMinutes']);
  });

  it('show as waiting for a first ping, up, or overdue', async () => {
    const states = new Map<string, HeartbeatState>([
      ['up', { name: 'up', lastPingAt: '2026-11-24T09:58:00.000Z', deadline: NOW.getTime() + 60_000 }],
      ['late', { name: 'late', lastPingAt: '2026-11-24T09:00:00.000Z', deadline: NOW.getTime() - 60_000 }],
      ['alerting', { name: 'alerting', lastPingAt: '2026-11-24T09:00:00.000Z', deadline: NOW.getTime() - 60_000, incidentNumber: 100042 }],
    ]);
    const store = { monitors: async () => ['up', 'late', 'alerting', 'new'].map(monitor), states: async () => states };
    const views = await listHeartbeats({ heartbeats: store, clock: () => NOW });
    expect(views.map((v) => [v.name, v.status, v.incidentNumber])).toEqual([
      ['alerting', 'overdue', 100042],
      ['late', 'overdue', undefined],
      ['new', 'waiting for first ping', undefined],
      ['up', 'up', undefined],
    ]);
  });
});
