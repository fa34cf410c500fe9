import { describe, expect, it } from 'vitest';
import { calendarDays } from '../../lambdas/domain/console/console-queries';
import { CONTENT_SECURITY_POLICY } from '../../lambdas/domain/console/layout';
import { confirmSignInPage, incidentPage, incidentTable, schedulePage, signInLinkRefusedPage } from '../../lambdas/domain/console/views';
import type { Incident } from '../../lambdas/domain/incident/incident';

const viewer = { name: 'Ana <Ops>', email: 'ana@example.com', csrf: 'tok"en' };
const incident: Incident = {
  number: 7,
  service: 'pay',
  team: 'ops',
  severity: 'CRIT',
  state: 'OPEN',
  title: '<script>alert(1)</script>',
  message: 'a & b',
  dedupKey: 'k',
  links: [{ href: 'javascript:alert(1)', text: 'bad' }, { href: 'https://grafana.example/d/1?a=1&b=2', text: 'graph' }],
  detectedAt: '2026-11-24T10:00:00Z',
  createdAt: '2026-11-24T10:00:00Z',
  createdBy: 'pay-key',
  occurrences: 1,
  lastSeenAt: '2026-11-24T10:00:00Z',
  timeline: [{ at: '2026-11-24T10:00:05Z', type: 'notified', by: 'inresponse', to: '+33612345678', channel: 'sms', level: 1 }],
};

describe('console pages', () => {
  it('ask to confirm a sign-in with a form posting to the link itself, escaped; a refused link says why and leads to a new one', () => {
    const page = confirmSignInPage('Ana <Ops>', 'a.b"c');
    expect(page).toContain('<h1>Sign in as Ana &lt;Ops&gt;</h1>');
    expect(page).toContain('<form method="post" action="/console/auth/a.b%22c">');
    expect(page).toContain('<button id="confirm-sign-in" type="submit">Sign in as Ana &lt;Ops&gt;</button>');
    const refused = signInLinkRefusedPage('this sign-in link was already used');
    expect(refused).toContain('<p id="message" class="error">This sign-in link was already used.</p>');
    expect(refused).toContain('<a id="new-link" href="/console/sign-in">');
  });

  it('escape everything they show, and link only web addresses', () => {
    const page = incidentPage(viewer, incident);
    expect(page).not.toContain('<script>alert');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('Ana &lt;Ops&gt;');
    expect(page).toContain('value="tok&quot;en"');
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain('<a href="https://grafana.example/d/1?a=1&amp;b=2" rel="noreferrer">graph</a>');
  });

  it('show each page with its channel, and the forms an open incident allows', () => {
    const page = incidentPage(viewer, incident);
    expect(page).toContain('<td>+33612345678</td><td>sms</td>');
    expect(page).toContain('id="claim"');
    expect(page).toContain('id="resolve"');
    expect(incidentPage(viewer, { ...incident, state: 'RESOLVED' })).not.toContain('id="resolve"');
  });

  it('run only their own style and refresh script', () => {
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'; style-src 'sha256-[\w+/=]+'; script-src 'sha256-[\w+/=]+'/);
    expect(incidentTable({ items: [] }, {})).toBe('<div id="incidents"><p id="incident-table">No incidents match.</p></div>');
  });
});

describe('schedule calendar days', () => {
  it("put each shift on every day of the schedule's zone it overlaps", () => {
    const shifts = [
      // 23:00 to 01:00 in Paris (UTC+1): two Paris days.
      { start: '2026-11-24T22:00:00Z', end: '2026-11-25T00:00:00Z' },
      // Ends at Paris midnight exactly: one day.
      { start: '2026-11-25T08:00:00Z', end: '2026-11-25T23:00:00Z' },
    ];
    const days = calendarDays(shifts, 'Europe/Paris', new Date('2026-11-24T12:00:00Z'), 3);
    expect(days.map((d) => [d.date, d.shifts.length])).toEqual([
      ['2026-11-24', 1],
      ['2026-11-25', 2],
      ['2026-11-26', 0],
    ]);
  });

  it('say "until" of a shift begun before the calendar, and "from" of one going on after it, not the calendar’s own bounds', () => {
    const shift = (person: string, start: string, end: string) => ({ person, name: person, email: `${person}@example.com`, layer: 'weekly', start, end });
    const [from, to] = ['2026-11-23T12:00:00.000Z', '2026-12-09T12:00:00.000Z'];
    const page = schedulePage(viewer, {
      team: 'ops',
      schedule: 'primary',
      timeZone: 'Europe/Paris',
      from,
      to,
      days: [{ date: '2026-11-24', shifts: [shift('ana', from, '2026-11-27T16:00:00.000Z'), shift('ben', '2026-11-27T16:00:00.000Z', '2026-12-04T16:00:00.000Z'), shift('cleo', '2026-12-04T16:00:00.000Z', to)] }],
    });
    expect(page).toContain('ana (ana@example.com): until <time datetime="2026-11-27T16:00:00.000Z">2026-11-27 16:00 UTC</time> (weekly)');
    expect(page).toContain('ben (ben@example.com): <time datetime="2026-11-27T16:00:00.000Z">2026-11-27 16:00 UTC</time> to <time');
    expect(page).toContain('cleo (cleo@example.com): from <time datetime="2026-12-04T16:00:00.000Z">2026-12-04 16:00 UTC</time> (weekly)');
  });
});
