import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { builtOnFirstCall, createLogger, deliveryFeedbackDepsFromEnv } from '../composition';
import { type DeliveryFeedbackDeps, recordDeliveryReport } from '../domain/delivery/delivery-feedback';
import { deliveryReportsOf } from '../domain/delivery/delivery-reports';

/**
 * What SES and End User Messaging report of the pages (through one SNS topic): each report goes on its
 * incident's timeline. A message that is no report of a page is logged and dropped; a store failure, or a
 * report that came before its page was recorded, throws, and the invocation is tried again (a report recorded
 * before is not recorded twice).
 */
export function createHandler({ feedback, logger }: { feedback: DeliveryFeedbackDeps; logger: Logger }): (event: SNSEvent) => Promise<void> {
  return async (event) => {
    for (const record of event.Records) {
      let message: unknown;
      try {
        message = JSON.parse(record.Sns.Message);
      } catch {
        message = undefined;
      }
      const reports = deliveryReportsOf(message);
      if (!reports.length) logger.warn('no delivery report of a page', { messageId: record.Sns.MessageId });
      for (const report of reports) logger.info('delivery report', { incident: report.incident, outcome: report.outcome, result: await recordDeliveryReport(feedback, report) });
    }
  };
}

export const handler = builtOnFirstCall(() => createHandler({ feedback: deliveryFeedbackDepsFromEnv(), logger: createLogger('delivery-feedback') }));
