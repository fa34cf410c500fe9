import { describe, expect, it } from 'vitest';
import { signActionLink, verifyActionLink, type ActionLink } from '../../lambdas/domain/access/action-links';
import type { ValidationError } from '../../lambdas/domain/shared/errors';

const secret = 'a-secret-of-the-deployment';
const now = new Date('2026-11-24T10:00:00Z');
const link: ActionLink = { incident: 100042, action: 'claim', by: 'safeer@example.com', expiresAt: now.getTime() / 1000 + 3600 };

/** The token with its payload replaced but the signature kept: what a forger would try. */
function withPayload(token: string, payload: unknown[]): string {
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${token.split('.')[1]}`;
}

const problemOf = (token: string, at = now, key = secret) => {
  try {
    verifyActionLink(token, key, at);
  } catch (error) {
    return (error as ValidationError).details[0]!.problem;
  }
  return 'accepted';
};

describe('action links', () => {
  it('verify as signed, until they expire', () => {
    const token = signActionLink(link, secret);
    expect(verifyActionLink(token, secret, now)).toEqual(link);
    expect(problemOf(token, new Date((link.expiresAt - 1) * 1000))).toBe('accepted');
    expect(problemOf(token, new Date(link.expiresAt * 1000))).toBe('has expired');
  });

  it('cannot be replayed for another incident or action, nor extended, nor forged with another key', () => {
    const token = signActionLink(link, secret);
    expect(problemOf(withPayload(token, [100043, 'claim', link.by, link.expiresAt]))).toBe('has an invalid signature');
    expect(problemOf(withPayload(token, [100042, 'resolve', link.by, link.expiresAt]))).toBe('has an invalid signature');
    expect(problemOf(withPayload(token, [100042, 'claim', link.by, link.expiresAt + 86400]))).toBe('has an invalid signature');
    expect(problemOf(withPayload(token, [100042, 'claim', 'mallory@example.com', link.expiresAt]))).toBe('has an invalid signature');
    expect(problemOf(signActionLink(link, 'another-key'))).toBe('has an invalid signature');
    expect(problemOf('garbage')).toBe('is malformed');
    expect(problemOf(`${token}.extra`)).toBe('is malformed');
  });
});
