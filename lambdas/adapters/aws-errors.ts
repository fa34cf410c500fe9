import type { NotifyResult } from '../domain/notification/notification';

/** AWS error names that mean "too busy or briefly unavailable": a later attempt may succeed. */
const TRANSIENT_AWS_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
]);

/**
 * Whether an AWS SDK error is worth retrying, decided from the protocol (as Alertmanager's notifiers do):
 * throttling, 5xx and network failures are; a request the service refused (4xx) is not.
 */
export function isTransientAwsError(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name && TRANSIENT_AWS_ERRORS.has(e.name)) return true;
  // Every SDK error carries $metadata; an error without it is a bug, which no retry mends.
  if (!e.$metadata) return false;
  const status = e.$metadata.httpStatusCode;
  // No HTTP status: the request got no answer (a timeout, a connection refused or reset).
  return status === undefined || status >= 500 || status === 429;
}

/**
 * A send as the Notifier port answers it: sent, with the channel's ids, or failed, retryable or permanent as
 * {@link isTransientAwsError} sorts the error. `onFailure` sees the error first (to remember an opted-out
 * number, say).
 */
export async function notifyOutcome(
  send: () => Promise<{ readonly messageId: string; readonly threadId?: string }>,
  onFailure?: (error: Error & { readonly Reason?: string }) => Promise<void>,
): Promise<NotifyResult> {
  try {
    return { outcome: 'sent', ...(await send()) };
  } catch (error) {
    const e = error as Error & { Reason?: string };
    await onFailure?.(e);
    return { outcome: isTransientAwsError(error) ? 'retryable' : 'permanent', reason: `${e.name}: ${e.message}` };
  }
}

/** A Catch's `Cause` as a message: in AWS, a Lambda error's JSON (`errorMessage`, ...); locally, the message itself. */
export function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}
