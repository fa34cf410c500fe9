import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { staticKeyOf } from '../../lib/local/http-gateway';
import { invalidatePage, type InvalidationDeps, runRenderTask, wakePending } from '../../lambdas/domain/status-pages/page-rendering';
import type { RenderStates, RenderTask, StatusPageRenderDeps, StoredRenderState } from '../../lambdas/domain/status-pages/ports';
import type { PageRenderState } from '../../lambdas/domain/status-pages/render-coalescing';
import type { StatusPageConfig } from '../../lambdas/domain/status-pages/status-page-config';

/** The render state as DynamoDB keeps it: each method the conditional write of the adapter. */
class MemoryRenderStates implements RenderStates {
  state: { changes: number; renderedChanges: number; streak: number; lastRenderAt?: number; wakeAt?: number } = { changes: 0, renderedChanges: 0, streak: 0 };

  async countChange(): Promise<StoredRenderState> {
    this.state.changes++;
    return { ...this.state };
  }

  async read(): Promise<StoredRenderState> {
    return { ...this.state };
  }

  async claimRender(_page: string, at: number, intervalMs: number, lostBefore: number): Promise<boolean> {
    if (wakePending(this.state, lostBefore) || (this.state.lastRenderAt !== undefined && this.state.lastRenderAt > at - intervalMs)) return false;
    this.state.wakeAt = at;
    return true;
  }

  async claimWake(_page: string, at: number, lostBefore: number, lastRenderAt: number | undefined): Promise<boolean> {
    if ((wakePending(this.state, lostBefore) && this.state.wakeAt! <= at) || this.state.lastRenderAt !== lastRenderAt) return false;
    this.state.wakeAt = at;
    return true;
  }

  async beginRender(_page: string, wakeAt: number, lastRenderAt: number | undefined, streak: number): Promise<PageRenderState | undefined> {
    if (this.state.wakeAt !== wakeAt || this.state.changes <= this.state.renderedChanges || this.state.lastRenderAt !== lastRenderAt) return undefined;
    Object.assign(this.state, { lastRenderAt: wakeAt, streak });
    return { ...this.state };
  }

  async finishRender(_page: string, seen: number): Promise<void> {
    if (this.state.renderedChanges < seen) this.state.renderedChanges = seen;
  }
}

const PAGE: StatusPageConfig = { title: 'Acme', visibility: 'public', timeZone: 'UTC', components: [{ service: 'web', name: 'Website' }] };

/** One page on a virtual clock: changes come at given instants, tasks run when due, renders are recorded. */
function simulation(options: { intervalMs: number; maxIntervalMs?: number; settleMs: number; failRenders?: number; latencyMs?: number }) {
  let now = 0;
  /** Tasks with when they run: when due, or a retry's later instant (the retry runs the same task). */
  const due: { task: RenderTask; runAt: number; attempt: number }[] = [];
  const renders: { at: number; changes: number }[] = [];
  const states = new MemoryRenderStates();
  let failures = options.failRenders ?? 0;
  const invalidation: InvalidationDeps = {
    states,
    // A task runs a moment after it is due (the execution's Wait, then the function): changes keep coming meanwhile.
    wakeups: { schedule: async (task) => void due.push({ task, runAt: task.at + (options.latencyMs ?? 0), attempt: 1 }) },
    timing: { intervalMs: options.intervalMs, maxIntervalMs: options.maxIntervalMs ?? options.intervalMs, settleMs: options.settleMs, wakeGraceMs: 90_000 },
    now: () => now,
  };
  const render: StatusPageRenderDeps = {
    store: { pages: async () => ({ public: PAGE }), content: async () => ({ updates: [], overrides: {} }), addUpdate: async (_p, u) => u, setOverride: async () => {}, removeOverride: async () => false },
    incidents: { openIncidentsOf: async () => [], incidentsOf: async () => [] },
    maintenance: { windows: async () => [], window: async () => undefined },
    publisher: {
      publish: async () => {
        if (failures-- > 0) throw new Error('S3 unavailable');
        renders.push({ at: now, changes: states.state.changes });
      },
      withdraw: async () => {},
    },
    states,
    urlOf: (page) => `https://status.example.org/${page}`,
    clock: () => new Date(now),
  };
  /**
   * Runs the tasks due by `until`, earliest first, each at its own instant; a failed task is retried 2 s later
   * and given up after its sixth attempt, as the state machine does (backoff aside).
   */
  const runUntil = async (until: number) => {
    for (;;) {
      due.sort((a, b) => a.runAt - b.runAt);
      const next = due[0];
      if (!next || next.runAt > until) break;
      due.shift();
      now = Math.max(now, next.runAt);
      await runRenderTask({ render, invalidation }, next.task).catch(() => {
        if (next.attempt < 6) due.push({ task: next.task, runAt: now + 2_000, attempt: next.attempt + 1 });
      });
    }
    now = Math.max(now, until);
  };
  const change = async (at: number) => {
    await runUntil(at);
    await invalidatePage(invalidation, 'public');
  };
  return { change, runUntil, renders, states, pending: () => due.length };
}

