import { LIMITS } from '../../config/limits';
import { assertMayAct, assertMayRaise, assertMayRead, type Principal } from '../access/access';
import { ConflictError, NotFoundError, TemporarilyUnavailableError, ValidationError } from '../shared/errors';
import {
  ACTION_RULES,
  dedupKeyOf,
  dedupLockId,
  describeState,
  isRepeatOfDoneAction,
  openIncident,
  presentIncident,
  SYSTEM,
  type Incident,
  type IncidentAction,
  type IncidentEvent,
} from './incident';
import type { Directory } from '../access/ports';
import type { IncidentAnnouncer } from '../webhooks/ports';
import { announcementOf } from '../webhooks/webhook';
import type { Clock } from '../shared/clock';
import { urgencyAtOpen, type Urgency, type UrgencyPolicy } from '../escalation/urgency';
import { restartHigh } from '../escalation/raise-urgency';
import type { Escalations, IncidentPage, IncidentListFilter, IncidentRepository } from './ports';
import type { MaintenanceCalendar } from '../maintenance/ports';
import { maintenanceNote, windowOver, type MaintenanceWindow } from '../maintenance/maintenance';
import { inMaintenance } from '../maintenance/maintenance-use-cases';
import type { StatusPageInvalidator } from '../status-pages/ports';
import { pagesOfServices } from '../status-pages/status-page-use-cases';
import { secondsBetween, type OperationalMetrics } from '../shared/metrics';
import { isCanaryService } from '../canary/canary-service';

export interface IncidentUseCaseDeps {
  readonly incidents: IncidentRepository;
  readonly directory: Directory;
  readonly escalation: Escalations;
  /** Tells the webhooks about created, claimed and resolved incidents. */
  readonly announcer: IncidentAnnouncer;
  /** The maintenance windows, in which new events open nothing. */
  readonly maintenance: MaintenanceCalendar;
  /** Told when an incident of a service on a status page opens, is claimed or is resolved. */
  readonly statusPages: StatusPageInvalidator;
  /** Counts incidents created and times their acknowledgement; nothing is measured without it. */
  readonly metrics?: Pick<OperationalMetrics, 'incidentCreated' | 'timeToAcknowledge'>;
  readonly clock: Clock;
}

export interface RaiseResult {
  readonly incident: Incident;
  /** False when the event joined an incident already open for its dedup key. */
  readonly created: boolean;
}

/**
 * A new event for a service in maintenance: no incident opened, nobody paged. The caller records it in the
 * event record as `suppressed`, with {@link suppressedReason}.
 */
export interface SuppressedRaise {
  readonly suppressed: MaintenanceWindow;
}

/** Why an event was suppressed, as the event record says it. */
export const suppressedReason = (window: MaintenanceWindow) => `maintenance ${window.id} until ${window.to}`;

/** The outcome of a raise for a sender that needs only the incident's number. */
export interface RaisedNumber {
  readonly number: number;
  readonly created: boolean;
}

/**
 * How often a raise re-reads the dedup lock after losing a race (an incident resolved, or created by a
 * concurrent request, between the read and the write). Each retry means another writer made progress.
 */
const MAX_RAISE_ATTEMPTS = 4;

/**
 * Raises an incident from a monitoring event: joins the open incident of the same dedup key, or numbers,
 * stores and starts escalating a new one. Answers with the incident as it now is.
 */
export async function raiseIncident(
  deps: IncidentUseCaseDeps,
  principal: Principal,
  event: IncidentEvent,
  options: RaiseOptions = {},
): Promise<RaiseResult | SuppressedRaise> {
  const raised = await raise(deps, principal, event, (number, lockId) => repeatWhole(deps, number, lockId, principal), options);
  return 'suppressed' in raised ? raised : { incident: raised.incident!, created: raised.created };
}

/**
 * Raises an incident like {@link raiseIncident}, answering with its number only: a repeat is then one write
 * that returns nothing of the incident, which is what a storm of one alert costs.
 */
