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
