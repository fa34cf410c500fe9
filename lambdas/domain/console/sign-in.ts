import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { signFields, verifiedFields } from '../access/signed-token';
import type { EmailMessage } from '../notification/notification';
import { escapeHtml } from '../notification/notification';
import type { Clock } from '../shared/clock';
import { ConflictError, ValidationError } from '../shared/errors';
import type { Person } from '../oncall/schedule-config';
import { newSession, type ConsoleSession } from './session';

/** How long a mailed sign-in link works. */
export const SIGN_IN_LINK_LIFETIME_SECONDS = 10 * 60;

/** What a sign-in link names: its own id (for single use), the person, and its expiry. */
export interface SignInLink {
  readonly id: string;
  readonly personId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** The people who may sign in: those of the on-call config, found by their address. */
export interface ConsolePeople {
  findPersonBy(field: 'email', value: string): Promise<{ readonly id: string; readonly name: string; readonly email: string } | undefined>;
  findPeople(ids: readonly string[]): Promise<ReadonlyMap<string, Pick<Person, 'name' | 'email'>>>;
}

/** Remembers the sign-in links used, until they expire, so that each signs in once. */
export interface UsedSignInLinks {
  /** Records the link as used; false if it was already (a conditional write). */
  markUsed(link: SignInLink): Promise<boolean>;
  /** Whether the link was used: read, never written, so that showing a link's page does not use it up. */
  wasUsed(link: SignInLink): Promise<boolean>;
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

export interface SignInDeps {
  readonly people: ConsolePeople;
  readonly used: UsedSignInLinks;
  readonly mailer: Mailer;
  /** The key of sign-in links ({@link consoleKeys}). */
  readonly key: string;
  readonly clock: Clock;
}

/** Body of `POST /console/sign-in`. */
export const signInFormSchema = z.strictObject({
  email: z.email({ error: 'must be an email address' }).max(254, 'must be at most 254 characters'),
});

export const signSignInLink = (link: SignInLink, key: string): string => signFields(['sign-in', link.id, link.personId, link.expiresAt], key);

const refused = (problem: string) => new ValidationError(`this sign-in link ${problem}`, [{ field: 'token', problem }]);

/** The link a token stands for, if its signature holds and it has not expired; else a 400 naming why. */
export function verifySignInLink(token: string, key: string, now: Date): SignInLink {
  const [kind, id, personId, expiresAt] = verifiedFields(token, key, 'this sign-in link');
  if (kind !== 'sign-in' || typeof id !== 'string' || typeof personId !== 'string' || typeof expiresAt !== 'number') throw refused('is malformed');
  if (expiresAt * 1000 <= now.getTime()) throw refused('has expired');
  return { id, personId, expiresAt };
}

/**
 * Mails a sign-in link to the address if it is a person's; does nothing otherwise. The caller answers the
 * same either way, so that the form tells no one who has an account.
 */
export async function requestSignIn(deps: SignInDeps, email: string, linkUrl: (token: string) => string): Promise<void> {
  const person = await deps.people.findPersonBy('email', email);
  if (!person) return;
  const expiresAt = Math.floor(deps.clock().getTime() / 1000) + SIGN_IN_LINK_LIFETIME_SECONDS;
  const url = linkUrl(signSignInLink({ id: randomBytes(16).toString('base64url'), personId: person.id, expiresAt }, deps.key));
  await deps.mailer.send(signInMail(person.email, person.name, url));
}

/** Who a sign-in link would sign in, as its confirmation page names them. */
export type SignInPerson = Pick<Person, 'name' | 'email'>;

type LinkDeps = Pick<SignInDeps, 'people' | 'used' | 'key' | 'clock'>;

const alreadyUsed = () => new ConflictError('this sign-in link was already used', [{ field: 'token', problem: 'was already used' }]);

/** The link a token stands for and the person it names, if it verifies and that person is still configured. */
async function linkAndPerson(deps: LinkDeps, token: string, now: Date): Promise<{ readonly link: SignInLink; readonly person: SignInPerson }> {
  const link = verifySignInLink(token, deps.key, now);
  const person = (await deps.people.findPeople([link.personId])).get(link.personId);
  if (!person) throw refused('names a person who is no longer configured');
  return { link, person };
}

/**
 * The person a valid, unused link would sign in, changing nothing: `GET` of a link answers this, so that a mail
 * scanner opening every link of a mail does not use the person's link up. A used link is refused (409) here too,
 * so that the page says so before the person presses anything.
 */
export async function previewSignIn(deps: LinkDeps, token: string): Promise<SignInPerson> {
  const { link, person } = await linkAndPerson(deps, token, deps.clock());
  if (await deps.used.wasUsed(link)) throw alreadyUsed();
  return person;
}

/** The session a valid, unused link opens, using the link up; a used one is refused (409), whoever presents it. */
export async function completeSignIn(deps: LinkDeps, token: string): Promise<ConsoleSession> {
  const now = deps.clock();
  const { link, person } = await linkAndPerson(deps, token, now);
  if (!(await deps.used.markUsed(link))) throw alreadyUsed();
  return newSession({ personId: link.personId, name: person.name, email: person.email }, now);
}

function signInMail(to: string, name: string, url: string): EmailMessage {
  const minutes = SIGN_IN_LINK_LIFETIME_SECONDS / 60;
  return {
    to,
    subject: 'Sign in to the InResponse console',
    text: `Hello ${name},\n\nOpen this link to sign in to the InResponse console. It works once, for ${minutes} minutes:\n\n${url}\n\nIf you did not ask for it, ignore this mail.\n`,
    html: `<p>Hello ${escapeHtml(name)},</p><p>Open this link to sign in to the InResponse console. It works once, for ${minutes} minutes:</p><p><a href="${escapeHtml(url)}">Sign in</a></p><p>If you did not ask for it, ignore this mail.</p>`,
  };
}
