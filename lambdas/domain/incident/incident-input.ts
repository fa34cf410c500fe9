import * as z from 'zod';
import { LIMITS } from '../../config/limits';
import { ACTIONS, SEVERITIES, STATES } from './incident';
import { URGENCIES } from '../escalation/urgency';
import { withoutControlCharacters } from '../shared/text';
import { boundedText, identifier, pageLimit } from '../shared/validation';

/** Body of `PUT /incidents`: an event from a monitoring system. */
export const incidentEventSchema = z.strictObject({
  service: identifier,
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
  title: boundedText(LIMITS.maxTitleBytes),
  message: boundedText(LIMITS.maxMessageBytes),
  detectedAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T15:04:05Z' })
    .transform((s) => new Date(s).toISOString()),
  source: z.string().overwrite(withoutControlCharacters).trim().min(1, 'must not be empty').max(LIMITS.maxNameLength).optional(),
  dedupKey: z.string().min(1, 'must not be empty').max(LIMITS.maxDedupKeyLength).optional(),
  /** Taken only where the service allows it (its urgency policy's `fromEvents`); else refused. */
  urgency: z.enum(URGENCIES, { error: `must be one of ${URGENCIES.join(', ')}` }).optional(),
});

/** Body of `POST /incidents/{number}`: a responder's action. */
export const incidentActionSchema = z
  .strictObject({
    action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }),
    by: z.string().overwrite(withoutControlCharacters).trim().min(1, 'must not be empty').max(LIMITS.maxNameLength),
    note: boundedText(LIMITS.maxNoteBytes).optional(),
    /** For the `urgency` action: the urgency to set. */
    urgency: z.enum(URGENCIES, { error: `must be one of ${URGENCIES.join(', ')}` }).optional(),
  })
  .refine((body) => body.action !== 'comment' || body.note !== undefined, {
    path: ['note'],
    message: 'is required for a comment',
  })
  .refine((body) => (body.action === 'urgency') === (body.urgency !== undefined), {
    path: ['urgency'],
    message: 'is required for the urgency action, and only for it',
  });

export const incidentNumberSchema = z.strictObject({
  number: z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive whole number')
    .transform(Number),
});

/** A position in a list: the list goes on below this incident number. Opaque to clients. */
const cursorSchema = z
  .string()
  .transform((raw, ctx) => {
    const before = Number(Buffer.from(raw, 'base64url').toString('utf8').replace(/^before:/, ''));
    if (!Number.isSafeInteger(before) || before < 1) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    }
    return before;
  });

export const encodeCursor = (before: number): string => Buffer.from(`before:${before}`).toString('base64url');

/** Query string of `GET /incidents`. */
export const incidentListQuerySchema = z.strictObject({
  service: identifier.optional(),
  state: z.enum(STATES, { error: `must be one of ${STATES.join(', ')}` }).optional(),
  limit: pageLimit,
  cursor: cursorSchema.optional(),
});
