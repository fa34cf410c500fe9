import * as z from 'zod';
import type { MaintenanceCalendar } from '../maintenance/ports';
import type { ComponentOverride } from './component-status';
import type { PageRenderState } from './render-coalescing';
import type { PageIncidentInput } from './snapshot';
import { statusPageId, type StoredStatusPage } from './status-page-config';
import type { StatusUpdate } from './status-updates';

/** Tells the pages that something they show changed. Never rejects: a failure is logged, and the next change or wake-up covers it. */
export interface StatusPageInvalidator {
  invalidate(pageIds: readonly string[]): Promise<void>;
}

/** An update as kept: who posted it (the API key's name). */
export interface StoredStatusUpdate extends StatusUpdate {
  readonly createdBy: string;
}

/** An override as kept: who set it, and when. */
export type StoredOverride = ComponentOverride & { readonly setBy: string; readonly setAt: string };

/** What responders wrote for a page: its updates and overrides. */
export interface PageContent {
  readonly updates: readonly StoredStatusUpdate[];
  readonly overrides: Readonly<Record<string, StoredOverride>>;
}

/** The pages of the config file, and what responders wrote on them. */
export interface StatusPageStore {
  /** Every page's config, by id. */
  pages(): Promise<Readonly<Record<string, StoredStatusPage>>>;
  /** Read consistently: a render right after a change sees it. */
  content(pageId: string): Promise<PageContent>;
  /** Keeps an update unless one with its id is kept already; the update kept. */
  addUpdate(pageId: string, update: StoredStatusUpdate): Promise<StoredStatusUpdate>;
  setOverride(pageId: string, component: string, override: StoredOverride): Promise<void>;
  /** False if there was none. */
  removeOverride(pageId: string, component: string): Promise<boolean>;
}

/** The incidents of some services. */
export interface PageIncidentSource {
  /** Those OPEN or CLAIMED. */
  openIncidentsOf(services: readonly string[]): Promise<readonly PageIncidentInput[]>;
  /** Those open now or at some time since `since`. */
  incidentsOf(services: readonly string[], since: Date): Promise<readonly PageIncidentInput[]>;
}

/** A rendered file of a page, its key relative to the page's folder. */
export interface PageFile {
  readonly path: string;
  readonly body: string;
  readonly contentType: string;
}

/** Where rendered pages are served from. */
export interface StatusPagePublisher {
  /** Writes the files under `path` (a page's {@link publishedPath}). */
  publish(path: string, files: readonly PageFile[]): Promise<void>;
  /** Removes these files under `path`, if there: a page gone private is no longer at its public address. */
  withdraw(path: string, files: readonly string[]): Promise<void>;
}

/** A page's render state, and how many renders in a row came at the end of their interval (a storm's streak). */
export interface StoredRenderState extends PageRenderState {
  readonly streak: number;
}

/**
 * Each page's render state, changed only atomically or under conditions, so that writers racing each other
 * agree on who renders and who wakes.
 */
export interface RenderStates {
  /** Counts one change; the state after it. */
  countChange(pageId: string): Promise<StoredRenderState>;
  /** Read consistently. */
  read(pageId: string): Promise<StoredRenderState>;
  /**
   * Claims a wake-up at `at` that renders after a quiet spell: if no render began within the interval before
   * it (`lastRenderAt <= at - intervalMs`) and no wake-up is pending (`wakePending`, lost if due before `lostBefore`).
   */
  claimRender(pageId: string, at: number, intervalMs: number, lostBefore: number): Promise<boolean>;
  /** Claims a wake-up at `at` if the last render is still `lastRenderAt` and no wake-up is pending, or only a later one. */
  claimWake(pageId: string, at: number, lostBefore: number, lastRenderAt: number | undefined): Promise<boolean>;
  /**
   * Begins the render of the wake-up at `wakeAt` if it is still the pending one, has changes to render and the
   * last render is still `lastRenderAt`: records `wakeAt` as its start and the streak; the state as it
   * begins, or undefined.
   */
  beginRender(pageId: string, wakeAt: number, lastRenderAt: number | undefined, streak: number): Promise<PageRenderState | undefined>;
  /** Records that the changes up to `seen` are on the page. */
  finishRender(pageId: string, seen: number): Promise<void>;
}

/**
 * What a page's background run does when due (epoch ms `at`): render it (a wake-up), or count a change that
 * comes with time (a timed invalidation: a window starts or ends, an override expires).
 */
export const renderTaskSchema = z.strictObject({ task: z.enum(['render', 'invalidate']), page: statusPageId, at: z.int().nonnegative() });
export type RenderTask = z.output<typeof renderTaskSchema>;

/** Runs a page's task when due (at once if past), in the background, retrying one that fails; the same task twice runs once. */
export interface RenderWakeups {
  schedule(task: RenderTask): Promise<void>;
}

/** What rendering a page reads and where it writes. */
export interface StatusPageRenderDeps {
  readonly store: StatusPageStore;
  readonly incidents: PageIncidentSource;
  readonly maintenance: MaintenanceCalendar;
  readonly publisher: StatusPagePublisher;
  readonly states: RenderStates;
  /** The address of what is published under `path`, for links in the feed and the JSON. */
  readonly urlOf: (path: string) => string;
  readonly clock: () => Date;
}
