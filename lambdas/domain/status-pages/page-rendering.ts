/**
 * Render on change: each change to a page counts in its render state, and {@link decideRender} says whether
 * it is rendered now, at a wake-up, or by a wake-up already pending. Who renders and who wakes is settled by
 * conditional writes of that state, so that racing writers start one render, and at most one wake-up is
 * pending. A render that fails leaves its changes uncounted as rendered: it is retried, and the next change
 * or wake-up renders them if the retries fail too.
 */
import { DEFAULT_MIN_RENDER_INTERVAL_MS, decideRender } from './render-coalescing';
import { renderAtomFeed } from './render-atom';
import { renderStatusPageHtml } from './render-html';
import { renderStatusJson } from './render-json';
import type { PageFile, RenderStates, RenderTask, RenderWakeups, StatusPageInvalidator, StatusPageRenderDeps } from './ports';
import { buildStatusPageSnapshot, type StatusPageSnapshot } from './snapshot';
import { HISTORY_DAYS } from './uptime-history';

const DAY_MS = 86_400_000;

export interface RenderTiming {
  /** Renders of a page start at least this far apart. */
  readonly intervalMs: number;
  /**
   * How long after a change its render begins: the incidents' and windows' indexes may lag a write by a
   * moment, and a render that began too soon would miss the change that asked for it.
   */
  readonly settleMs: number;
}

export const DEFAULT_RENDER_TIMING: RenderTiming = { intervalMs: DEFAULT_MIN_RENDER_INTERVAL_MS, settleMs: 500 };

export interface InvalidationDeps {
  readonly states: RenderStates;
  readonly wakeups: RenderWakeups;
  readonly timing: RenderTiming;
  readonly now: () => number;
}

/**
 * Counts a change to a page and sees that it is rendered: at once (after the settle delay) after a quiet
 * spell, else by a wake-up at the end of the interval, which it schedules unless one is pending. In a storm
 * most changes cost the one atomic count.
 */
export async function invalidatePage(deps: InvalidationDeps, pageId: string): Promise<void> {
  const state = await deps.states.countChange(pageId);
  const now = deps.now();
  const decision = decideRender(state, now, deps.timing.intervalMs);
  if (decision.kind === 'render') {
    const at = now + deps.timing.settleMs;
    if (await deps.states.claimRender(pageId, at, deps.timing.intervalMs)) await deps.wakeups.schedule({ task: 'render', page: pageId, at });
  } else if (decision.kind === 'schedule') {
    if (await deps.states.claimWake(pageId, decision.at, now, state.lastRenderAt)) await deps.wakeups.schedule({ task: 'render', page: pageId, at: decision.at });
  }
}

/** Invalidates pages in the background of the change that affects them: a failure is reported, never thrown. */
export class CoalescingInvalidator implements StatusPageInvalidator {
  constructor(
    private readonly deps: InvalidationDeps,
    private readonly onError: (error: unknown, pageId: string) => void,
  ) {}

  async invalidate(pageIds: readonly string[]): Promise<void> {
    await Promise.all(pageIds.map((pageId) => invalidatePage(this.deps, pageId).catch((error: unknown) => this.onError(error, pageId))));
  }
}

/** The page's files: the HTML page, the Statuspage v2 summary (also as `status.json`), and the Atom feed. */
export function pageFiles(snapshot: StatusPageSnapshot): PageFile[] {
  const json = renderStatusJson(snapshot);
  return [
    { path: 'index.html', body: renderStatusPageHtml(snapshot), contentType: 'text/html; charset=utf-8' },
    { path: 'api/v2/summary.json', body: json, contentType: 'application/json; charset=utf-8' },
    { path: 'api/v2/status.json', body: json, contentType: 'application/json; charset=utf-8' },
    { path: 'history.atom', body: renderAtomFeed(snapshot), contentType: 'application/atom+xml; charset=utf-8' },
  ];
}

/**
 * Reads what a page shows, renders it and publishes it; answers the next instant the page changes by itself
 * (a window starts or ends, an override expires), if any.
 */
export async function renderStatusPage(deps: StatusPageRenderDeps, pageId: string): Promise<number | undefined> {
  const now = deps.clock();
  const config = (await deps.store.pages())[pageId];
  // A page removed from the config file is no longer rendered; its last files stay until removed.
  if (!config) return undefined;
  const services = config.components.map((c) => c.service);
  const [incidents, windows, content] = await Promise.all([
    deps.incidents.incidentsOf(services, new Date(now.getTime() - HISTORY_DAYS * DAY_MS)),
    deps.maintenance.windows(),
    deps.store.content(pageId),
  ]);
  const maintenanceWindows = windows.filter((w) => w.services.some((s) => services.includes(s)));
  const snapshot = buildStatusPageSnapshot({ id: pageId, config, url: deps.urlOf(pageId), now, incidents, maintenanceWindows, overrides: content.overrides, updates: content.updates });
  await deps.publisher.publish(pageId, pageFiles(snapshot));
  const boundaries = [
    ...maintenanceWindows.flatMap((w) => [Date.parse(w.from), Date.parse(w.to)]),
    ...Object.values(content.overrides).flatMap((o) => (o.until ? [Date.parse(o.until)] : [])),
  ].filter((t) => t > now.getTime());
  return boundaries.length ? Math.min(...boundaries) : undefined;
}

/**
 * A page's wake-up at `wakeAt`: renders the changes not yet on the page, unless a later wake-up took over.
 * Throws if the render fails, to be retried (the changes stay uncounted as rendered). Answers the next
 * instant the page changes by itself.
 */
async function renderOnWake(deps: StatusPageRenderDeps, pageId: string, wakeAt: number): Promise<number | undefined> {
  const state = await deps.states.beginRender(pageId, wakeAt);
  if (!state) return undefined;
  const next = await renderStatusPage(deps, pageId);
  await deps.states.finishRender(pageId, state.changes);
  return next;
}

/** What the renderer needs: to render, and to invalidate (for a timed change, and the change that comes with time after a render). */
export interface RendererDeps {
  readonly render: StatusPageRenderDeps;
  readonly invalidation: InvalidationDeps;
}

/**
 * Runs a page's task when due: a wake-up renders, and schedules a timed invalidation for the next instant the
 * page changes by itself; a timed invalidation counts a change like any other.
 */
export async function runRenderTask(deps: RendererDeps, task: RenderTask): Promise<void> {
  if (task.task === 'invalidate') return invalidatePage(deps.invalidation, task.page);
  const next = await renderOnWake(deps.render, task.page, task.at);
  if (next !== undefined) await deps.invalidation.wakeups.schedule({ task: 'invalidate', page: task.page, at: next });
}
