import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { builtOnFirstCall, createLogger, notifierDepsFromEnv } from '../composition';
import { isTransientAwsError } from '../adapters/aws-errors';
import { escalate, RetryableNotifyError, type EscalationDeps, type EscalationStep, type EscalationStepResult } from '../domain/escalation/escalation-use-case';

export interface NotifierDeps {
  readonly escalation: EscalationDeps;
  readonly logger: Logger;
}

export type NotifierHandler = (step: EscalationStep, context?: Context) => Promise<EscalationStepResult>;

/**
 * The escalation state machine's task: fires the level that is due and says when the next one is. Errors
 * propagate by name (RetryableNotifyError), which the state machine retries.
 */
export function createHandler({ escalation, logger }: NotifierDeps): NotifierHandler {
  return async (step, context) => {
    if (context) logger.addContext(context);
    logger.appendKeys({ incidentNumber: step.incidentId });
    try {
      const result = await escalate(escalation, step);
      logger.info('escalation step', { done: result.done, ...(result.waitUntil ? { waitUntil: result.waitUntil } : {}) });
      return result;
    } catch (error) {
      logger.warn('escalation step failed', { error: error as Error });
      // A store that is briefly unavailable must not end the escalation: the state machine retries this
      // name with backoff, for as long as the outage lasts or until someone acknowledges.
      if (!(error instanceof RetryableNotifyError) && isTransientAwsError(error)) {
        throw new RetryableNotifyError(`transient failure: ${(error as Error).name}`, { cause: error });
      }
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}

export const handler: NotifierHandler = builtOnFirstCall(async () => createHandler({ ...(await notifierDepsFromEnv()), logger: createLogger('notifier') }));
