import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { builtOnFirstCall, createLogger, notifierDepsFromEnv } from '../composition';
import { isTransientAwsError } from '../adapters/aws-errors';
import { escalate, RetryableNotifyError, type EscalationDeps, type EscalationStep, type EscalationStepResult } from '../domain/escalation/escalation-use-case';
import { sendHandoffNotices, type HandoffNoticeDeps } from '../domain/oncall/handoff-notices';

export interface NotifierDeps {
  readonly escalation: EscalationDeps;
  readonly handoffs: HandoffNoticeDeps;
  readonly logger: Logger;
}

/** An escalation step from the state machine, or the tick of the notifier's schedule. */
export type NotifierEvent = EscalationStep | Pick<ScheduledEvent, 'detail-type'>;

export type NotifierHandler = (event: NotifierEvent, context?: Context) => Promise<EscalationStepResult | { sent: number; failed: number }>;

const isScheduled = (event: NotifierEvent): event is Pick<ScheduledEvent, 'detail-type'> => 'detail-type' in event && event['detail-type'] === 'Scheduled Event';

/**
 * The function that reaches people. As the escalation state machine's task it fires the level that is due
 * and says when the next one is; errors propagate by name (RetryableNotifyError), which the state machine
 * retries. On its schedule (every 5 minutes) it sends the handoff notices that are due.
 */
export function createHandler({ escalation, handoffs, logger }: NotifierDeps): NotifierHandler {
  return async (event, context) => {
    if (context) logger.addContext(context);
    if (isScheduled(event)) {
      const swept = await sendHandoffNotices(handoffs);
      logger.info('handoff notices', swept);
      return swept;
    }
    const step = event;
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
