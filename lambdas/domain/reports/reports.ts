import type { Incident } from '../incident/incident';
import type { Person } from '../oncall/schedule-config';
import { wallClockOf } from '../oncall/zoned-time';
import { secondsBetween } from '../shared/metrics';
import { isCanaryService } from '../canary/canary-service';

/**
 * Reports over recent incidents, computed from the incidents alone:
 * - MTTA: from creation to the first claim, of the incidents claimed; MTTR: from creation to resolution, of
 *   the incidents resolved. Each as median and mean, with how many incidents they are over.
 * - Pages per person: every page sent (a `notified` timeline entry, whatever the channel), the distinct
 *   incidents they were for, and those sent at night (22:00 to 07:00 on the person's clock; UTC without a zone).
 * - Incidents per day (UTC days).
 */
export type ReportIncident = Pick<Incident, 'number' | 'service' | 'team' | 'createdAt' | 'claimedAt' | 'resolvedAt' | 'timeline'>;

/** The periods reports are given for, in days back from now. */
export const REPORT_PERIODS_DAYS = [7, 30, 90] as const;
export type ReportPeriod = (typeof REPORT_PERIODS_DAYS)[number];

export interface DurationStats {
  /** How many durations: incidents claimed (MTTA) or resolved (MTTR). */
  readonly count: number;
  readonly medianSeconds?: number;
  readonly meanSeconds?: number;
}

export interface ResponseTimes {
  /** The service or team. */
  readonly key: string;
  readonly incidents: number;
  readonly mtta: DurationStats;
  readonly mttr: DurationStats;
}

export type ReportPerson = Pick<Person, 'name' | 'email' | 'phone' | 'slack' | 'timeZone'> & { readonly id: string };

export interface PersonPages {
  /** The person's id, or the address paged when it is nobody's. */
  readonly person: string;
  readonly name?: string;
  readonly pages: number;
  readonly incidents: number;
  readonly nightPages: number;
}

export interface DayCount {
  /** YYYY-MM-DD, UTC. */
  readonly date: string;
  readonly count: number;
}

const NIGHT_STARTS_AT_HOUR = 22;
const NIGHT_ENDS_AT_HOUR = 7;
const DAY_MS = 86_400_000;

/** Median and mean of durations, none when there are none. */
export function durationStats(seconds: readonly number[]): DurationStats {
  if (seconds.length === 0) return { count: 0 };
  const sorted = [...seconds].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { count: sorted.length, medianSeconds: median, meanSeconds: sorted.reduce((sum, s) => sum + s, 0) / sorted.length };
}

/** When the incident was first claimed: its first `claimed` entry (a claim may be repeated), else `claimedAt`. */
const firstClaimAt = (incident: ReportIncident) => incident.timeline.find((e) => e.type === 'claimed')?.at ?? incident.claimedAt;


export const createdSince = <I extends Pick<ReportIncident, 'createdAt'>>(incidents: readonly I[], since: Date): I[] =>
  incidents.filter((i) => Date.parse(i.createdAt) >= since.getTime());

/** MTTA and MTTR per service or team, of the incidents given, sorted by key. */
export function responseTimes(incidents: readonly ReportIncident[], by: 'service' | 'team'): ResponseTimes[] {
  const groups = new Map<string, ReportIncident[]>();
  for (const incident of incidents) groups.set(incident[by], [...(groups.get(incident[by]) ?? []), incident]);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => ({
      key,
      incidents: group.length,
      mtta: durationStats(group.flatMap((i) => (firstClaimAt(i) ? [secondsBetween(i.createdAt, firstClaimAt(i)!)] : []))),
      mttr: durationStats(group.flatMap((i) => (i.resolvedAt ? [secondsBetween(i.createdAt, i.resolvedAt)] : []))),
    }));
}

export function isNight(instantMs: number, zone: string): boolean {
  const { hour } = wallClockOf(instantMs, zone);
  return hour >= NIGHT_STARTS_AT_HOUR || hour < NIGHT_ENDS_AT_HOUR;
}

