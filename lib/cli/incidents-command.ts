import type { IncidentSummary, presentIncident, RepeatedEntry, TimelineEntry } from '../../lambdas/domain/incident/incident';
import { CliError } from '../cli-errors';
import type { ApiClient } from './api-client';
import { shortInstant, table } from './table';
import type { Terminal } from './terminal';

/** An incident as `GET /incidents/{number}` answers it. */
export type IncidentAnswer = ReturnType<typeof presentIncident> & { readonly maintenance?: { readonly id: string; readonly until: string } };

export interface IncidentListOptions {
  readonly state?: string;
  readonly service?: string;
  readonly limit: number;
  /** The API's JSON, one line, instead of the table. */
  readonly json: boolean;
}

/** `incidents list`: the newest incidents, as a table. */
export async function listIncidentsCommand(api: ApiClient, terminal: Terminal, options: IncidentListOptions): Promise<void> {
  const query = new URLSearchParams({ limit: String(options.limit), ...(options.state ? { state: options.state.toUpperCase() } : {}), ...(options.service ? { service: options.service } : {}) });
  const page = await api.get<{ items: IncidentSummary[]; nextCursor?: string }>(`/incidents?${query}`);
  if (options.json) return terminal.print(JSON.stringify(page));
  if (page.items.length === 0) return terminal.print('no incidents');
  for (const line of table(
    ['#', 'STATE', 'SEV', 'SERVICE', 'TEAM', 'CREATED', 'TITLE'],
    page.items.map((i) => [String(i.number), i.state, i.severity, i.service, i.team, shortInstant(i.createdAt), i.title]),
  )) {
    terminal.print(line);
  }
  if (page.nextCursor) terminal.print(`(the newest ${page.items.length}; more with a larger --limit, up to 100, or a filter)`);
}

/** `incidents show N`: one incident and its timeline. */
export async function showIncidentCommand(api: ApiClient, terminal: Terminal, number: number, options: { readonly json: boolean }): Promise<void> {
  const incident = await api.get<IncidentAnswer>(`/incidents/${number}`);
  if (options.json) return terminal.print(JSON.stringify(incident));
  for (const line of incidentLines(incident)) terminal.print(line);
}

/** `incidents claim N` and `incidents resolve N`: the action as `by`, through the API, with its checks. */
export async function actOnIncidentCommand(
  api: ApiClient,
  terminal: Terminal,
  number: number,
  action: 'claim' | 'resolve',
  options: { readonly by?: string | undefined; readonly note?: string | undefined },
): Promise<IncidentAnswer> {
  if (!options.by) throw new CliError(`say who ${action}s the incident`, { fix: '--by you@example.com, or set INRESPONSE_BY' });
  const incident = await api.post<IncidentAnswer>(`/incidents/${number}`, { action, by: options.by, ...(options.note ? { note: options.note } : {}) });
  const who = action === 'claim' ? incident.claimedBy : incident.resolvedBy;
  terminal.print(`#${incident.number} ${incident.state}, by ${who}: ${incident.title}`);
  return incident;
}

/** An incident as lines a person reads: what, where, who, then the timeline, oldest first. */
export function incidentLines(incident: IncidentAnswer): string[] {
  return [
    `#${incident.number} ${incident.state} ${incident.severity} ${incident.urgency ?? 'high'} urgency: ${incident.title}`,
    `  service ${incident.service} (team ${incident.team}), ${incident.occurrences} event(s), created ${shortInstant(incident.createdAt)} by ${incident.createdBy}`,
    ...(incident.claimedBy ? [`  claimed ${shortInstant(incident.claimedAt)} by ${incident.claimedBy}`] : []),
    ...(incident.resolvedBy ? [`  resolved ${shortInstant(incident.resolvedAt)} by ${incident.resolvedBy}`] : []),
    ...(incident.maintenance ? [`  in maintenance window ${incident.maintenance.id} until ${shortInstant(incident.maintenance.until)}`] : []),
    ...incident.message.split('\n').map((line) => `  | ${line}`),
    'timeline:',
    ...incident.timeline.map((entry) => `  ${timelineLine(entry)}`),
  ];
}

/** One timeline entry: when, what, who, and what it carries (the page's address and level, the note). */
export function timelineLine(entry: TimelineEntry | RepeatedEntry): string {
  const facts =
    'count' in entry
      ? [`${entry.count} repeat(s) since ${shortInstant(entry.firstAt)}`]
      : [
          // The channel is in the page's note (`... by sms`); the export has it in a column of its own.
          entry.to ? `to ${entry.to}` : '',
          entry.level === undefined ? '' : `level ${entry.level}${entry.round ? ` round ${entry.round}` : ''}`,
          entry.urgency ? `urgency ${entry.urgency}` : '',
          // One line per entry, whatever the note holds.
          entry.note?.replace(/\s*\n\s*/g, ' / ') ?? '',
        ];
  return [shortInstant(entry.at), entry.type.padEnd(12), entry.by, ...facts.filter(Boolean)].join('  ');
}
