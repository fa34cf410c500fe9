import * as z from 'zod';
import { assertMayRead, type Principal } from '../access/access';
import type { Incident } from './incident';
import type { IncidentRepository, IncidentStanding } from './ports';
import { identifier, pageLimit } from '../shared/validation';

/**
 * The event record: every inbound event, whatever its format, with what became of it. It answers "why was
 * I not paged?" for a while after (seed 003's event explorer). Outbound webhook deliveries are recorded beside
 * them, one entry per attempt: `delivered`, `delivery_failed` (retried unless attempts ran out), `dead_lettered`.
 */
export const EVENT_OUTCOMES = [
  'created',
  'joined',
  'commented',
  'claimed',
  'resolved',
  'ignored',
  /** A new event for a service in maintenance: nothing opened, nobody paged. */
  'suppressed',
  'rejected',
  'delivered',
  'delivery_failed',
  'dead_lettered',
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export interface EventRecord {
  readonly at: string;
  /** The service the event was addressed to, as the sender named it (known or not). */
  readonly service: string;
  /** The format it came in: `email`, …; for a webhook delivery, `webhook:<name>`. */
  readonly source: string;
  readonly outcome: EventOutcome;
  readonly incidentNumber?: number;
  /** Why it was ignored or rejected, or what else is worth knowing. */
  readonly reason?: string;
  /** What the event was about: a title or subject. */
  readonly summary?: string;
  /** Who sent it: an address, a key's name. */
  readonly from?: string;
}

/** Where events are recorded and listed from. */
export interface EventLog {
  record(event: EventRecord): Promise<void>;
  /** The latest events of a service, newest first. */
  list(service: string, limit: number): Promise<readonly EventRecord[]>;
}

/** The record of an incident's creation, written by the store together with the incident. */
export const createdEvent = (incident: Incident): EventRecord => ({
  at: incident.createdAt,
  service: incident.service,
  source: incident.source ?? 'api',
  outcome: 'created',
  incidentNumber: incident.number,
  summary: incident.title,
  from: incident.createdBy,
});

/** Where events addressed to no recognisable service are recorded. */
export const UNROUTED_STREAM = '_unrouted';

/** Query string of `GET /events`. */
export const eventListQuerySchema = z.strictObject({
  service: z.union([identifier, z.literal(UNROUTED_STREAM)], {
    error: `must be a service name (or ${UNROUTED_STREAM} for events that named none)`,
  }),
  limit: pageLimit,
});

/** An event as listed: a `created` event also says how its incident stands now. */
export type ListedEvent = EventRecord & { readonly incident?: IncidentStanding };

/**
 * The latest events of a service with their outcomes, for responders. Later events that joined an incident
 * are counted on it rather than listed one by one: each `created` event shows its incident's state and
 * `occurrences` (every event that joined it, exactly) and when the latest came.
 */
export async function listEvents(
  deps: { readonly events: Pick<EventLog, 'list'>; readonly incidents: Pick<IncidentRepository, 'standings'> },
  principal: Principal,
  query: z.output<typeof eventListQuerySchema>,
): Promise<readonly ListedEvent[]> {
  assertMayRead(principal);
  const events = await deps.events.list(query.service, query.limit);
  const created = events.flatMap((e) => (e.outcome === 'created' && e.incidentNumber !== undefined ? [e.incidentNumber] : []));
  const standings = created.length ? await deps.incidents.standings(created) : new Map<number, IncidentStanding>();
  return events.map((event) => {
    const incident = event.outcome === 'created' ? standings.get(event.incidentNumber!) : undefined;
    return incident ? { ...event, incident } : event;
  });
}
