import { createHash } from 'node:crypto';
import type { EscalationSnapshot } from '../escalation/escalation';
import type { Urgency, UrgencyDecision } from '../escalation/urgency';

/** Who acts for the system on the timeline. */
export const SYSTEM = 'inresponse';

export const SEVERITIES = ['CRIT', 'ERR', 'WARN'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const STATES = ['OPEN', 'CLAIMED', 'RESOLVED'] as const;
export type IncidentState = (typeof STATES)[number];

/** States in which an incident still absorbs repeated events of its dedup key. */
export const ACTIVE_STATES: readonly IncidentState[] = ['OPEN', 'CLAIMED'];

export type TimelineEntryType =
  | 'created'
  | 'repeated'
  | 'claimed'
  | 'resolved'
  | 'comment'
  | 'escalation_start_failed'
  | 'notified'
  | 'notify_failed'
  | 'oncall_gap'
  /** A person none of whose channels could reach them: the next level is paged at once. */
  | 'passed_over'
  | 'urgency_changed'
  /** The escalation waits for a maintenance window of the service to end: written once per window. */
  | 'held'
  /** The escalation goes on after the maintenance window that held it. */
  | 'resumed'
  /**
   * What the provider reported of a page (matched by its message id): it reached the inbox or phone, is
   * delayed, bounced, drew a complaint, or did not reach the phone. The last three count as a failed contact.
   */
  | 'delivered'
  | 'delivery_delayed'
  | 'bounced'
  | 'complained'
  | 'undelivered'
  /** A webhook refused the incident's announcement, or never answered through every retry: given up. */
  | 'webhook_failed'
  /** Written by escalations before schedules replaced the calendar. */
  | 'calendar_gap';

/** One thing that happened to an incident: what, when, and who did it. */
export interface TimelineEntry {
  readonly at: string;
  readonly type: TimelineEntryType;
  readonly by: string;
  readonly note?: string;
  /** For pages: the address or number, the level (1-based) and round (0-based) of the matrix, the message id. */
  readonly to?: string;
  /** For pages by phone or Slack: `sms`, `voice` or `slack` (absent for email). */
  readonly channel?: 'sms' | 'voice' | 'slack';
  readonly level?: number;
  readonly round?: number;
  /** For pages: the escalation's run (absent: the first; each raise of the urgency starts another) and the person's step (absent: the first). */
  readonly run?: number;
  readonly step?: number;
  /** For an urgency change: the new urgency. */
  readonly urgency?: Urgency;
  /** For an escalation held or resumed: the id of the maintenance window. */
  readonly maintenance?: string;
  readonly messageId?: string;
}

/**
 * Repeats are counted rather than listed, so that one write counts one and a storm of events keeps the item
 * small; the timeline shows them as one entry, at the latest repeat.
 */
export interface RepeatedEntry {
  readonly at: string;
  readonly type: 'repeated';
  readonly by: string;
  readonly count: number;
  readonly firstAt: string;
}

export interface Incident {
  readonly number: number;
  readonly service: string;
  readonly team: string;
  readonly severity: Severity;
  readonly state: IncidentState;
  readonly title: string;
  readonly message: string;
  readonly source?: string;
  readonly dedupKey: string;
  /** For an incident raised by email: sender, address, date, message id and attachments of the mail. */
  readonly email?: EmailOrigin;
  /** Where to look: the alert's graph, dashboard, runbook, images. */
  readonly links?: readonly IncidentLink[];
  readonly detectedAt: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** How many events this incident absorbed, the first included: exact, whatever the rate. */
  readonly occurrences: number;
  readonly lastSeenAt: string;
  /** Sender of the latest repeated event, and when the first repeat came; absent until one does. */
  readonly lastSeenBy?: string;
  readonly firstRepeatAt?: string;
  readonly claimedBy?: string;
  readonly claimedAt?: string;
  readonly resolvedBy?: string;
  readonly resolvedAt?: string;
  /** When the incident last changed state or got a comment. */
  readonly updatedAt?: string;
  /** Set while the escalation could not be started; the next repeat of the event starts it again. */
  readonly escalationStartFailedAt?: string;
  /** High pages by the people's high rules and escalates; low notifies the first level only. Absent: high. */
  readonly urgency?: Urgency;
  /** For an incident that support hours lowered: when they start, and it is raised to high. */
  readonly raiseAt?: string;
  /** The team's matrix as frozen when the escalation started, with its progress. */
  readonly escalation?: EscalationSnapshot;
  /** The name of the escalation's execution when it is not `incident-<number>`: after a responder raised the urgency. */
  readonly escalationExecution?: string;
  readonly timeline: readonly TimelineEntry[];
}

/** Every field of an incident, in the order the API shows them. */
export const INCIDENT_FIELDS = [
  'number', 'service', 'team', 'severity', 'state', 'title', 'message', 'source', 'dedupKey', 'email', 'links',
  'detectedAt', 'createdAt', 'createdBy', 'occurrences', 'lastSeenAt', 'lastSeenBy', 'firstRepeatAt',
  'claimedBy', 'claimedAt', 'resolvedBy', 'resolvedAt', 'updatedAt', 'escalationStartFailedAt', 'urgency', 'raiseAt', 'escalation',
  'escalationExecution', 'timeline',
] as const satisfies readonly (keyof Incident)[];

/** The fields of a list entry, in order; the whole incident is one GET away. */
export const SUMMARY_FIELDS = [
  'number', 'service', 'team', 'severity', 'state', 'title', 'source', 'detectedAt', 'createdAt',
] as const satisfies readonly (keyof Incident)[];

/** Picks `fields` from a record, in that order, leaving out absent ones. */
export function pickFields<K extends string>(record: Readonly<Record<string, unknown>>, fields: readonly K[]): Record<K, unknown> {
  return Object.fromEntries(fields.filter((f) => record[f] !== undefined).map((f) => [f, record[f]])) as Record<K, unknown>;
}

/** The fields a list page shows; the whole incident is one GET away. */
export type IncidentSummary = Pick<Incident, (typeof SUMMARY_FIELDS)[number]>;

/** An event reported by a monitoring system, already validated. */
export interface IncidentEvent {
  readonly service: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly detectedAt: string;
  readonly source?: string;
  readonly dedupKey?: string;
  readonly email?: EmailOrigin;
  readonly links?: readonly IncidentLink[];
  /** Taken only where the service allows events to set it. */
  readonly urgency?: Urgency;
}

/** A link an event carried: a URL and what it shows. */
export interface IncidentLink {
  readonly href: string;
  readonly text?: string;
}

/**
 * The dedup key of an event: the one the sender gave, or else derived from its title (trimmed, white space
 * folded, lower-cased), so that the same alert raised again joins the open incident. The service is not part
 * of the key because deduplication is always within one service.
 */
export function dedupKeyOf(event: Pick<IncidentEvent, 'title' | 'dedupKey'>): string {
  return event.dedupKey ?? `title:${event.title.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** The identity of the (service, dedup key) lock: fixed length, whatever the key's length. */
export function dedupLockId(service: string, dedupKey: string): string {
  return `${service}#${createHash('sha256').update(dedupKey).digest('base64url')}`;
}

export function openIncident(
  event: IncidentEvent,
  number: number,
  team: string,
  by: string,
  now: Date,
  urgency: UrgencyDecision = { urgency: 'high' },
): Incident {
  const at = now.toISOString();
  return {
    number,
    service: event.service,
    team,
    severity: event.severity,
    state: 'OPEN',
    title: event.title,
    message: event.message,
    ...(event.source === undefined ? {} : { source: event.source }),
    dedupKey: dedupKeyOf(event),
    ...(event.email === undefined ? {} : { email: event.email }),
    ...(event.links?.length ? { links: event.links } : {}),
    detectedAt: event.detectedAt,
    createdAt: at,
    createdBy: by,
    lastSeenAt: at,
    occurrences: 1,
    urgency: urgency.urgency,
    ...(urgency.raiseAt ? { raiseAt: urgency.raiseAt } : {}),
    timeline: [{ at, type: 'created', by, ...(urgency.raiseAt ? { note: `low urgency outside support hours until ${urgency.raiseAt}` } : {}) }],
  };
}

export const ACTIONS = ['claim', 'resolve', 'comment', 'urgency'] as const;
export type IncidentAction = (typeof ACTIONS)[number];

/** What an action requires and does: the states it may start from and the state it leads to. */
export interface ActionRule {
  readonly from: readonly IncidentState[];
  readonly to?: IncidentState;
  readonly entryType: TimelineEntryType;
}

/** OPEN → CLAIMED → RESOLVED, OPEN → RESOLVED; RESOLVED is final. A comment changes no state. */
export const ACTION_RULES: Readonly<Record<IncidentAction, ActionRule>> = {
  claim: { from: ['OPEN'], to: 'CLAIMED', entryType: 'claimed' },
  resolve: { from: ['OPEN', 'CLAIMED'], to: 'RESOLVED', entryType: 'resolved' },
  comment: { from: STATES, entryType: 'comment' },
  /** Raising or lowering the urgency matters only while nobody has acknowledged. */
  urgency: { from: ['OPEN'], entryType: 'urgency_changed' },
};

/**
 * Whether an action that found the incident already in its target state is the same person's retry (then it
 * succeeds again without a change) rather than a conflict with someone else.
 */
export function isRepeatOfDoneAction(incident: Incident, action: IncidentAction, by: string): boolean {
  if (action === 'claim') return incident.state === 'CLAIMED' && incident.claimedBy === by;
  if (action === 'resolve') return incident.state === 'RESOLVED' && incident.resolvedBy === by;
  return false;
}

export function describeState(incident: Incident): string {
  if (incident.state === 'CLAIMED') return `CLAIMED by ${incident.claimedBy} at ${incident.claimedAt}`;
  if (incident.state === 'RESOLVED') return `RESOLVED by ${incident.resolvedBy} at ${incident.resolvedAt}`;
  return 'OPEN';
}

/** The incident as the API shows it: the stored timeline with the repeats merged in at their latest time. */
export function presentIncident(incident: Incident): Omit<Incident, 'timeline'> & {
  timeline: readonly (TimelineEntry | RepeatedEntry)[];
} {
  const { lastSeenBy, firstRepeatAt } = incident;
  if (lastSeenBy === undefined || firstRepeatAt === undefined) return incident;
  const repeated: RepeatedEntry = {
    at: incident.lastSeenAt,
    type: 'repeated',
    by: lastSeenBy,
    count: incident.occurrences - 1,
    firstAt: firstRepeatAt,
  };
  const timeline = [...incident.timeline, repeated].sort((a, b) => a.at.localeCompare(b.at));
  return { ...incident, timeline };
}

/** An attachment of the mail that raised an incident: listed, never stored. */
export interface EmailAttachment {
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

/** What an incident keeps of the mail that raised it. */
export interface EmailOrigin {
  readonly from: string;
  /** The address it was sent to, which chose the service and severity. */
  readonly to: string;
  readonly date?: string;
  readonly messageId?: string;
  /** The first {@link MAX_LISTED_ATTACHMENTS} attachments. */
  readonly attachments: readonly EmailAttachment[];
  /** How many more attachments the mail had. */
  readonly attachmentsNotListed?: number;
}

/** How many attachments an incident and its page list by name; the rest are counted. */
export const MAX_LISTED_ATTACHMENTS = 50;
