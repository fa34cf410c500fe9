import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../shared/errors';

/**
 * Who is calling. Integration keys belong to one monitoring integration of one service; responder keys to
 * the people who read and handle incidents.
 */
export type Principal =
  | { readonly name: string; readonly role: 'integration'; readonly service: string }
  | { readonly name: string; readonly role: 'responder' };

export const API_KEY_HEADER = 'x-api-key';

/** Prefix of generated keys, so that a leaked key is recognisable by secret scanners. */
const KEY_PREFIX = 'irk_';

const KEY_PATTERN = new RegExp(`${KEY_PREFIX}[A-Za-z0-9_-]{8,}`, 'g');

/** Replaces anything shaped like a generated key, so that a key quoted in an error cannot reach a log. */
export const redactApiKeys = (text: string): string => text.replace(KEY_PATTERN, `${KEY_PREFIX}[redacted]`);

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * The stored form of a key. Keys are 256 random bits (or at least 32 characters when supplied), so a fast
 * hash is enough: there is nothing to brute-force that a slow hash would protect.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Finds the principal of a presented key, or fails with 401; the key itself is never echoed or logged. */
export async function authenticate(
  findByHash: (hash: string) => Promise<Principal | undefined>,
  presented: string | undefined,
): Promise<Principal> {
  const problem = [{ field: API_KEY_HEADER, problem: 'must be a valid API key' }];
  if (!presented) throw new UnauthorizedError(`missing API key: send it in the ${API_KEY_HEADER} header`, problem);
  const principal = await findByHash(hashApiKey(presented));
  if (!principal) throw new UnauthorizedError('unknown API key', problem);
  return principal;
}

/** Only an integration key of the event's own service may raise incidents for it. */
export function assertMayRaise(principal: Principal, service: string): void {
  if (principal.role !== 'integration') {
    throw new ForbiddenError('responder keys cannot raise incidents; use an integration key of the service', [
      { field: API_KEY_HEADER, problem: 'is a responder key' },
    ]);
  }
  if (principal.service !== service) {
    throw new ForbiddenError(`this key may raise incidents for service ${principal.service} only`, [
      { field: 'service', problem: `is not ${principal.service}, the service of this key` },
    ]);
  }
}

/** Responders may act on any incident; an integration key on its own service's incidents only. */
export function assertMayAct(principal: Principal, service: string): void {
  if (principal.role === 'integration' && principal.service !== service) {
    throw new ForbiddenError(`this key may act on incidents of service ${principal.service} only`, [
      { field: API_KEY_HEADER, problem: `belongs to service ${principal.service}` },
    ]);
  }
}

/** Reading incidents is for responders; integration keys only write. */
export function assertMayRead(principal: Principal): void {
  if (principal.role !== 'responder') {
    throw new ForbiddenError('integration keys cannot read incidents; use a responder key', [
      { field: API_KEY_HEADER, problem: 'is an integration key' },
    ]);
  }
}
