import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRender, type PageRenderState } from '../../lambdas/domain/status-pages/render-coalescing';

const state = (over: Partial<PageRenderState> = {}): PageRenderState => ({ changes: 1, renderedChanges: 0, ...over });

describe('render coalescing', () => {
  it('renders a change after a quiet spell at once', () => {
    expect(decideRender(state(), 1_000)).toEqual({ kind: 'render' });
    expect(decideRender(state({ lastRenderAt: 0 }), 5_000)).toEqual({ kind: 'render' });
  });

  it('has nothing to do when every change is on the page', () => {
    expect(decideRender(state({ changes: 3, renderedChanges: 3, lastRenderAt: 0 }), 1_000)).toEqual({ kind: 'idle' });
  });

  it('schedules a change soon after a render for the end of the interval, once', () => {
    expect(decideRender(state({ lastRenderAt: 10_000 }), 11_000)).toEqual({ kind: 'schedule', at: 15_000 });
    expect(decideRender(state({ lastRenderAt: 10_000, wakeAt: 15_000 }), 12_000)).toEqual({ kind: 'idle' });
    expect(decideRender(state({ lastRenderAt: 10_000 }), 11_000, 30_000)).toEqual({ kind: 'schedule', at: 40_000 });
  });

  it('schedules again when the pending wake-up is due or later than needed', () => {
    expect(decideRender(state({ lastRenderAt: 10_000, wakeAt: 9_000 }), 11_000)).toEqual({ kind: 'schedule', at: 15_000 });
    expect(decideRender(state({ lastRenderAt: 10_000, wakeAt: 60_000 }), 11_000)).toEqual({ kind: 'schedule', at: 15_000 });
  });
});

/**
 * A page under a storm of changes, driven as the renderer will drive it: each change and each wake-up asks
 * `decideRender`; a render sees the changes made before it starts (those during it count as after); at most one
 * wake-up is kept per page (a later schedule replaces it). Returns the instants renders started and the changes
 * each saw.
 */
function simulate(changeTimes: readonly number[], intervalMs?: number) {
  const changesDue = [...changeTimes].sort((a, b) => a - b);
  // Wake-ups: a few at a time.
  const timers: number[] = [];
  let page: PageRenderState = { changes: 0, renderedChanges: 0 };
  const renders: { at: number; seen: number }[] = [];
  const decide = (now: number) => {
    const decision = decideRender(page, now, intervalMs);
    if (decision.kind === 'render') {
      renders.push({ at: now, seen: page.changes });
      page = { ...page, renderedChanges: page.changes, lastRenderAt: now };
    } else if (decision.kind === 'schedule') {
      page = { ...page, wakeAt: decision.at };
      timers.push(decision.at);
    }
  };
  let next = 0;
  while (next < changesDue.length || timers.length > 0) {
    timers.sort((a, b) => a - b);
    // Changes first at the same instant.
    if (next < changesDue.length && (timers.length === 0 || changesDue[next]! <= timers[0]!)) {
      page = { ...page, changes: page.changes + 1 };
      decide(changesDue[next++]!);
      continue;
    }
    const wake = timers.shift()!;
    // A wake-up that was replaced by another does nothing when it fires.
    if (page.wakeAt !== wake) continue;
    const { wakeAt: _, ...rest } = page;
    page = rest;
    decide(wake);
  }
  return { renders, changes: page.changes };
}

describe('render coalescing under a storm', () => {
  it('renders 10,000 changes spread over 60 s 13 times: at 0, every 5 s, and once after the last', () => {
    const { renders, changes } = simulate(Array.from({ length: 10_000 }, (_, i) => i * 6));
    expect(renders.map((r) => r.at)).toEqual(Array.from({ length: 13 }, (_, i) => i * 5_000));
    expect(renders.at(-1)!.seen).toBe(changes);
  });

  it('renders 10,000 changes over 60 s at most 13 times, 5 s apart, the last change included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 59_999 }), { minLength: 10_000, maxLength: 10_000 }), (times) => {
        const { renders, changes } = simulate(times);
        expect(renders.length).toBeLessThanOrEqual(13);
        for (let i = 1; i < renders.length; i++) expect(renders[i]!.at - renders[i - 1]!.at).toBeGreaterThanOrEqual(5_000);
        expect(renders.at(-1)!.seen).toBe(changes);
        expect(renders.at(-1)!.at).toBeLessThanOrEqual(Math.max(...times) + 5_000);
      }),
      { numRuns: 20 },
    );
  });

  it('renders every change, whenever they come, with renders at least the interval apart', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1_000, max: 10_000 }), (times, intervalMs) => {
        const { renders, changes } = simulate(times, intervalMs);
        expect(renders.at(-1)!.seen).toBe(changes);
        for (let i = 1; i < renders.length; i++) expect(renders[i]!.at - renders[i - 1]!.at).toBeGreaterThanOrEqual(intervalMs);
        // A change after a quiet interval is rendered when it comes.
        const first = Math.min(...times);
        expect(renders[0]!.at).toBe(first);
      }),
    );
  });
});
