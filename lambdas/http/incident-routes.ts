import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { API_KEY_HEADER, authenticate, type Principal } from '../domain/access/access';
import type { EventLog } from '../domain/incident/event-record';
import { recordingRefusals } from '../domain/integrations/integration-use-case';
import { NotFoundError } from '../domain/shared/errors';
import { incidentActionSchema, incidentEventSchema, incidentNumberSchema } from '../domain/incident/incident-input';
import { actOnIncident, answerOf, raiseIncident, suppressedReason, type IncidentUseCaseDeps } from '../domain/incident/incident-use-cases';
import type { IncidentEvent } from '../domain/incident/incident';
import { maintenanceNote, type MaintenanceWindow } from '../domain/maintenance/maintenance';
import { parseInput } from '../domain/shared/validation';
import { handleActionLink } from './action-link-route';
import type { OnCallUseCaseDeps } from '../domain/oncall/oncall-use-cases';
import { httpEdge, ok, parseJsonBody, type ApiHandler, type HttpResult } from './api';
import { ONCALL_WRITE_ROUTES } from './oncall-routes';
import { heartbeatPingRoute } from './heartbeat-routes';
import type { HeartbeatDeps } from '../domain/heartbeats/heartbeats';
import { MAINTENANCE_WRITE_ROUTES } from './maintenance-routes';
import { STATUS_PAGE_WRITE_ROUTES } from './status-page-routes';
import type { StatusPageUseCaseDeps } from '../domain/status-pages/status-page-use-cases';
import type { MaintenanceUseCaseDeps } from '../domain/maintenance/maintenance-use-cases';

export interface IncidentProcessorDeps {
  readonly useCases: IncidentUseCaseDeps;
  readonly onCall: OnCallUseCaseDeps;
  readonly maintenance: MaintenanceUseCaseDeps;
  readonly statusPages: StatusPageUseCaseDeps;
  /** The event record, where refused raises go (the store records each created incident itself). */
  readonly events: Pick<EventLog, 'record'>;
  readonly logger: Logger;
  /** Verifies the signed links in pages. */
  readonly linkSecret: string;
  /** Takes the pings of heartbeat monitors. */
  readonly heartbeats: HeartbeatDeps;
}

/**
 * A raise suppressed by maintenance: recorded in the event record, answered 202 with the window, so that the
 * sender knows it was taken and why nobody was paged.
 */
async function suppressedAnswer(events: Pick<EventLog, 'record'>, now: Date, principal: Principal, input: IncidentEvent, window: MaintenanceWindow): Promise<HttpResult> {
  await events.record({ at: now.toISOString(), service: input.service, source: input.source ?? 'api', outcome: 'suppressed', reason: suppressedReason(window), summary: input.title, from: principal.name });
  return { status: 202, body: { suppressed: true, maintenance: maintenanceNote(window) } };
}

/**
 * `PUT /incidents` (raise), `POST /incidents/{number}` (claim, resolve, comment), the signed action links of
 * pages (`GET`/`POST /actions/{token}`), heartbeat pings, the override writes, maintenance windows started and ended, and status page updates and overrides.
 */
export function createIncidentRoutes({ useCases, onCall, maintenance, statusPages, events, logger, linkSecret, heartbeats }: IncidentProcessorDeps): ApiHandler {
  const authenticated = (event: APIGatewayProxyEventV2) =>
    authenticate((hash) => useCases.directory.findPrincipal(hash), event.headers[API_KEY_HEADER]);
  return httpEdge(logger, async (event) => {
    if (event.routeKey.endsWith(' /actions/{token}')) return handleActionLink(event, useCases, linkSecret);
    if (event.routeKey.endsWith(' /heartbeats/{token}')) return heartbeatPingRoute(heartbeats, event);
    if (event.routeKey === 'PUT /incidents') {
      let principal: Principal | undefined;
      return recordingRefusals(events, useCases.clock, 'api', () => principal, async (): Promise<HttpResult> => {
        principal = await authenticated(event);
        const input = parseJsonBody(event, incidentEventSchema);
        const raised = await raiseIncident(useCases, principal, input);
        if ('suppressed' in raised) return suppressedAnswer(events, useCases.clock(), principal, input, raised.suppressed);
        const { incident, created } = raised;
        return {
          status: created ? 201 : 200,
          body: await answerOf(useCases, incident),
          headers: created ? { location: `/incidents/${incident.number}` } : {},
          incidentNumber: incident.number,
        };
      });
    }
    const principal = await authenticated(event);
    const onCallRoute = ONCALL_WRITE_ROUTES[event.routeKey];
    if (onCallRoute) return onCallRoute(onCall, principal, event);
    const maintenanceRoute = MAINTENANCE_WRITE_ROUTES[event.routeKey];
    if (maintenanceRoute) return maintenanceRoute(maintenance, principal, event);
    const statusPageRoute = STATUS_PAGE_WRITE_ROUTES[event.routeKey];
    if (statusPageRoute) return statusPageRoute(statusPages, principal, event);
    if (event.routeKey === 'POST /incidents/{number}') {
      const { number } = parseInput(incidentNumberSchema, event.pathParameters ?? {}, 'path');
      const incident = await actOnIncident(useCases, principal, number, parseJsonBody(event, incidentActionSchema));
      return ok(await answerOf(useCases, incident), number);
    }
    throw new NotFoundError(`no route ${event.routeKey}`);
  });
}
