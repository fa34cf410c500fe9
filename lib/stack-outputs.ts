import * as z from 'zod';

/**
 * The stack outputs an operator's tools read (`npx inresponse`), named once: the stack writes them, `npm start`
 * writes the same names for the local runtime (`.local/outputs.json`), and the CLI reads either.
 */
export const OUTPUT = {
  /** The HTTP API's base URL, without a trailing slash. */
  apiUrl: 'ApiUrl',
  tablePrefix: 'TablePrefix',
  /** The verified SES identity pages are sent as (an address or a domain). */
  senderIdentity: 'SenderIdentity',
  /** Present with an inbound domain. */
  receiptRuleSetName: 'ReceiptRuleSetName',
  /** The ARN of the phone number, pool or sender id SMS pages go out from; present with SMS. */
  smsOriginationIdentity: 'SmsOriginationIdentity',
  /** Every dead-letter queue, as a JSON list of {@link DeadLetterQueueOutput}. */
  deadLetterQueues: 'DeadLetterQueues',
} as const;

/**
 * What a dead-letter queue keeps, which says how to read its messages and send them again:
 * - `webhook-deliveries`: `{ delivery, reason }` bodies (the announcer's), sent again as the announcer's `deliver` task;
 * - `lambda-events`: a function's asynchronous invocation DLQ: the event as the body, the error in the message
 *   attributes `ErrorCode` and `ErrorMessage`, sent again by invoking the function with the event.
 */
export const DEAD_LETTER_KINDS = ['webhook-deliveries', 'lambda-events'] as const;

/** One dead-letter queue of a deployment, and the function that takes its messages again. */
export const deadLetterQueueOutputSchema = z.strictObject({
  name: z.string().min(1),
  url: z.string().min(1),
  kind: z.enum(DEAD_LETTER_KINDS),
  functionName: z.string().min(1),
});

export type DeadLetterQueueOutput = z.output<typeof deadLetterQueueOutputSchema>;

export const deadLetterQueuesSchema = z.array(deadLetterQueueOutputSchema);

/** Beside the stack's outputs, the local runtime's (`.local/outputs.json`): the endpoints its stand-ins listen on. */
export const LOCAL_OUTPUT = {
  dynamoDbEndpoint: 'LocalDynamoDbEndpoint',
  sqsEndpoint: 'LocalSqsEndpoint',
  lambdaEndpoint: 'LocalLambdaEndpoint',
} as const;
