import { describe, expect, it } from 'vitest';
import type { Principal } from '../../lambdas/domain/access/access';
import { maintenanceInputSchema, rangeOf, windowOver, type MaintenanceWindow } from '../../lambdas/domain/maintenance/maintenance';
import { endMaintenance, holdingWindow, listMaintenance, type MaintenanceUseCaseDeps } from '../../lambdas/domain/maintenance/maintenance-use-cases';
import type { MaintenanceCalendar } from '../../lambdas/domain/maintenance/ports';
import type { MaintenanceStore } from '../../lambdas/domain/maintenance/ports';
import type { Incident } from '../../lambdas/domain/incident/incident';

const now = new Date('2026-11-24T10:00:00Z');
const responder: Principal = { name: 'ana', role: 'responder' };
const window = (id: string, from: string, to: string, overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  id,
  services: ['pay'],
  from,
  to,
  reason: 'upgrade',
  origin: 'api',
  createdBy: 'ana',
  ...overrides,
});

describe('windowOver', () => {
  const morning = window('morning', '2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z');
  const longer = window('longer', '2026-11-24T09:30:00Z', '2026-11-24T12:00:00Z');

  it('covers its services from its start, up to but not at its end', () => {
    expect(windowOver([morning], 'pay', new Date('2026-11-24T09:00:00Z'))).toBe(morning);
    expect(windowOver([morning], 'pay', new Date('2026-11-24T10:59:59.999Z'))).toBe(morning);
    expect(windowOver([morning], 'pay', new Date('2026-11-24T11:00:00Z'))).toBeUndefined();
    expect(windowOver([morning], 'pay', new Date('2026-11-24T08:59:59.999Z'))).toBeUndefined();
    expect(windowOver([morning], 'shop', now)).toBeUndefined();
  });

  it('answers the overlapping window that ends last: the escalation holds until all are over', () => {
    expect(windowOver([morning, longer], 'pay', now)).toBe(longer);
  });
});

describe('holdingWindow', () => {
  const morning = window('morning', '2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z');
  /** A calendar whose windows by key are `current`, and which counts those reads. */
  const calendar = (current: MaintenanceWindow[]) => {
    const read: string[] = [];
    const c: MaintenanceCalendar = {
      windows: async () => current,
      window: async (id) => {
        read.push(id);
        return current.find((w) => w.id === id);
      },
    };
    return { c, read };
  };

  it('holds by a covering window once its item, read by key, still covers the service', async () => {
    const { c, read } = calendar([morning]);
    expect(await holdingWindow(c, [morning], 'pay', now)).toEqual(morning);
    expect(read).toEqual(['morning']);
  });

  it('releases at once when the index still shows a window that its item says was ended early', async () => {
    const ended = { ...morning, to: '2026-11-24T09:59:00.000Z', endedEarlyBy: 'ana' };
    expect(await holdingWindow(calendar([ended]).c, [morning], 'pay', now)).toBeUndefined();
    expect(await holdingWindow(calendar([]).c, [morning], 'pay', now)).toBeUndefined();
  });

  it('reads nothing more when no window covers the service', async () => {
    const { c, read } = calendar([morning]);
    expect(await holdingWindow(c, [morning], 'shop', now)).toBeUndefined();
    expect(read).toEqual([]);
  });
});

describe('maintenanceInputSchema', () => {
  const parse = (input: Record<string, unknown>) => maintenanceInputSchema.safeParse({ services: ['pay'], reason: 'upgrade', ...input });
  const fieldsOf = (input: Record<string, unknown>) => parse(input).error?.issues.map((i) => i.path.join('.'));

  it('takes a duration from now or a range', () => {
    expect(rangeOf(parse({ durationMinutes: 120 }).data!, now)).toEqual({ from: now, to: new Date('2026-11-24T12:00:00Z') });
    const ranged = parse({ from: '2026-11-25T10:00:00+01:00', to: '2026-11-25T11:00:00+01:00' }).data!;
    expect(rangeOf(ranged, now)).toEqual({ from: new Date('2026-11-25T09:00:00Z'), to: new Date('2026-11-25T10:00:00Z') });
  });

  it('names the field at fault: neither or both of duration and range, half a range, a range backwards or above a week', () => {
    expect(fieldsOf({})).toEqual(['durationMinutes']);
    expect(fieldsOf({ durationMinutes: 5, from: '2026-11-25T10:00:00Z', to: '2026-11-25T11:00:00Z' })).toEqual(['durationMinutes']);
    expect(fieldsOf({ from: '2026-11-25T10:00:00Z' })).toEqual(['to']);
    expect(fieldsOf({ from: '2026-11-25T10:00:00Z', to: '2026-11-25T09:00:00Z' })).toEqual(['to']);
    expect(fieldsOf({ from: '2026-11-25T10:00:00Z', to: '2026-12-05T10:00:00Z' })).toEqual(['to']);
    expect(fieldsOf({ durationMinutes: 0 })).toEqual(['durationMinutes']);
    expect(fieldsOf({ durationMinutes: 5, services: [] })).toEqual(['services']);
  });
});

