import { describe, expect, it } from 'vitest';
import { advance, freezeEscalation, type TeamProfile } from '../../lambdas/domain/escalation/escalation';
import { recipientsOf, targetOf, whoIsTargeted } from '../../lambdas/domain/oncall/targets';
import type { Schedule } from '../../lambdas/domain/oncall/schedule';
import { openIncident, type Incident, type TimelineEntry } from '../../lambdas/domain/incident/incident';
import { escalate, type EscalationDeps } from '../../lambdas/domain/escalation/escalation-use-case';
import type { MaintenanceWindow } from '../../lambdas/domain/maintenance/maintenance';
import { MAX_SUBJECT_CHARACTERS, renderPage } from '../../lambdas/domain/notification/notification';
import { DEFAULT_ESCALATION_MATRIX } from '../../lambdas/domain/oncall/oncall-config';

const team = (escalation = DEFAULT_ESCALATION_MATRIX): TeamProfile => ({
  name: 'ops',
  timeZone: 'Europe/Paris',
  defaultContact: 'lead@example.com',
  escalation,
});
const opened = new Date('2026-11-24T10:00:00Z');

describe('escalation progress', () => {
  it('fires the first level at once, the next after its delay, then ends', () => {
    const snapshot = freezeEscalation(team(), opened, opened);
    expect(snapshot.progress).toEqual({ done: false, round: 0, level: 0, nextAt: '2026-11-24T10:00:00.000Z' });
    const second = advance(snapshot, opened);
    expect(second).toEqual({ done: false, round: 0, level: 1, nextAt: '2026-11-24T10:10:00.000Z' });
    expect(advance({ ...snapshot, progress: second }, new Date('2026-11-24T10:10:00Z'))).toEqual({
      done: true,
      endedAt: '2026-11-24T10:10:00.000Z',
      reason: 'exhausted',
    });
  });

  it('counts delays from when a level really fired, and repeats after repeatAfterMinutes', () => {
    const snapshot = freezeEscalation(team({ ...DEFAULT_ESCALATION_MATRIX, repeat: 1, repeatAfterMinutes: 30 }), opened, opened);
    const last = { done: false as const, round: 0, level: 1, nextAt: '2026-11-24T10:10:00.000Z' };
    // Fired late (a restart): the repeat is due 30 minutes after the late firing.
    expect(advance({ ...snapshot, progress: last }, new Date('2026-11-24T10:12:00Z'))).toEqual({
      done: false,
      round: 1,
      level: 0,
      nextAt: '2026-11-24T10:42:00.000Z',
    });
    expect(advance({ ...snapshot, progress: { ...last, round: 1 } }, opened).done).toBe(true);
  });

  it('delays the first level when the matrix says so', () => {
    const delayed = { ...DEFAULT_ESCALATION_MATRIX, levels: [{ delayMinutes: 5, targets: ['schedule:oncall' as const] }] };
    expect(freezeEscalation(team(delayed), opened, new Date('2026-11-24T10:01:00Z')).progress).toMatchObject({ nextAt: '2026-11-24T10:05:00.000Z' });
  });
});

