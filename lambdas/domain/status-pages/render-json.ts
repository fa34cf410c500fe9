/**
 * A status page as Atlassian Statuspage's v2 `summary.json`, so that tools that read Statuspage (status
 * aggregators, dashboards, the widgets of other pages) read ours unchanged. Fields Statuspage has and we do not
 * track (a component's creation time, an incident's postmortem) are left out rather than invented.
 */
import { worstStatus } from './component-status';
import type { IncidentUpdateView, MaintenanceView, StatusIncident, StatusPageSnapshot } from './snapshot';

interface SummaryComponent {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly position: number;
  readonly description: null;
  readonly group_id: string | null;
  readonly group: boolean;
  readonly only_show_if_degraded: false;
  readonly page_id: string;
  /** For a group: its components' ids. */
  readonly components?: readonly string[];
}

/** The page's components in Statuspage's flat list: each group as a component before its first member. */
function summaryComponents(snapshot: StatusPageSnapshot): SummaryComponent[] {
  const pageId = snapshot.page.id;
  const out: SummaryComponent[] = [];
  const base = { description: null, only_show_if_degraded: false as const, page_id: pageId };
  const groups = new Set<string>();
  for (const component of snapshot.components) {
    const group = component.group;
    if (group && !groups.has(group.id)) {
      groups.add(group.id);
      const members = snapshot.components.filter((c) => c.group?.id === group.id);
      out.push({
        id: group.id,
        name: group.name,
        status: worstStatus(members.map((m) => m.status)),
        position: out.length + 1,
        ...base,
        group_id: null,
        group: true,
        components: members.map((m) => m.id),
      });
    }
    out.push({ id: component.id, name: component.name, status: component.status, position: out.length + 1, ...base, group_id: group?.id ?? null, group: false });
  }
  return out;
}

const componentsNamed = (ids: readonly string[], all: readonly SummaryComponent[]) => ids.flatMap((id) => all.filter((c) => c.id === id && !c.group));

function summaryUpdate(update: IncidentUpdateView, incidentId: string) {
  return {
    id: update.id,
    status: update.status,
    body: update.text,
    incident_id: incidentId,
    created_at: update.at,
    updated_at: update.at,
    display_at: update.at,
  };
}

function summaryIncident(incident: StatusIncident, snapshot: StatusPageSnapshot, components: readonly SummaryComponent[]) {
  const monitoring = [...incident.updates].reverse().find((u) => u.status === 'monitoring');
  return {
    id: incident.id,
    name: incident.name,
    status: incident.status,
    created_at: incident.createdAt,
    updated_at: incident.updatedAt,
    monitoring_at: monitoring?.at ?? null,
    resolved_at: incident.resolvedAt ?? null,
    impact: incident.impact,
    shortlink: `${snapshot.page.url}#incident-${incident.id}`,
    started_at: incident.createdAt,
    page_id: snapshot.page.id,
    incident_updates: incident.updates.map((u) => summaryUpdate(u, incident.id)),
    components: componentsNamed(incident.components, components),
  };
}

function summaryMaintenance(maintenance: MaintenanceView, snapshot: StatusPageSnapshot, components: readonly SummaryComponent[]) {
  return {
    id: maintenance.id,
    name: maintenance.name,
    status: maintenance.status,
    impact: 'maintenance',
    shortlink: `${snapshot.page.url}#maintenance-${maintenance.id}`,
    scheduled_for: maintenance.from,
    scheduled_until: maintenance.to,
    started_at: maintenance.from,
    resolved_at: null,
    page_id: snapshot.page.id,
    incident_updates: [],
    components: componentsNamed(maintenance.components, components),
  };
}

/** The page as Statuspage's `summary.json`: its unresolved incidents, and its running and scheduled maintenance. */
export function renderStatusJson(snapshot: StatusPageSnapshot): string {
  const components = summaryComponents(snapshot);
  return JSON.stringify({
    page: { id: snapshot.page.id, name: snapshot.page.title, url: snapshot.page.url, time_zone: snapshot.page.timeZone, updated_at: snapshot.generatedAt },
    status: { indicator: snapshot.indicator, description: snapshot.description },
    components,
    incidents: snapshot.incidents.filter((i) => i.resolvedAt === undefined).map((i) => summaryIncident(i, snapshot, components)),
    scheduled_maintenances: snapshot.maintenances.map((m) => summaryMaintenance(m, snapshot, components)),
  });
}