export async function raiseEvent(deps: IncidentUseCaseDeps, principal: Principal, event: IncidentEvent): Promise<RaisedNumber | SuppressedRaise> {
  const raised = await raise(deps, principal, event, async (number, lockId) => {
    const count = await deps.incidents.countRepeat(number, lockId, deps.clock(), principal.name);
    if (count === 'counted') return { number };
    return count === 'lost' ? undefined : repeatWhole(deps, number, lockId, principal);
  });
  return 'suppressed' in raised ? raised : { number: raised.number, created: raised.created };
}

type Repeated = { readonly number: number; readonly incident?: Incident };

/** Counts a repeat and answers the whole incident, starting its escalation again if that had failed. */
async function repeatWhole(deps: IncidentUseCaseDeps, number: number, lockId: string, principal: Principal): Promise<Repeated | undefined> {
  const repeated = await deps.incidents.recordRepeat(number, lockId, deps.clock(), principal.name);
  if (!repeated) return undefined;
  return { number, incident: repeated.escalationStartFailedAt ? await retryEscalationStart(deps, repeated) : repeated };
}

/** How a raise differs from an event's: a heartbeat monitor's own support hours, say. */
export interface RaiseOptions {
  /** Takes the place of the service's urgency policy. */
  readonly urgencyPolicy?: UrgencyPolicy;
}

async function raise(
  deps: IncidentUseCaseDeps,
  principal: Principal,
  event: IncidentEvent,
  repeat: (number: number, lockId: string) => Promise<Repeated | undefined>,
  options: RaiseOptions = {},
): Promise<(Repeated & { readonly created: boolean }) | SuppressedRaise> {
  assertMayRaise(principal, event.service);
  const service = await deps.directory.findService(event.service);
  if (!service) {
    throw new ValidationError(`unknown service ${event.service}`, [
      { field: 'service', problem: 'is not a configured service' },
    ]);
  }
  if (event.urgency !== undefined && !service.urgency.fromEvents) {
    throw new ValidationError(`service ${event.service} does not take urgency from events`, [
      { field: 'urgency', problem: `is not allowed for service ${event.service}: its urgency comes from the severity and support hours` },
    ]);
  }
  const lockId = dedupLockId(event.service, dedupKeyOf(event));
  for (let attempt = 0; attempt < MAX_RAISE_ATTEMPTS; attempt++) {
    const activeNumber = await deps.incidents.findActiveByDedup(lockId);
    if (activeNumber !== undefined) {
      const repeated = await repeat(activeNumber, lockId);
      if (!repeated) continue;
      return { ...repeated, created: false };
    }
    // Repeats of an incident already open are counted above (its escalation is held); only new ones are suppressed.
    const now = deps.clock();
    const window = await inMaintenance(deps.maintenance, event.service, now);
    if (window) return { suppressed: window };
    const number = await deps.incidents.allocateNumber();
    const urgency = urgencyAtOpen(options.urgencyPolicy ?? service.urgency, event.severity, now.getTime(), event.urgency);
    const incident = openIncident(event, number, service.team, principal.name, now, urgency);
    if (!(await deps.incidents.create(incident, lockId))) continue;
    if (!isCanaryService(incident.service)) deps.metrics?.incidentCreated(incident.service, incident.severity);
    await startEscalation(deps, incident);
    return { number, incident, created: true };
  }
  throw new TemporarilyUnavailableError('too many concurrent changes to this incident; retry', 1);
}

/** Seconds a client is asked to wait when the escalation could not be started. */
const ESCALATION_RETRY_AFTER_SECONDS = 5;

/**
 * Starts the escalation of a stored incident. If that fails, the incident keeps a mark and the client is told
 * to retry: its retry joins this incident by dedup key and starts the escalation then, so an accepted
 * incident is never left unescalated by a transient failure. Once it has started, the webhooks are told of
 * the new incident: the page never waits for them.
 */
