import { ValidationError } from '../shared/errors';
import { signFields, verifiedFields } from './signed-token';

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

/** A token naming the incident, action, recipient and expiry, signed with HMAC-SHA256 (the link secret itself as key). */
export function signActionLink(link: ActionLink, secret: string): string {
  return signFields([link.incident, link.action, link.by, link.expiresAt], secret);
}

/** The link a token stands for, if its signature holds and it has not expired; else a 400 naming why. */
export function verifyActionLink(token: string, secret: string, now: Date): ActionLink {
  const [incident, action, by, expiresAt] = verifiedFields(token, secret, 'this link') as [number, LinkAction, string, number];
  if (expiresAt * 1000 <= now.getTime()) {
    throw new ValidationError('this link has expired', [{ field: 'token', problem: 'has expired' }]);
  }
  return { incident, action, by, expiresAt };
}
