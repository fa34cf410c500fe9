/**
 * The schedule benchmark (`npm run bench:schedules`, and part of `npm run bench`): `onCallAt` on a large
 * schedule beside a bare time-zone lookup measured in the same run, `GET /oncall` through the local API, and
 * how many items the config files make.
 */
import { performance } from 'node:perf_hooks';
import { loadOnCallConfig } from '../../lambdas/adapters/config-file';
import { daysBetween } from '../../lambdas/domain/oncall/oncall-config';
import { compileSchedule, onCallAt, type Layer, type Override, type Schedule } from '../../lambdas/domain/oncall/schedule';
import { startLocalRuntime } from '../../lib/local/runtime';
import { requestJson } from '../support/harness';
import { measure, type Phase, checkLine, runSection, type Check } from './measure';

const RESOLUTIONS = 10_000;
const ONCALL_REQUESTS = 1_000;
/** Requests one at a time, for the latency of a single request beside a plain incident list. */
const SEQUENTIAL_REQUESTS = 200;
const FLOORS = { onCallAtP99Ms: 0.2 } as const;
const YEAR_MS = 365 * 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');

/** A deterministic pseudo-random sequence, so that every run measures the same schedule and instants. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** 5 rotation layers of 10 participants (daily and weekly turns, some restricted) and 1,000 overrides over two years. */
export function largeSchedule(): Schedule {
  const next = random(42);
  const people = (layer: number) => Array.from({ length: 10 }, (_, i) => `p${layer}-${i}`);
  const layers: Layer[] = [
    { kind: 'rotation', name: 'weekly', participants: people(0), turn: { unit: 'weeks', count: 1 }, handoff: '2026-01-02T17:00' },
    { kind: 'rotation', name: 'daily', participants: people(1), turn: { unit: 'days', count: 1 }, handoff: '2026-01-01T09:00', restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] },
    { kind: 'rotation', name: 'nights', participants: people(2), turn: { unit: 'days', count: 2 }, handoff: '2026-01-01T20:00', restrictions: [{ from: '20:00', to: '08:00' }] },
    { kind: 'rotation', name: 'sun', participants: people(3), turn: { unit: 'hours', count: 12 }, handoff: '2026-01-01T08:00', restrictions: [{ days: ['sat', 'sun'], from: '00:00', to: '00:00' }] },
    { kind: 'rotation', name: 'monthly', participants: people(4), turn: { unit: 'weeks', count: 4 }, handoff: '2026-01-05T10:00', restrictions: [{ days: ['mon'], from: '10:00', to: '12:00' }] },
  ];
  const overrides: Override[] = Array.from({ length: 1000 }, (_, i) => {
    const from = START + Math.floor(next() * 2 * YEAR_MS);
    return { id: `o${i}`, person: `sub-${i % 37}`, from, to: from + Math.floor(1 + next() * 48) * 3_600_000, ...(i % 3 ? { replaces: `p0-${i % 10}` } : {}) };
  });
  return { name: 'large', timeZone: 'Europe/Paris', layers, overrides };
}

const percentile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Times `op` once per instant and returns p50 and p99 in ms. */
function timeEach(instants: readonly number[], op: (at: number) => unknown): { p50Ms: number; p99Ms: number } {
  const times = instants.map((at) => {
    const t = performance.now();
    op(at);
    return performance.now() - t;
  });
  times.sort((a, b) => a - b);
  return { p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99) };
}

/** How many items the old per-day layout wrote for a calendar file: one per day, plus teams, services and keys. */
function perDayItems(path: string): number {
  const config = loadOnCallConfig(path);
  const days = Object.values(config.teams).flatMap((t) => t.calendar.flatMap((e) => ('day' in e ? [e.day] : daysBetween(e.from, e.to))));
  return days.length + Object.keys(config.teams).length + Object.keys(config.services).length + Object.keys(config.apiKeys).length;
}

export interface ScheduleResults {
  readonly onCallAt: { p50Ms: number; p99Ms: number; resolutions: number };
  readonly bareZoneLookup: { p50Ms: number; p99Ms: number };
  readonly getOnCall: Phase;
  /** One client at a time: GET /oncall, and GET /incidents?service= on the same runtime for comparison. */
  readonly oneClient: { readonly getOnCall: { p50Ms: number; p99Ms: number }; readonly getIncidents: { p50Ms: number; p99Ms: number } };
  readonly items: { calendarFilePerDay: number; calendarFileRules: number; exampleFileRules: number };
  readonly checks: Check[];
}