async function startEscalation(deps: IncidentUseCaseDeps, incident: Incident): Promise<void> {
  try {
    await deps.escalation.start(incident);
  } catch (error) {
    const entry = { at: deps.clock().toISOString(), type: 'escalation_start_failed' as const, by: SYSTEM };
    await deps.incidents.setEscalationStartFailure(incident.number, entry);
    throw new TemporarilyUnavailableError(
      `incident #${incident.number} is stored but its escalation could not be started; retry the same request`,
      ESCALATION_RETRY_AFTER_SECONDS,
      { cause: error },
    );
  }
  await deps.announcer.announce(announcementOf('created', incident, new Date(incident.createdAt), { by: incident.createdBy }));
  await invalidateStatusPages(deps, incident.service);
}

/** Invalidates the status pages that list the service: none (and no write) for a service on no page; never fails the incident's own change. */
async function invalidateStatusPages(deps: IncidentUseCaseDeps, service: string): Promise<void> {
  const pages = await pagesOfServices(deps.directory, [service]).catch(() => []);
  if (pages.length) await deps.statusPages.invalidate(pages);
}

async function retryEscalationStart(deps: IncidentUseCaseDeps, incident: Incident): Promise<Incident> {
  await startEscalation(deps, incident);
  return (await deps.incidents.setEscalationStartFailure(incident.number, undefined)) ?? incident;
}

/** The announcement of each action that changes an incident's state. */
const ANNOUNCED = { claim: 'claimed', resolve: 'resolved' } as const;

export interface ActionRequest {
  readonly action: IncidentAction;
  readonly by: string;
  readonly note?: string;
  /** For the `urgency` action. */
  readonly urgency?: Urgency;
}

/**
 * Claims, resolves or comments on an incident. State changes are conditional writes, so of two concurrent
 * claims exactly one wins; the same person repeating an action that already took effect succeeds again.
 */
export async function actOnIncident(
  deps: IncidentUseCaseDeps,
  principal: Principal,
  number: number,
  request: ActionRequest,
): Promise<Incident> {
  const current = await getExisting(deps, number);
  assertMayAct(principal, current.service);
  if (request.action === 'urgency') return setUrgency(deps, current, request.urgency!, request.by);
  const rule = ACTION_RULES[request.action];
  const entry = {
    at: deps.clock().toISOString(),
    type: rule.entryType,
    by: request.by,
    ...(request.note === undefined ? {} : { note: request.note }),
  };
  const target = { number, service: current.service, lockId: dedupLockId(current.service, current.dedupKey) };
  const result = await deps.incidents.change(target, {
    from: rule.from,
    ...(rule.to === undefined ? {} : { to: rule.to }),
    entry,
    ...(request.action === 'comment' ? { maxTimelineEntries: LIMITS.maxTimelineEntries } : {}),
  });
  if (result.outcome === 'changed') {
    if (rule.to && current.state === 'OPEN' && !isCanaryService(current.service)) deps.metrics?.timeToAcknowledge(secondsBetween(current.createdAt, entry.at));
    if (rule.to) await stopEscalation(deps, current);
    if (request.action !== 'comment') {
      await deps.announcer.announce(announcementOf(ANNOUNCED[request.action], result.incident, new Date(entry.at), { by: request.by }));
      await invalidateStatusPages(deps, current.service);
    }
    return result.incident;
  }
  if (result.outcome === 'not_found') throw notFound(number);
  const found = result.incident;
  if (isRepeatOfDoneAction(found, request.action, request.by)) return found;
  if (request.action === 'comment') {
    throw new ConflictError(`incident #${number} has ${LIMITS.maxTimelineEntries} timeline entries; no more comments fit`, [
      { field: 'note', problem: 'does not fit: the timeline is full' },
    ]);
  }
  throw new ConflictError(`cannot ${request.action} incident #${number}: it is ${describeState(found)}`, [
    { field: 'action', problem: `is not allowed while the incident is ${found.state}` },
  ]);
}

/**
 * Stops the escalation of an acknowledged incident. A failure to stop is not the responder's problem: the
 * escalation reads the incident before every page and ends by itself once it is no longer OPEN.
 */
async function stopEscalation(deps: IncidentUseCaseDeps, incident: Pick<Incident, 'number' | 'escalationExecution'>): Promise<void> {
  try {
    await deps.escalation.stop(incident);
  } catch {
    // Deliberately ignored; see above.
  }
}

