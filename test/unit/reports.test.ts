import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../lambdas/domain/incident/incident';
import {
  durationStats,
  incidentsPerDay,
  isNight,
  pagesPerPerson,
  periodReport,
  responseTimes,
  type ReportIncident,
  type ReportPerson,
} from '../../lambdas/domain/reports/reports';

const now = new Date('2026-11-24T12:00:00Z');
const minutesAfter = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

function incident(number: number, service: string, createdAt: string, claimAfter?: number, resolveAfter?: number, pages: TimelineEntry[] = []): ReportIncident {
  return {
    number,
    service,
    team: service === 'web' ? 'front' : 'ops',
    createdAt,
    ...(claimAfter === undefined ? {} : { claimedAt: minutesAfter(createdAt, claimAfter) }),
    ...(resolveAfter === undefined ? {} : { resolvedAt: minutesAfter(createdAt, resolveAfter) }),
    timeline: [
      { at: createdAt, type: 'created', by: 'api' },
      ...pages,
      ...(claimAfter === undefined ? [] : [{ at: minutesAfter(createdAt, claimAfter), type: 'claimed' as const, by: 'ana@example.com' }]),
    ],
  };
}

const page = (at: string, to: string): TimelineEntry => ({ at, type: 'notified', by: 'inresponse', to });

describe('durations', () => {
  it('give the median and mean, and nothing of no durations', () => {
    expect(durationStats([])).toEqual({ count: 0 });
    expect(durationStats([300, 60, 120])).toEqual({ count: 3, medianSeconds: 120, meanSeconds: 160 });
    expect(durationStats([60, 120, 180, 600])).toEqual({ count: 4, medianSeconds: 150, meanSeconds: 240 });
  });

  it('have median and mean between the least and the greatest, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1 }), (values) => {
        const stats = durationStats(values);
        const [min, max] = [Math.min(...values), Math.max(...values)];
        expect(stats.count).toBe(values.length);
        for (const s of [stats.medianSeconds!, stats.meanSeconds!]) expect(s >= min - 1e-6 && s <= max + 1e-6).toBe(true);
        expect(durationStats([...values].reverse())).toEqual(stats);
      }),
    );
  });
});

describe('MTTA and MTTR', () => {
  it('count from creation to the first claim and to resolution, per service and per team', () => {
    const incidents = [
      incident(1, 'pay', '2026-11-20T10:00:00Z', 2, 30),
      incident(2, 'pay', '2026-11-21T10:00:00Z', 4),
      incident(3, 'shop', '2026-11-22T10:00:00Z', undefined, 60),
      incident(4, 'web', '2026-11-22T11:00:00Z'),
    ];
    expect(responseTimes(incidents, 'service')).toEqual([
      { key: 'pay', incidents: 2, mtta: { count: 2, medianSeconds: 180, meanSeconds: 180 }, mttr: { count: 1, medianSeconds: 1800, meanSeconds: 1800 } },
      { key: 'shop', incidents: 1, mtta: { count: 0 }, mttr: { count: 1, medianSeconds: 3600, meanSeconds: 3600 } },
      { key: 'web', incidents: 1, mtta: { count: 0 }, mttr: { count: 0 } },
    ]);
    expect(responseTimes(incidents, 'team').map((r) => [r.key, r.incidents, r.mtta.count, r.mttr.count])).toEqual([
      ['front', 1, 0, 0],
      ['ops', 3, 2, 2],
    ]);
  });

  it('count every incident once per grouping, by service as by team', () => {
    const arbitraryIncident = fc.record({
      service: fc.constantFrom('pay', 'shop', 'web'),
      offset: fc.integer({ min: 0, max: 89 * 24 * 60 }),
      claim: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
      resolve: fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryIncident, { maxLength: 40 }), (specs) => {
        const incidents = specs.map((s, i) => incident(i + 1, s.service, minutesAfter('2026-09-01T00:00:00Z', s.offset), s.claim, s.resolve));
        for (const by of ['service', 'team'] as const) {
          const rows = responseTimes(incidents, by);
          expect(rows.reduce((n, r) => n + r.incidents, 0)).toBe(incidents.length);
          expect(rows.reduce((n, r) => n + r.mtta.count, 0)).toBe(specs.filter((s) => s.claim !== undefined).length);
          expect(rows.reduce((n, r) => n + r.mttr.count, 0)).toBe(specs.filter((s) => s.resolve !== undefined).length);
        }
      }),
    );
  });
});

