import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageNotRecordedYet, recordDeliveryReport, type ContactProblem, type DeliveryFeedbackDeps } from '../../lambdas/domain/delivery/delivery-feedback';
import { deliveryReportsOf, INCIDENT_TAG } from '../../lambdas/domain/delivery/delivery-reports';
import type { Incident, TimelineEntry } from '../../lambdas/domain/incident/incident';

const mail = (tags: Record<string, string[]> = { [INCIDENT_TAG]: ['42'] }) => ({
  timestamp: '2026-11-24T10:00:00.000Z',
  messageId: '0100018c-abc',
  source: 'oncall@example.com',
  destination: ['ana@example.com'],
  tags: { 'ses:configuration-set': ['pages'], ...tags },
});

describe('delivery reports', () => {
  it('read SES bounces, complaints, deliveries, delays and rejects, tied to the incident by the tag', () => {
    const bounce = {
      eventType: 'Bounce',
      mail: mail(),
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'ana@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }], timestamp: '2026-11-24T10:00:02.000Z', feedbackId: 'x' },
    };
    expect(deliveryReportsOf(bounce)).toEqual([
      { incident: 42, messageId: '0100018c-abc', to: 'ana@example.com', outcome: 'bounced', badContact: true, detail: 'hard bounce: 550 5.1.1 user unknown', at: '2026-11-24T10:00:02.000Z' },
    ]);
    const soft = { ...bounce, bounce: { ...bounce.bounce, bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'ana@example.com' }] } };
    expect(deliveryReportsOf(soft)[0]).toMatchObject({ outcome: 'bounced', badContact: false, detail: 'soft bounce: MailboxFull' });
    const complaint = { eventType: 'Complaint', mail: mail(), complaint: { complainedRecipients: [{ emailAddress: 'ana@example.com' }], timestamp: '2026-11-24T10:05:00.000Z' } };
    expect(deliveryReportsOf(complaint)[0]).toMatchObject({ outcome: 'complained', badContact: true });
    const delivery = { eventType: 'Delivery', mail: mail(), delivery: { timestamp: '2026-11-24T10:00:01.000Z', recipients: ['ana@example.com'], smtpResponse: '250 2.0.0 OK' } };
    expect(deliveryReportsOf(delivery)[0]).toMatchObject({ outcome: 'delivered', badContact: false, detail: '250 2.0.0 OK' });
    const delay = { eventType: 'DeliveryDelay', mail: mail(), deliveryDelay: { delayType: 'MailboxFull', delayedRecipients: [{ emailAddress: 'ana@example.com' }], timestamp: '2026-11-24T10:30:00.000Z' } };
    expect(deliveryReportsOf(delay)[0]).toMatchObject({ outcome: 'delayed', badContact: false });
    expect(deliveryReportsOf({ eventType: 'Reject', mail: mail(), reject: { reason: 'Bad content' } })[0]).toMatchObject({ outcome: 'bounced', detail: 'rejected by SES: Bad content' });
    // Mail sent without the tag (a sign-in link) is no page's.
    expect(deliveryReportsOf({ ...bounce, mail: mail({}) })).toEqual([]);
  });

  it('read End User Messaging SMS and voice events: final ones only, by the context', () => {
    const event = (eventType: string, extra: Record<string, unknown> = {}) => ({
      eventType,
      eventVersion: '1.0',
      eventTimestamp: Date.parse('2026-11-24T10:00:03Z'),
      isFinal: true,
      destinationPhoneNumber: '+15550100001',
      messageId: 'sms-1',
      messageStatus: 'FAILED',
      messageStatusDescription: 'Destination phone number is not valid',
      context: { [INCIDENT_TAG]: '7' },
      ...extra,
    });
    expect(deliveryReportsOf(event('TEXT_INVALID'))).toEqual([
      { incident: 7, messageId: 'sms-1', to: '+15550100001', outcome: 'undelivered', badContact: true, detail: 'invalid: Destination phone number is not valid', at: '2026-11-24T10:00:03.000Z' },
    ]);
    expect(deliveryReportsOf(event('VOICE_NO_ANSWER'))[0]).toMatchObject({ outcome: 'undelivered', badContact: false, detail: 'no answer: Destination phone number is not valid' });
    expect(deliveryReportsOf(event('TEXT_DELIVERED'))[0]).toMatchObject({ outcome: 'delivered' });
    expect(deliveryReportsOf(event('TEXT_PENDING'))).toEqual([]);
    expect(deliveryReportsOf(event('TEXT_DELIVERED', { context: {} }))).toEqual([]);
  });

  it('never throw, whatever is published', () => {
    fc.assert(fc.property(fc.anything(), (message) => Array.isArray(deliveryReportsOf(message))));
    fc.assert(fc.property(fc.jsonValue(), (message) => Array.isArray(deliveryReportsOf(message))));
  });
});

describe('recording a report', () => {
  const page: TimelineEntry = { at: '2026-11-24T10:00:00.000Z', type: 'notified', by: 'inresponse', to: 'ana@example.com', level: 1, round: 0, messageId: 'm-1', note: 'as ana' };
  const report = { incident: 42, messageId: 'm-1', to: 'ana@example.com', outcome: 'bounced' as const, badContact: true, detail: 'hard bounce: 550', at: '2026-11-24T10:00:02.000Z' };

  function deps(timeline: TimelineEntry[]) {
    const incident = { number: 42, state: 'OPEN', timeline, escalation: { progress: { done: false }, paged: [] } } as unknown as Incident;
    const calls: string[] = [];
    const flagged: ContactProblem[] = [];
    const d: DeliveryFeedbackDeps = {
      incidents: {
        get: async () => incident,
        appendTimeline: async (_n, added) => void timeline.push(...added),
        moveEscalation: async (_n, from, to) => {
          calls.push(`move ${from ?? 'first'} to ${to}`);
          return { ...incident, escalationExecution: to };
        },
      },
      escalation: { start: async (i) => void calls.push(`start ${i.escalationExecution}`), stop: async () => void calls.push('stop') },
      contactProblems: { flag: async (p) => void flagged.push(p), problemsOf: async () => new Map() },
    };
    return { d, calls, flagged, timeline };
  }

  it('puts it beside its page, flags a bad contact and wakes the escalation; a report delivered again changes nothing', async () => {
    const { d, calls, flagged, timeline } = deps([page]);
    expect(await recordDeliveryReport(d, report)).toBe('recorded, escalation woken');
    expect(timeline[1]).toEqual({ at: report.at, type: 'bounced', by: 'inresponse', to: 'ana@example.com', level: 1, round: 0, messageId: 'm-1', note: 'hard bounce: 550' });
    expect(flagged).toEqual([{ to: 'ana@example.com', channel: 'email', problem: 'hard bounce: 550', at: report.at, incident: 42 }]);
    expect(calls).toEqual([expect.stringMatching(/^move first to incident-42-f-[0-9a-f]{16}$/), 'stop', expect.stringMatching(/^start incident-42-f-/)]);
    expect(await recordDeliveryReport(d, report)).toBe('duplicate');
    expect(timeline).toHaveLength(2);
  });

  it('records a delivery without waking anything, and throws for a page not recorded yet', async () => {
    const { d, calls } = deps([page]);
    expect(await recordDeliveryReport(d, { ...report, outcome: 'delivered', badContact: false })).toBe('recorded');
    expect(calls).toEqual([]);
    await expect(recordDeliveryReport(d, { ...report, messageId: 'm-2' })).rejects.toBeInstanceOf(PageNotRecordedYet);
  });
});
