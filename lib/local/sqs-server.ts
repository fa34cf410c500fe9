import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { LOCAL_AWS } from './local-aws';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, readBoundedBody, type ServerLimits } from './server-guard';

/** One message a queue holds. */
interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** How many times it was handed out. */
  receives: number;
  /** Epoch ms before which a received message is not handed out again (SQS's visibility timeout). */
  invisibleUntil: number;
  receiptHandle?: string;
}

/** SQS's message size limit, and a little for the JSON around it. */
const MAX_REQUEST_BYTES = 300 * 1024;
const TARGET_PREFIX = 'AmazonSQS.';
const ACCOUNT = '000000000000';
const DEFAULT_VISIBILITY_SECONDS = 30;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local stand-in for SQS, which no offline emulator covers: the AWS JSON 1.0 protocol (`POST /` with
 * `X-Amz-Target: AmazonSQS.SendMessage`, `.ReceiveMessage`, `.DeleteMessage`, `.ChangeMessageVisibility`,
 * `.GetQueueAttributes` (the approximate counts)), answered as
 * SQS answers (with the MD5 of each body, which the SDK checks), so that the unchanged `@aws-sdk/client-sqs`
 * talks to it. Queues are fixed at construction and live in memory.
 */
export class SqsServer {
  private readonly queues = new Map<string, QueuedMessage[]>();
  private server: Server | undefined;
  private baseUrl = '';

  constructor(queueNames: readonly string[]) {
    for (const name of queueNames) this.queues.set(name, []);
  }

  async listen(port = 0, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<string> {
    const server = createGuardedServer(limits, (req, res) => this.handle(req, res));
    this.server = server;
    this.baseUrl = await listenOn(server, port);
    return this.baseUrl;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** The URL of a queue, as SQS names it. */
  queueUrl(name: string): string {
    return `${this.baseUrl}/${ACCOUNT}/${name}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBoundedBody(req, MAX_REQUEST_BYTES);
    const operation = String(req.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
    try {
      if (raw === 'too large') throw new SqsError('InvalidParameterValue', `request above ${MAX_REQUEST_BYTES} bytes`);
      answer(res, 200, this.dispatch(operation, JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>));
    } catch (error) {
      const e = error instanceof SqsError ? error : new SqsError('InvalidParameterValue', (error as Error).message);
      answer(res, 400, { __type: e.type, message: e.message });
    }
  }

  private dispatch(operation: string, request: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'SendMessage': {
        const body = String(request.MessageBody ?? '');
        if (!body) throw new SqsError('MissingParameter', 'MessageBody is required');
        const message: QueuedMessage = { messageId: randomUUID(), body, sentAt: Date.now(), receives: 0, invisibleUntil: 0 };
        this.queue(request.QueueUrl).push(message);
        return { MessageId: message.messageId, MD5OfMessageBody: md5(body) };
      }
      case 'ReceiveMessage': {
        const now = Date.now();
        const visibleFor = Number(request.VisibilityTimeout ?? DEFAULT_VISIBILITY_SECONDS) * 1000;
        const handed = this.queue(request.QueueUrl)
          .filter((m) => m.invisibleUntil <= now)
          .slice(0, Number(request.MaxNumberOfMessages ?? 1));
        for (const m of handed) Object.assign(m, { invisibleUntil: now + visibleFor, receiptHandle: randomUUID(), receives: m.receives + 1 });
        return {
          Messages: handed.map((m) => ({
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: md5(m.body),
            Body: m.body,
            Attributes: { SentTimestamp: String(m.sentAt), ApproximateReceiveCount: String(m.receives) },
          })),
        };
      }
      case 'DeleteMessage': {
        const queue = this.queue(request.QueueUrl);
        queue.splice(queue.indexOf(this.received(queue, request.ReceiptHandle)), 1);
        return {};
      }
      case 'ChangeMessageVisibility': {
        this.received(this.queue(request.QueueUrl), request.ReceiptHandle).invisibleUntil = Date.now() + Number(request.VisibilityTimeout ?? 0) * 1000;
        return {};
      }
      case 'GetQueueAttributes': {
        const queue = this.queue(request.QueueUrl);
        const visible = queue.filter((m) => m.invisibleUntil <= Date.now()).length;
        return { Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: String(queue.length - visible) } };
      }
      default:
        throw new SqsError('UnsupportedOperation', `operation ${operation} is not emulated`);
    }
  }

  /** The message a receipt handle was given for. */
  private received(queue: QueuedMessage[], handle: unknown): QueuedMessage {
    const message = queue.find((m) => m.receiptHandle !== undefined && m.receiptHandle === handle);
    if (!message) throw new SqsError('ReceiptHandleIsInvalid', 'no message has this receipt handle');
    return message;
  }

  /** A queue by its URL (or path): only the path counts, as the endpoint may be named differently. */
  private queue(url: unknown): QueuedMessage[] {
    const name = String(url ?? '').split('/').pop() ?? '';
    const queue = this.queues.get(name);
    if (!queue) throw new SqsError('QueueDoesNotExist', `queue ${name} does not exist in ${LOCAL_AWS.region}`);
    return queue;
  }
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const type = typeof body.__type === 'string' ? { 'x-amzn-errortype': body.__type } : {};
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...type });
  res.end(JSON.stringify(body));
}