describe('recipients', () => {
  const at = Date.parse('2026-11-24T10:00:00Z');
  const day = { from: Date.parse('2026-11-24T00:00:00+01:00'), to: Date.parse('2026-11-25T00:00:00+01:00') };
  const fixed = (name: string, person: string): Schedule => ({
    name,
    timeZone: 'Europe/Paris',
    layers: [{ kind: 'fixed', name: 'calendar', shifts: [{ person, ...day }] }],
    overrides: [],
  });
  const schedules = new Map([
    ['oncall', fixed('oncall', 'safeer')],
    ['escalation', fixed('escalation', 'manoj@example.com')],
  ]);
  const people = new Map([['safeer', { name: 'Safeer', email: 'safeer@example.com', phone: '+33612345678' }]]);
  const emailOnly = new Set<never>();
  const email = (address: string) => [{ channel: 'email', address }];

  it('resolves schedule, person and address targets at the instant, each address once, saying why', () => {
    const { targeted, gaps } = whoIsTargeted(['schedule:oncall', 'email:cto@example.com', 'schedule:escalation', 'person:safeer'], at, schedules);
    expect(gaps).toEqual([]);
    expect(recipientsOf(targeted, people, 'lead@example.com', emailOnly)).toEqual([
      { address: 'safeer@example.com', person: 'safeer', as: 'schedule oncall (layer calendar)', steps: [{ afterMinutes: 0, contacts: email('safeer@example.com') }] },
      { address: 'cto@example.com', as: 'email', steps: [{ afterMinutes: 0, contacts: email('cto@example.com') }] },
      { address: 'manoj@example.com', as: 'schedule escalation (layer calendar)', steps: [{ afterMinutes: 0, contacts: email('manoj@example.com') }] },
    ]);
  });

  it('reports a gap and pages the default contact when a schedule has nobody on call', () => {
    const { targeted, gaps } = whoIsTargeted(['schedule:oncall', 'schedule:escalation'], day.to + 1, schedules);
    expect(gaps).toEqual([{ schedule: 'oncall' }, { schedule: 'escalation' }]);
    expect(recipientsOf(targeted, people, 'lead@example.com', emailOnly)).toEqual([
      { address: 'lead@example.com', as: 'default contact', steps: [{ afterMinutes: 0, contacts: email('lead@example.com') }] },
    ]);
  });

  it('pages the default contact for a person no longer in the directory', () => {
    const { targeted } = whoIsTargeted(['person:gone'], at, schedules);
    expect(recipientsOf(targeted, people, 'lead@example.com', emailOnly)).toEqual([
      { address: 'lead@example.com', as: 'default contact (no person gone)', steps: [{ afterMinutes: 0, contacts: email('lead@example.com') }] },
    ]);
  });

  it('reaches a person with a phone by SMS too, where SMS is set up', () => {
    const { targeted } = whoIsTargeted(['person:safeer'], at, schedules);
    expect(recipientsOf(targeted, people, 'lead@example.com', new Set(['sms'] as const))[0]!.steps).toEqual([{ afterMinutes: 0, contacts: [
      { channel: 'email', address: 'safeer@example.com' },
      { channel: 'sms', phone: '+33612345678' },
    ] }]);
  });

  it('reaches a person with a Slack id by a Slack direct message too, where Slack is set up, and not otherwise', () => {
    const { targeted } = whoIsTargeted(['person:safeer'], at, schedules);
    const withSlack = new Map([['safeer', { ...people.get('safeer')!, slack: 'U024BE7LH' }]]);
    expect(recipientsOf(targeted, withSlack, 'lead@example.com', new Set(['slack'] as const))[0]!.steps).toEqual([
      { afterMinutes: 0, contacts: [{ channel: 'email', address: 'safeer@example.com' }, { channel: 'slack', user: 'U024BE7LH' }] },
    ]);
    expect(recipientsOf(targeted, withSlack, 'lead@example.com', new Set(['sms'] as const))[0]!.steps[0]!.contacts.map((c) => c.channel)).toEqual(['email', 'sms']);
  });

  it('reads the targets of escalations frozen before targets had one written form', () => {
    expect([targetOf('oncall'), targetOf('escalation'), targetOf({ email: 'a@example.com' }), targetOf('person:x')]).toEqual([
      'schedule:oncall',
      'schedule:escalation',
      'email:a@example.com',
      'person:x',
    ]);
  });
});

