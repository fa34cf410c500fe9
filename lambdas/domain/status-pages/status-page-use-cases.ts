import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { assertMayRead, type Principal } from '../access/access';
import type { Directory } from '../access/ports';
import { covers } from '../maintenance/maintenance';
import type { MaintenanceCalendar } from '../maintenance/ports';
import type { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { identifier } from '../shared/validation';
import { type ComponentStatus, type componentOverrideSchema, componentStatus, overrideHolds } from './component-status';
import type { PageContent, PageIncidentSource, StatusPageInvalidator, StatusPageStore, StoredOverride, StoredStatusUpdate } from './ports';
import { publishedPath, type StatusPageConfig, statusPageId } from './status-page-config';
import { statusUpdateSchema } from './status-updates';

/** A posted update: the update, and optionally the client's id for it, so that a retried POST keeps one update. */
export const statusUpdatePostSchema = statusUpdateSchema.extend({ id: identifier.optional() });
export type StatusUpdatePost = z.output<typeof statusUpdatePostSchema>;

export const statusPagePathSchema = z.object({ page: statusPageId });
export const componentPathSchema = z.object({ page: statusPageId, component: identifier });

export interface StatusPageUseCaseDeps {
  readonly store: StatusPageStore;
  readonly incidents: PageIncidentSource;
  readonly maintenance: MaintenanceCalendar;
  readonly invalidator: StatusPageInvalidator;
  readonly clock: Clock;
}

/** What the reads need: no invalidation. */
export type StatusPageReadDeps = Omit<StatusPageUseCaseDeps, 'invalidator'>;

/** A page as the console lists it: each component's status now. */
export interface StatusPageSummary {
  readonly id: string;
  readonly title: string;
  readonly visibility: StatusPageConfig['visibility'];
  /** Where it is published under the status page site (a private page's includes its secret); absent: not yet. */
  readonly path?: string;
  readonly components: readonly { readonly id: string; readonly name: string; readonly status: ComponentStatus; readonly override?: StoredOverride }[];
}

async function pageOf(store: StatusPageStore, pageId: string): Promise<StatusPageConfig> {
  const page = (await store.pages())[pageId];
  if (!page) throw new NotFoundError(`status page ${pageId} does not exist`, [{ field: 'page', problem: 'is not a status page' }]);
  return page;
}

/** The pages listing any of these services, from the services' config: none for a service on no page. */
export async function pagesOfServices(directory: Pick<Directory, 'findService'>, services: readonly string[]): Promise<string[]> {
  const found = await Promise.all([...new Set(services)].map((s) => directory.findService(s)));
  return [...new Set(found.flatMap((service) => service?.statusPages ?? []))];
}

/** Posts an update on a page (responders only), attributed to the key's name; a retry with the same `id` keeps one. */
export async function postStatusUpdate(deps: StatusPageUseCaseDeps, principal: Principal, pageId: string, input: StatusUpdatePost): Promise<StoredStatusUpdate> {
  assertMayRead(principal);
  const page = await pageOf(deps.store, pageId);
  const onPage = new Set(page.components.map((c) => c.service));
  const strangers = (input.components ?? []).flatMap((c, i) => (onPage.has(c) ? [] : [{ field: `components.${i}`, problem: `${c} is not a component of ${pageId}` }]));
  if (strangers.length) throw new ValidationError(`components not on ${pageId}`, strangers);
  const { id, ...update } = input;
  const kept = await deps.store.addUpdate(pageId, { ...update, id: id ?? randomUUID(), at: deps.clock().toISOString(), createdBy: principal.name });
  await deps.invalidator.invalidate([pageId]);
  return kept;
}

const newestFirst = (updates: readonly StoredStatusUpdate[]) => [...updates].sort((a, b) => b.at.localeCompare(a.at));

/** A page's updates, newest first. */
export async function listStatusUpdates(deps: StatusPageReadDeps, principal: Principal, pageId: string): Promise<readonly StoredStatusUpdate[]> {
  assertMayRead(principal);
  await pageOf(deps.store, pageId);
  return newestFirst((await deps.store.content(pageId)).updates);
}

async function componentOf(store: StatusPageStore, pageId: string, component: string): Promise<void> {
  const page = await pageOf(store, pageId);
  if (!page.components.some((c) => c.service === component)) {
    throw new NotFoundError(`${component} is not a component of ${pageId}`, [{ field: 'component', problem: `is not a component of ${pageId}` }]);
  }
}

/** Sets a responder's override of a component; setting it again replaces it. */
export async function overrideComponent(
  deps: StatusPageUseCaseDeps,
  principal: Principal,
  pageId: string,
  component: string,
  input: z.output<typeof componentOverrideSchema>,
): Promise<StoredOverride> {
  assertMayRead(principal);
  await componentOf(deps.store, pageId, component);
  const override: StoredOverride = { ...input, setBy: principal.name, setAt: deps.clock().toISOString() };
  await deps.store.setOverride(pageId, component, override);
  await deps.invalidator.invalidate([pageId]);
  return override;
}

/** Removes a component's override: the incidents say its status again. */
export async function removeComponentOverride(deps: StatusPageUseCaseDeps, principal: Principal, pageId: string, component: string): Promise<void> {
  assertMayRead(principal);
  await componentOf(deps.store, pageId, component);
  if (!(await deps.store.removeOverride(pageId, component))) {
    throw new NotFoundError(`${component} of ${pageId} has no override`, [{ field: 'component', problem: 'has no override' }]);
  }
  await deps.invalidator.invalidate([pageId]);
}

/** Every page with its components' statuses now, and what responders wrote on it: each page's content read once. */
async function pagesNow(deps: StatusPageReadDeps, principal: Principal): Promise<{ readonly summary: StatusPageSummary; readonly content: PageContent }[]> {
  assertMayRead(principal);
  const now = deps.clock();
  const [pages, windows] = await Promise.all([deps.store.pages(), deps.maintenance.windows()]);
  return Promise.all(
    Object.entries(pages).map(async ([id, page]) => {
      const services = page.components.map((c) => c.service);
      const [open, content] = await Promise.all([deps.incidents.openIncidentsOf(services), deps.store.content(id)]);
      const path = publishedPath(id, page);
      const summary: StatusPageSummary = {
        id,
        title: page.title,
        visibility: page.visibility,
        ...(path ? { path } : {}),
        components: page.components.map((c) => {
          const override = content.overrides[c.service];
          const inMaintenance = windows.some((w) => covers(w, c.service, now));
          return { id: c.service, name: c.name, status: componentStatus(c.service, open, inMaintenance, override, now), ...(overrideHolds(override, now) ? { override } : {}) };
        }),
      };
      return { summary, content };
    }),
  );
}

/** Every page with its components' statuses now. */
export async function listStatusPages(deps: StatusPageReadDeps, principal: Principal): Promise<readonly StatusPageSummary[]> {
  return (await pagesNow(deps, principal)).map(({ summary }) => summary);
}

/** Every page as {@link listStatusPages} answers it, with its latest `count` updates, newest first: the console's view. */
export async function listStatusPagesWithUpdates(deps: StatusPageReadDeps, principal: Principal, count: number) {
  return (await pagesNow(deps, principal)).map(({ summary, content }) => ({ ...summary, updates: newestFirst(content.updates).slice(0, count) }));
}
