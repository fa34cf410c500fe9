import type { Logger } from '@aws-lambda-powertools/logger';
import { builtOnFirstCall, canaryDepsFromEnv, createLogger } from '../composition';
import { runCanary, type CanaryDeps, type CanaryResult } from '../domain/canary/canary';

/**
 * Runs on a schedule (an EventBridge rule; locally a timer): one canary run, logged. A red run is logged as
 * an error and measured, never thrown: a retry would only run another canary, and the alarm watches the metric.
 */
export function createHandler({ canary, logger }: { canary: CanaryDeps; logger: Logger }): () => Promise<CanaryResult> {
  return async () => {
    const result = await runCanary(canary);
    if (result.ok) logger.info('canary green', { ...result });
    else logger.error('canary red', { ...result });
    return result;
  };
}

export const handler = builtOnFirstCall(() => createHandler({ canary: canaryDepsFromEnv(), logger: createLogger('canary') }));
