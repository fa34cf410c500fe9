import { describe, expect, it } from 'vitest';
import { signActionLink } from '../../lambdas/domain/access/action-links';
import {
  completeSignIn,
  previewSignIn,
  requestSignIn,
  SIGN_IN_LINK_LIFETIME_SECONDS,
  signSignInLink,
  verifySignInLink,
  type SignInDeps,
  type SignInLink,
} from '../../lambdas/domain/console/sign-in';
import {
  assertSameSiteForm,
  clearedSessionCookie,
  consoleKeys,
  csrfTokenOf,
  newSession,
  SESSION_COOKIE,
  SESSION_LIFETIME_SECONDS,
  sessionCookie,
  sessionOf,
} from '../../lambdas/domain/console/session';
import type { EmailMessage } from '../../lambdas/domain/notification/notification';
import type { ClientError } from '../../lambdas/domain/shared/errors';

const keys = consoleKeys('the-link-secret-of-the-deployment');
const now = new Date('2026-11-24T10:00:00Z');
const seconds = now.getTime() / 1000;
const ana = { id: 'ana', name: 'Ana', email: 'ana@example.com' };

const problemOf = (act: () => unknown): string => {
  try {
    act();
  } catch (error) {
    return (error as ClientError).details[0]!.problem;
  }
  return 'accepted';
};

/** Sign-in dependencies over one person, with a memory of used links and a mailbox. */
function signInDeps(at: () => Date = () => now) {
  const used = new Set<string>();
  const mail: EmailMessage[] = [];
  const deps: SignInDeps = {
    people: {
      findPersonBy: async (_field, email) => (email === ana.email ? ana : undefined),
      findPeople: async (ids) => new Map(ids.includes(ana.id) ? [[ana.id, ana]] : []),
    },
    used: { markUsed: async (link) => !used.has(link.id) && Boolean(used.add(link.id)), wasUsed: async (link) => used.has(link.id) },
    mailer: { send: async (message) => void mail.push(message) },
    key: keys.signIn,
    clock: at,
  };
  return { deps, mail };
}

const tokenIn = (mail: EmailMessage) => /\/console\/auth\/([\w.-]+)/.exec(mail.text)![1]!;

