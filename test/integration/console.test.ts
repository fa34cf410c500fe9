import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { sentEmails } from '../support/mailbox';
import { eventually } from '../support/time';

const config = onCallConfigSchema.parse({
  people: { ana: { name: 'Ana Ops', email: 'ana@example.com', timeZone: 'Europe/Paris' } },
  teams: { ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ana'] }] } } },
  services: { pay: { team: 'ops' } },
  apiKeys: { 'pay-key': { role: 'integration', service: 'pay' }, responders: { role: 'responder' } },
  statusPages: { public: { title: 'Example status', visibility: 'public', components: [{ service: 'pay', name: 'Payments' }] } },
});

let system: TestSystem;
/** How far the runtime's clock runs ahead of real time: moved to expire a link, with no fake timers. */
let ahead = 0;
beforeAll(async () => {
  system = await startTestSystem({ config, clock: () => new Date(Date.now() + ahead) });
});
afterAll(() => system.stop());

interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly cookie?: string;
  readonly text: string;
}

/** One request, redirects not followed, as a browser sends forms; the session cookie it set, if any. */
async function browse(method: string, path: string, init: { cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(system.runtime.apiUrl + path, {
    method,
    redirect: 'manual',
    headers: {
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...init.headers,
    },
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
  });
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  return { status: res.status, location: res.headers.get('location'), ...(cookie ? { cookie } : {}), text: await res.text() };
}

const signInMails = async (to: string) => (await sentEmails(system.runtime.sesUrl)).filter((m) => m.subject.startsWith('Sign in') && m.to.includes(to));
const linkIn = (text: string) => new URL(/https?:\/\/\S+\/console\/auth\/\S+/.exec(text)![0]).pathname;

/** Asks for a link for Ana and answers its path, from the mail SES took. */
async function mailedLink(): Promise<string> {
  const before = (await signInMails('ana@example.com')).length;
  const asked = await browse('POST', '/console/sign-in', { form: { email: 'ana@example.com' } });
  expect(asked.status).toBe(200);
  const mails = await eventually('the sign-in mail', async () => {
    const found = await signInMails('ana@example.com');
    return found.length > before && found;
  });
  return linkIn(mails.at(-1)!.text);
}

/** What the confirm button of a link's page sends: a POST from the console's own page. */
const confirm = (link: string) => browse('POST', link, { form: {}, headers: { origin: system.runtime.apiUrl, 'sec-fetch-site': 'same-origin' } });

async function signIn(): Promise<string> {
  const link = await mailedLink();
  expect((await browse('GET', link)).status).toBe(200);
  const confirmed = await confirm(link);
  expect(confirmed.status).toBe(303);
  expect(confirmed.location).toBe('/console');
  return confirmed.cookie!;
}

const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1]!;

