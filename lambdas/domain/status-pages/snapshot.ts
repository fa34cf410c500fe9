/**
 * A status page's snapshot: everything its renderers show, computed once when something on the page changes
 * ("render on change, not on read"). The HTML page, the JSON summary and the Atom feed are pure functions of it.
 *
 * What is published is what responders wrote for readers: their updates' text, maintenance reasons, override
 * notes. Incidents' titles and messages are never shown, since they are written by monitoring systems for
 * responders (host names, queries, customer names); an incident shows on the page only once a responder posts
 * an update for it, and is named for its impact and components.
 */
import type { Severity } from '../incident/incident';
import {
  COMPONENT_STATUS_LABELS,
  type ComponentOverride,
  type ComponentStatus,
  componentStatus,
  overrideHolds,
  type PageIndicator,
  pageStatus,
  type ServiceIncident,
} from './component-status';
import type { StatusPageConfig } from './status-page-config';
import type { StatusUpdate, UpdateStatus } from './status-updates';
import { type DayHistory, type IncidentInterval, periodUptime, uptimeHistory } from './uptime-history';

/** A component as the page shows it. */
export interface ComponentView {
  /** Its service's id. */
  readonly id: string;
  readonly name: string;
  readonly group?: { readonly id: string; readonly name: string };
  readonly status: ComponentStatus;
  /** A responder's override in force, whose status is `status`. */
  readonly override?: { readonly note?: string; readonly until?: string };
  /** Percent up over the history's days. */
  readonly uptime: number;
  /** The last 90 days, oldest first, today last. */
  readonly history: readonly DayHistory[];
}

/** One update of a status page incident. */
export interface IncidentUpdateView {
  readonly id: string;
  readonly status: UpdateStatus;
  readonly text: string;
  /** ISO instant. */
  readonly at: string;
}

/** Statuspage's incident impact. */
export type IncidentImpact = 'none' | 'minor' | 'major' | 'critical';

/**
 * An incident as the page shows it: a run of responders' updates, for one InResponse incident or for the page
 * as a whole, that a `resolved` update ends. A later update for the same incident starts another.
 */
export interface StatusIncident {
  /** The id of its first update. */
  readonly id: string;
  readonly name: string;
  /** Its latest update's status. */
  readonly status: UpdateStatus;
  readonly impact: IncidentImpact;
  /** Component ids. */
  readonly components: readonly string[];
  readonly incidentNumber?: number;
  /** ISO instants: its first and latest update, and the `resolved` update. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly resolvedAt?: string;
  /** Newest first. */
  readonly updates: readonly IncidentUpdateView[];
}

/** A maintenance window over some of the page's components, running or to come. */
export interface MaintenanceView {
  readonly id: string;
  readonly name: string;
  readonly status: 'scheduled' | 'in_progress';
  /** ISO instants; the window covers from ≤ t < to. */
  readonly from: string;
  readonly to: string;
  /** Component ids. */
  readonly components: readonly string[];
}

/** Everything a status page shows, as of `generatedAt`. */
export interface StatusPageSnapshot {
  readonly page: {
    readonly id: string;
    readonly title: string;
    /** The page's public address, without a trailing slash: the feed and JSON are beside it. */
    readonly url: string;
    readonly visibility: 'public' | 'private';
    readonly timeZone: string;
  };
  /** ISO instant of the data shown: the page's "last updated". */
  readonly generatedAt: string;
  readonly indicator: PageIndicator;
  readonly description: string;
  /** In the config's order. */
  readonly components: readonly ComponentView[];
  /** Unresolved incidents and those resolved in the last days, newest first. */
  readonly incidents: readonly StatusIncident[];
  /** Running windows, then those to come, by start. */
  readonly maintenances: readonly MaintenanceView[];
}

