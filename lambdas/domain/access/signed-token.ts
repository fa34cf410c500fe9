import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../shared/errors';

/**
 * Tokens that carry their own fields, signed with HMAC-SHA256: `<base64url JSON array>.<base64url MAC>`. The
 * action links of pages, the console's sign-in links and its session cookie are all of this shape, each with a
 * key of its own ({@link purposeKey}), so that a token made for one purpose is refused for any other.
 */
const mac = (payload: string, key: string) => createHmac('sha256', key).update(payload).digest();

/** A key for one purpose, derived from the one link secret: a sign-in link is then no session, nor an action link. */
export const purposeKey = (secret: string, purpose: string): string => createHmac('sha256', secret).update(`inresponse:${purpose}`).digest('base64url');

export function signFields(fields: readonly unknown[], key: string): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

/** Compares two MACs in constant time. */
export function sameMac(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given, 'base64url');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

/** The HMAC of a value, as a URL-safe string (a form's CSRF token, say). */
export const macOf = (value: string, key: string): string => mac(value, key).toString('base64url');

/**
 * The fields of a token whose signature holds; else a 400 naming why (`what`: "this link"). The fields are
 * trusted as far as the key is: the caller checks their shape and expiry.
 */
export function verifiedFields(token: string, key: string, what: string): unknown[] {
  const invalid = (problem: string) => new ValidationError(`${what} ${problem}`, [{ field: 'token', problem }]);
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw invalid('is malformed');
  if (!sameMac(signature, mac(payload, key))) throw invalid('has an invalid signature');
  const fields: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!Array.isArray(fields)) throw invalid('is malformed');
  return fields;
}