describe('maintenance use cases', () => {
  const running = window('running', '2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z', { services: ['pay', 'shop'] });
  const planned = window('planned', '2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z', { origin: 'config' });
  const coming = window('coming', '2026-11-25T09:00:00Z', '2026-11-25T11:00:00Z');
  const past = window('past', '2026-11-23T09:00:00Z', '2026-11-23T11:00:00Z');

  function deps(windows: MaintenanceWindow[], open: Record<string, number[]> = {}) {
    const calls: string[] = [];
    const store: MaintenanceStore = {
      windows: async () => windows,
      window: async (id) => windows.find((w) => w.id === id),
      add: async () => {},
      end: async (id, at, by) => {
        calls.push(`end ${id} at ${at.toISOString()}`);
        const found = windows.find((w) => w.id === id)!;
        return { ...found, to: at.toISOString(), endedEarlyBy: by };
      },
    };
    const incidentOf = (number: number) => ({ number, state: 'OPEN', service: 'pay' }) as Incident;
    const d: MaintenanceUseCaseDeps = {
      maintenance: store,
      directory: { findService: async () => undefined },
      statusPages: { invalidate: async () => {} },
      incidents: {
        list: async (filter) => ({ items: (open[filter.service!] ?? []).map((n) => ({ ...incidentOf(n) })) }),
        get: async (number) => incidentOf(number),
        moveEscalation: async (number, _from, execution) => ({ ...incidentOf(number), escalationExecution: execution }),
      },
      escalation: {
        start: async (i) => void calls.push(`start ${i.escalationExecution}`),
        stop: async (i) => void calls.push(`stop #${i.number}`),
      },
      clock: () => now,
    };
    return { d, calls };
  }

  it('list the windows of a service, running now or not, latest start first', async () => {
    const { d } = deps([past, running, coming]);
    expect((await listMaintenance(d, responder, { service: 'pay' })).map((w) => w.id)).toEqual(['coming', 'running', 'past']);
    expect((await listMaintenance(d, responder, { service: 'shop', active: true })).map((w) => w.id)).toEqual(['running']);
    expect((await listMaintenance(d, responder, { active: false })).map((w) => w.id)).toEqual(['coming', 'past']);
  });

  it('end a running window now and restart the escalation of each open incident of its services in a new execution', async () => {
    const { d, calls } = deps([running], { pay: [100001], shop: [100002] });
    expect(await endMaintenance(d, responder, 'running')).toMatchObject({ to: now.toISOString(), endedEarlyBy: 'ana' });
    expect(calls).toEqual([
      'end running at 2026-11-24T10:00:00.000Z',
      'stop #100001',
      'start incident-100001-m-running',
      'stop #100002',
      'start incident-100002-m-running',
    ]);
  });

  it('call off a window still to come without touching any escalation, and refuse a planned, ended or unknown one', async () => {
    const { d, calls } = deps([coming, planned, past]);
    await endMaintenance(d, responder, 'coming');
    expect(calls).toEqual(['end coming at 2026-11-25T09:00:00.000Z']);
    await expect(endMaintenance(d, responder, 'planned')).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(endMaintenance(d, responder, 'past')).rejects.toMatchObject({ name: 'ConflictError' });
    await expect(endMaintenance(d, responder, 'nope')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(endMaintenance(d, { name: 'k', role: 'integration', service: 'pay' }, 'coming')).rejects.toMatchObject({ name: 'ForbiddenError' });
  });
});
