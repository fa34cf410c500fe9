import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/sfn-escalations';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { axeViolations, browserMissing, launchChromium, screenshot } from '../support/browser';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually, StateMachineClock } from '../support/time';

const missing = browserMissing();
if (missing) console.warn(`Skipping the console browser tests: ${missing}.`);

/**
 * A team whose weekly rotation of Ana and Ben pages first and whose lead, Dan, is paged 10 minutes later if
 * nobody claims; Cleo, in no rotation, takes overrides.
 */
const config = onCallConfigSchema.parse({
  people: {
    ana: { name: 'Ana Ops', email: 'ana@example.com', timeZone: 'Europe/Paris' },
    ben: { name: 'Ben Night', email: 'ben@example.com', timeZone: 'Europe/Paris' },
    cleo: { name: 'Cleo Cover', email: 'cleo@example.com', timeZone: 'Europe/Paris' },
    dan: { name: 'Dan Lead', email: 'dan@example.com', timeZone: 'Europe/Paris' },
  },
  teams: {
    ops: {
      timeZone: 'Europe/Paris',
      defaultContact: 'lead@example.com',
      schedules: { primary: { layers: [{ name: 'weekly', rotation: { participants: ['ana', 'ben'], turn: '1 week', handoff: '2026-11-20T17:00' } }] } },
      escalation: { levels: [{ targets: ['schedule:primary'] }, { delayMinutes: 10, targets: ['person:dan'] }] },
    },
  },
  services: { pay: { team: 'ops' }, shop: { team: 'ops' } },
  heartbeats: { 'nightly-backup': { service: 'pay', intervalMinutes: 1440 } },
  apiKeys: { 'pay-key': { role: 'integration', service: 'pay' }, 'shop-key': { role: 'integration', service: 'shop' }, responders: { role: 'responder' } },
  statusPages: { public: { title: 'Example status', visibility: 'public', components: [{ service: 'pay', name: 'Payments' }] } },
});

/** Well under the 15 s the brief allows a page to show a change: the incident list refreshes every 5 s. */
const SHOWS_WITHIN_MS = 15_000;