/**
 * The incident as the API answers it: {@link presentIncident}, and `maintenance: { id, until }` while its
 * service is in a window (its escalation then holds).
 */
export async function answerOf(deps: Pick<IncidentUseCaseDeps, 'maintenance' | 'clock'>, incident: Incident) {
  const window = await inMaintenance(deps.maintenance, incident.service, deps.clock());
  return { ...presentIncident(incident), ...(window ? { maintenance: maintenanceNote(window) } : {}) };
}

export async function getIncident(deps: Pick<IncidentUseCaseDeps, 'incidents'>, principal: Principal, number: number) {
  assertMayRead(principal);
  return getExisting(deps, number);
}

/**
 * A page of incidents, newest first, each with `maintenance: { id, until }` while its service is in a window.
 * The canary's incidents are left out unless the filter names its service: a green canary deletes its own, so
 * only a red one's can be there, and a page is then short by it.
 */
export async function listIncidents(
  deps: Pick<IncidentUseCaseDeps, 'incidents' | 'maintenance' | 'clock'>,
  principal: Principal,
  filter: IncidentListFilter,
): Promise<IncidentPage> {
  assertMayRead(principal);
  const [page, windows] = await Promise.all([deps.incidents.list(filter), deps.maintenance.windows()]);
  const now = deps.clock();
  return {
    ...page,
    items: page.items.filter((item) => filter.service !== undefined || !isCanaryService(item.service)).map((item) => {
      const window = windowOver(windows, item.service, now);
      return window ? { ...item, maintenance: maintenanceNote(window) } : item;
    }),
  };
}

async function getExisting(deps: Pick<IncidentUseCaseDeps, 'incidents'>, number: number): Promise<Incident> {
  const incident = await deps.incidents.get(number);
  if (!incident) throw notFound(number);
  return incident;
}

const notFound = (number: number) =>
  new NotFoundError(`incident #${number} does not exist`, [{ field: 'number', problem: 'is not an incident' }]);

/**
 * Raises or lowers the urgency of an OPEN incident. Lowering takes effect at the escalation's next step: no
 * further level, no further high step. Raising restarts the escalation from its first level in a new
 * execution, the old one stopped. Setting the urgency it already has changes nothing.
 */
async function setUrgency(deps: IncidentUseCaseDeps, current: Incident, to: Urgency, by: string): Promise<Incident> {
  if (current.state !== 'OPEN') {
    throw new ConflictError(`cannot change the urgency of incident #${current.number}: it is ${describeState(current)}`, [
      { field: 'action', problem: `is not allowed while the incident is ${current.state}` },
    ]);
  }
  if ((current.urgency ?? 'high') === to) return current;
  const now = deps.clock();
  if (to === 'low') {
    const entry = { at: now.toISOString(), type: 'urgency_changed' as const, by, urgency: to, note: 'lowered to low: no further level or high step' };
    const result = await deps.incidents.changeUrgency(current.number, { from: 'high', to, entry });
    return result.outcome === 'not_found' ? current : result.incident;
  }
  const raised = await restartHigh(deps, current, now, `by ${by}`, { by, newExecution: true });
  if (raised.escalationExecution !== current.escalationExecution) {
    await stopEscalation(deps, current);
    await startEscalation(deps, raised);
  }
  return raised;
}

/**
 * Starts the escalation of every OPEN incident again: after a restart of a runtime whose executions lived in
 * memory. Each resumes from its stored progress, so no level is lost and none is sent twice.
 */
export async function resumeEscalations(deps: Pick<IncidentUseCaseDeps, 'incidents' | 'escalation'>): Promise<number> {
  let resumed = 0;
  let before: number | undefined;
  do {
    const page = await deps.incidents.list({ state: 'OPEN', limit: 100, ...(before === undefined ? {} : { before }) });
    for (const incident of page.items) await deps.escalation.start(incident);
    resumed += page.items.length;
    before = page.nextBefore;
  } while (before !== undefined);
  return resumed;
}
