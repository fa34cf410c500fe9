import type { Logger } from '@aws-lambda-powertools/logger';
import { awsClientsFromEnv, builtOnFirstCall, createLogger, deploymentFromEnv, incidentUseCaseDeps, linkSecretFromEnv } from '../composition';
import { API_KEY_HEADER, authenticate } from '../domain/access';
import { NotFoundError } from '../domain/errors';
import { presentIncident } from '../domain/incident';
import { incidentActionSchema, incidentEventSchema, incidentNumberSchema } from '../domain/incident-input';
import { actOnIncident, raiseIncident, type IncidentUseCaseDeps } from '../domain/incident-use-cases';
import { parseInput } from '../domain/validation';
import { handleActionLink } from '../http/action-link-route';
import { httpEdge, ok, parseJsonBody, type ApiHandler } from '../http/api';

export interface IncidentProcessorDeps {
  readonly useCases: IncidentUseCaseDeps;
  readonly logger: Logger;
  /** Verifies the signed links in pages. */
  readonly linkSecret: string;
}

/**
 * `PUT /incidents` (raise), `POST /incidents/{number}` (claim, resolve, comment), and the signed action
 * links of pages (`GET`/`POST /actions/{token}`).
 */
export function createHandler({ useCases, logger, linkSecret }: IncidentProcessorDeps): ApiHandler {
  return httpEdge(logger, async (event) => {
    if (event.routeKey.endsWith(' /actions/{token}')) return handleActionLink(event, useCases, linkSecret);
    const principal = await authenticate((hash) => useCases.directory.findPrincipal(hash), event.headers[API_KEY_HEADER]);
    if (event.routeKey === 'PUT /incidents') {
      const { incident, created } = await raiseIncident(useCases, principal, parseJsonBody(event, incidentEventSchema));
      return {
        status: created ? 201 : 200,
        body: presentIncident(incident),
        headers: created ? { location: `/incidents/${incident.number}` } : {},
        incidentNumber: incident.number,
      };
    }
    if (event.routeKey === 'POST /incidents/{number}') {
      const { number } = parseInput(incidentNumberSchema, event.pathParameters ?? {}, 'path');
      const incident = await actOnIncident(useCases, principal, number, parseJsonBody(event, incidentActionSchema));
      return ok(presentIncident(incident), number);
    }
    throw new NotFoundError(`no route ${event.routeKey}`);
  });
}

export const handler: ApiHandler = builtOnFirstCall(async () =>
  createHandler({
    useCases: incidentUseCaseDeps(awsClientsFromEnv(), deploymentFromEnv()),
    logger: createLogger('incident-processor'),
    linkSecret: await linkSecretFromEnv(),
  }),
);
