import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_URGENCY_POLICY,
  inSupportHours,
  nextSupportHoursStart,
  supportHoursSchema,
  urgencyAtOpen,
  urgencyPolicySchema,
} from '../../lambdas/domain/escalation/urgency';
import { personalSteps } from '../../lambdas/domain/notification/personal-rules';
import type { ContactMethod } from '../../lambdas/domain/notification/notification';
import { personSchema } from '../../lambdas/domain/oncall/schedule-config';
import { wallClockOf } from '../../lambdas/domain/oncall/zoned-time';

const MINUTE = 60_000;
const newYork = supportHoursSchema.parse({
  timeZone: 'America/New_York',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }],
  holidays: ['2026-11-26'],
});

describe('support hours', () => {
  it('open at 08:00 local on weekdays, whatever the offset, and not on a holiday', () => {
    expect(inSupportHours(newYork, Date.parse('2026-11-02T12:59:00Z'))).toBe(false); // 07:59 EST
    expect(inSupportHours(newYork, Date.parse('2026-11-02T13:00:00Z'))).toBe(true);
    expect(inSupportHours(newYork, Date.parse('2026-10-30T12:00:00Z'))).toBe(true); // 08:00 EDT
    expect(inSupportHours(newYork, Date.parse('2026-11-26T15:00:00Z'))).toBe(false); // Thanksgiving
    expect(inSupportHours(newYork, Date.parse('2026-11-28T15:00:00Z'))).toBe(false); // Saturday
  });

  it('start next at the first window of a working day: over a weekend, a clock change and a holiday', () => {
    expect(new Date(nextSupportHoursStart(newYork, Date.parse('2026-10-30T23:00:00Z'))!).toISOString()).toBe('2026-11-02T13:00:00.000Z');
    expect(new Date(nextSupportHoursStart(newYork, Date.parse('2026-11-25T23:00:00Z'))!).toISOString()).toBe('2026-11-27T13:00:00.000Z');
  });

  it('always answer an instant that opens the hours, with none opening between (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }), (at) => {
        const next = nextSupportHoursStart(newYork, at)!;
        expect(next).toBeGreaterThan(at);
        expect(inSupportHours(newYork, next)).toBe(true);
        expect(inSupportHours(newYork, next - MINUTE)).toBe(false);
        expect(wallClockOf(next, 'America/New_York')).toMatchObject({ hour: 8, minute: 0 });
        // Outside the hours, they stay closed until then.
        if (!inSupportHours(newYork, at)) {
          for (let t = at + 15 * MINUTE; t < next; t += 15 * MINUTE) expect(inSupportHours(newYork, t)).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('urgency when an incident opens', () => {
  const policy = urgencyPolicySchema.parse({ bySeverity: { CRIT: 'high', ERR: 'high', WARN: 'high' }, supportHours: newYork });

  it('follow the severity by default: CRIT and ERR high, WARN low', () => {
    expect(['CRIT', 'ERR', 'WARN'].map((s) => urgencyAtOpen(DEFAULT_URGENCY_POLICY, s as 'CRIT', 0).urgency)).toEqual(['high', 'high', 'low']);
  });

  it('lower a high incident outside support hours until they start', () => {
    expect(urgencyAtOpen(policy, 'WARN', Date.parse('2026-11-02T08:00:00Z'))).toEqual({ urgency: 'low', raiseAt: '2026-11-02T13:00:00.000Z' });
    expect(urgencyAtOpen(policy, 'WARN', Date.parse('2026-11-02T14:00:00Z'))).toEqual({ urgency: 'high' });
  });

  it("take the event's urgency as sent only where the service allows it", () => {
    expect(urgencyAtOpen({ ...policy, fromEvents: true }, 'CRIT', Date.parse('2026-11-02T08:00:00Z'), 'high')).toEqual({ urgency: 'high' });
    expect(urgencyAtOpen(policy, 'CRIT', Date.parse('2026-11-02T08:00:00Z'), 'high')).toMatchObject({ urgency: 'low' });
  });
});

describe('personal notification rules', () => {
  const contacts: ContactMethod[] = [
    { channel: 'email', address: 'ana@example.com' },
    { channel: 'sms', phone: '+33612345678' },
    { channel: 'voice', phone: '+33612345678' },
  ];

  it('default to every contact at once when high, and email when low', () => {
    expect(personalSteps(undefined, 'high', contacts)).toEqual([{ afterMinutes: 0, contacts }]);
    expect(personalSteps(undefined, 'low', contacts)).toEqual([{ afterMinutes: 0, contacts: [contacts[0]] }]);
  });

  it("follow the person's steps in their channel order, skipping channels they cannot be reached on", () => {
    const rules = {
      high: [
        { afterMinutes: 0, channels: ['sms', 'slack'] as const },
        { afterMinutes: 2, channels: ['slack'] as const },
        { afterMinutes: 5, channels: ['voice', 'email'] as const },
      ],
    };
    expect(personalSteps(rules, 'high', contacts)).toEqual([
      { afterMinutes: 0, contacts: [contacts[1]] },
      { afterMinutes: 5, contacts: [contacts[2], contacts[0]] },
    ]);
    expect(personalSteps({ high: [{ afterMinutes: 0, channels: ['slack'] }] }, 'high', contacts)).toEqual([{ afterMinutes: 0, contacts: [contacts[0]] }]);
  });

  it('refuse steps out of order, naming the field', () => {
    const parsed = personSchema.safeParse({
      name: 'A',
      email: 'a@example.com',
      notificationRules: { high: [{ afterMinutes: 5, channels: ['sms'] }, { afterMinutes: 2, channels: ['voice'] }] },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['notificationRules', 'high']);
  });
});
