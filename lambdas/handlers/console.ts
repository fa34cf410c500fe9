import { builtOnFirstCall, consoleDepsFromEnv, createLogger } from '../composition';
import type { ApiHandler } from '../http/api';
import { createConsoleRoutes } from '../http/console-routes';

/** The responder console: HTML pages over the incident, on-call and maintenance use cases, for signed-in people. */
export const createHandler = createConsoleRoutes;

export const handler: ApiHandler = builtOnFirstCall(async () => createHandler({ ...await consoleDepsFromEnv(), logger: createLogger('console') }));
