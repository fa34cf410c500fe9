/** One problem with one field of a request, shown to the client so it can point at the field. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** Base of the errors a client can cause; each names the HTTP-independent kind of failure. */
export abstract class ClientError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: readonly FieldProblem[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class ValidationError extends ClientError {
  override readonly name = 'ValidationError';
  readonly code = 'validation_failed';
}

export class UnauthorizedError extends ClientError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'unauthorized';
}

export class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
}

export class NotFoundError extends ClientError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
}

/** The request is valid but the incident's current state does not allow it. */
export class ConflictError extends ClientError {
  override readonly name = 'ConflictError';
  readonly code = 'conflict';
}

export class PayloadTooLargeError extends ClientError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends ClientError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'unsupported_media_type';
}

/**
 * A dependency failed after the request was accepted; the client should retry after a pause. The retry is
 * safe: deduplication makes it find the incident this request already stored.
 */
export class TemporarilyUnavailableError extends Error {
  override readonly name = 'TemporarilyUnavailableError';
  readonly code = 'temporarily_unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
