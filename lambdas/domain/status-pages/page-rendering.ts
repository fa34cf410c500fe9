/**
 * Render on change: each change to a page counts in its render state, and {@link decideRender} says whether
 * it is rendered now, at a wake-up, or by a wake-up already pending. Who renders and who wakes is settled by
 * conditional writes of that state, so that racing writers start one render, and at most one wake-up is
 * pending. A render that fails leaves its changes uncounted as rendered: it is retried, and the next change
 * or wake-up renders them if the retries fail too.
 */
import { DEFAULT_MIN_RENDER_INTERVAL_MS, decideRender, type PageRenderState } from './render-coalescing';
import { renderAtomFeed } from './render-atom';
import { renderStatusPageHtml } from './render-html';
import { renderStatusJson } from './render-json';
import type { PageFile, RenderStates, RenderTask, RenderWakeups, StatusPageInvalidator, StatusPageRenderDeps } from './ports';
import { buildStatusPageSnapshot, type StatusPageSnapshot } from './snapshot';
import { publishedPath } from './status-page-config';
import { HISTORY_DAYS } from './uptime-history';

const DAY_MS = 86_400_000;

export interface RenderTiming {
  /** Renders of a page start at least this far apart; more during a long storm (see {@link stormInterval}). */
  readonly intervalMs: number;
  /** The most the interval stretches to during a long storm. */
  readonly maxIntervalMs: number;
  /**
   * How long a wake-up that is due but has not begun its render still covers new changes: its execution
   * starts its task a moment late, or retries it. One overdue by more is taken as lost, and replaced.
   */
  readonly wakeGraceMs: number;
  /**
   * How long after a change its render begins: the incidents' and windows' indexes may lag a write by a
   * moment, and a render that began too soon would miss the change that asked for it.
   */
  readonly settleMs: number;
}

export const DEFAULT_RENDER_TIMING: RenderTiming = { intervalMs: DEFAULT_MIN_RENDER_INTERVAL_MS, maxIntervalMs: 60_000, settleMs: 500, wakeGraceMs: 90_000 };

/**
 * The interval after a render that was the `streak`-th in a row of a storm (each at the earliest its interval
 * allowed): the base interval for the first two, then doubling up to the maximum. A storm of minutes (10,000
 * incidents raised at 40 a second) then costs about ten renders rather than fifty, while a page's first
 * renders of a change stay as prompt as ever; a quiet spell, or a render of one change alone, ends the streak.
 */
export const stormInterval = (timing: RenderTiming, streak: number): number =>
  Math.min(timing.intervalMs * 2 ** Math.max(0, streak - 1), timing.maxIntervalMs);

export interface InvalidationDeps {
  readonly states: RenderStates;
  readonly wakeups: RenderWakeups;
  readonly timing: RenderTiming;
  readonly now: () => number;
}

/**
 * Whether a wake-up is pending: one whose render has not begun (a render records its start as the last
 * render), due or not, unless it is overdue since before `lostBefore`. It reads every change counted before
 * its render begins. The render state's conditional claims ({@link RenderStates}) say the same.
 */
export const wakePending = (state: PageRenderState, lostBefore: number): boolean =>
  state.wakeAt !== undefined && (state.lastRenderAt === undefined || state.lastRenderAt < state.wakeAt) && state.wakeAt >= lostBefore;

/**
 * Counts a change to a page and sees that it is rendered: at once (after the settle delay) after a quiet
 * spell, else by a wake-up at the end of the interval, which it schedules unless one is pending (due or not,
 * until its render begins). In a storm most changes cost the one atomic count.
 */
export async function invalidatePage(deps: InvalidationDeps, pageId: string): Promise<void> {
  const state = await deps.states.countChange(pageId);
  const now = deps.now();
  const lostBefore = now - deps.timing.wakeGraceMs;
  if (wakePending(state, lostBefore)) return;
  const intervalMs = stormInterval(deps.timing, state.streak);
  const decision = decideRender(state, now, intervalMs);
  if (decision.kind === 'render') {
    const at = now + deps.timing.settleMs;
    if (await deps.states.claimRender(pageId, at, intervalMs, lostBefore)) await deps.wakeups.schedule({ task: 'render', page: pageId, at });
  } else if (decision.kind === 'schedule') {
    if (await deps.states.claimWake(pageId, decision.at, lostBefore, state.lastRenderAt)) await deps.wakeups.schedule({ task: 'render', page: pageId, at: decision.at });
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
function pageFiles(snapshot: StatusPageSnapshot): PageFile[] {
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
async function renderStatusPage(deps: StatusPageRenderDeps, pageId: string): Promise<number | undefined> {
  const now = deps.clock();
  const config = (await deps.store.pages())[pageId];
  // A page removed from the config file is no longer rendered; its last files stay until removed. A private
  // page is rendered once config apply has given it its secret address.
  const path = config && publishedPath(pageId, config);
  if (!config || !path) return undefined;
  const services = config.components.map((c) => c.service);
  const [incidents, windows, content] = await Promise.all([
    deps.incidents.incidentsOf(services, new Date(now.getTime() - HISTORY_DAYS * DAY_MS)),
    deps.maintenance.windows(),
    deps.store.content(pageId),
  ]);
  const maintenanceWindows = windows.filter((w) => w.services.some((s) => services.includes(s)));
  const snapshot = buildStatusPageSnapshot({ id: pageId, config, url: deps.urlOf(path), now, incidents, maintenanceWindows, overrides: content.overrides, updates: content.updates });
  const files = pageFiles(snapshot);
  await deps.publisher.publish(path, files);
  // Deleting what is not there costs nothing: so a page made private leaves its public address at once.
  if (path !== pageId) await deps.publisher.withdraw(pageId, files.map((f) => f.path));
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
async function renderOnWake(deps: RendererDeps, pageId: string, wakeAt: number): Promise<number | undefined> {
  const current = await deps.render.states.read(pageId);
  if (current.wakeAt !== wakeAt || current.changes <= current.renderedChanges) return undefined;
  // A wake-up at the end of the interval that renders changes coalesced continues a storm's streak. One a change
  // claimed after a quiet spell ends it, and so does one that renders a single change: a trickle of changes, each
  // while the last render's interval runs (a claim, then a resolve), is no storm, and is shown as promptly.
  const last = current.lastRenderAt;
  const coalesced = current.changes - current.renderedChanges > 1;
  const streak = coalesced && last !== undefined && wakeAt <= last + stormInterval(deps.invalidation.timing, current.streak) ? current.streak + 1 : 0;
  const state = await deps.render.states.beginRender(pageId, wakeAt, last, streak);
  if (!state) return undefined;
  const next = await renderStatusPage(deps.render, pageId);
  await deps.render.states.finishRender(pageId, state.changes);
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
  const next = await renderOnWake(deps, task.page, task.at);
  if (next !== undefined) await deps.invalidation.wakeups.schedule({ task: 'invalidate', page: task.page, at: next });
}