/** Pages per person (found by the address, number or Slack id paged), most paged first. */
export function pagesPerPerson(incidents: readonly ReportIncident[], people: readonly ReportPerson[]): PersonPages[] {
  const byContact = new Map<string, ReportPerson>();
  for (const person of people) for (const contact of [person.email, person.phone, person.slack]) if (contact) byContact.set(contact, person);
  const counts = new Map<string, { name?: string; pages: number; incidents: Set<number>; nightPages: number }>();
  for (const incident of incidents) {
    for (const entry of incident.timeline) {
      if (entry.type !== 'notified' || !entry.to) continue;
      const person = byContact.get(entry.to);
      const key = person?.id ?? entry.to;
      const count = counts.get(key) ?? { ...(person ? { name: person.name } : {}), pages: 0, incidents: new Set<number>(), nightPages: 0 };
      count.pages++;
      count.incidents.add(incident.number);
      if (isNight(Date.parse(entry.at), person?.timeZone ?? 'UTC')) count.nightPages++;
      counts.set(key, count);
    }
  }
  return [...counts.entries()]
    .map(([person, c]) => ({ person, ...(c.name ? { name: c.name } : {}), pages: c.pages, incidents: c.incidents.size, nightPages: c.nightPages }))
    .sort((a, b) => b.pages - a.pages || a.person.localeCompare(b.person));
}

/** How many incidents were created on each UTC day of the `days` days up to `now`, oldest first, days without any included. */
export function incidentsPerDay(incidents: readonly Pick<ReportIncident, 'createdAt'>[], now: Date, days: number): DayCount[] {
  const today = Math.floor(now.getTime() / DAY_MS);
  const counts = new Map<number, number>();
  for (const incident of incidents) {
    const day = Math.floor(Date.parse(incident.createdAt) / DAY_MS);
    if (day > today - days && day <= today) counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  return Array.from({ length: days }, (_, i) => {
    const day = today - days + 1 + i;
    return { date: new Date(day * DAY_MS).toISOString().slice(0, 10), count: counts.get(day) ?? 0 };
  });
}

export interface PeriodReport {
  readonly days: ReportPeriod;
  readonly incidents: number;
  readonly byService: readonly ResponseTimes[];
  readonly byTeam: readonly ResponseTimes[];
  readonly pages: readonly PersonPages[];
  readonly perDay: readonly DayCount[];
}

/** Every report of one period, from incidents created over at least that period. */
export function periodReport(incidents: readonly ReportIncident[], people: readonly ReportPerson[], now: Date, days: ReportPeriod): PeriodReport {
  const recent = createdSince(incidents, new Date(now.getTime() - days * DAY_MS));
  return {
    days,
    incidents: recent.length,
    byService: responseTimes(recent, 'service'),
    byTeam: responseTimes(recent, 'team'),
    pages: pagesPerPerson(recent, people),
    perDay: incidentsPerDay(recent, now, days),
  };
}

/** Where reports read incidents from: the newest created since an instant, bounded. */
export interface ReportSource {
  createdSince(since: Date, max: number): Promise<readonly ReportIncident[]>;
  listPeople(): Promise<readonly ReportPerson[]>;
}

/** The most incidents a report reads: beyond, it covers the newest only, and says so. */
export const MAX_REPORT_INCIDENTS = 5000;

/** The report of a period, read from the store: the incidents (bounded) and the people; the canary's left out. */
export async function readPeriodReport(source: ReportSource, now: Date, days: ReportPeriod): Promise<PeriodReport & { readonly truncated: boolean }> {
  const [incidents, people] = await Promise.all([source.createdSince(new Date(now.getTime() - days * DAY_MS), MAX_REPORT_INCIDENTS), source.listPeople()]);
  const reported = incidents.filter((incident) => !isCanaryService(incident.service));
  return { ...periodReport(reported, people, now, days), truncated: incidents.length >= MAX_REPORT_INCIDENTS };
}
