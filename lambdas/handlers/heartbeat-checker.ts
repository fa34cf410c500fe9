import type { Logger } from '@aws-lambda-powertools/logger';
import { builtOnFirstCall, createLogger, heartbeatCheckerDepsFromEnv } from '../composition';
import { checkHeartbeats, type HeartbeatDeps } from '../domain/heartbeats/heartbeats';

/**
 * Runs every minute (an EventBridge rule; locally a timer): each heartbeat monitor whose deadline has passed
 * opens its incident, found by one query of the due-time index.
 */
export function createHandler({ heartbeats, logger }: { heartbeats: HeartbeatDeps; logger: Logger }): () => Promise<{ overdue: number; opened: number }> {
  return async () => {
    const checked = await checkHeartbeats(heartbeats);
    if (checked.overdue) logger.info('heartbeats checked', checked);
    return checked;
  };
}

export const handler = builtOnFirstCall(() => createHandler({ heartbeats: heartbeatCheckerDepsFromEnv(), logger: createLogger('heartbeat-checker') }));
