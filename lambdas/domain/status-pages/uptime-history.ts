/**
 * The history bars of a status page: for each component, each of the last 90 days of the page's calendar, how
 * much of the day it was up and the worst it was.
 *
 * Downtime, as Statuspage counts it: at each instant the service is as bad as the worst incident open then
 * (incidents that overlap are not counted twice), and
 * - a major outage (a CRIT incident open) counts fully,
 * - a partial outage (ERR, and nothing worse) counts for 30% of its time,
 * - degraded performance (WARN) does not count.
 *
 * A day's uptime is 100 × (1 − downtime ÷ the day's length), the days split at midnight in the page's time
 * zone, so a day on which clocks change lasts 23 or 25 hours. Today counts up to `now` only. Maintenance is
 * not downtime; an incident's interval runs from when it opened to when it was resolved (to `now` while it is
 * open); an interval of no length is left out.
 */
import type { Severity } from '../incident/incident';
import { dateOfEpochDay, instantOfWallClock, localDayOf } from '../oncall/zoned-time';
import { type ComponentStatus, STATUS_OF_SEVERITY, worseStatus } from './component-status';

/** How much of an outage's time counts as downtime, by the severity of the worst incident open. */
export const DOWNTIME_WEIGHTS: Readonly<Record<Severity, number>> = { CRIT: 1, ERR: 0.3, WARN: 0 };

/** The days a status page shows. */
export const HISTORY_DAYS = 90;

const MINUTE_MS = 60_000;

/** An incident as the history sees it: its service, its severity, and when it was open. */
export interface IncidentInterval {
  readonly service: string;
  readonly severity: Severity;
  /** ISO instants; `resolvedAt` absent while it is open. */
  readonly openedAt: string;
  readonly resolvedAt?: string;
}

/** One day of a component's history. */
export interface DayHistory {
  /** The day on the page's calendar, YYYY-MM-DD. */
  readonly date: string;
  /** Minutes of the day counted: 1,440 (1,380 or 1,500 when clocks change), less for today. */
  readonly minutes: number;
  /** Percent of the day up, 0-100. */
  readonly uptime: number;
  /** The worst the component was during the day; `operational` when no incident was open. */
  readonly worst: ComponentStatus;
  /** Minutes with a major outage, a partial outage (and nothing worse), degraded performance (and nothing worse). */
  readonly major: number;
  readonly partial: number;
  readonly degraded: number;
}

export interface HistoryOptions {
  readonly now: Date;
  /** IANA zone whose midnights split the days; UTC when absent. */
  readonly timeZone?: string;
  /** How many days, today the last; {@link HISTORY_DAYS} when absent. */
  readonly days?: number;
}

/** Severities from worst to least: the index of the first one open is the instant's state. */
const BY_RANK: readonly Severity[] = ['CRIT', 'ERR', 'WARN'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

interface Day {
  readonly date: string;
  readonly start: number;
  readonly end: number;
}

/** The days ending today, each from its local midnight to the next (today: to `now`). */
function daysEndingToday(now: number, zone: string, count: number): Day[] {
  const today = localDayOf(now, zone);
  const midnight = (epochDay: number) => instantOfWallClock({ ...dateOfEpochDay(epochDay), hour: 0, minute: 0 }, zone);
  const days: Day[] = [];
  let start = midnight(today - count + 1);
  for (let epochDay = today - count + 1; epochDay <= today; epochDay++) {
    const next = midnight(epochDay + 1);
    const { year, month, day } = dateOfEpochDay(epochDay);
    days.push({ date: `${pad(year, 4)}-${pad(month)}-${pad(day)}`, start, end: Math.min(next, now) });
    start = next;
  }
  return days;
}

/** One component's days from the intervals of its service. */
function historyOf(intervals: readonly IncidentInterval[], days: readonly Day[], now: number): DayHistory[] {
  const from = days[0]!.start;
  const edges: { at: number; rank: number; delta: 1 | -1 }[] = [];
  for (const interval of intervals) {
    const opened = Math.max(Date.parse(interval.openedAt), from);
    const closed = Math.min(interval.resolvedAt === undefined ? now : Date.parse(interval.resolvedAt), now);
    // NaN (an unreadable instant) fails this test too.
    if (!(closed > opened)) continue;
    const rank = BY_RANK.indexOf(interval.severity);
    edges.push({ at: opened, rank, delta: 1 }, { at: closed, rank, delta: -1 });
  }
  edges.sort((a, b) => a.at - b.at);

  const ms = days.map(() => [0, 0, 0]);
  const worst = days.map((): ComponentStatus => 'operational');
  const open = [0, 0, 0];
  let day = 0;
  let previous = from;
  for (const edge of edges) {
    const rank = open.findIndex((n) => n > 0);
    // Spread [previous, edge.at) over the days it crosses, as the worst severity open through it.
    for (let at = previous; rank >= 0 && at < edge.at; ) {
      while (days[day]!.end <= at) day++;
      const end = Math.min(edge.at, days[day]!.end);
      ms[day]![rank]! += end - at;
      worst[day] = worseStatus(worst[day]!, STATUS_OF_SEVERITY[BY_RANK[rank]!]);
      at = end;
    }
    open[edge.rank]! += edge.delta;
    previous = edge.at;
  }

  return days.map((d, i) => {
    const length = d.end - d.start;
    const [major, partial, degraded] = ms[i]!;
    const down = major! * DOWNTIME_WEIGHTS.CRIT + partial! * DOWNTIME_WEIGHTS.ERR + degraded! * DOWNTIME_WEIGHTS.WARN;
    const uptime = length > 0 ? Math.min(100, Math.max(0, 100 * (1 - down / length))) : 100;
    return {
      date: d.date,
      minutes: Math.max(0, length) / MINUTE_MS,
      uptime,
      worst: worst[i]!,
      major: major! / MINUTE_MS,
      partial: partial! / MINUTE_MS,
      degraded: degraded! / MINUTE_MS,
    };
  });
}

/**
 * Each service's history over the days ending today (oldest first), from the intervals of incidents; intervals
 * of other services are ignored, and their order does not matter.
 */
export function uptimeHistory(
  intervals: readonly IncidentInterval[],
  services: readonly string[],
  options: HistoryOptions,
): ReadonlyMap<string, readonly DayHistory[]> {
  const now = options.now.getTime();
  const days = daysEndingToday(now, options.timeZone ?? 'UTC', options.days ?? HISTORY_DAYS);
  const byService = new Map<string, IncidentInterval[]>(services.map((s) => [s, []]));
  for (const interval of intervals) byService.get(interval.service)?.push(interval);
  return new Map([...byService].map(([service, own]) => [service, historyOf(own, days, now)]));
}

/** The uptime over several days, each weighted by its length. */
export function periodUptime(days: readonly DayHistory[]): number {
  const minutes = days.reduce((sum, d) => sum + d.minutes, 0);
  if (minutes === 0) return 100;
  const up = days.reduce((sum, d) => sum + (d.uptime / 100) * d.minutes, 0);
  return Math.min(100, Math.max(0, (100 * up) / minutes));
}
