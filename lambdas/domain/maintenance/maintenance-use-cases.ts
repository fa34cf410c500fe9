import { randomUUID } from 'node:crypto';
import { assertMayRead, type Principal } from '../access/access';
import type { Directory } from '../access/ports';
import type { Escalations, IncidentRepository } from '../incident/ports';
import { wakeEscalation } from '../incident/escalation-wake';
import type { Clock } from '../shared/clock';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { covers, rangeOf, windowOver, type MaintenanceInput, type MaintenanceWindow } from './maintenance';
import type { MaintenanceCalendar, MaintenanceStore } from './ports';
import type { StatusPageInvalidator } from '../status-pages/ports';
import { pagesOfServices } from '../status-pages/status-page-use-cases';

export interface MaintenanceUseCaseDeps {
  readonly maintenance: MaintenanceStore;
  readonly directory: Pick<Directory, 'findService'>;
  readonly incidents: Pick<IncidentRepository, 'list' | 'get' | 'moveEscalation'>;
  readonly escalation: Escalations;
  /** Told when a window over a service on a status page is started, planned or ended. */
  readonly statusPages: StatusPageInvalidator;
  readonly clock: Clock;
}

/**
 * The window silencing `service` at `at`, if any. The one question every part that pages asks: a raise, an
 * escalation step, a heartbeat deadline.
 */
export async function inMaintenance(calendar: MaintenanceCalendar, service: string, at: Date): Promise<MaintenanceWindow | undefined> {
  return windowOver(await calendar.windows(), service, at);
}

/**
 * The window that holds an escalation of `service` at `at`, of `windows` as {@link MaintenanceCalendar.windows}
 * read them. That read may lag a window ended early, which must release the escalation at once, not at its
 * planned end: so each window covering the service is read again, consistently, before it holds anything.
 * Outside maintenance none covers it, and nothing more is read.
 */
export async function holdingWindow(
  calendar: MaintenanceCalendar,
  windows: readonly MaintenanceWindow[],
  service: string,
  at: Date,
): Promise<MaintenanceWindow | undefined> {
  const covering = windows.filter((w) => covers(w, service, at));
  if (!covering.length) return undefined;
  const current = await Promise.all(covering.map((w) => calendar.window(w.id)));
  return windowOver(
    current.filter((w): w is MaintenanceWindow => w !== undefined),
    service,
    at,
  );
}

/** Starts a window through the API (responders only): now for a duration, or over a range to come. */
export async function startMaintenance(deps: MaintenanceUseCaseDeps, principal: Principal, input: MaintenanceInput): Promise<MaintenanceWindow> {
  assertMayRead(principal);
  const services = [...new Set(input.services)];
  const known = await Promise.all(services.map((s) => deps.directory.findService(s)));
  const unknown = services.filter((_, i) => !known[i]);
  if (unknown.length) {
    const details = unknown.map((s) => ({ field: `services.${input.services.indexOf(s)}`, problem: `${s} is not a configured service` }));
    throw new ValidationError(`unknown services: ${unknown.join(', ')}`, details);
  }
  const now = deps.clock();
  const { from, to } = rangeOf(input, now);
  if (to.getTime() <= now.getTime()) throw new ValidationError('the window is over already', [{ field: 'to', problem: 'must be in the future' }]);
  const window: MaintenanceWindow = {
    id: randomUUID(),
    services,
    from: from.toISOString(),
    to: to.toISOString(),
    reason: input.reason,
    origin: 'api',
    createdBy: principal.name,
  };
  await deps.maintenance.add(window);
  await deps.statusPages.invalidate(await pagesOfServices(deps.directory, services));
  return window;
}

/** The windows kept, latest start first: of one service, and only those running now (or only the others). */
export async function listMaintenance(
  deps: Pick<MaintenanceUseCaseDeps, 'clock'> & { readonly maintenance: MaintenanceCalendar },
  principal: Principal,
  query: { readonly service?: string; readonly active?: boolean },
): Promise<readonly MaintenanceWindow[]> {
  assertMayRead(principal);
  const now = deps.clock();
  return (await deps.maintenance.windows())
    .filter((w) => query.service === undefined || w.services.includes(query.service))
    .filter((w) => query.active === undefined || w.services.some((s) => covers(w, s, now)) === query.active)
    .sort((a, b) => b.from.localeCompare(a.from));
}

/**
 * Ends an API window now (one still to come is called off). The escalations it held are woken at once: each
 * open incident of its services gets a new execution, which resumes from the level its progress reached.
 */
export async function endMaintenance(deps: MaintenanceUseCaseDeps, principal: Principal, id: string): Promise<MaintenanceWindow> {
  assertMayRead(principal);
  // By key, consistently: a window started a moment ago may not be in the index yet.
  const found = await deps.maintenance.window(id);
  if (!found) throw notFound(id);
  if (found.origin === 'config') {
    throw new ConflictError(`maintenance ${id} is planned in the config file: change the file and apply it`, [
      { field: 'id', problem: 'is a window of the config file' },
    ]);
  }
  const now = deps.clock();
  if (Date.parse(found.to) <= now.getTime()) {
    throw new ConflictError(`maintenance ${id} ended at ${found.to}`, [{ field: 'id', problem: 'is a window that has ended' }]);
  }
  const started = Date.parse(found.from) <= now.getTime();
  const ended = await deps.maintenance.end(id, started ? now : new Date(found.from), principal.name);
  if (!ended) throw notFound(id);
  if (started) for (const service of found.services) await releaseEscalations(deps, service, id);
  await deps.statusPages.invalidate(await pagesOfServices(deps.directory, found.services));
  return ended;
}

const notFound = (id: string) => new NotFoundError(`maintenance ${id} does not exist`, [{ field: 'id', problem: 'is not a maintenance window' }]);

/**
 * Wakes the held escalations of a service's open incidents: a held execution waits for the window's planned
 * end, so it is stopped and a new one, named after the window, takes over.
 */
async function releaseEscalations(deps: MaintenanceUseCaseDeps, service: string, windowId: string): Promise<void> {
  let before: number | undefined;
  do {
    const page = await deps.incidents.list({ service, state: 'OPEN', limit: 100, ...(before === undefined ? {} : { before }) });
    for (const { number } of page.items) {
      const incident = await deps.incidents.get(number);
      if (incident?.state === 'OPEN') await wakeEscalation(deps, incident, `m-${windowId}`);
    }
    before = page.nextBefore;
  } while (before !== undefined);
}
