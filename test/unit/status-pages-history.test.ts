import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IncidentInterval, periodUptime, uptimeHistory } from '../../lambdas/domain/status-pages/uptime-history';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const history = (intervals: readonly IncidentInterval[], now: string, timeZone?: string) =>
  uptimeHistory(intervals, ['athens'], { now: new Date(now), ...(timeZone ? { timeZone } : {}) }).get('athens')!;

const interval = (severity: IncidentInterval['severity'], openedAt: string, resolvedAt?: string): IncidentInterval => ({
  service: 'athens',
  severity,
  openedAt,
  ...(resolvedAt ? { resolvedAt } : {}),
});

const day = (days: ReturnType<typeof history>, date: string) => days.find((d) => d.date === date)!;

describe('uptime history', () => {
  it('has 90 days, today last, each 100% up without incidents', () => {
    const days = history([], '2026-11-24T10:00:00Z');
    expect(days).toHaveLength(90);
    expect(days[0]!.date).toBe('2026-08-27');
    expect(days[89]).toEqual({ date: '2026-11-24', minutes: 600, uptime: 100, worst: 'operational', major: 0, partial: 0, degraded: 0 });
    expect(days.every((d) => d.uptime === 100 && d.worst === 'operational')).toBe(true);
  });

  it('counts a major outage fully, a partial outage 30%, degraded performance not at all', () => {
    const days = history(
      [
        interval('CRIT', '2026-11-20T10:00:00Z', '2026-11-20T11:12:00Z'),
        interval('ERR', '2026-11-21T00:00:00Z', '2026-11-21T10:00:00Z'),
        interval('WARN', '2026-11-22T00:00:00Z', '2026-11-22T23:00:00Z'),
      ],
      '2026-11-24T10:00:00Z',
    );
    expect(day(days, '2026-11-20')).toMatchObject({ worst: 'major_outage', major: 72, uptime: 100 * (1 - 72 / 1440) });
    expect(day(days, '2026-11-21')).toMatchObject({ worst: 'partial_outage', partial: 600, uptime: 100 * (1 - (0.3 * 600) / 1440) });
    expect(day(days, '2026-11-22')).toMatchObject({ worst: 'degraded_performance', degraded: 1380, uptime: 100 });
  });

  it('counts overlapping incidents once, at the worst open', () => {
    const days = history(
      [interval('ERR', '2026-11-20T10:00:00Z', '2026-11-20T14:00:00Z'), interval('CRIT', '2026-11-20T11:00:00Z', '2026-11-20T12:00:00Z')],
      '2026-11-24T10:00:00Z',
    );
    expect(day(days, '2026-11-20')).toMatchObject({ major: 60, partial: 180, uptime: 100 * (1 - (60 + 0.3 * 180) / 1440) });
  });

  it('splits an incident over the days it spans, and counts an open one up to now', () => {
    const days = history([interval('CRIT', '2026-11-22T23:00:00Z')], '2026-11-24T06:00:00Z');
    expect(day(days, '2026-11-22')).toMatchObject({ major: 60 });
    expect(day(days, '2026-11-23')).toMatchObject({ major: 1440, uptime: 0 });
    expect(day(days, '2026-11-24')).toMatchObject({ minutes: 360, major: 360, uptime: 0 });
  });

  it('splits days at midnight in the page time zone, 23 and 25 hours long when clocks change', () => {
    const paris = [interval('CRIT', '2026-03-29T00:00:00Z', '2026-03-29T01:00:00Z'), interval('CRIT', '2026-10-25T10:00:00Z', '2026-10-25T11:00:00Z')];
    const days = history(paris, '2026-11-24T10:00:00Z', 'Europe/Paris');
    // 2026-03-29 runs from 2026-03-28T23:00Z to 2026-03-29T22:00Z.
    expect(day(days, '2026-03-29')).toBeUndefined();
    const autumn = day(days, '2026-10-25');
    expect(autumn).toMatchObject({ minutes: 1500, major: 60, uptime: 100 * (1 - 60 / 1500) });
    const spring = day(history(paris, '2026-04-15T10:00:00Z', 'Europe/Paris'), '2026-03-29');
    expect(spring).toMatchObject({ minutes: 1380, major: 60, uptime: 100 * (1 - 60 / 1380) });
    // In New York the same incident falls on the evening of the 28th.
    expect(day(history(paris, '2026-04-15T10:00:00Z', 'America/New_York'), '2026-03-28')).toMatchObject({ minutes: 1440, major: 60 });
  });

  it('ignores other services, intervals of no length and unreadable instants', () => {
    const days = history(
      [
        { ...interval('CRIT', '2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z'), service: 'sparta' },
        interval('CRIT', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z'),
        interval('CRIT', 'yesterday', '2026-11-20T10:00:00Z'),
      ],
      '2026-11-24T10:00:00Z',
    );
    expect(days.every((d) => d.uptime === 100 && d.worst === 'operational')).toBe(true);
  });

  it('weighs days by their length over the period', () => {
    const days = history([interval('CRIT', '2026-11-23T00:00:00Z', '2026-11-24T00:00:00Z')], '2026-11-24T12:00:00Z');
    expect(periodUptime(days)).toBeCloseTo(100 * (1 - 1440 / (89 * 1440 + 720)), 10);
  });
});

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
const SEVERITIES = ['CRIT', 'ERR', 'WARN'] as const;
/** From late 2025 to late 2027: several clock changes in each zone. */
const NOW_RANGE = { min: Date.UTC(2025, 9, 1), max: Date.UTC(2027, 9, 1) };

const arbitraryCase = fc
  .record({
    now: fc.integer(NOW_RANGE),
    zone: fc.constantFrom(...ZONES),
    specs: fc.array(
      fc.record({
        severity: fc.constantFrom(...SEVERITIES),
        start: fc.integer({ min: -95 * DAY, max: DAY }),
        length: fc.option(fc.integer({ min: 0, max: 10 * DAY }), { nil: undefined }),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ now, zone, specs }) => ({
    now,
    zone,
    intervals: specs.map((s) =>
      interval(s.severity, new Date(now + s.start).toISOString(), s.length === undefined ? undefined : new Date(now + s.start + s.length).toISOString()),
    ),
  }));

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local date at `t`, read with Intl directly rather than through the zoned-time module. */
function referenceDate(t: number, zone: string): string {
  let format = dateFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(zone, format);
  }
  return format.format(t);
}

/**
 * The local dates each interval is open on, with the severities open then: read every half hour (days last at
 * least 23 hours) and at the interval's last millisecond.
 */
function referenceDaysTouched(intervals: readonly IncidentInterval[], now: number, zone: string): Map<string, Set<string>> {
  const touched = new Map<string, Set<string>>();
  for (const i of intervals) {
    const from = Date.parse(i.openedAt);
    const to = Math.min(i.resolvedAt ? Date.parse(i.resolvedAt) : now, now);
    if (!(to > from)) continue;
    for (let t = from; ; t = Math.min(t + 30 * MINUTE, to - 1)) {
      const date = referenceDate(t, zone);
      touched.set(date, (touched.get(date) ?? new Set()).add(i.severity));
      if (t === to - 1) break;
    }
  }
  return touched;
}

describe('uptime history properties', () => {
  it('gives uptime from 0 to 100, days in order, day lengths of 23 to 25 hours', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ now, zone, intervals }) => {
        const days = history(intervals, new Date(now).toISOString(), zone);
        expect(days).toHaveLength(90);
        for (const [i, d] of days.entries()) {
          expect(d.uptime).toBeGreaterThanOrEqual(0);
          expect(d.uptime).toBeLessThanOrEqual(100);
          expect(d.major + d.partial + d.degraded).toBeLessThanOrEqual(d.minutes + 1e-9);
          if (i < 89) expect([1380, 1410, 1440, 1470, 1500]).toContain(d.minutes);
          if (i > 0) expect(d.date > days[i - 1]!.date).toBe(true);
        }
        expect(days[89]!.minutes).toBeLessThanOrEqual(1500);
      }),
    );
  });

  it('gives 100 and operational for a day no incident touches, and less or worse for a day a CRIT or ERR touches', () => {
    fc.assert(
      fc.property(arbitraryCase, ({ now, zone, intervals }) => {
        const days = history(intervals, new Date(now).toISOString(), zone);
        const touched = referenceDaysTouched(intervals, now, zone);
        for (const d of days) {
          const severities = touched.get(d.date);
          if (!severities) expect(d).toMatchObject({ uptime: 100, worst: 'operational', major: 0, partial: 0, degraded: 0 });
          else if (severities.has('CRIT')) expect(d.worst).toBe('major_outage');
          else if (severities.has('ERR')) expect(d).toMatchObject({ worst: 'partial_outage', major: 0 });
          else expect(d).toMatchObject({ worst: 'degraded_performance', uptime: 100 });
          if (severities?.has('CRIT') || severities?.has('ERR')) expect(d.uptime).toBeLessThan(100);
        }
      }),
    );
  });

  it('gives 0 and a major outage for a whole day of CRIT', () => {
    fc.assert(
      fc.property(arbitraryCase, fc.integer({ min: 1, max: 88 }), ({ now, zone, intervals }, back) => {
        const quiet = history([], new Date(now).toISOString(), zone);
        const target = quiet[89 - back]!;
        const next = quiet[90 - back]!;
        // Every zone's midnight is within 14 hours of UTC's: this covers the local day whatever the zone.
        const start = Date.parse(`${target.date}T00:00:00Z`) - 15 * HOUR;
        const end = Date.parse(`${next.date}T00:00:00Z`) + 15 * HOUR;
        const days = history([...intervals, interval('CRIT', new Date(start).toISOString(), new Date(end).toISOString())], new Date(now).toISOString(), zone);
        expect(days[89 - back]).toMatchObject({ uptime: 0, worst: 'major_outage' });
      }),
    );
  });

  it('does not depend on the order of the incidents', () => {
    fc.assert(
      fc.property(arbitraryCase, fc.infiniteStream(fc.nat()), ({ now, zone, intervals }, keys) => {
        const shuffled = intervals.map((x) => [keys.next().value, x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
        expect(history(shuffled, new Date(now).toISOString(), zone)).toEqual(history(intervals, new Date(now).toISOString(), zone));
      }),
    );
  });
});
