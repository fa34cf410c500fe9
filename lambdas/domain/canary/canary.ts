import type { Principal } from '../access/access';
import type { TeamProfile } from '../escalation/escalation';
import { dedupKeyOf, dedupLockId, type Incident, type IncidentEvent, type TimelineEntry } from '../incident/incident';
import { actOnIncident, raiseIncident, type IncidentUseCaseDeps } from '../incident/incident-use-cases';
import { TemporarilyUnavailableError } from '../shared/errors';
import { secondsBetween, type OperationalMetrics } from '../shared/metrics';
import { CANARY_SERVICE, CANARY_TEAM } from './canary-service';

/** The canary's checks, in the order a run makes them. */
export const CANARY_CHECKS = ['numbered', 'escalation started', 'notifier ran', 'SES accepted', 'resolved'] as const;
export type CanaryCheck = (typeof CANARY_CHECKS)[number];

/** Who raises and resolves the canary's incidents, as the timeline names it. */
export const CANARY_ACTOR = 'canary';

const CANARY_PRINCIPAL: Principal = { name: CANARY_ACTOR, role: 'integration', service: CANARY_SERVICE };

/** Where the canary keeps what is its own: the route of its pages, and its incidents once they served. */
export interface CanaryStore {
  /** Writes the canary's service and its team (whose one level pages the canary address), as they are given. */
  ensureRoute(team: TeamProfile): Promise<void>;
  /** Deletes a resolved canary incident: a green run leaves nothing behind. */
  removeIncident(number: number): Promise<void>;
}

export interface CanarySettings {
  /** Where its pages go: SES's mailbox simulator by default, which accepts and discards. */
  readonly address: string;
  /** How long to wait for the escalation and the page before calling the run red. */
  readonly deadlineMs: number;
  /** How often the incident is read while waiting. */
  readonly pollMs: number;
}

export interface CanaryDeps {
  /** The incident use cases, the same a PUT and a resolve go through. */
  readonly incidents: IncidentUseCaseDeps;
  readonly store: CanaryStore;
  readonly metrics: Pick<OperationalMetrics, 'canaryRun'>;
  readonly settings: CanarySettings;
  readonly sleep: (ms: number) => Promise<void>;
}

export type CanaryResult =
  | { readonly ok: true; readonly number: number; readonly passed: readonly CanaryCheck[]; readonly pageSeconds: number }
  | { readonly ok: false; readonly number?: number; readonly passed: readonly CanaryCheck[]; readonly failed: CanaryCheck; readonly reason: string };

/** The canary's team: one level, at once, paging the canary address by email, never repeated. */
export const canaryTeam = (address: string): TeamProfile => ({
  name: CANARY_TEAM,
  timeZone: 'UTC',
  defaultContact: address,
  escalation: { repeat: 0, repeatAfterMinutes: 10, levels: [{ delayMinutes: 0, targets: [`email:${address}`] }] },
});

/** The event the canary raises: unique to the run, so that it opens an incident rather than joining one. */
export const canaryEvent = (now: Date): IncidentEvent => ({
  service: CANARY_SERVICE,
  severity: 'CRIT',
  title: 'InResponse canary',
  message: 'InResponse raises this incident on itself to check that it numbers, escalates and pages; it resolves it at once.',
  detectedAt: now.toISOString(),
  source: CANARY_ACTOR,
  dedupKey: `canary:${now.toISOString()}`,
});

/** How far an incident shows the page got: the checks passed beyond numbering, and a failure that is final. */
export interface PageProgress {
  readonly passed: readonly CanaryCheck[];
  readonly failure?: { readonly check: CanaryCheck; readonly reason: string };
  /** The page SES accepted, when it did. */
  readonly page?: TimelineEntry;
}

/** The first level's page to the canary address: sent or failed for good. */
const pageTo = (incident: Incident, address: string) =>
  incident.timeline.find((e) => (e.type === 'notified' || e.type === 'notify_failed') && e.to === address && e.channel === undefined && e.level === 1);

/**
 * The checks an incident passes as its escalation runs: started (the first step froze the matrix), the
 * notifier ran (the page is on the timeline) and SES accepted it (sent, with SES's message id).
 */