describe('pages', () => {
  const incident = openIncident(
    { service: 'athens', severity: 'ERR', title: 'Bad <b>\nheader', message: '<img src=x onerror=alert(1)> & more', detectedAt: opened.toISOString() },
    100042,
    'ops',
    'nagios',
    opened,
  );
  const page = renderPage(incident, 'safeer@example.com', { level: 2, round: 1, links: { claim: 'https://x/actions/a?b=1&c=2', resolve: 'https://x/actions/r' } });

  it('keeps the subject on one line', () => {
    expect(page.subject).toBe('[ERR] #100042 Bad <b> header — athens (level 2)');
  });

  it('keeps a long title out of the subject but in the body: severity, number, service and level always show', () => {
    const title = `Disk full on ${'host-1234, '.repeat(170)}`;
    const long = openIncident({ service: 'athens', severity: 'CRIT', title, message: 'm', detectedAt: opened.toISOString() }, 100043, 'ops', 'nagios', opened);
    const { subject, text, html } = renderPage(long, 'safeer@example.com', { level: 1, round: 0, links: { claim: 'c', resolve: 'r' } });
    expect([...subject].length).toBeLessThanOrEqual(MAX_SUBJECT_CHARACTERS);
    expect(subject).toMatch(/^\[CRIT\] #100043 Disk full on host-1234, .*… — athens \(level 1\)$/);
    expect(text).toContain(title.trim());
    expect(html).toContain(title.trim());
  });

  it('escapes everything from the incident in the HTML part, links included', () => {
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('<b>');
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; more');
    expect(page.html).toContain('href="https://x/actions/a?b=1&amp;c=2"');
    expect(page.text).toContain('Level: 2 (repeat 1)');
  });
});

describe('an escalation in maintenance', () => {
  const window: MaintenanceWindow = {
    id: 'db-upgrade',
    services: ['athens'],
    from: '2026-11-24T09:00:00.000Z',
    to: '2026-11-24T11:00:00.000Z',
    reason: 'upgrade',
    origin: 'api',
    createdBy: 'ana',
  };

  /** An OPEN incident whose first level fired at 10:00 and whose second is due at 11:05; nothing may page. */
  function system() {
    let now = opened;
    const frozen = freezeEscalation(team(), opened, opened);
    let incident: Incident = {
      ...openIncident({ service: 'athens', severity: 'ERR', title: 'disk', message: 'm', detectedAt: opened.toISOString() }, 100001, 'ops', 'nagios', opened),
      escalation: { ...frozen, progress: { done: false, round: 0, level: 1, nextAt: '2026-11-24T11:05:00.000Z' }, paged: [] },
    };
    const unexpected = (what: string) => () => Promise.reject(new Error(`unexpected ${what}`));
    const deps = {
      incidents: {
        get: async () => incident,
        appendTimeline: async (_: number, entries: readonly TimelineEntry[]) => {
          incident = { ...incident, timeline: [...incident.timeline, ...entries] };
        },
        freezeEscalation: unexpected('freeze'),
        setEscalationProgress: unexpected('progress'),
        changeUrgency: unexpected('urgency change'),
      },
      onCall: { findTeam: unexpected('team read'), findSchedules: unexpected('schedules read'), findPeople: unexpected('people read') },
      notifier: { notify: unexpected('page') },
      channels: new Set(),
      linkTo: () => 'link',
      threads: { rememberThread: unexpected('thread') },
      maintenance: { windows: async () => [window], window: async () => window },
      clock: () => now,
    } as unknown as EscalationDeps;
    const entries = () => incident.timeline.filter((e) => e.type === 'held' || e.type === 'resumed').map(({ type, maintenance, note }) => ({ type, maintenance, note }));
    const at = (iso: string) => {
      now = new Date(iso);
    };
    return { deps, entries, at };
  }

  it('says once on the timeline that it is held, then that it resumed, and resumes at the level reached', async () => {
    const { deps, entries, at } = system();
    expect(await escalate(deps, { incidentId: 100001 })).toEqual({
      incidentId: 100001,
      done: false,
      wakes: [{ incidentId: 100001, at: window.to }],
      waitUntil: window.to,
    });
    // A retried step, or another wake inside the window, adds nothing.
    at('2026-11-24T10:30:00Z');
    await escalate(deps, { incidentId: 100001 });
    const held = { type: 'held', maintenance: 'db-upgrade', note: 'escalation held: service athens in maintenance db-upgrade until 2026-11-24T11:00:00.000Z' };
    expect(entries()).toEqual([held]);

    at(window.to);
    expect(await escalate(deps, { incidentId: 100001 })).toMatchObject({ done: false, waitUntil: '2026-11-24T11:05:00.000Z' });
    at('2026-11-24T11:01:00Z');
    await escalate(deps, { incidentId: 100001 });
    expect(entries()).toEqual([held, { type: 'resumed', maintenance: 'db-upgrade', note: 'escalation resumed: maintenance db-upgrade is over' }]);
  });
});
