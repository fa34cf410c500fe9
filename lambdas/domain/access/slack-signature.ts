import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors';

/** How old a signed Slack request may be: older ones are refused, so that a captured request cannot be replayed. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/** Slack's v0 request signature: `v0=` and the hex HMAC-SHA256, under the signing secret, of `v0:{timestamp}:{raw body}`. */
export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** What a request from Slack carries to prove it: its two signature headers and the body exactly as received. */
export interface SignedSlackRequest {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: Buffer;
}

/**
 * Checks that a request comes from Slack: signed with the app's signing secret (compared in constant time)
 * and stamped within {@link SLACK_MAX_AGE_SECONDS} of `now`, either way (a clock far ahead is as suspect as
 * one behind). Fails with 401, naming the header at fault.
 */
export function verifySlackRequest(request: SignedSlackRequest, signingSecret: string, now: Date): void {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    throw new UnauthorizedError('the request carries no valid Slack timestamp', [
      { field: SLACK_TIMESTAMP_HEADER, problem: 'must be the Unix time in seconds at which Slack sent the request' },
    ]);
  }
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) {
    throw new UnauthorizedError('the Slack request is too old (or its clock far off): refused as a possible replay', [
      { field: SLACK_TIMESTAMP_HEADER, problem: `must be within ${SLACK_MAX_AGE_SECONDS} seconds of now` },
    ]);
  }
  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, rawBody), 'utf8');
  const presented = Buffer.from(signature ?? '', 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch says nothing about the secret.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new UnauthorizedError('the Slack signature does not match', [
      { field: SLACK_SIGNATURE_HEADER, problem: 'must be v0=<hex HMAC-SHA256 of v0:{timestamp}:{body} under the signing secret>' },
    ]);
  }
}