/** A maintenance window as the page reads it (the maintenance package's windows have this shape). */
export interface MaintenanceWindowInput {
  readonly id: string;
  readonly services: readonly string[];
  /** ISO instants; the window covers from ≤ t < to. */
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

/** An InResponse incident as the page reads it: for component statuses, the history and its updates' impact. */
export interface PageIncidentInput extends ServiceIncident, IncidentInterval {
  readonly number: number;
}

export interface SnapshotInput {
  readonly id: string;
  readonly config: StatusPageConfig;
  readonly url: string;
  readonly now: Date;
  /** The incidents of the page's services open now or at some time in the history's days. */
  readonly incidents: readonly PageIncidentInput[];
  readonly maintenanceWindows: readonly MaintenanceWindowInput[];
  /** Responders' overrides, by component id. */
  readonly overrides: Readonly<Record<string, ComponentOverride>>;
  readonly updates: readonly StatusUpdate[];
  /** How long a resolved incident stays on the page, in days; 7 when absent. */
  readonly resolvedIncidentDays?: number;
}

/** Where a page's Atom feed and JSON summary are, beside it, at Statuspage's paths. */
export const feedUrlOf = (snapshot: Pick<StatusPageSnapshot, 'page'>) => `${snapshot.page.url}/history.atom`;
export const summaryUrlOf = (snapshot: Pick<StatusPageSnapshot, 'page'>) => `${snapshot.page.url}/api/v2/summary.json`;

const DAY_MS = 24 * 60 * 60 * 1000;

const IMPACT_OF_SEVERITY: Readonly<Record<Severity, IncidentImpact>> = { CRIT: 'critical', ERR: 'major', WARN: 'minor' };

const IMPACT_NAMES: Readonly<Record<IncidentImpact, string>> = {
  critical: COMPONENT_STATUS_LABELS.major_outage,
  major: COMPONENT_STATUS_LABELS.partial_outage,
  minor: COMPONENT_STATUS_LABELS.degraded_performance,
  none: 'Notice',
};

/** A group's id: its name in lowercase with dashes, made unique on the page. */
function groupIds(config: StatusPageConfig): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const { group } of config.components) {
    if (group === undefined || ids.has(group)) continue;
    const base = `group-${group.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'unnamed'}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    ids.set(group, id);
  }
  return ids;
}

const covers = (window: MaintenanceWindowInput, at: number) => Date.parse(window.from) <= at && at < Date.parse(window.to);

/** The page's incidents: its updates split into runs per InResponse incident (or the page), each ended by `resolved`. */
function incidentsOf(input: SnapshotInput, componentNames: ReadonlyMap<string, string>): StatusIncident[] {
  const sorted = [...input.updates].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const runs = new Map<string, StatusUpdate[]>();
  const done: StatusUpdate[][] = [];
  for (const update of sorted) {
    const key = update.incidentNumber === undefined ? 'page' : `#${update.incidentNumber}`;
    const run = runs.get(key) ?? [];
    run.push(update);
    runs.set(key, run);
    if (update.status === 'resolved') {
      done.push(run);
      runs.delete(key);
    }
  }
  const byNumber = new Map(input.incidents.map((i) => [i.number, i]));
  const keepFrom = input.now.getTime() - (input.resolvedIncidentDays ?? 7) * DAY_MS;
  return [...done, ...runs.values()]
    .map((run): StatusIncident => {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const number = first.incidentNumber;
      const linked = number === undefined ? undefined : byNumber.get(number);
      const named = run.flatMap((u) => u.components ?? []);
      const ids = [...new Set(named.length > 0 ? named : linked ? [linked.service] : [])].filter((id) => componentNames.has(id));
      const impact = linked ? IMPACT_OF_SEVERITY[linked.severity] : 'none';
      const name = ids.length > 0 ? `${IMPACT_NAMES[impact]}: ${ids.map((id) => componentNames.get(id)).join(', ')}` : IMPACT_NAMES[impact];
      return {
        id: first.id,
        name,
        status: last.status,
        impact,
        components: ids,
        ...(number === undefined ? {} : { incidentNumber: number }),
        createdAt: first.at,
        updatedAt: last.at,
        ...(last.status === 'resolved' ? { resolvedAt: last.at } : {}),
        updates: run.map((u) => ({ id: u.id, status: u.status, text: u.text, at: u.at })).reverse(),
      };
    })
    .filter((incident) => incident.resolvedAt === undefined || Date.parse(incident.resolvedAt) >= keepFrom)
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
}

/** The windows over the page's components that have not ended: running ones first, then by start. */
function maintenancesOf(input: SnapshotInput): MaintenanceView[] {
  const now = input.now.getTime();
  const onPage = new Set(input.config.components.map((c) => c.service));
  return input.maintenanceWindows
    .filter((w) => Date.parse(w.to) > now)
    .map((w): MaintenanceView => ({
      id: w.id,
      name: w.reason,
      status: covers(w, now) ? 'in_progress' : 'scheduled',
      from: w.from,
      to: w.to,
      components: w.services.filter((s) => onPage.has(s)),
    }))
    .filter((m) => m.components.length > 0)
    .sort((a, b) => (a.status === b.status ? Date.parse(a.from) - Date.parse(b.from) : a.status === 'in_progress' ? -1 : 1));
}

/** The snapshot of a page at `now`, from its config and what the stores hold; the same input gives the same snapshot. */
export function buildStatusPageSnapshot(input: SnapshotInput): StatusPageSnapshot {
  const { config, now } = input;
  const services = config.components.map((c) => c.service);
  const histories = uptimeHistory(input.incidents, services, { now, timeZone: config.timeZone });
  const groups = groupIds(config);
  const components = config.components.map((c): ComponentView => {
    const override = input.overrides[c.service];
    const inMaintenance = input.maintenanceWindows.some((w) => w.services.includes(c.service) && covers(w, now.getTime()));
    const history = histories.get(c.service)!;
    return {
      id: c.service,
      name: c.name,
      ...(c.group === undefined ? {} : { group: { id: groups.get(c.group)!, name: c.group } }),
      status: componentStatus(c.service, input.incidents, inMaintenance, override, now),
      ...(overrideHolds(override, now) ? { override: { ...(override.note ? { note: override.note } : {}), ...(override.until ? { until: override.until } : {}) } } : {}),
      uptime: periodUptime(history),
      history,
    };
  });
  const { indicator, description } = pageStatus(components.map((c) => c.status));
  return {
    page: { id: input.id, title: config.title, url: input.url.replace(/\/+$/, ''), visibility: config.visibility, timeZone: config.timeZone },
    generatedAt: now.toISOString(),
    indicator,
    description,
    components,
    incidents: incidentsOf(input, new Map(config.components.map((c) => [c.service, c.name]))),
    maintenances: maintenancesOf(input),
  };
}
