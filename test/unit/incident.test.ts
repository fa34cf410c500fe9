import { describe, expect, it } from 'vitest';
import {
  ACTION_RULES,
  dedupKeyOf,
  dedupLockId,
  isRepeatOfDoneAction,
  openIncident,
  presentIncident,
  STATES,
  type Incident,
} from '../../lambdas/domain/incident/incident';

const event = {
  service: 'athens',
  severity: 'CRIT' as const,
  title: '5xx Error Spike',
  message: 'rate above 5%',
  detectedAt: '2026-11-24T10:00:00.000Z',
};
const now = new Date('2026-11-24T10:00:05.000Z');

describe('dedup keys', () => {
  it('uses the sender dedup key as given', () => {
    expect(dedupKeyOf({ title: 'x', dedupKey: 'Disk /var' })).toBe('Disk /var');
  });

  it('derives one from the title, ignoring case and runs of white space', () => {
    expect(dedupKeyOf({ title: '  5xx   Error\tSpike ' })).toBe(dedupKeyOf({ title: '5XX ERROR SPIKE' }));
    expect(dedupKeyOf({ title: 'a' })).not.toBe(dedupKeyOf({ title: 'b' }));
  });

  it('locks per service, with a fixed-length id whatever the key length', () => {
    expect(dedupLockId('athens', 'k')).not.toBe(dedupLockId('argos', 'k'));
    expect(dedupLockId('athens', 'x'.repeat(255)).length).toBe(dedupLockId('athens', 'x').length);
  });
});

describe('openIncident', () => {
  it('opens with one occurrence and a created entry by the sender', () => {
    const incident = openIncident(event, 100001, 'devops', 'athens-nagios', now);
    expect(incident).toMatchObject({ number: 100001, state: 'OPEN', occurrences: 1, createdBy: 'athens-nagios', team: 'devops' });
    expect(incident.timeline).toEqual([{ at: now.toISOString(), type: 'created', by: 'athens-nagios' }]);
  });
});

describe('action rules', () => {
  const allowed = (action: keyof typeof ACTION_RULES) => STATES.filter((s) => ACTION_RULES[action].from.includes(s));

  it('allows OPEN → CLAIMED → RESOLVED and OPEN → RESOLVED, and nothing out of RESOLVED but a comment', () => {
    expect(allowed('claim')).toEqual(['OPEN']);
    expect(ACTION_RULES.claim.to).toBe('CLAIMED');
    expect(allowed('resolve')).toEqual(['OPEN', 'CLAIMED']);
    expect(ACTION_RULES.resolve.to).toBe('RESOLVED');
    expect(allowed('comment')).toEqual(['OPEN', 'CLAIMED', 'RESOLVED']);
    expect(ACTION_RULES.comment.to).toBeUndefined();
  });

  it('recognises the same person repeating a claim or resolve, not someone else', () => {
    const claimed = { ...openIncident(event, 1, 'devops', 'n', now), state: 'CLAIMED', claimedBy: 'safeer' } as Incident;
    expect(isRepeatOfDoneAction(claimed, 'claim', 'safeer')).toBe(true);
    expect(isRepeatOfDoneAction(claimed, 'claim', 'manoj')).toBe(false);
    expect(isRepeatOfDoneAction(claimed, 'resolve', 'safeer')).toBe(false);
    const resolved = { ...claimed, state: 'RESOLVED', resolvedBy: 'manoj' } as Incident;
    expect(isRepeatOfDoneAction(resolved, 'resolve', 'manoj')).toBe(true);
    expect(isRepeatOfDoneAction(resolved, 'comment', 'manoj')).toBe(false);
  });
});

describe('presentIncident', () => {
  it('shows no repeated entry before a repeat', () => {
    const incident = openIncident(event, 1, 'devops', 'n', now);
    expect(presentIncident(incident).timeline).toEqual(incident.timeline);
  });

  it('merges the repeats into the timeline as one entry at the latest repeat, in time order', () => {
    const incident: Incident = {
      ...openIncident(event, 1, 'devops', 'nagios', now),
      occurrences: 4,
      firstRepeatAt: '2026-11-24T10:01:00.000Z',
      lastSeenAt: '2026-11-24T10:09:00.000Z',
      lastSeenBy: 'nagios',
      timeline: [
        { at: now.toISOString(), type: 'created', by: 'nagios' },
        { at: '2026-11-24T10:05:00.000Z', type: 'claimed', by: 'safeer' },
      ],
    };
    expect(presentIncident(incident).timeline).toEqual([
      { at: now.toISOString(), type: 'created', by: 'nagios' },
      { at: '2026-11-24T10:05:00.000Z', type: 'claimed', by: 'safeer' },
      { at: '2026-11-24T10:09:00.000Z', type: 'repeated', by: 'nagios', count: 3, firstAt: '2026-11-24T10:01:00.000Z' },
    ]);
  });
});
