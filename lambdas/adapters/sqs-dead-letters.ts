import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { DeadLetterQueue } from '../domain/webhooks/ports';
import { type Delivery, deliverySchema } from '../domain/webhooks/webhook';

/** A dead-lettered delivery as the queue keeps it: everything needed to look at it and send it again. */
export const deadLetterSchema = z.object({ delivery: deliverySchema, reason: z.string() });

export type DeadLetter = z.output<typeof deadLetterSchema>;

/** The webhook dead-letter queue in SQS. */
export class SqsDeadLetters implements DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(delivery: Delivery, reason: string): Promise<void> {
    const message: DeadLetter = { delivery, reason };
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}
