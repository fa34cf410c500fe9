import { type Incident, SYSTEM, type TimelineEntry } from '../incident/incident';
import type { IncidentRepository } from '../incident/ports';

/**
 * Raises a low incident to high, restarting its escalation from the first level as the next run: by the
 * start of its support hours (within its own execution) or by a responder (`newExecution`: the run goes on in
 * an execution of its own, `incident-<number>-run-<run>`). Answers the incident as it now is.
 */
export async function restartHigh(
  deps: { readonly incidents: Pick<IncidentRepository, 'changeUrgency'> },
  incident: Incident,
  now: Date,
  why: string,
  { by = SYSTEM, newExecution = false }: { readonly by?: string; readonly newExecution?: boolean } = {},
): Promise<Incident> {
  const run = (incident.escalation?.run ?? 0) + 1;
  const entry: TimelineEntry = { at: now.toISOString(), type: 'urgency_changed', by, urgency: 'high', note: `raised to high: ${why}` };
  const execution = newExecution ? { execution: `incident-${incident.number}-run-${run}` } : {};
  const restart = incident.escalation
    ? { restart: { progress: { done: false as const, round: 0, level: 0, nextAt: now.toISOString() }, run, ...execution } }
    : {};
  const result = await deps.incidents.changeUrgency(incident.number, { from: 'low', to: 'high', entry, ...restart });
  if (result.outcome === 'not_found') return { ...incident, state: 'RESOLVED' };
  return result.incident;
}
