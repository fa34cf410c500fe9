import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { builtOnFirstCall, createLogger, incidentReadDeps } from '../composition';
import { tableNamesFromEnv } from '../config/env';
import { API_KEY_HEADER, authenticate } from '../domain/access';
import { NotFoundError } from '../domain/errors';
import { presentIncident } from '../domain/incident';
import { encodeCursor, incidentListQuerySchema, incidentNumberSchema } from '../domain/incident-input';
import { getIncident, listIncidents, type IncidentUseCaseDeps } from '../domain/incident-use-cases';
import { parseInput } from '../domain/validation';
import { httpEdge, ok, type ApiHandler } from '../http/api';

export interface IncidentQueryDeps {
  readonly useCases: Pick<IncidentUseCaseDeps, 'incidents' | 'directory'>;
  readonly logger: Logger;
}

/** `GET /incidents/{number}` and `GET /incidents` (newest first, paginated). Reads only. */
export function createHandler({ useCases, logger }: IncidentQueryDeps): ApiHandler {
  return httpEdge(logger, async (event) => {
    const principal = await authenticate((hash) => useCases.directory.findPrincipal(hash), event.headers[API_KEY_HEADER]);
    if (event.routeKey === 'GET /incidents/{number}') {
      const { number } = parseInput(incidentNumberSchema, event.pathParameters ?? {}, 'path');
      return ok(presentIncident(await getIncident(useCases, principal, number)), number);
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
    throw new NotFoundError(`no route ${event.routeKey}`);
  });
}

export const handler: ApiHandler = builtOnFirstCall(() =>
  createHandler({
    useCases: incidentReadDeps(new DynamoDBClient({}), tableNamesFromEnv()),
    logger: createLogger('incident-query'),
  }),
);