describe('pages per person', () => {
  const people: ReportPerson[] = [
    { id: 'ana', name: 'Ana', email: 'ana@example.com', phone: '+33612345678', timeZone: 'Europe/Paris' },
    { id: 'bob', name: 'Bob', email: 'bob@example.com' },
  ];

  it('find the person by any contact, count distinct incidents, and nights on their own clock', () => {
    const incidents = [
      // 21:30 UTC is 22:30 in Paris: night for Ana; 06:30 UTC is 07:30 in Paris: day.
      incident(1, 'pay', '2026-11-20T21:00:00Z', undefined, undefined, [page('2026-11-20T21:30:00Z', 'ana@example.com'), page('2026-11-20T21:31:00Z', '+33612345678')]),
      incident(2, 'pay', '2026-11-21T06:00:00Z', undefined, undefined, [page('2026-11-21T06:30:00Z', 'ana@example.com'), page('2026-11-21T06:30:00Z', 'bob@example.com')]),
      incident(3, 'web', '2026-11-21T12:00:00Z', undefined, undefined, [page('2026-11-21T12:00:00Z', 'lead@example.com')]),
    ];
    expect(pagesPerPerson(incidents, people)).toEqual([
      { person: 'ana', name: 'Ana', pages: 3, incidents: 2, nightPages: 2 },
      // Bob has no zone: UTC, where 06:30 is night.
      { person: 'bob', name: 'Bob', pages: 1, incidents: 1, nightPages: 1 },
      { person: 'lead@example.com', pages: 1, incidents: 1, nightPages: 0 },
    ]);
  });

  it('call night 22:00 to 07:00', () => {
    expect(isNight(Date.parse('2026-11-24T21:59:59Z'), 'UTC')).toBe(false);
    expect(isNight(Date.parse('2026-11-24T22:00:00Z'), 'UTC')).toBe(true);
    expect(isNight(Date.parse('2026-11-24T06:59:59Z'), 'UTC')).toBe(true);
    expect(isNight(Date.parse('2026-11-24T07:00:00Z'), 'UTC')).toBe(false);
  });
});

describe('incidents per day', () => {
  it('counts each UTC day of the period, days without any included', () => {
    const days = incidentsPerDay([{ createdAt: '2026-11-24T01:00:00Z' }, { createdAt: '2026-11-24T11:00:00Z' }, { createdAt: '2026-11-22T23:59:59Z' }, { createdAt: '2026-11-01T00:00:00Z' }], now, 3);
    expect(days).toEqual([
      { date: '2026-11-22', count: 1 },
      { date: '2026-11-23', count: 0 },
      { date: '2026-11-24', count: 2 },
    ]);
  });

  it('sum to the incidents of the period, one entry per day', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 * 86_400 }), { maxLength: 50 }), fc.constantFrom(7, 30, 90), (ages, period) => {
        const incidents = ages.map((age) => ({ createdAt: new Date(now.getTime() - age * 1000).toISOString() }));
        const days = incidentsPerDay(incidents, now, period);
        expect(days).toHaveLength(period);
        const startOfFirstDay = Date.parse(`${days[0]!.date}T00:00:00Z`);
        expect(days.reduce((n, d) => n + d.count, 0)).toBe(incidents.filter((i) => Date.parse(i.createdAt) >= startOfFirstDay).length);
      }),
    );
  });
});

describe('period reports', () => {
  it('take only the incidents created in the period', () => {
    const incidents = [incident(1, 'pay', '2026-11-20T10:00:00Z', 1), incident(2, 'pay', '2026-10-20T10:00:00Z', 1)];
    expect(periodReport(incidents, [], now, 7).incidents).toBe(1);
    expect(periodReport(incidents, [], now, 90).byService[0]!.mtta.count).toBe(2);
  });
});
