import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { IncidentSummary } from '../../lambdas/domain/incident/incident';
import { CliError } from '../cli-errors';
import type { ApiClient } from './api-client';
import { csvHeader, csvRows, type ExportFormat, jsonLine } from './export-formats';
import type { IncidentAnswer } from './incidents-command';
import type { Terminal } from './terminal';

export interface ExportOptions {
  readonly from: string;
  /** Default: now. */
  readonly to?: string;
  readonly format: ExportFormat;
  /** A file to write; standard output when absent. */
  readonly out?: string;
}

/** The API's largest page. */
const PAGE = 100;
/** Incidents read at once. */
const CONCURRENT_READS = 4;
/**
 * Numbers are allocated before an incident is stored, so two created in the same instant may be stored in the
 * other order: the list is read this far past `from`, so that none is missed.
 */
const ORDER_SLACK_MS = 60_000;

/**
 * `export --from --to [--format jsonl|csv] [--out file]`: the incidents created in [from, to), oldest first,
 * with their timelines, read through the API (the list, newest first, down to `from`, then each incident):
 * one request per incident, plus one per hundred listed.
 */
export async function exportCommand(api: ApiClient, terminal: Terminal, options: ExportOptions): Promise<number> {
  const from = instant('--from', options.from);
  const to = options.to === undefined ? new Date() : instant('--to', options.to);
  if (to <= from) throw new CliError('--to is not after --from', { fix: 'give a range whose end is after its start' });
  const step = terminal.step(`listing the incidents created from ${from.toISOString()} to ${to.toISOString()}`);
  const out = options.out ? createWriteStream(options.out, { mode: 0o600 }) : undefined;
  const write = async (line: string) => {
    if (!out) return terminal.print(line);
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  try {
    const numbers = await numbersCreatedBetween(api, from, to);
    if (options.format === 'csv') await write(csvHeader());
    let done = 0;
    for (let i = 0; i < numbers.length; i += CONCURRENT_READS) {
      const incidents = await Promise.all(numbers.slice(i, i + CONCURRENT_READS).map((n) => api.get<IncidentAnswer>(`/incidents/${n}`)));
      for (const incident of incidents) {
        for (const line of options.format === 'csv' ? csvRows(incident) : [jsonLine(incident)]) await write(line);
      }
      done += incidents.length;
      step.update(`exporting: ${done} of ${numbers.length} incidents`);
    }
    step.succeed(`${numbers.length} incident(s) exported as ${options.format}${options.out ? ` to ${options.out}` : ''}`);
    return numbers.length;
  } catch (error) {
    step.fail('export failed');
    throw error;
  } finally {
    if (out) {
      out.end();
      await once(out, 'close');
    }
  }
}

/** The numbers of the incidents created in [from, to), oldest first, from the list pages (newest first). */
async function numbersCreatedBetween(api: ApiClient, from: Date, to: Date): Promise<number[]> {
  const numbers: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<{ items: IncidentSummary[]; nextCursor?: string }>(`/incidents?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`);
    for (const item of page.items) {
      const created = Date.parse(item.createdAt);
      if (created >= from.getTime() && created < to.getTime()) numbers.push(item.number);
    }
    const oldest = page.items.at(-1);
    cursor = oldest && Date.parse(oldest.createdAt) >= from.getTime() - ORDER_SLACK_MS ? page.nextCursor : undefined;
  } while (cursor);
  return numbers.reverse();
}

function instant(option: string, value: string): Date {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new CliError(`${option} ${value} is not a date`, { fix: 'give an ISO 8601 date or date-time, such as 2026-11-01 or 2026-11-24T10:00:00Z' });
  return parsed;
}
