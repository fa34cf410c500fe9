/**
 * When to render a status page after a change ("render on change, not on read"), so that a storm of changes
 * (an alert flapping, a hundred incidents opening at once) costs a few renders, not one per change:
 * - a change after a quiet spell is rendered at once;
 * - renders of a page start at least `minIntervalMs` apart (5 s by default), so a storm lasting T gives at most
 *   ⌊T ÷ interval⌋ + 2 renders;
 * - the last change is always rendered: a render reads the data as of its start, so a change that comes after
 *   a render began (its counter above what the render saw) asks for another;
 * - at most one wake-up is pending per page.
 *
 * Changes are counted rather than timed, since two may share a millisecond with the read that began a render.
 */

/** What a page's renderer knows of it. */
export interface PageRenderState {
  /** Changes to the page so far: each invalidation adds one. */
  readonly changes: number;
  /** `changes` as read when the last render began; everything up to it is on the page. */
  readonly renderedChanges: number;
  /** When the last render began (epoch ms); absent if the page was never rendered. */
  readonly lastRenderAt?: number;
  /** When a wake-up is scheduled for the page (epoch ms), if one is. */
  readonly wakeAt?: number;
}

/** Render now (and record `renderedChanges` = `changes`, `lastRenderAt` = now); schedule a wake-up at `at`; or nothing to do. */
export type RenderDecision = { readonly kind: 'render' } | { readonly kind: 'schedule'; readonly at: number } | { readonly kind: 'idle' };

/** Renders of a page start at least this far apart unless told otherwise. */
export const DEFAULT_MIN_RENDER_INTERVAL_MS = 5_000;

/**
 * What to do for a page at `now`, on a change or on a wake-up. Idle when every change is on the page, or when
 * a wake-up already pending will see to it; a wake-up that is due counts as gone (the caller clears `wakeAt`
 * when it fires, and a lost one is replaced).
 */
export function decideRender(state: PageRenderState, now: number, minIntervalMs = DEFAULT_MIN_RENDER_INTERVAL_MS): RenderDecision {
  if (state.changes <= state.renderedChanges) return { kind: 'idle' };
  const allowedAt = state.lastRenderAt === undefined ? now : state.lastRenderAt + minIntervalMs;
  if (now >= allowedAt) return { kind: 'render' };
  if (state.wakeAt !== undefined && state.wakeAt > now && state.wakeAt <= allowedAt) return { kind: 'idle' };
  return { kind: 'schedule', at: allowedAt };
}