export function assessPage(incident: Incident | undefined, address: string): PageProgress {
  if (!incident) return { passed: [], failure: { check: 'escalation started', reason: 'the incident is gone' } };
  if (incident.escalationStartFailedAt) return { passed: [], failure: { check: 'escalation started', reason: 'its escalation could not be started' } };
  if (!incident.escalation) return { passed: [] };
  const page = pageTo(incident, address);
  if (!page) return { passed: ['escalation started'] };
  const ran: CanaryCheck[] = ['escalation started', 'notifier ran'];
  if (page.type === 'notify_failed') return { passed: ran, failure: { check: 'SES accepted', reason: page.note ?? 'the page failed' } };
  if (!page.messageId) return { passed: ran, failure: { check: 'SES accepted', reason: 'the page has no SES message id' } };
  return { passed: [...ran, 'SES accepted'], page };
}

/** The check after the last one passed: the one a run stuck at. */
const nextCheck = (passed: readonly CanaryCheck[]): CanaryCheck => CANARY_CHECKS[passed.length + 1] ?? 'resolved';

const reasonOf = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * One canary run, through the same use cases as a PUT and a resolve: raises an incident on the canary
 * service, checks that it is numbered, that its escalation started, that the notifier paged the canary address
 * and SES accepted the page, within the deadline; then resolves it (and, when every check passed, deletes it:
 * a red run's incident stays, resolved, for its timeline). Emits the run's success, 1 or 0.
 */
export async function runCanary(deps: CanaryDeps): Promise<CanaryResult> {
  const result = await checkOnce(deps).catch((error: unknown): CanaryResult => ({ ok: false, passed: [], failed: 'numbered', reason: reasonOf(error) }));
  deps.metrics.canaryRun(result.ok);
  return result;
}

async function checkOnce(deps: CanaryDeps): Promise<CanaryResult> {
  const { settings, incidents } = deps;
  const startedAt = incidents.clock();
  await deps.store.ensureRoute(canaryTeam(settings.address));
  const event = canaryEvent(startedAt);
  let number: number;
  let progress: PageProgress;
  try {
    const raised = await raiseIncident(incidents, CANARY_PRINCIPAL, event);
    if ('suppressed' in raised) return { ok: false, passed: [], failed: 'numbered', reason: `suppressed by maintenance window ${raised.suppressed.id}` };
    number = raised.incident.number;
    if (!raised.created) return { ok: false, number, passed: [], failed: 'numbered', reason: `joined incident #${number} instead of opening one` };
    progress = await awaitPage(deps, number, startedAt);
  } catch (error) {
    if (!(error instanceof TemporarilyUnavailableError)) throw error;
    // Stored, numbered, but not escalated: found by its dedup lock, to be resolved below.
    const stored = await incidents.incidents.findActiveByDedup(dedupLockId(event.service, dedupKeyOf(event)));
    if (stored === undefined) throw error;
    number = stored;
    progress = { passed: [], failure: { check: 'escalation started', reason: error.message } };
  }
  const passed: CanaryCheck[] = ['numbered', ...progress.passed];
  const failure = progress.failure;
  try {
    await actOnIncident(incidents, CANARY_PRINCIPAL, number, { action: 'resolve', by: CANARY_ACTOR, note: failure ? `canary red: ${failure.check}: ${failure.reason}` : 'canary green' });
    if (!failure) await deps.store.removeIncident(number);
  } catch (error) {
    return { ok: false, number, passed, failed: failure?.check ?? 'resolved', reason: failure?.reason ?? reasonOf(error) };
  }
  if (failure) return { ok: false, number, passed, failed: failure.check, reason: failure.reason };
  return { ok: true, number, passed: [...passed, 'resolved'], pageSeconds: secondsBetween(startedAt.toISOString(), progress.page!.at) };
}

/** Reads the incident until its page is accepted, fails for good, or the deadline passes. */
async function awaitPage(deps: CanaryDeps, number: number, startedAt: Date): Promise<PageProgress> {
  const { settings, incidents } = deps;
  for (;;) {
    const progress = assessPage(await incidents.incidents.get(number), settings.address);
    if (progress.failure || progress.page) return progress;
    if (incidents.clock().getTime() - startedAt.getTime() >= settings.deadlineMs) {
      return { ...progress, failure: { check: nextCheck(progress.passed), reason: `not seen within ${settings.deadlineMs / 1000} s` } };
    }
    await deps.sleep(settings.pollMs);
  }
}
