import { describe, expect, it } from 'vitest';
import { buildStatusPageSnapshot, type SnapshotInput } from '../../lambdas/domain/status-pages/snapshot';
import { statusPageConfigSchema } from '../../lambdas/domain/status-pages/status-page-config';
import type { StatusUpdate } from '../../lambdas/domain/status-pages/status-updates';

const NOW = new Date('2026-11-24T10:00:00Z');

const config = statusPageConfigSchema.parse({
  title: 'Example',
  visibility: 'public',
  timeZone: 'Europe/Paris',
  components: [
    { service: 'athens', name: 'Checkout', group: 'Shop & Pay' },
    { service: 'sparta', name: 'Search' },
    { service: 'thebes', name: 'Payments', group: 'Shop & Pay' },
    { service: 'delphi', name: 'Docs', group: 'Shop-Pay' },
  ],
});

const input = (over: Partial<SnapshotInput> = {}): SnapshotInput => ({
  id: 'example',
  config,
  url: 'https://status.example.com/',
  now: NOW,
  incidents: [],
  maintenanceWindows: [],
  overrides: {},
  updates: [],
  ...over,
});

const update = (id: string, at: string, status: StatusUpdate['status'], more: Partial<StatusUpdate> = {}): StatusUpdate => ({ id, at, status, text: `text ${id}`, ...more });

describe('status page snapshot', () => {
  it('shows each component with its status, group, uptime and 90 days, and the page indicator', () => {
    const snapshot = buildStatusPageSnapshot(
      input({
        incidents: [
          { number: 100001, service: 'athens', severity: 'ERR', state: 'OPEN', openedAt: '2026-11-24T09:00:00Z' },
          { number: 100002, service: 'sparta', severity: 'CRIT', state: 'RESOLVED', openedAt: '2026-11-23T09:00:00Z', resolvedAt: '2026-11-23T10:00:00Z' },
        ],
      }),
    );
    expect(snapshot.page).toEqual({ id: 'example', title: 'Example', url: 'https://status.example.com', visibility: 'public', timeZone: 'Europe/Paris' });
    expect(snapshot.generatedAt).toBe('2026-11-24T10:00:00.000Z');
    expect(snapshot.components.map((c) => [c.id, c.name, c.group?.id, c.status])).toEqual([
      ['athens', 'Checkout', 'group-shop-pay', 'partial_outage'],
      ['sparta', 'Search', undefined, 'operational'],
      ['thebes', 'Payments', 'group-shop-pay', 'operational'],
      ['delphi', 'Docs', 'group-shop-pay-2', 'operational'],
    ]);
    expect(snapshot.components[1]!.history).toHaveLength(90);
    expect(snapshot.components[1]!.history.at(-2)).toMatchObject({ date: '2026-11-23', worst: 'major_outage', major: 60 });
    expect(snapshot.components[2]!.uptime).toBe(100);
    expect([snapshot.indicator, snapshot.description]).toEqual(['major', 'Partial System Outage']);
  });

  it('shows an override in force with its note, and maintenance running now', () => {
    const snapshot = buildStatusPageSnapshot(
      input({
        overrides: {
          athens: { status: 'major_outage', note: 'Card payments fail', until: '2026-11-24T12:00:00Z' },
          sparta: { status: 'major_outage', until: '2026-11-24T09:00:00Z' },
        },
        maintenanceWindows: [{ id: 'db-upgrade', services: ['thebes', 'knossos'], from: '2026-11-24T09:30:00Z', to: '2026-11-24T11:00:00Z', reason: 'Database upgrade' }],
      }),
    );
    expect(snapshot.components.map((c) => [c.id, c.status, c.override])).toEqual([
      ['athens', 'major_outage', { note: 'Card payments fail', until: '2026-11-24T12:00:00Z' }],
      ['sparta', 'operational', undefined],
      ['thebes', 'under_maintenance', undefined],
      ['delphi', 'operational', undefined],
    ]);
  });

  it('lists maintenance running, then to come, over the page components only', () => {
    const window = (id: string, from: string, to: string, services = ['athens']) => ({ id, services, from, to, reason: `reason ${id}` });
    const snapshot = buildStatusPageSnapshot(
      input({
        maintenanceWindows: [
          window('later', '2026-11-28T01:00:00Z', '2026-11-28T02:00:00Z'),
          window('sooner', '2026-11-25T01:00:00Z', '2026-11-25T02:00:00Z', ['athens', 'knossos']),
          window('over', '2026-11-24T08:00:00Z', '2026-11-24T10:00:00Z'),
          window('elsewhere', '2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z', ['knossos']),
          window('now', '2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z', ['sparta']),
        ],
      }),
    );
    expect(snapshot.maintenances.map((m) => [m.id, m.status, m.components, m.name])).toEqual([
      ['now', 'in_progress', ['sparta'], 'reason now'],
      ['sooner', 'scheduled', ['athens'], 'reason sooner'],
      ['later', 'scheduled', ['athens'], 'reason later'],
    ]);
  });

  it('makes incidents of responders updates: one run per incident until resolved, named for impact and components, newest first', () => {
    const snapshot = buildStatusPageSnapshot(
      input({
        incidents: [
          { number: 100001, service: 'athens', severity: 'CRIT', state: 'OPEN', openedAt: '2026-11-24T09:00:00Z' },
          { number: 100002, service: 'sparta', severity: 'WARN', state: 'RESOLVED', openedAt: '2026-11-20T09:00:00Z', resolvedAt: '2026-11-20T10:00:00Z' },
        ],
        updates: [
          update('u3', '2026-11-24T09:20:00Z', 'identified', { incidentNumber: 100001, components: ['athens', 'thebes', 'knossos'] }),
          update('u1', '2026-11-24T09:05:00Z', 'investigating', { incidentNumber: 100001 }),
          update('u4', '2026-11-20T09:10:00Z', 'investigating', { incidentNumber: 100002 }),
          update('u5', '2026-11-20T10:00:00Z', 'resolved', { incidentNumber: 100002 }),
          update('u6', '2026-11-24T08:00:00Z', 'monitoring'),
          update('old1', '2026-11-10T08:00:00Z', 'investigating'),
          update('old2', '2026-11-10T09:00:00Z', 'resolved'),
        ],
      }),
    );
    expect(snapshot.incidents.map((i) => [i.id, i.name, i.status, i.impact, i.components, i.resolvedAt, i.updates.map((u) => u.id)])).toEqual([
      ['u1', 'Major outage: Checkout, Payments', 'identified', 'critical', ['athens', 'thebes'], undefined, ['u3', 'u1']],
      ['u6', 'Notice', 'monitoring', 'none', [], undefined, ['u6']],
      ['u4', 'Degraded performance: Search', 'resolved', 'minor', ['sparta'], '2026-11-20T10:00:00Z', ['u5', 'u4']],
    ]);
    expect(snapshot.incidents[0]).toMatchObject({ incidentNumber: 100001, createdAt: '2026-11-24T09:05:00Z', updatedAt: '2026-11-24T09:20:00Z' });
  });

  it('starts another incident when an update follows a resolved one', () => {
    const snapshot = buildStatusPageSnapshot(
      input({
        updates: [
          update('a', '2026-11-24T08:00:00Z', 'investigating', { components: ['sparta'] }),
          update('b', '2026-11-24T08:30:00Z', 'resolved'),
          update('c', '2026-11-24T09:00:00Z', 'investigating'),
        ],
      }),
    );
    expect(snapshot.incidents.map((i) => [i.id, i.status, i.components])).toEqual([
      ['c', 'investigating', []],
      ['a', 'resolved', ['sparta']],
    ]);
  });
});
