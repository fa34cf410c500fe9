import type { EscalationProgress, EscalationSnapshot, PagedRecipient } from '../escalation/escalation';
import type { Urgency } from '../escalation/urgency';
import type { Incident, IncidentState, IncidentSummary, TimelineEntry } from './incident';

/** Where an incident stands: its state, how many events it absorbed, and when the latest came. */
export type IncidentStanding = Pick<Incident, 'state' | 'occurrences' | 'lastSeenAt'>;

export type RepeatCount = 'counted' | 'escalation_not_started' | 'lost';

/** The incident a change applies to, and the dedup lock it holds. */
export interface ChangeTarget {
  readonly number: number;
  readonly service: string;
  readonly lockId: string;
}

/** A state change or comment, written only if the incident is still in one of `from`. */
export interface IncidentChange {
  readonly from: readonly IncidentState[];
  readonly to?: IncidentState;
  readonly entry: TimelineEntry;
  /** Refuse the change once the timeline holds this many entries (for comments). */
  readonly maxTimelineEntries?: number;
}

/**
 * An urgency change. Raising restarts the escalation from its first level, as a new run: `restart` holds its
 * progress, its run, and, when another execution takes it over, that execution's name.
 */
export interface UrgencyChange {
  readonly from: Urgency;
  readonly to: Urgency;
  readonly entry: TimelineEntry;
  readonly restart?: { readonly progress: EscalationProgress; readonly run: number; readonly execution?: string };
}

export type ChangeResult =
  | { readonly outcome: 'changed'; readonly incident: Incident }
  | { readonly outcome: 'not_found' }
  /** The condition failed; `incident` is how it was found. */
  | { readonly outcome: 'refused'; readonly incident: Incident };

export interface IncidentPage {
  readonly items: readonly IncidentSummary[];
  /** The incident number the next page starts below, if there is a next page. */
  readonly nextBefore?: number;
}

export interface IncidentListFilter {
  readonly service?: string;
  readonly state?: IncidentState;
  readonly limit: number;
  readonly before?: number;
}

/** Persistence of incidents, their numbers and their dedup locks. */
export interface IncidentRepository {
  /**
   * The number of the OPEN or CLAIMED incident holding this dedup lock, if any. May answer from a hint that
   * has gone stale; {@link recordRepeat} then refuses it and the next call reads the lock itself.
   */
  findActiveByDedup(lockId: string): Promise<number | undefined>;
  /**
   * Counts one more occurrence on the incident if it still holds the lock and is active; returns the updated
   * incident, or undefined if it no longer is (resolved meanwhile).
   */
  recordRepeat(number: number, lockId: string, at: Date, by: string): Promise<Incident | undefined>;
  /**
   * Counts one more occurrence like {@link recordRepeat}, returning nothing of the incident: for senders that
   * need only its number. `escalation_not_started` (nothing counted): the incident waits for its escalation
   * to be started again, which {@link recordRepeat}'s caller does; `lost`: it no longer holds the lock.
   */
  countRepeat(number: number, lockId: string, at: Date, by: string): Promise<RepeatCount>;
  /** The next incident number: unique and increasing across all writers. */
  allocateNumber(): Promise<number>;
  /** Stores a new incident with its dedup lock; `false` if another incident took the lock first. */
  create(incident: Incident, lockId: string): Promise<boolean>;
  get(number: number): Promise<Incident | undefined>;
  /** How these incidents stand now, in one read; absent numbers are left out. */
  standings(numbers: readonly number[]): Promise<ReadonlyMap<number, IncidentStanding>>;
  /** Applies a conditional change; a change to RESOLVED also releases the dedup lock, atomically. */
  change(target: ChangeTarget, change: IncidentChange): Promise<ChangeResult>;
  list(filter: IncidentListFilter): Promise<IncidentPage>;
  /** Records (or, with `undefined`, clears) that the escalation could not be started. */
  setEscalationStartFailure(number: number, entry: TimelineEntry | undefined): Promise<Incident | undefined>;
  /** Stores the frozen matrix unless one is there already; the incident with whichever snapshot it holds. */
  freezeEscalation(number: number, snapshot: EscalationSnapshot): Promise<Incident>;
  appendTimeline(number: number, entries: readonly TimelineEntry[]): Promise<void>;
  /**
   * Moves the progress from `expected` to `next`, adding the people the level just paged; false if it was no
   * longer `expected`.
   */
  setEscalationProgress(number: number, expected: EscalationProgress, next: EscalationProgress, paged?: readonly PagedRecipient[]): Promise<boolean>;
  /** Changes the urgency of an OPEN incident that still has `change.from`, with its timeline entry. */
  changeUrgency(number: number, change: UrgencyChange): Promise<ChangeResult>;
  /**
   * Names the execution that takes over the escalation of an OPEN incident from `from` (undefined: the
   * incident's first); the incident, or undefined if not OPEN or another took it over first.
   */
  moveEscalation(number: number, from: string | undefined, execution: string): Promise<Incident | undefined>;
}

/** The escalations of incidents, one per incident. */
export interface Escalations {
  /** Starts it. Idempotent: starting the same incident twice runs it once. */
  start(incident: Pick<Incident, 'number' | 'service' | 'team' | 'severity' | 'escalationExecution'>): Promise<void>;
  /** Stops it at once, if it runs. */
  stop(incident: Pick<Incident, 'number' | 'escalationExecution'>): Promise<void>;
}
