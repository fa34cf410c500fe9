import { builtOnFirstCall, createLogger, slackActionDepsFromEnv } from '../composition';
import type { ApiHandler } from '../http/api';
import { createSlackActionRoute } from '../http/slack-action-route';

/** The Slack actions function: the Claim and Resolve buttons of pages in Slack, behind `POST /slack/actions`. */
export const createHandler = createSlackActionRoute;

export const handler: ApiHandler = builtOnFirstCall(async () => createHandler({ ...(await slackActionDepsFromEnv()), logger: createLogger('slack-actions') }));
