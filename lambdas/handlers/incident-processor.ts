import { builtOnFirstCall, createLogger, incidentProcessorDepsFromEnv } from '../composition';
import type { ApiHandler } from '../http/api';
import { createIncidentRoutes } from '../http/incident-routes';

/** The incident processor: raises, acts on incidents, and follows the signed links of pages. */
export const createHandler = createIncidentRoutes;

export const handler: ApiHandler = builtOnFirstCall(async () => createHandler({ ...await incidentProcessorDepsFromEnv(), logger: createLogger('incident-processor') }));