export async function benchSchedules(): Promise<ScheduleResults> {
  const compiled = compileSchedule(largeSchedule());
  const next = random(7);
  const instants = Array.from({ length: RESOLUTIONS }, () => START + Math.floor(next() * 2 * YEAR_MS));
  const format = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  // Warm both up, then measure them alternately in the same run.
  timeEach(instants.slice(0, 1000), (at) => onCallAt(compiled, at));
  timeEach(instants.slice(0, 1000), (at) => format.formatToParts(at));
  const resolution = timeEach(instants, (at) => onCallAt(compiled, at));
  const bare = timeEach(instants, (at) => format.formatToParts(at));

  const items = { calendarFilePerDay: perDayItems('test/fixtures/calendar-config.yaml'), calendarFileRules: 0, exampleFileRules: 0 };
  let getOnCall: Phase | undefined;
  let oneClient: ScheduleResults['oneClient'] | undefined;
  for (const [file, key] of [['test/fixtures/calendar-config.yaml', 'calendarFileRules'], ['inresponse.config.yaml', 'exampleFileRules']] as const) {
    const secrets = new Map<string, string>();
    const runtime = await startLocalRuntime({ config: loadOnCallConfig(file), secrets });
    try {
      items[key] = runtime.applied!.written;
      if (key === 'exampleFileRules') {
        const responderKey = secrets.get('devops-responders')!;
        getOnCall = await measure(ONCALL_REQUESTS, async () => {
          const res = await requestJson(runtime.apiUrl, 'GET', '/oncall?team=devops', { key: responderKey });
          if (res.status !== 200) throw new Error(`GET /oncall answered ${res.status}`);
        });
        const sequential = async (path: string) => {
          const times: number[] = [];
          for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) {
            const t = performance.now();
            await requestJson(runtime.apiUrl, 'GET', path, { key: responderKey });
            times.push(performance.now() - t);
          }
          times.sort((a, b) => a - b);
          return { p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99) };
        };
        oneClient = { getOnCall: await sequential('/oncall?team=devops'), getIncidents: await sequential('/incidents?service=athens') };
      }
    } finally {
      await runtime.stop();
    }
  }
  const checks = [{ floor: `onCallAt p99 <= ${FLOORS.onCallAtP99Ms} ms`, ok: resolution.p99Ms <= FLOORS.onCallAtP99Ms, value: resolution.p99Ms.toFixed(4) }];
  return { onCallAt: { ...resolution, resolutions: RESOLUTIONS }, bareZoneLookup: bare, getOnCall: getOnCall!, oneClient: oneClient!, items, checks };
}

export function scheduleLines(r: ScheduleResults): string[] {
  return [
    '',
    'Schedules',
    `  onCallAt, 5 layers x 10 participants + 1,000 overrides, ${r.onCallAt.resolutions} instants over 2 years: p50 ${r.onCallAt.p50Ms.toFixed(4)} ms, p99 ${r.onCallAt.p99Ms.toFixed(4)} ms`,
    `  bare Intl formatToParts of one instant (same run):                          p50 ${r.bareZoneLookup.p50Ms.toFixed(4)} ms, p99 ${r.bareZoneLookup.p99Ms.toFixed(4)} ms`,
    `  onCallAt p50 / bare p50: ${(r.onCallAt.p50Ms / r.bareZoneLookup.p50Ms).toFixed(1)}`,
    `  GET /oncall?team=devops (example config, 16 clients, ${r.getOnCall.operations} requests): ${r.getOnCall.perSecond.toFixed(0)}/s, p50 ${r.getOnCall.p50Ms.toFixed(2)} ms, p99 ${r.getOnCall.p99Ms.toFixed(2)} ms`,
    `  one client at a time (${SEQUENTIAL_REQUESTS} each): GET /oncall p50 ${r.oneClient.getOnCall.p50Ms.toFixed(2)} ms, p99 ${r.oneClient.getOnCall.p99Ms.toFixed(2)} ms; GET /incidents p50 ${r.oneClient.getIncidents.p50Ms.toFixed(2)} ms, p99 ${r.oneClient.getIncidents.p99Ms.toFixed(2)} ms`,
    `  items: the calendar example file, per-day layout ${r.items.calendarFilePerDay}, as rules ${r.items.calendarFileRules}; the new example file ${r.items.exampleFileRules}`,
    ...r.checks.map(checkLine),
    '',
  ];
}

/** `npm run bench:schedules`: this benchmark alone. */
export const runScheduleBench = (): Promise<void> => runSection('schedules', benchSchedules, scheduleLines);
