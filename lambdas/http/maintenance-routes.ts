import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../domain/access/access';
import { maintenanceInputSchema, maintenancePathSchema, maintenanceQuerySchema } from '../domain/maintenance/maintenance';
import { endMaintenance, listMaintenance, startMaintenance, type MaintenanceUseCaseDeps } from '../domain/maintenance/maintenance-use-cases';
import type { MaintenanceCalendar } from '../domain/maintenance/ports';
import type { Clock } from '../domain/shared/clock';
import { parseInput } from '../domain/shared/validation';
import { ok, parseJsonBody, type HttpResult } from './api';

type Route<D> = (deps: D, principal: Principal, event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/** What listing windows needs: the windows, read fresh, and the time. */
export interface MaintenanceReadDeps {
  readonly maintenance: MaintenanceCalendar;
  readonly clock: Clock;
}

/** The maintenance read: windows listed, of a service, running now or not. */
export const MAINTENANCE_READ_ROUTES: Readonly<Record<string, Route<MaintenanceReadDeps>>> = {
  'GET /maintenance': async (deps, principal, event) =>
    ok({ items: await listMaintenance(deps, principal, parseInput(maintenanceQuerySchema, event.queryStringParameters ?? {}, 'query')) }),
};

/** The maintenance writes: a window started, and ended early. */
export const MAINTENANCE_WRITE_ROUTES: Readonly<Record<string, Route<MaintenanceUseCaseDeps>>> = {
  'POST /maintenance': async (deps, principal, event) => {
    const window = await startMaintenance(deps, principal, parseJsonBody(event, maintenanceInputSchema));
    return { status: 201, body: window, headers: { location: `/maintenance/${window.id}` } };
  },
  'POST /maintenance/{id}/end': async (deps, principal, event) => {
    const { id } = parseInput(maintenancePathSchema, event.pathParameters ?? {}, 'path');
    return ok(await endMaintenance(deps, principal, id));
  },
};
