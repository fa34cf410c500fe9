import * as z from 'zod';
import { LIMITS } from '../../config/limits';
import { boundedText, identifier } from '../shared/validation';

/**
 * A maintenance window: services that page nobody from `from` to `to`. Events for them are recorded as
 * suppressed, and the escalations of their open incidents hold until the window ends.
 */
export interface MaintenanceWindow {
  readonly id: string;
  readonly services: readonly string[];
  /** ISO instants; the window covers `from` ≤ t < `to`. */
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  /** `config`: planned in the config file (config apply owns it); `api`: started through the API. */
  readonly origin: 'config' | 'api';
  readonly createdBy: string;
  /** Set when the window was ended before its planned end; `to` is then the instant it ended. */
  readonly endedEarlyBy?: string;
}

/** The longest window: a week. Longer silences belong in the service's configuration, not in maintenance. */
export const MAX_WINDOW_MINUTES = 7 * 24 * 60;
const MINUTE_MS = 60_000;

/** Whether the window silences `service` at `at`. */
export const covers = (window: MaintenanceWindow, service: string, at: Date): boolean =>
  window.services.includes(service) && Date.parse(window.from) <= at.getTime() && at.getTime() < Date.parse(window.to);

/** The window silencing `service` at `at`, if any: of overlapping windows, the one ending last. */
export function windowOver(windows: readonly MaintenanceWindow[], service: string, at: Date): MaintenanceWindow | undefined {
  return windows.filter((w) => covers(w, service, at)).sort((a, b) => Date.parse(b.to) - Date.parse(a.to))[0];
}

/** What an incident answer and a suppressed event say of the window over their service. */
export const maintenanceNote = (window: MaintenanceWindow) => ({ id: window.id, until: window.to });

const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T15:04:05Z' })
  .transform((s) => new Date(s));

const services = z.array(identifier).min(1, 'must name at least one service').max(50, 'must name at most 50 services');
const reason = boundedText(LIMITS.maxNoteBytes);

/**
 * Body of `POST /maintenance`: the services, a reason, and either a duration from now (`durationMinutes`) or
 * a range (`from`, `to`), which may start in the future.
 */
export const maintenanceInputSchema = z
  .strictObject({
    services,
    reason,
    durationMinutes: z.int('must be a whole number of minutes').min(1, 'must be at least 1').max(MAX_WINDOW_MINUTES, `must be at most ${MAX_WINDOW_MINUTES}`).optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .superRefine((input, ctx) => {
    const ranged = input.from !== undefined || input.to !== undefined;
    if (ranged === (input.durationMinutes !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['durationMinutes'], message: 'give either durationMinutes or from and to' });
      return;
    }
    if (!ranged) return;
    if (input.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'is required with to' });
    if (input.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'is required with from' });
    if (input.from && input.to && input.to.getTime() <= input.from.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    if (input.from && input.to && input.to.getTime() - input.from.getTime() > MAX_WINDOW_MINUTES * MINUTE_MS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_WINDOW_MINUTES} minutes after from` });
    }
  });
export type MaintenanceInput = z.output<typeof maintenanceInputSchema>;

/** The range of a window asked for at `now`. */
export function rangeOf(input: MaintenanceInput, now: Date): { from: Date; to: Date } {
  if (input.durationMinutes !== undefined) return { from: now, to: new Date(now.getTime() + input.durationMinutes * MINUTE_MS) };
  return { from: input.from!, to: input.to! };
}

/** Query of `GET /maintenance`: windows of one service, and only those running now (`active=true`) or not. */
export const maintenanceQuerySchema = z.strictObject({
  service: identifier.optional(),
  active: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((s) => s === 'true').optional(),
});

/** Path of `POST /maintenance/{id}/end`. */
export const maintenancePathSchema = z.object({ id: identifier });

/** A planned window of the config file: services, a reason, a range. Its id is its key in the file. */
export const plannedWindowSchema = z
  .strictObject({ services, reason, from: instant, to: instant })
  .refine((w) => w.to.getTime() > w.from.getTime(), { path: ['to'], message: 'must be after from' });
