import * as z from 'zod';
import type { Principal } from '../access/access';
import { EVENT_OUTCOMES, listEvents, UNROUTED_STREAM, type EventLog, type ListedEvent } from '../incident/event-record';
import { encodeCursor, incidentListQuerySchema } from '../incident/incident-input';
import { SEVERITIES, STATES, type IncidentSummary } from '../incident/incident';
import { listIncidents, type IncidentUseCaseDeps } from '../incident/incident-use-cases';
import type { IncidentRepository } from '../incident/ports';
import { identifier } from '../shared/validation';
import { LIMITS } from '../../config/limits';
import { localDayOf } from '../oncall/zoned-time';

/** A form's empty field is no filter. */
const optional = <S extends z.ZodType>(schema: S) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const instant = z.iso.datetime({ offset: true, local: true, error: 'must be a date and time, e.g. 2026-11-24T15:04' }).transform((s) => new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`));

/** Query of the console's incident list: the API's filters, team and severity too, and `fragment=1` for the table alone. */
export const consoleIncidentQuerySchema = z.strictObject({
  team: optional(identifier),
  service: optional(identifier),
  state: optional(z.enum(STATES, { error: `must be one of ${STATES.join(', ')}` })),
  severity: optional(z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` })),
  cursor: optional(incidentListQuerySchema.shape.cursor.unwrap()),
  fragment: optional(z.literal('1', { error: 'must be 1' })),
});
export type ConsoleIncidentQuery = z.output<typeof consoleIncidentQuerySchema>;

/** How many list pages one console page reads at most while filtering by team or severity. */
const MAX_FILTERED_READS = 5;

export interface ConsoleIncidentPage {
  readonly items: readonly IncidentSummary[];
  /** The cursor of the next page, if there may be one. */
  readonly nextCursor?: string;
}

/**
 * Incidents newest first, filtered by the API's filters and then by team and severity, which the list indexes
 * do not hold: pages are read until one is full, at most {@link MAX_FILTERED_READS} of them.
 */
export async function listConsoleIncidents(deps: Pick<IncidentUseCaseDeps, 'incidents' | 'maintenance' | 'clock'>, principal: Principal, query: ConsoleIncidentQuery): Promise<ConsoleIncidentPage> {
  const limit = LIMITS.defaultPageSize;
  const items: IncidentSummary[] = [];
  let before = query.cursor;
  for (let read = 0; read < MAX_FILTERED_READS && items.length < limit; read++) {
    const page = await listIncidents(deps, principal, {
      limit,
      ...(query.service ? { service: query.service } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(before === undefined ? {} : { before }),
    });
    items.push(...page.items.filter((i) => (!query.team || i.team === query.team) && (!query.severity || i.severity === query.severity)));
    before = page.nextBefore;
    if (before === undefined) break;
  }
  const shown = items.slice(0, limit);
  const next = items.length > limit ? shown.at(-1)!.number : before;
  return { items: shown, ...(next === undefined ? {} : { nextCursor: encodeCursor(next) }) };
}

/** Query of the event explorer: a service's record, by outcome, in a time range, searched in its summaries. */
export const eventExplorerQuerySchema = z
  .strictObject({
    service: optional(z.union([identifier, z.literal(UNROUTED_STREAM)], { error: `must be a service name (or ${UNROUTED_STREAM})` })),
    outcome: optional(z.enum(EVENT_OUTCOMES, { error: `must be one of ${EVENT_OUTCOMES.join(', ')}` })),
    from: optional(instant),
    to: optional(instant),
    q: optional(z.string().trim().max(200, 'must be at most 200 characters')),
  })
  .refine((q) => !q.from || !q.to || q.to > q.from, { path: ['to'], message: 'must be after from' });
export type EventExplorerQuery = z.output<typeof eventExplorerQuerySchema>;

/** The latest events of the service ({@link LIMITS.maxPageSize}), those matching the query; none without a service. */
export async function exploreEvents(
  deps: { readonly events: Pick<EventLog, 'list'>; readonly incidents: Pick<IncidentRepository, 'standings'> },
  principal: Principal,
  query: EventExplorerQuery,
): Promise<readonly ListedEvent[]> {
  if (!query.service) return [];
  const text = query.q?.toLowerCase();
  return (await listEvents(deps, principal, { service: query.service, limit: LIMITS.maxPageSize })).filter(
    (e) =>
      (!query.outcome || e.outcome === query.outcome) &&
      (!query.from || Date.parse(e.at) >= query.from.getTime()) &&
      (!query.to || Date.parse(e.at) < query.to.getTime()) &&
      (!text || (e.summary ?? '').toLowerCase().includes(text)),
  );
}

const DAY_MS = 86_400_000;

/** The shifts overlapping each of the `days` days from today, days as the schedule's zone counts them. */
export function calendarDays<S extends { readonly start: string; readonly end: string }>(shifts: readonly S[], zone: string, now: Date, days: number) {
  const today = localDayOf(now.getTime(), zone);
  return Array.from({ length: days }, (_, i) => {
    const day = today + i;
    return {
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      shifts: shifts.filter((s) => localDayOf(Date.parse(s.start), zone) <= day && localDayOf(Date.parse(s.end) - 1, zone) >= day),
    };
  });
}