async function raise(dedupKey: string): Promise<number> {
  const res = await system.request('PUT', '/incidents', { key: system.keys['pay-key']!, body: validEvent({ service: 'pay', title: `pay ${dedupKey}`, dedupKey, detectedAt: new Date().toISOString() }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
}

describe('console sign-in', () => {
  it('sends to sign in without a session, and signs in once through the mailed link', async () => {
    const anonymous = await browse('GET', '/console/incidents');
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe('/console/sign-in');
    expect((await browse('GET', '/console/sign-in')).text).toContain('<label for="f-email">');

    const link = await mailedLink();
    const opened = await browse('GET', link);
    expect(opened.status).toBe(200);
    expect(opened.cookie).toBeUndefined();
    expect(opened.text).toContain('<h1>Sign in as Ana Ops</h1>');
    expect(opened.text).toContain(`<form method="post" action="${link}">`);
    const confirmed = await confirm(link);
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe('/console');
    expect(confirmed.cookie).toMatch(/^inresponse_console=/);
    const page = await browse('GET', '/console/incidents', { cookie: confirmed.cookie! });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<span id="signed-in-as">Ana Ops</span>');

    for (const reused of [await browse('GET', link), await confirm(link)]) {
      expect(reused.status).toBe(409);
      expect(reused.cookie).toBeUndefined();
      expect(reused.text).toContain('This sign-in link was already used.');
      expect(reused.text).toContain('<a id="new-link" href="/console/sign-in">');
    }
  });

  it('is not used up by opening the link, as a mail scanner does: only the confirmation signs in', async () => {
    const link = await mailedLink();
    // The scanner fetches the link, twice, without cookies or browser headers.
    for (let fetches = 0; fetches < 2; fetches++) {
      const scanned = await browse('GET', link);
      expect(scanned.status).toBe(200);
      expect(scanned.cookie).toBeUndefined();
    }
    const confirmed = await confirm(link);
    expect(confirmed.status).toBe(303);
    expect(confirmed.cookie).toMatch(/^inresponse_console=/);
  });

  it('refuses a confirmation another site sends, and a tampered link, without using the link', async () => {
    const link = await mailedLink();
    expect((await browse('POST', link, { form: {}, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await browse('POST', link, { form: {}, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    const tampered = await browse('GET', `${link.slice(0, -2)}xx`);
    expect(tampered.status).toBe(400);
    expect(tampered.text).toContain('invalid signature');
    expect(tampered.text).toContain('Ask for a new sign-in link');
    expect((await confirm(link)).status).toBe(303);
  });

  it('refuses an expired link', async () => {
    const link = await mailedLink();
    ahead = 11 * 60_000;
    try {
      for (const expired of [await browse('GET', link), await confirm(link)]) {
        expect(expired.status).toBe(400);
        expect(expired.text).toContain('has expired');
        expect(expired.cookie).toBeUndefined();
      }
    } finally {
      ahead = 0;
    }
  });

  it('answers an unknown address as a known one, and mails nothing', async () => {
    const before = (await sentEmails(system.runtime.sesUrl)).length;
    const unknown = await browse('POST', '/console/sign-in', { form: { email: 'nobody@example.com' } });
    const known = await browse('POST', '/console/sign-in', { form: { email: 'ana@example.com' } });
    expect(unknown.status).toBe(200);
    expect(unknown.text).toBe(known.text);
    await eventually('the known address’s mail', async () => (await sentEmails(system.runtime.sesUrl)).length > before);
    expect(await signInMails('nobody@example.com')).toEqual([]);
  });

  it('names the bad field of a form', async () => {
    const bad = await browse('POST', '/console/sign-in', { form: { email: 'not an address' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('email must be an email address');
  });

  it('signs out: the cookie is cleared', async () => {
    const cookie = await signIn();
    const page = await browse('GET', '/console/incidents', { cookie });
    const out = await browse('POST', '/console/sign-out', { cookie, form: { csrf: csrfOf(page.text) } });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/console/sign-in');
    expect(out.cookie).toBe('inresponse_console=');
  });
});

describe('console actions', () => {
  it('claims through the form as the signed-in person', async () => {
    const cookie = await signIn();
    const number = await raise('claim-form');
    const page = await browse('GET', `/console/incidents/${number}`, { cookie });
    expect(page.text).toContain('<button id="claim" type="submit">Claim</button>');
    const claimed = await browse('POST', `/console/incidents/${number}`, {
      cookie,
      form: { csrf: csrfOf(page.text), action: 'claim' },
      headers: { origin: system.runtime.apiUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(claimed.status).toBe(303);
    expect(claimed.location).toBe(`/console/incidents/${number}`);
    const incident = (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;
    expect(incident).toMatchObject({ state: 'CLAIMED', claimedBy: 'ana@example.com' });
    expect((await browse('GET', `/console/incidents/${number}`, { cookie })).text).toContain('by ana@example.com');
  });

  it('refuses a POST without or with a wrong CSRF token, or from another site, and changes nothing', async () => {
    const cookie = await signIn();
    const number = await raise('csrf');
    const token = csrfOf((await browse('GET', `/console/incidents/${number}`, { cookie })).text);
    const attempts: { form: Record<string, string>; headers?: Record<string, string> }[] = [
      { form: { action: 'resolve' } },
      { form: { action: 'resolve', csrf: 'not-the-token' } },
      { form: { action: 'resolve', csrf: token }, headers: { origin: 'https://evil.example' } },
      { form: { action: 'resolve', csrf: token }, headers: { 'sec-fetch-site': 'cross-site' } },
    ];
    for (const attempt of attempts) expect((await browse('POST', `/console/incidents/${number}`, { cookie, ...attempt })).status).toBe(403);
    const incident = (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;
    expect(incident.state).toBe('OPEN');
    expect(incident.timeline.filter((e: { type: string }) => e.type === 'resolved')).toEqual([]);
  });

  it('lists incidents newest first, and serves the table alone as a fragment', async () => {
    const cookie = await signIn();
    const [older, newer] = [await raise('list-1'), await raise('list-2')];
    const page = await browse('GET', '/console/incidents?state=OPEN&team=ops', { cookie });
    expect(page.text.indexOf(`#${newer} `)).toBeLessThan(page.text.indexOf(`#${older} `));
    const fragment = await browse('GET', '/console/incidents?fragment=1', { cookie });
    expect(fragment.text).toMatch(/^<div id="incidents">/);
    expect((await browse('GET', '/console/incidents?severity=LOUD', { cookie })).status).toBe(400);
  });

  it('posts a status update and overrides a component as the signed-in person; a form sent twice posts once', async () => {
    const cookie = await signIn();
    const same = { origin: system.runtime.apiUrl, 'sec-fetch-site': 'same-origin' };
    const view = await browse('GET', '/console/status', { cookie });
    expect(view.text).toContain(`href="${system.runtime.apiUrl}/status/public/"`);
    const id = /name="id" value="([^"]+)"/.exec(view.text)![1]!;
    const form = { csrf: csrfOf(view.text), id, status: 'investigating', text: 'Card payments fail <for some>', components: 'pay' };
    for (const attempt of [1, 2]) {
      const posted = await browse('POST', '/console/status/public/updates', { cookie, form, headers: same });
      expect(posted.status, `attempt ${attempt}`).toBe(303);
      expect(posted.location).toBe('/console/status#page-public');
    }
    const updates = (await system.request('GET', '/status-pages/public/updates', { key: system.keys.responders! })).body.items;
    expect(updates).toMatchObject([{ id, status: 'investigating', text: 'Card payments fail <for some>', components: ['pay'], createdBy: 'ana@example.com' }]);
    expect((await browse('GET', '/console/status', { cookie })).text).toContain('Card payments fail &lt;for some&gt;');

    const overridden = await browse('POST', '/console/status/public/overrides', { cookie, form: { csrf: form.csrf, component: 'pay', status: 'partial_outage', note: 'Slow cards' }, headers: same });
    expect(overridden.status).toBe(303);
    const listed = (await system.request('GET', '/status-pages', { key: system.keys.responders! })).body.items;
    expect(listed[0].components[0]).toMatchObject({ id: 'pay', status: 'partial_outage', override: { note: 'Slow cards', setBy: 'ana@example.com' } });
    expect((await browse('GET', '/console/status', { cookie })).text).toContain('Remove override');
    const removed = await browse('POST', '/console/status/public/overrides/remove', { cookie, form: { csrf: form.csrf, component: 'pay' }, headers: same });
    expect(removed.status).toBe(303);
    expect((await system.request('GET', '/status-pages', { key: system.keys.responders! })).body.items[0].components[0].override).toBeUndefined();
  });

  it('refuses a bad status form with a page naming the fields, and posts nothing', async () => {
    const cookie = await signIn();
    const csrf = csrfOf((await browse('GET', '/console/status', { cookie })).text);
    const before = (await system.request('GET', '/status-pages/public/updates', { key: system.keys.responders! })).body.items.length;
    const bad = await browse('POST', '/console/status/public/updates', { cookie, form: { csrf, status: 'panicking', text: 'x', components: 'shop' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('status must be one of investigating, identified, monitoring, resolved');
    const stranger = await browse('POST', '/console/status/public/updates', { cookie, form: { csrf, status: 'identified', text: 'x', components: 'shop' } });
    expect(stranger.status).toBe(400);
    expect(stranger.text).toContain('components.0 shop is not a component of public');
    expect((await browse('POST', '/console/status/nowhere/updates', { cookie, form: { csrf, status: 'identified', text: 'x' } })).status).toBe(404);
    expect((await browse('POST', '/console/status/public/overrides/remove', { cookie, form: { csrf, component: 'pay' } })).status).toBe(404);
    expect((await system.request('GET', '/status-pages/public/updates', { key: system.keys.responders! })).body.items).toHaveLength(before);
  });

  it('shows the other views', async () => {
    const cookie = await signIn();
    for (const [path, text] of [
      ['/console/oncall', 'Who is on call now'],
      ['/console/maintenance', 'Start a window'],
      ['/console/heartbeats', 'Heartbeats'],
      ['/console/events?service=pay', 'Latest events of pay'],
      ['/console/reports?days=30', 'Reports, last 30 days'],
      ['/console/status', 'Example status'],
    ] as const) {
      const page = await browse('GET', path, { cookie });
      expect(page.status, path).toBe(200);
      expect(page.text, path).toContain(text);
    }
  });
});
