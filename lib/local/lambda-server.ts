import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, readBoundedBody, type ServerLimits } from './server-guard';

/** A function the stand-in invokes: a Lambda handler of the local runtime. */
export type LocalFunction = (event: unknown) => Promise<unknown>;

/** Lambda's synchronous payload limit. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * A local stand-in for the Lambda Invoke API, over the local runtime's handlers: `POST
 * /2015-03-31/functions/<name>/invocations` answered as Lambda answers (the result as the payload; a failed
 * function as 200 with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage }`; `Event`
 * invocations 202 at once), so that the unchanged `@aws-sdk/client-lambda` invokes them. Operators' tools
 * use it (`npx inresponse dlq redrive`) as they use Lambda in AWS.
 */
export class LambdaServer {
  private server: Server | undefined;

  constructor(private readonly functions: Readonly<Record<string, LocalFunction>>) {}

  async listen(port = 0, limits: ServerLimits = DEFAULT_SERVER_LIMITS): Promise<string> {
    this.server = createGuardedServer(limits, (req, res) => this.handle(req, res));
    return listenOn(this.server, port);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBoundedBody(req, MAX_PAYLOAD_BYTES);
    const name = decodeURIComponent(INVOKE_PATH.exec(req.url?.split('?')[0] ?? '')?.[1] ?? '').split(':').pop() ?? '';
    const fn = req.method === 'POST' ? this.functions[name] : undefined;
    if (!fn) return answer(res, 404, { Type: 'User', message: `Function not found: ${name}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
    if (body === 'too large') return answer(res, 413, { Type: 'User', message: 'Request must be smaller than 6291456 bytes' }, { 'x-amzn-errortype': 'RequestTooLargeException' });
    let event: unknown;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return answer(res, 400, { Type: 'User', message: 'Could not parse request body into json' }, { 'x-amzn-errortype': 'InvalidRequestContentException' });
    }
    const invocation = fn(event);
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      invocation.catch(() => undefined);
      return answer(res, 202, undefined);
    }
    try {
      answer(res, 200, (await invocation) ?? null);
    } catch (error) {
      const { name: errorType, message: errorMessage } = error instanceof Error ? error : new Error(String(error));
      answer(res, 200, { errorType, errorMessage, trace: [] }, { 'x-amz-function-error': 'Unhandled' });
    }
  }
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
