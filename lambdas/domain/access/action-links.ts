import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../shared/errors';

export const LINK_ACTIONS = ['claim', 'resolve'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** What a link in a page lets its recipient do, until when. */
export interface ActionLink {
  readonly incident: number;
  readonly action: LinkAction;
  /** The recipient, recorded as who acted. */
  readonly by: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** How long a link in a page works: a day, longer than any escalation runs unattended. */
export const LINK_LIFETIME_SECONDS = 24 * 60 * 60;

const mac = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest();

/** A token naming the incident, action, recipient and expiry, signed with HMAC-SHA256. */
export function signActionLink(link: ActionLink, secret: string): string {
  const payload = Buffer.from(JSON.stringify([link.incident, link.action, link.by, link.expiresAt])).toString('base64url');
  return `${payload}.${mac(payload, secret).toString('base64url')}`;
}

const invalid = (problem: string) => new ValidationError(`this link ${problem}`, [{ field: 'token', problem }]);

/** The link a token stands for, if its signature holds and it has not expired; else a 400 naming why. */
export function verifyActionLink(token: string, secret: string, now: Date): ActionLink {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw invalid('is malformed');
  const expected = mac(payload, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('has an invalid signature');
  const [incident, action, by, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [
    number,
    LinkAction,
    string,
    number,
  ];
  if (expiresAt * 1000 <= now.getTime()) throw invalid('has expired');
  return { incident, action, by, expiresAt };
}
