import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { envelopeOf, sesReceiptRecordsOf, type SesReceiptRecord } from '../adapters/ses-inbound';
import { builtOnFirstCall, createLogger, emailToAlertDepsFromEnv } from '../composition';
import type { EventRecord } from '../domain/incident/event-record';
import type { InboundMessage } from '../domain/inbound-email/inbound-email';
import { receiveEmail, type InboundEmailDeps } from '../domain/inbound-email/inbound-email-use-case';

export interface EmailToAlertDeps {
  readonly inbound: InboundEmailDeps;
  readonly reader: { read(record: SesReceiptRecord): Promise<InboundMessage> };
  readonly logger: Logger;
}

export type EmailToAlertHandler = (event: unknown, context?: Context) => Promise<readonly EventRecord[]>;

/**
 * The SES receipt rule's Lambda action, after its S3 action stored the raw message. A store's failure throws,
 * so the asynchronous invocation is retried (then dead-lettered); the raw message stays in S3.
 */
export function createHandler({ inbound, reader, logger }: EmailToAlertDeps): EmailToAlertHandler {
  return async (event, context) => {
    if (context) logger.addContext(context);
    const parsed = sesReceiptRecordsOf(event);
    if ('invalid' in parsed) {
      logger.error('not an SES receipt event', { error: parsed.invalid });
      return [];
    }
    const outcomes: EventRecord[] = [];
    for (const record of parsed.records) {
      const recorded = await receiveEmail(inbound, { message: await reader.read(record), envelope: envelopeOf(record) });
      for (const outcome of recorded) logger.info('inbound email', { sesMessageId: record.ses.mail.messageId, event: outcome });
      outcomes.push(...recorded);
    }
    return outcomes;
  };
}

export const handler: EmailToAlertHandler = builtOnFirstCall(() => createHandler({ ...emailToAlertDepsFromEnv(), logger: createLogger('email-to-alert') }));
