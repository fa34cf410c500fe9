import * as z from 'zod';
import { identifier } from '../shared/validation';
import { overrideSchema } from './schedule-config';

/** The longest range `GET /schedules/{team}/{schedule}/shifts` answers: 90 days. */
export const MAX_SHIFT_RANGE_DAYS = 90;
const DAY_MS = 86_400_000;

const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T15:04:05Z' })
  .transform((s) => new Date(s));

/** Query of `GET /oncall`: the team (absent: every team), and the instant (default: now). */
export const onCallQuerySchema = z.strictObject({ team: identifier.optional(), at: instant.optional() });

/** Path of the schedule routes. */
export const schedulePathSchema = z.object({ team: identifier, schedule: identifier });

/** Path of `DELETE /schedules/{team}/{schedule}/overrides/{id}`. */
export const overridePathSchema = schedulePathSchema.extend({ id: identifier });

/** Query of `GET /schedules/{team}/{schedule}/shifts`: a range of at most 90 days. */
export const shiftsQuerySchema = z
  .strictObject({ from: instant, to: instant })
  .refine((q) => q.to > q.from, { path: ['to'], message: 'must be after from' })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_SHIFT_RANGE_DAYS * DAY_MS, {
    path: ['to'],
    message: `must be at most ${MAX_SHIFT_RANGE_DAYS} days after from`,
  });

/** Body of `POST /schedules/{team}/{schedule}/overrides`; times without an offset are read in the schedule's zone. */
export const overrideInputSchema = overrideSchema;

/** Path and query of `GET /services/{service}/escalation-preview`. */
export const previewPathSchema = z.object({ service: identifier });
export const previewQuerySchema = z.strictObject({ at: instant.optional() });
