import { FetchSnsHttps } from '../adapters/sns-https';
import { builtOnFirstCall, createLogger, integrationDepsFromEnv } from '../composition';
import type { ApiHandler } from '../http/api';
import { createIntegrationRoutes } from '../http/integration-routes';

/** The integrations function: native payloads of monitoring systems, behind their routes. */
export const createHandler = createIntegrationRoutes;

export const handler: ApiHandler = builtOnFirstCall(() =>
  createHandler({ integrations: integrationDepsFromEnv(), sns: new FetchSnsHttps(), logger: createLogger('integrations') }),
);
