import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CliError } from '../cli-errors';
import type { DeadLetterQueueOutput } from '../stack-outputs';
import { decodeDeadLetter, type DecodedDeadLetter } from './dead-letters';
import { shortInstant } from './table';
import type { Target } from './target';
import type { Terminal } from './terminal';

/** How long a message taken for a look or a redrive stays hidden from other readers: ample for one invocation. */
const HOLD_SECONDS = 120;
/** SQS's largest batch of ReceiveMessage. */
const BATCH = 10;

/** What a redrive did with each message of a queue. */
export interface RedriveResult {
  readonly queue: string;
  readonly sent: number;
  readonly kept: number;
}

/** The queues a command works on: all of the deployment's, or the one named. */
function queuesOf(target: Target, name: string | undefined): readonly DeadLetterQueueOutput[] {
  if (name === undefined) return target.deadLetterQueues;
  const queue = target.deadLetterQueues.find((q) => q.name === name);
  if (!queue) throw new CliError(`no dead-letter queue ${name} in ${target.description}`, { fix: `name one of: ${target.deadLetterQueues.map((q) => q.name).join(', ')}` });
  return [queue];
}

/**
 * `dlq list [queue]`: each dead-letter queue with its message count, and up to `limit` messages each, decoded,
 * with their reasons. Looking hides the messages for a moment, then gives them back at once.
 */
export async function listDeadLettersCommand(target: Target, terminal: Terminal, queueName: string | undefined, options: { readonly limit: number }): Promise<number> {
  const sqs = new SQSClient(target.clientSettings('sqs'));
  let total = 0;
  try {
    for (const queue of queuesOf(target, queueName)) {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      const count = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
      const inFlight = Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      total += count + inFlight;
      terminal.print(`${queue.name}: ${count} message(s)${inFlight ? `, ${inFlight} being handled` : ''}   (${queue.kind}, sent again to ${queue.functionName})`);
      const messages = await takeMessages(sqs, queue, options.limit);
      for (const { letter } of messages) terminal.print(`  ${letterLine(letter)}`);
      await giveBack(sqs, queue.url, messages.map((m) => m.message));
      if (count > messages.length) terminal.print(`  ... and about ${count - messages.length} more (--limit)`);
    }
  } finally {
    sqs.destroy();
  }
  return total;
}

/**
 * `dlq redrive [queue]`: sends each message of each dead-letter queue again, one at a time, to the function
 * that failed it (a webhook delivery: the announcer's `deliver` task, one attempt; a function's event: that
 * function), and waits for the answer. What succeeds leaves the queue; what fails again stays, with its new reason.
 */
export async function redriveDeadLettersCommand(target: Target, terminal: Terminal, queueName: string | undefined, options: { readonly limit: number }): Promise<RedriveResult[]> {
  const sqs = new SQSClient(target.clientSettings('sqs'));
  const lambda = new LambdaClient(target.clientSettings('lambda'));
  const results: RedriveResult[] = [];
  try {
    for (const queue of queuesOf(target, queueName)) {
      const step = terminal.step(`${queue.name}: sending dead letters again to ${queue.functionName}`);
      const result = await redriveQueue(sqs, lambda, queue, options.limit, (line, counts) => {
        terminal.print(line);
        step.update(`${queue.name}: ${counts}`);
      });
      const counts = `${result.sent} sent again, ${result.kept} kept`;
      if (result.kept) step.fail(`${queue.name}: ${counts}`);
      else step.succeed(`${queue.name}: ${counts}`);
      results.push(result);
    }
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
  return results;
}

/**
 * Sends up to `limit` messages of one queue again. Messages that fail again stay hidden until the end, so that
 * the loop never takes them twice, then are given back to the queue.
 */
async function redriveQueue(
  sqs: SQSClient,
  lambda: LambdaClient,
  queue: DeadLetterQueueOutput,
  limit: number,
  report: (line: string, counts: string) => void,
): Promise<RedriveResult> {
  const kept: Message[] = [];
  let sent = 0;
  try {
    while (sent + kept.length < limit) {
      const taken = await takeMessages(sqs, queue, Math.min(BATCH, limit - sent - kept.length));
      if (!taken.length) break;
      for (const { message, letter } of taken) {
        const failure = letter.event === undefined ? 'its body cannot be read' : await invoke(lambda, queue.functionName, letter.event);
        if (failure) {
          kept.push(message);
        } else {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
          sent++;
        }
        report(failure ? `kept  ${queue.name}  ${letter.what}: ${failure}` : `sent  ${queue.name}  ${letter.what}`, `${sent} sent again, ${kept.length} kept`);
      }
    }
  } finally {
    await giveBack(sqs, queue.url, kept);
  }
  return { queue: queue.name, sent, kept: kept.length };
}

/** Invokes the function with the event and waits; the failure's message, or undefined when it succeeded. */
async function invoke(lambda: LambdaClient, functionName: string, event: unknown): Promise<string | undefined> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
  if (!answer.FunctionError) return undefined;
  const payload = answer.Payload ? (JSON.parse(Buffer.from(answer.Payload).toString('utf8')) as { errorType?: string; errorMessage?: string }) : {};
  return `${payload.errorType ?? answer.FunctionError}: ${payload.errorMessage ?? 'no message'}`;
}

/** Up to `max` messages of the queue, hidden from other readers while held, each decoded. */
async function takeMessages(sqs: SQSClient, queue: DeadLetterQueueOutput, max: number): Promise<{ message: Message; letter: DecodedDeadLetter }[]> {
  const taken: { message: Message; letter: DecodedDeadLetter }[] = [];
  while (taken.length < max) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(BATCH, max - taken.length),
        VisibilityTimeout: HOLD_SECONDS,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    if (!Messages?.length) break;
    taken.push(...Messages.map((message) => ({ message, letter: decodeDeadLetter(queue.kind, message) })));
  }
  return taken;
}

/** Makes held messages visible again at once. */
async function giveBack(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (const message of messages) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
  }
}

/** One dead letter on a line: its id, when it was dead-lettered, what it was, and why. */
const letterLine = (letter: DecodedDeadLetter): string =>
  [letter.messageId.slice(0, 8), shortInstant(letter.sentAt), letter.what, `reason: ${letter.reason}`].filter(Boolean).join('  ');
