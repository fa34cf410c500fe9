import { deadLetterSchema } from '../../lambdas/adapters/sqs-dead-letters';
import type { DeadLetterQueueOutput } from '../stack-outputs';

/** A message as SQS's ReceiveMessage answers it: the parts decoding reads. */
export interface ReceivedMessage {
  readonly MessageId?: string | undefined;
  readonly Body?: string | undefined;
  readonly Attributes?: Partial<Record<string, string>> | undefined;
  readonly MessageAttributes?: Partial<Record<string, { readonly StringValue?: string | undefined }>> | undefined;
}

/** A dead letter as an operator reads it, and what sending it again hands its function. */
export interface DecodedDeadLetter {
  readonly messageId: string;
  readonly sentAt?: string;
  readonly receiveCount?: number;
  /** What it was: the delivery, the mail, the SMS reply. */
  readonly what: string;
  /** Why it failed, as the queue's writer recorded it. */
  readonly reason: string;
  /** The function's event to send it again with; absent when the body cannot be read. */
  readonly event?: unknown;
}

/**
 * Decodes a message of a dead-letter queue by the queue's kind: a webhook delivery with its reason (the
 * announcer's `{ delivery, reason }`), or the event a function failed on, its error in the message attributes
 * Lambda sets (`ErrorCode`, `ErrorMessage`).
 */
export function decodeDeadLetter(kind: DeadLetterQueueOutput['kind'], message: ReceivedMessage): DecodedDeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = Number(message.Attributes?.ApproximateReceiveCount);
  const known = {
    messageId: message.MessageId ?? '?',
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(Number.isFinite(received) && received > 0 ? { receiveCount: received } : {}),
  };
  const body = parseJson(message.Body ?? '');
  if (kind === 'webhook-deliveries') {
    const letter = deadLetterSchema.safeParse(body);
    if (!letter.success) return { ...known, what: 'an unreadable delivery', reason: 'its body is not a dead-lettered delivery' };
    const { delivery, reason } = letter.data;
    return { ...known, what: `${delivery.type} of incident ${delivery.incidentNumber} to webhook ${delivery.webhook} (${delivery.url})`, reason, event: { task: 'deliver', delivery } };
  }
  const code = message.MessageAttributes?.ErrorCode?.StringValue;
  const error = message.MessageAttributes?.ErrorMessage?.StringValue;
  const reason = [error ?? 'no error message recorded', ...(code ? [`(code ${code})`] : [])].join(' ');
  if (body === undefined) return { ...known, what: 'an unreadable event', reason };
  return { ...known, what: describeEvent(body), reason, event: body };
}

/** What a Lambda event was, in a few words: the mail SES received, the SNS message, or its start. */
export function describeEvent(event: unknown): string {
  const record = (event as { Records?: unknown[] } | undefined)?.Records?.[0] as
    | { ses?: { mail?: { commonHeaders?: { from?: string[]; subject?: string } }; receipt?: { recipients?: string[] } }; Sns?: { TopicArn?: string; Message?: string } }
    | undefined;
  if (record?.ses) {
    const headers = record.ses.mail?.commonHeaders;
    return `mail from ${headers?.from?.join(', ') ?? '?'} to ${record.ses.receipt?.recipients?.join(', ') ?? '?'}: "${headers?.subject ?? ''}"`;
  }
  if (record?.Sns) return `SNS message of ${record.Sns.TopicArn?.split(':').pop() ?? '?'}: ${abbreviated(record.Sns.Message ?? '')}`;
  return `event ${abbreviated(JSON.stringify(event))}`;
}

const abbreviated = (text: string, max = 100) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
