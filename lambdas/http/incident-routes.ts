import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { API_KEY_HEADER, authenticate, type Principal } from '../domain/access/access';
import type { EventLog } from '../domain/incident/event-record';
import { recordingRefusals } from '../domain/integrations/integration-use-case';
import { NotFoundError } from '../domain/shared/errors';
import { presentIncident } from '../domain/incident/incident';
import { incidentActionSchema, incidentEventSchema, incidentNumberSchema } from '../domain/incident/incident-input';
import { actOnIncident, raiseIncident, type IncidentUseCaseDeps } from '../domain/incident/incident-use-cases';
import { parseInput } from '../domain/shared/validation';
import { handleActionLink } from './action-link-route';
import type { OnCallUseCaseDeps } from '../domain/oncall/oncall-use-cases';
import { httpEdge, ok, parseJsonBody, type ApiHandler, type HttpResult } from './api';
import { ONCALL_WRITE_ROUTES } from './oncall-routes';
import { heartbeatPingRoute } from './heartbeat-routes';
import type { HeartbeatDeps } from '../domain/heartbeats/heartbeats';

export interface IncidentProcessorDeps {
  readonly useCases: IncidentUseCaseDeps;
  readonly onCall: OnCallUseCaseDeps;
  /** The event record, where refused raises go (the store records each created incident itself). */
  readonly events: Pick<EventLog, 'record'>;
  readonly logger: Logger;
  /** Verifies the signed links in pages. */
  readonly linkSecret: string;
  /** Takes the pings of heartbeat monitors. */
  readonly heartbeats: HeartbeatDeps;
}

/**
 * `PUT /incidents` (raise), `POST /incidents/{number}` (claim, resolve, comment), the signed action links of
 * pages (`GET`/`POST /actions/{token}`), heartbeat pings, and the override writes.
 */
export function createIncidentRoutes({ useCases, onCall, events, logger, linkSecret, heartbeats }: IncidentProcessorDeps): ApiHandler {
  const authenticated = (event: APIGatewayProxyEventV2) =>
    authenticate((hash) => useCases.directory.findPrincipal(hash), event.headers[API_KEY_HEADER]);
  return httpEdge(logger, async (event) => {
    if (event.routeKey.endsWith(' /actions/{token}')) return handleActionLink(event, useCases, linkSecret);
    if (event.routeKey.endsWith(' /heartbeats/{token}')) return heartbeatPingRoute(heartbeats, event);
    if (event.routeKey === 'PUT /incidents') {
      let principal: Principal | undefined;
      return recordingRefusals(events, useCases.clock, 'api', () => principal, async (): Promise<HttpResult> => {
        principal = await authenticated(event);
        const { incident, created } = await raiseIncident(useCases, principal, parseJsonBody(event, incidentEventSchema));
        return {
          status: created ? 201 : 200,
          body: presentIncident(incident),
          headers: created ? { location: `/incidents/${incident.number}` } : {},
          incidentNumber: incident.number,
        };
      });
    }
    const principal = await authenticated(event);
    const onCallRoute = ONCALL_WRITE_ROUTES[event.routeKey];
    if (onCallRoute) return onCallRoute(onCall, principal, event);
    if (event.routeKey === 'POST /incidents/{number}') {
      const { number } = parseInput(incidentNumberSchema, event.pathParameters ?? {}, 'path');
      const incident = await actOnIncident(useCases, principal, number, parseJsonBody(event, incidentActionSchema));
      return ok(presentIncident(incident), number);
    }
    throw new NotFoundError(`no route ${event.routeKey}`);
  });
}
