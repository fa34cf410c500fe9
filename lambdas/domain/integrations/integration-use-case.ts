import { dedupLockId } from '../incident/incident';
import type { Principal } from '../access/access';
import { ClientError, ConflictError } from '../shared/errors';
import { UNROUTED_STREAM, type EventLog, type EventOutcome } from '../incident/event-record';
import type { InboundAction } from './inbound-action';
import { actOnIncident, raiseEvent, suppressedReason, type IncidentUseCaseDeps } from '../incident/incident-use-cases';

export interface IntegrationDeps {
  readonly incidents: IncidentUseCaseDeps;
  readonly events: Pick<EventLog, 'record'>;
}

/** What became of one action. */
export interface ActionResult {
  readonly outcome: EventOutcome;
  readonly dedupKey: string;
  readonly incidentNumber?: number;
  readonly reason?: string;
}

/**
 * Applies the actions of one inbound request in order, for the service of the integration key, and records
 * each outcome in the event record. A creation is recorded by the store in the same transaction; a repeat
 * that joins an open incident is counted on the incident (`occurrences`, exact) rather than written to the
 * record again: a storm costs one write per event.
 */
export async function applyActions(
  deps: IntegrationDeps,
  principal: Extract<Principal, { role: 'integration' }>,
  source: string,
  actions: readonly InboundAction[],
): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  for (const action of actions) {
    const result = await applyAction(deps, principal, source, action);
    // The store records a creation with the incident; a join is counted on the incident.
    if (result.outcome !== 'created' && result.outcome !== 'joined') {
      await deps.events.record({
        at: deps.incidents.clock().toISOString(),
        service: principal.service,
        source,
        outcome: result.outcome,
        ...(result.incidentNumber === undefined ? {} : { incidentNumber: result.incidentNumber }),
        ...(result.reason === undefined ? {} : { reason: result.reason }),
        summary: action.kind === 'trigger' ? action.event.title : `${action.kind} ${action.summary}`,
        from: principal.name,
      });
    }
    results.push(result);
  }
  return results;
}

async function applyAction(
  deps: IntegrationDeps,
  principal: Extract<Principal, { role: 'integration' }>,
  source: string,
  action: InboundAction,
): Promise<ActionResult> {
  const dedupKey = action.kind === 'trigger' ? action.event.dedupKey! : action.dedupKey;
  try {
    if (action.kind === 'trigger') {
      const raised = await raiseEvent(deps.incidents, principal, action.event);
      if ('suppressed' in raised) return { outcome: 'suppressed', dedupKey, reason: suppressedReason(raised.suppressed) };
      const { number, created } = raised;
      return { outcome: created ? 'created' : 'joined', dedupKey, incidentNumber: number };
    }
    const number = await deps.incidents.incidents.findActiveByDedup(dedupLockId(principal.service, dedupKey));
    if (number === undefined) return { outcome: 'ignored', dedupKey, reason: `no open incident for this ${action.kind === 'resolve' ? 'resolution' : 'acknowledgment'}` };
    const verb = action.kind === 'resolve' ? 'resolve' : 'claim';
    try {
      await actOnIncident(deps.incidents, principal, number, { action: verb, by: source });
    } catch (error) {
      // Already acknowledged or resolved by someone: nothing to do, and nothing for the sender to retry.
      if (error instanceof ConflictError) return { outcome: 'ignored', dedupKey, incidentNumber: number, reason: error.message };
      throw error;
    }
    return { outcome: verb === 'resolve' ? 'resolved' : 'claimed', dedupKey, incidentNumber: number };
  } catch (error) {
    if (error instanceof ClientError) return { outcome: 'rejected', dedupKey, reason: error.message };
    throw error;
  }
}

/**
 * Runs the handling of one inbound request; if it is refused (a bad key, a malformed payload, another
 * service's key), the refusal is recorded with its reason, under the key's service when known, before the
 * error goes on to be answered.
 */
export async function recordingRefusals<T>(
  events: Pick<EventLog, 'record'>,
  now: () => Date,
  source: string,
  principalOf: () => Principal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClientError) {
      const principal = principalOf();
      await events.record({
        at: now().toISOString(),
        service: principal?.role === 'integration' ? principal.service : UNROUTED_STREAM,
        source,
        outcome: 'rejected',
        reason: error.message,
        ...(principal ? { from: principal.name } : {}),
      });
    }
    throw error;
  }
}
