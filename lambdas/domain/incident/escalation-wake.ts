import type { Escalations, IncidentRepository } from './ports';
import type { Incident } from './incident';

/**
 * Wakes an OPEN incident's escalation now, when something it waits on changed before the instant it waits
 * for (a maintenance window ended early, a page bounced): a new execution, named after the incident and
 * `cause`, takes over from the running one, which is stopped. Of two wakes racing, one takes over; the other
 * changes nothing. Answers whether this one took over.
 */
export async function wakeEscalation(
  deps: { readonly incidents: Pick<IncidentRepository, 'moveEscalation'>; readonly escalation: Escalations },
  incident: Incident,
  cause: string,
): Promise<boolean> {
  const moved = await deps.incidents.moveEscalation(incident.number, incident.escalationExecution, `incident-${incident.number}-${cause}`);
  if (!moved) return false;
  await deps.escalation.stop(incident);
  await deps.escalation.start(moved);
  return true;
}