describe('rendering on change', () => {
  it('renders a change after a quiet spell once the settle delay is over', async () => {
    const sim = simulation({ intervalMs: 5_000, settleMs: 500 });
    await sim.change(1_000);
    await sim.runUntil(60_000);
    expect(sim.renders).toEqual([{ at: 1_500, changes: 1 }]);
  });

  it('renders a storm a few times, at least an interval apart, and its last change always', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 2_000 }), async (instants, latencyMs) => {
        const sim = simulation({ intervalMs: 5_000, settleMs: 500, latencyMs });
        const sorted = [...instants].sort((a, b) => a - b);
        for (const at of sorted) await sim.change(at);
        await sim.runUntil(200_000);
        const gaps = sim.renders.slice(1).map((r, i) => r.at - sim.renders[i]!.at);
        expect(gaps.every((gap) => gap >= 5_000)).toBe(true);
        expect(sim.renders.at(-1)!.changes).toBe(sorted.length);
        expect(sim.renders.length).toBeLessThanOrEqual(Math.floor((sorted.at(-1)! - sorted[0]!) / 5_000) + 2);
        expect(sim.pending()).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('stretches the interval during a long storm, up to its maximum, and back after a quiet spell', async () => {
    const sim = simulation({ intervalMs: 5_000, maxIntervalMs: 60_000, settleMs: 500, latencyMs: 300 });
    // 10,000 changes over 250 s, 40 a second.
    for (let i = 0; i < 10_000; i++) await sim.change(i * 25);
    await sim.runUntil(600_000);
    const gaps = sim.renders.slice(1).map((r, i) => r.at - sim.renders[i]!.at);
    expect(gaps).toEqual([5_000, 5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    expect(sim.renders.at(-1)!.changes).toBe(10_000);
    await sim.change(1_000_000);
    await sim.change(1_001_000);
    await sim.runUntil(1_100_000);
    expect(sim.renders.slice(-2).map((r) => r.at)).toEqual([1_000_800, 1_005_800]);
  });

  it('keeps the base interval for a trickle of single changes, each while the last render’s interval runs', async () => {
    const sim = simulation({ intervalMs: 5_000, maxIntervalMs: 60_000, settleMs: 500 });
    // Each change a second after the page showed the one before: a claim, then a resolve, then an update...
    let at = 0;
    for (let i = 0; i < 20; i++) {
      await sim.change(at);
      const shown = sim.renders.length;
      while (sim.renders.length === shown) {
        at += 100;
        await sim.runUntil(at);
      }
      at = sim.renders.at(-1)!.at + 1_000;
    }
    const delays = sim.renders.slice(1).map((r, i) => r.at - sim.renders[i]!.at - 1_000);
    expect(Math.max(...delays)).toBe(4_000);
    expect(sim.renders.at(-1)!.changes).toBe(20);
  });

  it('retries a failed render, whose changes stay unrendered until then', async () => {
    const sim = simulation({ intervalMs: 5_000, settleMs: 500, failRenders: 2 });
    await sim.change(0);
    await sim.runUntil(1_000);
    expect(sim.renders).toEqual([]);
    expect(sim.states.state.renderedChanges).toBe(0);
    await sim.runUntil(60_000);
    expect(sim.renders).toEqual([{ at: 4_500, changes: 1 }]);
    expect(sim.states.state.renderedChanges).toBe(1);
  });

  it('lets the next change render what a render that failed for good left', async () => {
    const sim = simulation({ intervalMs: 5_000, settleMs: 500, failRenders: 6 });
    await sim.change(0);
    await sim.runUntil(30_000);
    expect(sim.renders).toEqual([]);
    expect(sim.pending()).toBe(0);
    await sim.change(40_000);
    await sim.runUntil(60_000);
    expect(sim.renders).toEqual([{ at: 40_500, changes: 2 }]);
  });
});

describe('the local CDN path of a page', () => {
  it('is its index.html for a folder or a bare page, else the file', () => {
    expect(['/public/', '/public', '/public/history.atom', '/public/api/v2/summary.json', '/'].map(staticKeyOf)).toEqual([
      'public/index.html',
      'public/index.html',
      'public/history.atom',
      'public/api/v2/summary.json',
      'index.html',
    ]);
  });
});