describe('sign-in links', () => {
  const link: SignInLink = { id: 'l1', personId: 'ana', expiresAt: seconds + SIGN_IN_LINK_LIFETIME_SECONDS };

  it('verify as signed until they expire, 10 minutes after they are made', () => {
    const token = signSignInLink(link, keys.signIn);
    expect(verifySignInLink(token, keys.signIn, now)).toEqual(link);
    expect(problemOf(() => verifySignInLink(token, keys.signIn, new Date((link.expiresAt - 1) * 1000)))).toBe('accepted');
    expect(problemOf(() => verifySignInLink(token, keys.signIn, new Date(link.expiresAt * 1000)))).toBe('has expired');
  });

  it('refuse a changed payload, another key, and tokens made for another purpose', () => {
    const token = signSignInLink(link, keys.signIn);
    const forged = `${Buffer.from(JSON.stringify(['sign-in', 'l1', 'boss', link.expiresAt])).toString('base64url')}.${token.split('.')[1]}`;
    expect(problemOf(() => verifySignInLink(forged, keys.signIn, now))).toBe('has an invalid signature');
    expect(problemOf(() => verifySignInLink(token, keys.session, now))).toBe('has an invalid signature');
    expect(problemOf(() => verifySignInLink('garbage', keys.signIn, now))).toBe('is malformed');
    // An action link signed with the same key still names no sign-in.
    const action = signActionLink({ incident: 1, action: 'claim', by: 'ana', expiresAt: seconds + 60 }, keys.signIn);
    expect(problemOf(() => verifySignInLink(action, keys.signIn, now))).toBe('is malformed');
  });

  it('are mailed to configured people only, and sign in once', async () => {
    const { deps, mail } = signInDeps();
    await requestSignIn(deps, 'nobody@example.com', (t) => `https://x/console/auth/${t}`);
    expect(mail).toEqual([]);
    await requestSignIn(deps, ana.email, (t) => `https://x/console/auth/${t}`);
    expect(mail.map((m) => m.to)).toEqual([ana.email]);
    const session = await completeSignIn(deps, tokenIn(mail[0]!));
    expect(session).toMatchObject({ personId: 'ana', name: 'Ana', email: ana.email, expiresAt: seconds + SESSION_LIFETIME_SECONDS });
    await expect(completeSignIn(deps, tokenIn(mail[0]!))).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('are shown without being used up: only completing the sign-in uses one, and a used one shows as used', async () => {
    const { deps, mail } = signInDeps();
    await requestSignIn(deps, ana.email, (t) => `https://x/console/auth/${t}`);
    const token = tokenIn(mail[0]!);
    // A mail scanner opens the link first, twice: the person can still sign in with it.
    await expect(previewSignIn(deps, token)).resolves.toMatchObject({ name: 'Ana', email: ana.email });
    await expect(previewSignIn(deps, token)).resolves.toMatchObject({ name: 'Ana', email: ana.email });
    await expect(completeSignIn(deps, token)).resolves.toMatchObject({ personId: 'ana' });
    await expect(previewSignIn(deps, token)).rejects.toMatchObject({ name: 'ConflictError', details: [{ problem: 'was already used' }] });
  });

  it('refuse an expired link before marking it used', async () => {
    let at = now;
    const { deps, mail } = signInDeps(() => at);
    await requestSignIn(deps, ana.email, (t) => `https://x/console/auth/${t}`);
    at = new Date(now.getTime() + SIGN_IN_LINK_LIFETIME_SECONDS * 1000);
    await expect(completeSignIn(deps, tokenIn(mail[0]!))).rejects.toMatchObject({ details: [{ problem: 'has expired' }] });
    at = now;
    await expect(completeSignIn(deps, tokenIn(mail[0]!))).resolves.toMatchObject({ personId: 'ana' });
  });
});

describe('session cookie', () => {
  const session = newSession({ personId: 'ana', name: 'Ana', email: ana.email }, now);
  const cookieValue = (setCookie: string) => setCookie.split(';')[0]!;

  it('is HttpOnly, SameSite=Lax, scoped to /console, 12 hours long, and Secure over HTTPS only', () => {
    const secure = sessionCookie(session, keys.session, true);
    expect(secure).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w.-]+; Max-Age=43200; Path=/console; HttpOnly; SameSite=Lax; Secure$`));
    expect(sessionCookie(session, keys.session, false)).not.toContain('Secure');
    expect(clearedSessionCookie(true)).toBe(`${SESSION_COOKIE}=; Max-Age=0; Path=/console; HttpOnly; SameSite=Lax; Secure`);
  });

  it('reads back as the session until it expires; tampered or foreign cookies are no session', () => {
    const cookie = cookieValue(sessionCookie(session, keys.session, false));
    expect(sessionOf(['other=1', cookie], keys.session, now)).toEqual(session);
    expect(sessionOf([cookie], keys.session, new Date((session.expiresAt - 1) * 1000))).toEqual(session);
    expect(sessionOf([cookie], keys.session, new Date(session.expiresAt * 1000))).toBeUndefined();
    expect(sessionOf([cookie], keys.signIn, now)).toBeUndefined();
    expect(sessionOf([cookie.replace(/=(.)/, (_, c: string) => `=${c === 'W' ? 'X' : 'W'}`)], keys.session, now)).toBeUndefined();
    expect(sessionOf(undefined, keys.session, now)).toBeUndefined();
    expect(sessionOf([`${SESSION_COOKIE}=`], keys.session, now)).toBeUndefined();
  });
});

describe('CSRF', () => {
  const session = newSession({ personId: 'ana', name: 'Ana', email: ana.email }, now);
  const token = csrfTokenOf(session, keys.csrf);
  const check = (formToken: string | undefined, request = {}) => problemOf(() => assertSameSiteForm(session, keys.csrf, formToken, { host: 'console.example', ...request }));

  it("takes the session's own token from this site", () => {
    expect(check(token)).toBe('accepted');
    expect(check(token, { origin: 'https://console.example', secFetchSite: 'same-origin' })).toBe('accepted');
  });

  it("refuses a missing token, another session's, and requests another site sent", () => {
    const other = newSession({ personId: 'ana', name: 'Ana', email: ana.email }, now);
    expect(check(undefined)).toBe('must be the token of this session');
    expect(check(csrfTokenOf(other, keys.csrf))).toBe('must be the token of this session');
    expect(check(token, { origin: 'https://evil.example' })).toBe('must be this site');
    expect(check(token, { origin: 'null' })).toBe('must be this site');
    expect(check(token, { secFetchSite: 'cross-site' })).toBe('must be same-origin');
    expect(check(token, { secFetchSite: 'same-site' })).toBe('must be same-origin');
  });
});
