import * as z from 'zod';
import type { Severity } from '../incident/incident';
import { onCallAt, type Restriction, type Schedule, shifts } from '../oncall/schedule';
import { restriction, timeZone } from '../oncall/schedule-config';
import { wallClockOf } from '../oncall/zoned-time';

export const URGENCIES = ['high', 'low'] as const;

/** High pages by the people's high rules and escalates; low notifies the first level by their low rules only. */
export type Urgency = (typeof URGENCIES)[number];

/** Seed 000: "high during support hours", and a WARN never wakes anyone. */
export const DEFAULT_URGENCY_BY_SEVERITY: Readonly<Record<Severity, Urgency>> = { CRIT: 'high', ERR: 'high', WARN: 'low' };

const DAY_MS = 24 * 60 * 60 * 1000;

/** How far ahead the next start of support hours is looked for: a year of holidays cannot hide it. */
const SUPPORT_HOURS_HORIZON_MS = 400 * DAY_MS;

const calendarDay = z.iso.date({ error: 'must be a date like 2026-12-25' });

/** A service's support hours: windows of the week in a zone (as schedule restrictions), and holidays. */
export const supportHoursSchema = z.strictObject({
  timeZone,
  /** Each window opens on its days at `from` and closes at the next `to`, as a schedule's restrictions. */
  windows: z.array(restriction).min(1).max(21),
  /** Days on which no window opens, in the support hours' zone. */
  holidays: z.array(calendarDay).max(366).default([]),
});

export type SupportHours = z.output<typeof supportHoursSchema>;

/** How a service's incidents get their urgency. */
export const urgencyPolicySchema = z.strictObject({
  /** Urgency by severity; the default is CRIT and ERR high, WARN low. */
  bySeverity: z.strictObject({ CRIT: z.enum(URGENCIES), ERR: z.enum(URGENCIES), WARN: z.enum(URGENCIES) }).default({ ...DEFAULT_URGENCY_BY_SEVERITY }),
  /** Outside them, a high incident is low until they start, then raised. */
  supportHours: supportHoursSchema.optional(),
  /** Whether an event may set its own urgency (`urgency` in PUT /incidents). */
  fromEvents: z.boolean().default(false),
});

export type UrgencyPolicy = z.output<typeof urgencyPolicySchema>;

export const DEFAULT_URGENCY_POLICY: UrgencyPolicy = { bySeverity: { ...DEFAULT_URGENCY_BY_SEVERITY }, fromEvents: false };

/** An incident's urgency when it opens, and, when support hours lowered it, when they start and raise it. */
export interface UrgencyDecision {
  readonly urgency: Urgency;
  /** ISO instant: the next start of support hours, for an incident they lowered. */
  readonly raiseAt?: string;
}

/**
 * The urgency of an incident of `severity` opened at `atMs`: the event's own where the service allows it
 * (taken as sent: its sender chose), else the service's rule, lowered outside support hours.
 */
export function urgencyAtOpen(policy: UrgencyPolicy, severity: Severity, atMs: number, requested?: Urgency): UrgencyDecision {
  if (requested !== undefined && policy.fromEvents) return { urgency: requested };
  const urgency = policy.bySeverity[severity];
  const hours = policy.supportHours;
  if (urgency === 'low' || !hours || inSupportHours(hours, atMs)) return { urgency };
  const start = nextSupportHoursStart(hours, atMs);
  return start === undefined ? { urgency: 'low' } : { urgency: 'low', raiseAt: new Date(start).toISOString() };
}

/** The hours as a one-person schedule whose shifts are the windows: the schedule engine's zone handling, reused. */
function hoursSchedule(hours: SupportHours): Schedule {
  return {
    name: 'support-hours',
    timeZone: hours.timeZone,
    layers: [
      {
        kind: 'rotation',
        name: 'windows',
        participants: ['open'],
        // One turn that never ends in practice: only the windows cut the time.
        turn: { unit: 'weeks', count: 100_000 },
        handoff: '1970-01-05T00:00',
        restrictions: hours.windows as readonly Restriction[],
      },
    ],
    overrides: [],
  };
}

const localDateOf = (instantMs: number, zone: string) => {
  const c = wallClockOf(instantMs, zone);
  return `${c.year}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')}`;
};

/** Whether a window that opened at `startMs` counts: none opens on a holiday. */
const opensOnWorkday = (hours: SupportHours, startMs: number) => !hours.holidays.includes(localDateOf(startMs, hours.timeZone));

/** Whether `atMs` is within a window of the support hours that opened on a day that is not a holiday. */
export function inSupportHours(hours: SupportHours, atMs: number): boolean {
  return onCallAt(hoursSchedule(hours), atMs).some((shift) => opensOnWorkday(hours, shift.shiftStart));
}

/** The first instant after `afterMs` at which a window opens on a day that is not a holiday, if any within a year. */
export function nextSupportHoursStart(hours: SupportHours, afterMs: number): number | undefined {
  const schedule = hoursSchedule(hours);
  for (let from = afterMs; from < afterMs + SUPPORT_HOURS_HORIZON_MS; from += 30 * DAY_MS) {
    const opening = shifts(schedule, from, from + 30 * DAY_MS).find((s) => s.shiftStart > afterMs && opensOnWorkday(hours, s.shiftStart));
    if (opening) return opening.shiftStart;
  }
  return undefined;
}
