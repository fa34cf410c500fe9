import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { builtOnFirstCall, createLogger, smsRepliesDepsFromEnv } from '../composition';
import { twoWaySmsOf } from '../adapters/sms-two-way';
import { handleSmsReply, type SmsReplyDeps } from '../domain/notification/sms-replies';

export interface SmsRepliesHandlerDeps {
  readonly replies: SmsReplyDeps;
  readonly logger: Logger;
}

/**
 * SMS replies, from the origination number's two-way channel (an SNS topic): each claims, resolves or gets a
 * help text. A message that is not a two-way SMS is logged and dropped; a store failure throws, and SNS
 * delivers again.
 */
export function createHandler({ replies, logger }: SmsRepliesHandlerDeps): (event: SNSEvent) => Promise<void> {
  return async (event) => {
    for (const record of event.Records) {
      const reply = twoWaySmsOf(record.Sns.Message);
      if (!reply) {
        logger.warn('not a two-way SMS message', { messageId: record.Sns.MessageId });
        continue;
      }
      logger.info('SMS reply', { outcome: await handleSmsReply(replies, reply) });
    }
  };
}

export const handler = builtOnFirstCall(() => createHandler({ replies: smsRepliesDepsFromEnv(), logger: createLogger('sms-replies') }));
