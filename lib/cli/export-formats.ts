import type { IncidentAnswer } from './incidents-command';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** JSON Lines: one incident a line, whole, as the API answers it (its timeline included). */
export const jsonLine = (incident: IncidentAnswer): string => JSON.stringify(incident);

/** The CSV columns: the incident's, then its timeline entry's. */
export const CSV_HEADER = [
  'number', 'service', 'team', 'severity', 'urgency', 'state', 'title', 'createdAt', 'createdBy', 'occurrences',
  'claimedBy', 'claimedAt', 'resolvedBy', 'resolvedAt',
  'entryAt', 'entryType', 'entryBy', 'entryTo', 'entryChannel', 'entryLevel', 'entryNote',
] as const;

/**
 * CSV (RFC 4180): one row per timeline entry, the incident's columns repeated on each, so that a spreadsheet
 * filters and counts entries (pages per person, time to claim) without parsing anything.
 */
export function csvRows(incident: IncidentAnswer): string[] {
  const own = [
    incident.number, incident.service, incident.team, incident.severity, incident.urgency ?? 'high', incident.state, incident.title,
    incident.createdAt, incident.createdBy, incident.occurrences, incident.claimedBy, incident.claimedAt, incident.resolvedBy, incident.resolvedAt,
  ];
  return incident.timeline.map((entry) =>
    csvLine([
      ...own,
      entry.at,
      entry.type,
      entry.by,
      'to' in entry ? entry.to : undefined,
      'channel' in entry ? entry.channel : undefined,
      'level' in entry ? entry.level : undefined,
      'count' in entry ? `${entry.count} repeat(s) since ${entry.firstAt}` : entry.note,
    ]),
  );
}

export const csvHeader = (): string => csvLine(CSV_HEADER);

function csvLine(cells: readonly (string | number | undefined)[]): string {
  return cells.map((cell) => (typeof cell === 'number' ? String(cell) : csvCell(cell ?? ''))).join(',');
}

/**
 * A text cell, quoted when it holds a comma, a quote or a line break. Text that a spreadsheet would run as a
 * formula (starting with =, +, -, @, a tab or a carriage return: titles come from monitoring systems and mail)
 * is prefixed with an apostrophe, as OWASP advises against CSV injection; a plain number (a phone number's
 * +33...) runs nothing and is left as it is.
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