describe.skipIf(missing)('the console in a browser', () => {
  let system: TestSystem;
  let browser: Browser;
  let page: Page;
  const secrets = new Map<string, string>();
  /** Resolved in virtual time, minutes after it was raised, so that the reports show a time to resolve. */
  let resolvedLater: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [system, browser] = await Promise.all([startTestSystem({ config, secrets }), launchChromium()]);
    const context = await browser.newContext({ baseURL: system.runtime.apiUrl, viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
    // What the page says went wrong: a script error, or anything the Content-Security-Policy refused.
    // (The SES emulator's viewer, visited once to read the mail, is not the console's.)
    const onConsole = () => page.url().startsWith(system.runtime.apiUrl);
    page.on('console', (message) => {
      if (message.type() === 'error' && onConsole()) pageErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      if (onConsole()) pageErrors.push(`${page.url()}: ${error.message}`);
    });
    // Some history for the lists and reports to show: one incident left open, one resolved later on.
    await raise('shop', 'Product search slow', 'WARN');
    resolvedLater = await raise('pay', 'Card payments failing');
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  async function raise(service: 'pay' | 'shop', title: string, severity = 'CRIT'): Promise<number> {
    const res = await system.request('PUT', '/incidents', {
      key: system.keys[`${service}-key`]!,
      body: validEvent({ service, title, severity, message: `${title}: see the dashboard`, dedupKey: title, detectedAt: new Date().toISOString() }),
    });
    expect(res.status).toBe(201);
    return res.body.number as number;
  }

  const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;
  const pagesOf = async (number: number): Promise<string[]> =>
    ((await incident(number)).timeline as { type: string; to: string }[]).filter((e) => e.type === 'notified').map((e) => e.to);

  /** Saves the view's screenshot (and a viewport-sized one for the README), then expects axe-core to find nothing. */
  async function checkView(name: string, { readme = false } = {}): Promise<void> {
    await screenshot(page, `console-${name}`);
    if (readme) await screenshot(page, `readme-console-${name}`, { fullPage: false });
    expect(await axeViolations(page), name).toEqual([]);
  }

  it('signs in through the link mailed to the address typed, after confirming', async () => {
    await page.goto('/console/sign-in');
    await checkView('sign-in');
    await page.fill('#f-email', 'ana@example.com');
    await page.click('#send-link');
    await page.locator('h1', { hasText: 'Check your mail' }).waitFor();

    // The mail in the SES emulator's viewer, newest first, its HTML shown in a frame. The link is followed as a
    // person copies it: the console refuses to be framed, so a click inside the viewer's frame would not load it.
    await page.goto(system.runtime.sesUrl);
    const mail = page.locator('.email', { hasText: 'Sign in to the InResponse console' }).first();
    await mail.getByRole('button', { name: 'Toggle HTML view' }).click();
    const link = await mail.frameLocator('iframe').getByRole('link', { name: 'Sign in' }).getAttribute('href');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console\/auth\/[\w.-]+$/);
    await page.goto(link!);
    expect(await page.locator('h1').textContent()).toBe('Sign in as Ana Ops');
    await checkView('sign-in-confirm');
    await page.click('#confirm-sign-in');
    await page.waitForURL('**/console/incidents');
    expect(await page.locator('#signed-in-as').textContent()).toBe('Ana Ops');
  });

  it('shows a new incident in the open list without a reload', async () => {
    await page.goto('/console/incidents');
    const loadedAt = await page.evaluate(() => performance.timeOrigin);
    const url = page.url();
    const number = await raise('pay', 'Checkout latency above 2 s');
    await page.locator(`#incidents a[href="/console/incidents/${number}"]`).waitFor({ timeout: SHOWS_WITHIN_MS });
    // The same document: the table was swapped in place, the page not loaded again.
    expect(await page.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
    expect(page.url()).toBe(url);
  });

  // Before the claim below, whose virtual time runs ahead of the clock: a page rendered then seems rendered later than now.
  it('posts a status update through its form, and the public status page shows it', async () => {
    const text = 'Card payments fail for some customers; we are on it.';
    await page.goto('/console/status');
    await page.selectOption('#f-status-public', 'identified');
    await page.fill('#f-text-public', text);
    await page.fill('#f-components-public', 'pay');
    await page.click('#post-update-public');
    await page.locator('#updates-public tr', { hasText: text }).waitFor();
    expect(await page.locator('#updates-public tr', { hasText: text }).textContent()).toContain('ana@example.com');
    await checkView('status', { readme: true });

    // The public page is rendered on change, within the render interval: read it as a visitor, reloading.
    await page.getByRole('link', { name: 'public page' }).click();
    await eventually(
      'the update on the public page',
      async () => {
        if ((await page.locator('main').textContent())?.includes(text)) return true;
        await page.reload();
        return false;
      },
      SHOWS_WITHIN_MS,
    );
    expect(await page.locator('main').textContent()).toContain('Identified');
    await screenshot(page, 'status-page');
    await screenshot(page, 'readme-status-page', { fullPage: false });
    expect(await axeViolations(page), 'status page').toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    expect(await axeViolations(page), 'status page on a phone').toEqual([]);
    await page.setViewportSize({ width: 1200, height: 800 });
  });

  it('claims an incident from its page, which stops its escalation: the next level is never paged', async () => {
    // Virtual time for the escalation's wait only; the browser acts while the clock stands still.
    const clock = new StateMachineClock(() => system.runtime.runningTasks());
    clock.install(new Date().toISOString());
    let number: number;
    try {
      number = await raise('pay', 'Payment provider timeouts');
      const firstPages = await eventually('the first level’s page', async () => {
        const pages = await pagesOf(number);
        return pages.length > 0 && pages;
      });
      // Claimed three minutes in, before the next level is due ten minutes in.
      await clock.minutes(3);
      await page.goto(`/console/incidents/${number}`);
      await page.click('#claim');
      await page.locator('#timeline tr', { hasText: 'claimed' }).waitFor();
      expect(await page.locator('#timeline tr', { hasText: 'claimed' }).textContent()).toContain('ana@example.com');
      await clock.minutes(12);
      const execution = await system.runtime.clients.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(system.runtime.deployment.escalationStateMachineArn, number) }),
      );
      expect(execution.status).toBe('ABORTED');
      expect(await pagesOf(number)).toEqual(firstPages);
      expect(firstPages).not.toContain('dan@example.com');
      const resolved = await system.request('POST', `/incidents/${resolvedLater}`, { key: system.keys.responders!, body: { action: 'resolve', by: 'ben@example.com' } });
      expect(resolved.status).toBe(200);
    } finally {
      clock.uninstall();
    }
    await page.reload();
    expect(await page.locator('#incident-facts').textContent()).toContain('by ana@example.com');
    await checkView('incident-detail', { readme: true });
  });

  it('starts a maintenance window through its form', async () => {
    await page.goto('/console/maintenance');
    await page.fill('#f-services', 'shop');
    await page.fill('#f-reason', 'Database upgrade');
    await page.fill('#f-durationMinutes', '90');
    await page.click('#start-maintenance');
    await page.locator('#maintenance tr', { hasText: 'Database upgrade' }).waitFor();
    expect(await page.locator('#maintenance tr', { hasText: 'Database upgrade' }).textContent()).toContain('active');
    await checkView('maintenance');
  });

  it('shows a heartbeat’s last ping', async () => {
    const ping = await fetch(`${system.runtime.apiUrl}/heartbeats/nightly-backup.${secrets.get('heartbeat:nightly-backup')}`, { method: 'POST', body: 'backup of 42 GB done' });
    expect(ping.ok).toBe(true);
    await page.goto('/console/heartbeats');
    expect(await page.locator('#heartbeats tr', { hasText: 'nightly-backup' }).textContent()).not.toContain('never');
    await checkView('heartbeats');
  });

  it('adds an override through the schedule’s form, and who is on call changes', async () => {
    await page.goto('/console/oncall');
    const before = await page.locator('#oncall-ops').textContent();
    expect(before).not.toContain('Cleo Cover');
    await page.getByRole('link', { name: 'primary' }).click();
    await page.fill('#f-person', 'cleo');
    await page.fill('#f-from', parisWallClock(Date.now()));
    await page.fill('#f-to', parisWallClock(Date.now() + 3 * 3_600_000));
    await page.click('#add-override');
    await page.locator('#calendar td', { hasText: 'Cleo Cover' }).first().waitFor();
    expect(await page.locator('#calendar').textContent()).toContain('(override)');
    await checkView('schedule-calendar', { readme: true });

    await page.getByRole('link', { name: 'On call' }).click();
    expect(await page.locator('#oncall-ops').textContent()).toContain('Cleo Cover (cleo@example.com)');
    await checkView('oncall');
  });

  it('shows the incident list, the events, the reports and the status pages, on a phone too', async () => {
    await page.goto('/console/incidents');
    await checkView('incidents', { readme: true });
    await page.goto('/console/events?service=pay');
    expect(await page.locator('#events tbody tr').count()).toBeGreaterThan(0);
    await checkView('events');
    await page.goto('/console/reports?days=7');
    expect(await page.locator('#by-service').textContent()).toContain('pay');
    await checkView('reports', { readme: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/console/incidents');
    await screenshot(page, 'console-incidents-phone', { fullPage: false });
    expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('met no script error and nothing the Content-Security-Policy refused on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});

/** An instant as a `datetime-local` field in the schedule's zone takes it, to the minute. */
function parisWallClock(ms: number): string {
  const format = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return format.format(new Date(ms)).replace(' ', 'T');
}
