import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Concurrent clients, as in every benchmark phase. */
export const CONCURRENCY = 16;

export interface Phase {
  readonly operations: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs `operations` calls of `op` from {@link CONCURRENCY} concurrent workers and times each call. */
export async function measure(operations: number, op: (i: number) => Promise<unknown>): Promise<Phase> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < operations) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { operations, seconds, perSecond: operations / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** One floor of a benchmark, met or not, with the figure it was checked against. */
export interface Check {
  readonly floor: string;
  readonly ok: boolean;
  readonly value: string;
}

/** A check as the tables print it. */
export const checkLine = (c: Check): string => `${c.ok ? 'PASS' : 'FAIL'}  ${c.floor.padEnd(48)} ${c.value}`;

/**
 * Runs one benchmark alone (`npm run bench:<name>`): prints its lines, writes its results as JSON under
 * bench/results/, and fails the process when a floor is missed.
 */
export async function runSection<R extends { readonly checks: readonly Check[] }>(name: string, bench: () => Promise<R>, lines: (results: R) => string[]): Promise<void> {
  const results = { at: new Date().toISOString(), ...(await bench()) };
  process.stdout.write(lines(results).join('\n'));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${name}-${results.at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`written to ${file}\n`);
  if (results.checks.some((c) => !c.ok)) process.exitCode = 1;
}
