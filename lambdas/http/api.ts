import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { LIMITS } from '../config/limits';
import {
  ClientError,
  PayloadTooLargeError,
  TemporarilyUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { isTransientAwsError } from '../adapters/aws-errors';

/** What a route returns; the edge turns it into the HTTP response. */
export interface HttpResult {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Logged with the request, so a log search by incident number finds it. */
  readonly incidentNumber?: number;
  /** A page for a person instead of JSON. */
  readonly html?: string;
  /** `Set-Cookie` values: the console's session. */
  readonly cookies?: readonly string[];
  /** Another document instead of JSON: a calendar feed. */
  readonly document?: { readonly contentType: string; readonly text: string };
}

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const STATUS_OF_CLIENT_ERROR: Readonly<Record<string, number>> = {
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  PayloadTooLargeError: 413,
  UnsupportedMediaTypeError: 415,
};

/** The one error body: `{ error, message, details: [{ field, problem }] }`. */
function errorBody(code: string, message: string, details: ClientError['details'] = []) {
  return { error: code, message, details };
}

/** The HTTP status of a client error. */
export const statusOf = (error: ClientError): number => STATUS_OF_CLIENT_ERROR[error.name] ?? 400;

/** How a route answers a client's mistake, when its senders expect another shape than the one error body. */
export type ClientErrorAnswer = (error: ClientError) => { readonly status: number; readonly body: unknown };

const oneErrorShape: ClientErrorAnswer = (error) => ({ status: statusOf(error), body: errorBody(error.code, error.message, error.details) });

function resultOfError(error: unknown, requestId: string, answerClientError: ClientErrorAnswer): HttpResult & { fault: boolean } {
  if (error instanceof ClientError) return { ...answerClientError(error), fault: false };
  if (error instanceof TemporarilyUnavailableError) {
    return {
      status: 503,
      body: errorBody(error.code, error.message),
      headers: { 'retry-after': String(error.retryAfterSeconds) },
      fault: true,
    };
  }
  if (isTransientAwsError(error)) {
    return {
      status: 503,
      body: errorBody('temporarily_unavailable', 'the incident store is busy or briefly unavailable; retry the same request'),
      headers: { 'retry-after': '1' },
      fault: true,
    };
  }
  return {
    status: 500,
    body: errorBody('internal_error', `internal error; quote request id ${requestId} when reporting it`),
    fault: true,
  };
}

/**
 * Wraps a route function with what every API request gets: request-scoped log keys, one log line per request
 * (never with headers, so never with a key), and the mapping of errors to the one error shape.
 */
export function httpEdge(
  logger: Logger,
  route: (event: APIGatewayProxyEventV2) => Promise<HttpResult>,
  answerClientError: ClientErrorAnswer = oneErrorShape,
): ApiHandler {
  return async (event, context) => {
    const started = performance.now();
    logger.addContext(context);
    logger.appendKeys({ requestId: event.requestContext.requestId, route: event.routeKey });
    let result: HttpResult;
    try {
      result = await route(event);
    } catch (error) {
      const failure = resultOfError(error, event.requestContext.requestId, answerClientError);
      if (failure.fault) logger.error('request failed', { status: failure.status, error: error as Error });
      result = failure;
    }
    logger.info('request handled', {
      status: result.status,
      durationMs: Math.round(performance.now() - started),
      ...(result.incidentNumber === undefined ? {} : { incidentNumber: result.incidentNumber }),
    });
    logger.resetKeys();
    const contentType = result.document?.contentType ?? (result.html === undefined ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
    return {
      statusCode: result.status,
      headers: { 'content-type': contentType, 'cache-control': 'no-store', ...result.headers },
      body: result.document?.text ?? result.html ?? JSON.stringify(result.body),
      ...(result.cookies ? { cookies: [...result.cookies] } : {}),
    };
  };
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * Reads and validates a JSON request body: 415 unless JSON, 413 above the size limit, 400 naming bad fields.
 * `mediaTypes` widens what is taken as JSON (SNS posts JSON as text/plain).
 */
export function parseJsonBody<S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S, mediaTypes = JSON_MEDIA_TYPE): z.output<S> {
  const mediaType = (event.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!mediaTypes.test(mediaType)) {
    throw new UnsupportedMediaTypeError('the body must be JSON', [
      { field: 'content-type', problem: `must be application/json, not ${mediaType || 'missing'}` },
    ]);
  }
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > LIMITS.maxBodyBytes) {
    throw new PayloadTooLargeError(`the body is ${raw.length} bytes; the limit is ${LIMITS.maxBodyBytes}`, [
      { field: 'body', problem: `must be at most ${LIMITS.maxBodyBytes} bytes` },
    ]);
  }
  if (raw.length === 0) throw new ValidationError('the body is empty', [{ field: 'body', problem: 'is required' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ValidationError('the body is not valid JSON', [{ field: 'body', problem: 'is not valid JSON' }], {
      cause: error,
    });
  }
  return parseInput(schema, parsed, 'request body');
}

export const ok = (body: unknown, incidentNumber?: number): HttpResult => ({
  status: 200,
  body,
  ...(incidentNumber === undefined ? {} : { incidentNumber }),
});
