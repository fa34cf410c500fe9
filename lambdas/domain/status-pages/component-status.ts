/**
 * What a status page says of each component and of itself, in Atlassian Statuspage's vocabulary, so that
 * readers and tools that know Statuspage read ours the same way.
 *
 * A component's status, first rule that applies:
 * 1. A responder's override that has not expired (`until` absent or later than now).
 * 2. The worst of: the open (OPEN or CLAIMED) incidents of its service, CRIT → `major_outage`, ERR →
 *    `partial_outage`, WARN → `degraded_performance`; and `under_maintenance` while a maintenance window
 *    covers the service.
 * 3. `operational`.
 *
 * Maintenance ranks between degraded performance and partial outage: planned work explains a slow service,
 * so the page says "under maintenance" rather than "degraded" (as Statuspage does for a component in a
 * maintenance), but an outage during the work is still shown as one, since readers need to know the service is
 * down whatever the cause.
 */
import * as z from 'zod';
import { ACTIVE_STATES, type IncidentState, type Severity } from '../incident/incident';
import { boundedText } from '../shared/validation';

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** How bad each status is; the worst wins. */
const RANK: Readonly<Record<ComponentStatus, number>> = {
  operational: 0,
  degraded_performance: 1,
  under_maintenance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** What readers see for each status. */
export const COMPONENT_STATUS_LABELS: Readonly<Record<ComponentStatus, string>> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

/** The status an open incident of a severity gives its service's component. */
export const STATUS_OF_SEVERITY: Readonly<Record<Severity, ComponentStatus>> = {
  CRIT: 'major_outage',
  ERR: 'partial_outage',
  WARN: 'degraded_performance',
};

/** The worse of two statuses. */
export const worseStatus = (a: ComponentStatus, b: ComponentStatus): ComponentStatus => (RANK[b] > RANK[a] ? b : a);

/** The worst of some statuses; `operational` for none. */
export const worstStatus = (statuses: Iterable<ComponentStatus>): ComponentStatus => {
  let worst: ComponentStatus = 'operational';
  for (const status of statuses) worst = worseStatus(worst, status);
  return worst;
};

/** A responder's word on a component, shown instead of what the incidents say until it expires. */
export const componentOverrideSchema = z.strictObject({
  status: z.enum(COMPONENT_STATUSES, { error: `must be one of ${COMPONENT_STATUSES.join(', ')}` }),
  note: boundedText(500).optional(),
  until: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-24T15:04:05Z' }).optional(),
});
export type ComponentOverride = z.output<typeof componentOverrideSchema>;

/** What the status of a component is computed from: the incidents of its service, by severity and state. */
export interface ServiceIncident {
  readonly service: string;
  readonly severity: Severity;
  readonly state: IncidentState;
}

/** Whether an override still holds at `now`. */
export const overrideHolds = (override: ComponentOverride | undefined, now: Date): override is ComponentOverride =>
  override !== undefined && (override.until === undefined || Date.parse(override.until) > now.getTime());

/**
 * A component's status at `now`: the override if it holds, else the worst of its service's open incidents and
 * of maintenance. `inMaintenance` says whether a window covers the service now.
 */
export function componentStatus(
  service: string,
  incidents: readonly ServiceIncident[],
  inMaintenance: boolean,
  override: ComponentOverride | undefined,
  now: Date,
): ComponentStatus {
  if (overrideHolds(override, now)) return override.status;
  let status: ComponentStatus = inMaintenance ? 'under_maintenance' : 'operational';
  for (const incident of incidents) {
    if (incident.service === service && ACTIVE_STATES.includes(incident.state)) status = worseStatus(status, STATUS_OF_SEVERITY[incident.severity]);
  }
  return status;
}

/** The page's overall state, Statuspage's `status.indicator`. */
export type PageIndicator = 'none' | 'minor' | 'major' | 'critical';

/**
 * The page's indicator and its description, from its components' statuses as Statuspage words them: any
 * major outage is critical, any partial outage major, any degraded performance minor. Maintenance alone keeps
 * the indicator at none (it is planned) but says so.
 */
export function pageStatus(statuses: readonly ComponentStatus[]): { readonly indicator: PageIndicator; readonly description: string } {
  switch (worstStatus(statuses)) {
    case 'major_outage':
      return { indicator: 'critical', description: 'Major System Outage' };
    case 'partial_outage':
      return { indicator: 'major', description: 'Partial System Outage' };
    case 'degraded_performance':
      return { indicator: 'minor', description: 'Minor Service Outage' };
    case 'under_maintenance':
      return statuses.some((s) => s === 'degraded_performance')
        ? { indicator: 'minor', description: 'Minor Service Outage' }
        : { indicator: 'none', description: 'Service Under Maintenance' };
    default:
      return { indicator: 'none', description: 'All Systems Operational' };
  }
}
