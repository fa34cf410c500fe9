import type { Logger } from '@aws-lambda-powertools/logger';
import { API_KEY_HEADER, authenticate } from '../domain/access/access';
import { NotFoundError } from '../domain/shared/errors';
import { eventListQuerySchema, listEvents, type EventLog } from '../domain/incident/event-record';
import { encodeCursor, incidentListQuerySchema, incidentNumberSchema } from '../domain/incident/incident-input';
import { answerOf, getIncident, listIncidents, type IncidentUseCaseDeps } from '../domain/incident/incident-use-cases';
import { parseInput } from '../domain/shared/validation';
import type { OnCallUseCaseDeps } from '../domain/oncall/oncall-use-cases';
import { httpEdge, ok, type ApiHandler } from './api';
import { calendarFeedRoute, ONCALL_READ_ROUTES } from './oncall-routes';
import { heartbeatListRoute } from './heartbeat-routes';
import type { HeartbeatDeps } from '../domain/heartbeats/heartbeats';
import { MAINTENANCE_READ_ROUTES } from './maintenance-routes';
import { STATUS_PAGE_READ_ROUTES } from './status-page-routes';
import type { StatusPageReadDeps } from '../domain/status-pages/status-page-use-cases';

export interface IncidentQueryDeps {
  readonly useCases: Pick<IncidentUseCaseDeps, 'incidents' | 'directory' | 'maintenance' | 'clock'>;
  readonly onCall: OnCallUseCaseDeps;
  readonly events: Pick<EventLog, 'list'>;
  readonly heartbeats: Pick<HeartbeatDeps, 'heartbeats' | 'clock'>;
  readonly statusPages: StatusPageReadDeps;
  readonly logger: Logger;
}

/**
 * `GET /incidents/{number}`, `GET /incidents` (newest first, paginated), `GET /events` (the event record
 * of a service, newest first), the on-call reads, `GET /maintenance` and the status page reads. Reads only.
 */
export function createQueryRoutes({ useCases, onCall, events, heartbeats, statusPages, logger }: IncidentQueryDeps): ApiHandler {
  return httpEdge(logger, async (event) => {
    if (event.routeKey === 'GET /ical/{token}') return calendarFeedRoute(onCall, event);
    const principal = await authenticate((hash) => useCases.directory.findPrincipal(hash), event.headers[API_KEY_HEADER]);
    const onCallRoute = ONCALL_READ_ROUTES[event.routeKey];
    if (onCallRoute) return onCallRoute(onCall, principal, event);
    if (event.routeKey === 'GET /heartbeats') return heartbeatListRoute(heartbeats, principal, event);
    const maintenanceRoute = MAINTENANCE_READ_ROUTES[event.routeKey];
    if (maintenanceRoute) return maintenanceRoute(useCases, principal, event);
    const statusPageRoute = STATUS_PAGE_READ_ROUTES[event.routeKey];
    if (statusPageRoute) return statusPageRoute(statusPages, principal, event);
    if (event.routeKey === 'GET /incidents/{number}') {
      const { number } = parseInput(incidentNumberSchema, event.pathParameters ?? {}, 'path');
      return ok(await answerOf(useCases, await getIncident(useCases, principal, number)), number);
    }
    if (event.routeKey === 'GET /incidents') {
      const query = parseInput(incidentListQuerySchema, event.queryStringParameters ?? {}, 'query');
      const page = await listIncidents(useCases, principal, {
        limit: query.limit,
        ...(query.service === undefined ? {} : { service: query.service }),
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.cursor === undefined ? {} : { before: query.cursor }),
      });
      return ok({
        items: page.items,
        ...(page.nextBefore === undefined ? {} : { nextCursor: encodeCursor(page.nextBefore) }),
      });
    }
    if (event.routeKey === 'GET /events') {
      const query = parseInput(eventListQuerySchema, event.queryStringParameters ?? {}, 'query');
      return ok({ items: await listEvents({ events, incidents: useCases.incidents }, principal, query) });
    }
    throw new NotFoundError(`no route ${event.routeKey}`);
  });
}
