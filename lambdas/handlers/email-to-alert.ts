import type { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { envelopeOf, parseSesReceiptEvent, S3InboundMailReader, type SesReceiptRecord } from '../adapters/ses-inbound';
import { awsClientsFromEnv, builtOnFirstCall, createLogger, deploymentFromEnv, inboundEmailDeps, inboundEmailSettingsFromEnv } from '../composition';
import { ENV, requireEnv } from '../config/env';
import { ValidationError } from '../domain/shared/errors';
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
 * The SES receipt rule's Lambda action (after its S3 action stored the raw message): each message becomes an
 * incident, a comment or a recorded rejection. A failure of a store throws, so that the asynchronous
 * invocation is retried (and lands in the dead-letter queue if it keeps failing); the raw message stays in S3.
 */
export function createHandler({ inbound, reader, logger }: EmailToAlertDeps): EmailToAlertHandler {
  return async (event, context) => {
    if (context) logger.addContext(context);
    let records: SesReceiptRecord[];
    try {
      records = parseSesReceiptEvent(event);
    } catch (error) {
      // Not an SES receipt event: retrying cannot help.
      if (error instanceof ValidationError) {
        logger.error('not an SES receipt event', { error });
        return [];
      }
      throw error;
    }
    const outcomes: EventRecord[] = [];
    for (const record of records) {
      const message = await reader.read(record);
      const recorded = await receiveEmail(inbound, { message, envelope: envelopeOf(record) });
      for (const outcome of recorded) logger.info('inbound email', { sesMessageId: record.ses.mail.messageId, event: outcome });
      outcomes.push(...recorded);
    }
    return outcomes;
  };
}

export const handler: EmailToAlertHandler = builtOnFirstCall(() =>
  createHandler({
    inbound: inboundEmailDeps(awsClientsFromEnv(), deploymentFromEnv(), inboundEmailSettingsFromEnv()),
    reader: new S3InboundMailReader(new S3Client({}), {
      bucket: requireEnv(ENV.inboundBucket),
      keyPrefix: process.env[ENV.inboundKeyPrefix] ?? '',
    }),
    logger: createLogger('email-to-alert'),
  }),
);
