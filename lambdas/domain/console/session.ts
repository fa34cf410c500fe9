import { randomBytes } from 'node:crypto';
import { macOf, purposeKey, sameMac, signFields, verifiedFields } from '../access/signed-token';
import { ForbiddenError, ValidationError } from '../shared/errors';

/** The signed-in person, as the session cookie carries them: every console action is theirs. */
export interface ConsoleSession {
  /** Random: the CSRF token of the session's forms is its HMAC. */
  readonly id: string;
  readonly personId: string;
  readonly name: string;
  readonly email: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

export const SESSION_COOKIE = 'inresponse_console';
export const SESSION_LIFETIME_SECONDS = 12 * 60 * 60;
/** The cookie is sent to the console's own paths only, never to the JSON API. */
export const CONSOLE_PATH = '/console';

/** The keys of the console, each derived from the link secret for one purpose. */
export interface ConsoleKeys {
  readonly signIn: string;
  readonly session: string;
  readonly csrf: string;
}

export const consoleKeys = (linkSecret: string): ConsoleKeys => ({
  signIn: purposeKey(linkSecret, 'console-sign-in'),
  session: purposeKey(linkSecret, 'console-session'),
  csrf: purposeKey(linkSecret, 'console-csrf'),
});

export function newSession(person: Pick<ConsoleSession, 'personId' | 'name' | 'email'>, now: Date): ConsoleSession {
  return { id: randomBytes(16).toString('base64url'), ...person, expiresAt: Math.floor(now.getTime() / 1000) + SESSION_LIFETIME_SECONDS };
}

/**
 * The `Set-Cookie` value of a session: HttpOnly (no script reads it), SameSite=Lax (no cross-site POST carries
 * it), `Secure` over HTTPS, scoped to the console's paths, and gone when the session ends.
 */
export function sessionCookie(session: ConsoleSession, key: string, secure: boolean): string {
  const value = signFields([session.id, session.personId, session.name, session.email, session.expiresAt], key);
  return cookieOf(value, SESSION_LIFETIME_SECONDS, secure);
}

/** The `Set-Cookie` value that ends a session in the browser. */
export const clearedSessionCookie = (secure: boolean): string => cookieOf('', 0, secure);

const cookieOf = (value: string, maxAge: number, secure: boolean) =>
  `${SESSION_COOKIE}=${value}; Max-Age=${maxAge}; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

/** The session of a request's cookies, if one is there, signed with this key and not expired. */
export function sessionOf(cookies: readonly string[] | undefined, key: string, now: Date): ConsoleSession | undefined {
  const prefix = `${SESSION_COOKIE}=`;
  const value = cookies?.find((c) => c.startsWith(prefix))?.slice(prefix.length);
  if (!value) return undefined;
  let fields: unknown[];
  try {
    fields = verifiedFields(value, key, 'the session');
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
  const [id, personId, name, email, expiresAt] = fields;
  if (typeof id !== 'string' || typeof personId !== 'string' || typeof name !== 'string' || typeof email !== 'string' || typeof expiresAt !== 'number') return undefined;
  if (expiresAt * 1000 <= now.getTime()) return undefined;
  return { id, personId, name, email, expiresAt };
}

/** The hidden token of every form of a session: the HMAC of its id, so no other site can know it. */
export const csrfTokenOf = (session: Pick<ConsoleSession, 'id'>, key: string): string => macOf(session.id, key);

/** The headers a POST's CSRF check reads: the browser's own, which no page can forge. */
export interface RequestOrigin {
  readonly host?: string;
  readonly origin?: string;
  readonly secFetchSite?: string;
}

const refuse = (field: string, problem: string) => new ForbiddenError(`refused: ${field} ${problem}`, [{ field, problem }]);

/**
 * Refuses (403) a POST that the browser says another site made: an `Origin` of another host, or a
 * `Sec-Fetch-Site` other than same-origin. Each is checked only when the browser sends it.
 */
export function assertSameSiteRequest(request: RequestOrigin): void {
  if (request.secFetchSite !== undefined && request.secFetchSite !== 'same-origin') throw refuse('sec-fetch-site', 'must be same-origin');
  if (request.origin === 'null' || (request.origin !== undefined && hostOf(request.origin) !== request.host)) throw refuse('origin', 'must be this site');
}

/**
 * Refuses (403) a console POST that another site could have made: one {@link assertSameSiteRequest} refuses, or
 * a form token that is not its session's (checked always).
 */
export function assertSameSiteForm(session: Pick<ConsoleSession, 'id'>, key: string, formToken: string | undefined, request: RequestOrigin): void {
  assertSameSiteRequest(request);
  if (!formToken || !sameMac(formToken, Buffer.from(csrfTokenOf(session, key), 'base64url'))) throw refuse('csrf', 'must be the token of this session');
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
