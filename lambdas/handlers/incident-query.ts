import { builtOnFirstCall, createLogger, incidentQueryDepsFromEnv } from '../composition';
import type { ApiHandler } from '../http/api';
import { createQueryRoutes } from '../http/query-routes';

/** The incident query function: reads incidents and the event record, never writes. */
export const createHandler = createQueryRoutes;

export const handler: ApiHandler = builtOnFirstCall(() => createHandler({ ...incidentQueryDepsFromEnv(), logger: createLogger('incident-query') }));
