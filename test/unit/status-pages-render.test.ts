import { describe, expect, it } from 'vitest';
import { renderAtomFeed } from '../../lambdas/domain/status-pages/render-atom';
import { formatUptime, renderStatusPageHtml, STATUS_COLORS } from '../../lambdas/domain/status-pages/render-html';
import { renderStatusJson } from '../../lambdas/domain/status-pages/render-json';
import { buildStatusPageSnapshot, type SnapshotInput } from '../../lambdas/domain/status-pages/snapshot';
import { statusPageConfigSchema } from '../../lambdas/domain/status-pages/status-page-config';
import type { StatusUpdate } from '../../lambdas/domain/status-pages/status-updates';
import { badQuarterInput } from '../support/status-page-fixtures';

const NOW = new Date('2026-11-24T10:00:00Z');
const EVIL = `<script>alert("x")</script> & 'quoted' \u0001`;

const update = (id: string, at: string, status: StatusUpdate['status'], text: string, more: Partial<StatusUpdate> = {}): StatusUpdate => ({ id, at, status, text, ...more });

function input(over: Partial<SnapshotInput> = {}): SnapshotInput {
  return {
    id: 'example',
    config: statusPageConfigSchema.parse({
      title: `Example ${EVIL}`,
      visibility: 'public',
      timeZone: 'Europe/Paris',
      components: [
        { service: 'athens', name: `Checkout ${EVIL}`, group: `Shop ${EVIL}` },
        { service: 'sparta', name: 'Search' },
        { service: 'thebes', name: 'Payments', group: `Shop ${EVIL}` },
      ],
    }),
    url: 'https://status.example.com/?a=1&b=2',
    now: NOW,
    incidents: [
      { number: 100001, service: 'athens', severity: 'ERR', state: 'OPEN', openedAt: '2026-11-24T09:00:00Z' },
      { number: 100002, service: 'sparta', severity: 'CRIT', state: 'RESOLVED', openedAt: '2026-11-20T09:00:00Z', resolvedAt: '2026-11-20T10:12:00Z' },
    ],
    maintenanceWindows: [{ id: 'db', services: ['thebes'], from: '2026-11-24T09:30:00Z', to: '2026-11-24T11:00:00Z', reason: `Database ${EVIL}` }],
    overrides: { sparta: { status: 'degraded_performance', note: `Slow ${EVIL}` } },
    updates: [
      update('u1', '2026-11-24T09:05:00Z', 'investigating', `Looking ${EVIL}\nsecond line`, { incidentNumber: 100001 }),
      update('u2', '2026-11-24T09:20:00Z', 'identified', 'Found it', { incidentNumber: 100001 }),
      update('u3', '2026-11-20T09:10:00Z', 'investigating', 'Search down', { incidentNumber: 100002 }),
      update('u4', '2026-11-20T10:12:00Z', 'resolved', 'Search back', { incidentNumber: 100002 }),
    ],
    ...over,
  };
}

/** Checks that `xml` is well formed as far as tags go: each one closed in order, no stray `<` or `&`. */
function expectWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  const text = body.replace(/<\/?[A-Za-z][\w:.-]*(?:\s+[\w:.-]+="[^"<]*")*\s*\/?>/g, '');
  expect(text).not.toMatch(/[<>]/);
  expect(text.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
}

/** WCAG's contrast ratio of a colour against white. */
function contrastOnWhite(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return 1.05 / (luminance + 0.05);
}

const bigInput = () => badQuarterInput(NOW);

describe('status page HTML', () => {
  const html = renderStatusPageHtml(buildStatusPageSnapshot(input()));

  it('is an HTML5 document with a language, a viewport and landmarks, and no script', () => {
    expect(html.startsWith('<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">')).toBe(true);
    for (const landmark of ['<header>', '<main>', '<footer>']) expect(html).toContain(landmark);
    expect(html).not.toMatch(/<script|javascript:|\son\w+=/i);
    expect(html).toContain('<style>');
  });

  it('escapes every text it shows', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    expect(html).toContain('href="https://status.example.com/?a=1&amp;b=2/history.atom"');
  });

  it('has headings in order: h1, then h2 sections, h3 and h4 within them', () => {
    const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeLessThanOrEqual(levels[i - 1]! + 1);
    expect(html).toMatch(/<h2 id=active>Active incidents<\/h2>.*<h2 id=maintenance>Maintenance<\/h2>.*<h2 id=components>Components<\/h2>.*<h2 id=past>Past incidents<\/h2>/s);
  });

  it('says each status in words, with the override note, the incidents updates and the maintenance', () => {
    expect(html).toContain('<p class="banner p">Partial System Outage</p>');
    expect(html).toMatch(/Checkout &lt;script.*?<\/h4><p class="st s-p">Partial outage<\/p>/);
    expect(html).toMatch(/Search<\/h3><p class="st s-d">Degraded performance<\/p><\/div><p class=note>Slow &lt;script/);
    expect(html).toMatch(/Payments<\/h4><p class="st s-m">Under maintenance<\/p>/);
    expect(html).toMatch(/<h3>Partial outage: Checkout &lt;script.*?<\/h3>.*<strong>Identified<\/strong> · <time datetime="2026-11-24T09:20:00Z">24 Nov 2026, 10:20<\/time>/);
    expect(html).toContain('<p class=t>Looking &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; \u0001\nsecond line</p>');
    expect(html).toMatch(/<strong>In progress<\/strong> · <time datetime="2026-11-24T09:30:00Z">24 Nov 2026, 10:30<\/time> to .*Affects Payments/);
    expect(html).toMatch(/<h3>Major outage: Search<\/h3><p class=meta>Affects Search · Resolved <time/);
    expect(html).toContain('Last updated <time datetime="2026-11-24T10:00:00.000Z">24 Nov 2026, 11:00</time> (Europe/Paris)');
  });

  it('gives each day with an incident its text, and says how many days had none', () => {
    expect(html).toContain(
      '<ol class=bars aria-label="Search, last 90 days: incidents on 1 day, none on the other 89"><li class=x style=left:94.444%><span>20 Nov: major outage 1 h 12 min, 95.00% up</span></ol>',
    );
    expect(html).toContain('<div class=bars role=img aria-label="Payments, last 90 days: no incidents"></div>');
    expect(html).toContain('<span>90 days ago</span><span>99.94% uptime</span><span>Today</span>');
  });

  it('uses colours of at least 4.5:1 on white, for text and bars', () => {
    for (const color of Object.values(STATUS_COLORS)) expect(contrastOnWhite(color)).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps a private page out of search engines', () => {
    const snapshot = buildStatusPageSnapshot(input());
    const privatePage = renderStatusPageHtml({ ...snapshot, page: { ...snapshot.page, visibility: 'private' } });
    expect(privatePage).toContain('<meta name=robots content="noindex,nofollow">');
    expect(html).not.toContain('noindex');
  });

  it('stays within 50 KB for 20 components after a bad quarter', () => {
    const snapshot = buildStatusPageSnapshot(bigInput());
    expect(snapshot.components.every((c) => c.history.filter((d) => d.worst !== 'operational').length >= 15)).toBe(true);
    const bytes = Buffer.byteLength(renderStatusPageHtml(snapshot));
    expect(bytes).toBeLessThanOrEqual(50 * 1024);
  });

  it('shows uptime cut, never rounded up, to two decimals', () => {
    expect([100, 99.999, 99.71, 0].map(formatUptime)).toEqual(['100%', '99.99%', '99.71%', '0.00%']);
  });
});

describe('status page JSON', () => {
  const summary = JSON.parse(renderStatusJson(buildStatusPageSnapshot(input())));

  it('has the shape of Statuspage summary.json', () => {
    expect(Object.keys(summary)).toEqual(['page', 'status', 'components', 'incidents', 'scheduled_maintenances']);
    expect(summary.page).toEqual({
      id: 'example',
      name: `Example <script>alert("x")</script> & 'quoted' \u0001`,
      url: 'https://status.example.com/?a=1&b=2',
      time_zone: 'Europe/Paris',
      updated_at: '2026-11-24T10:00:00.000Z',
    });
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
  });

  it('lists groups as components before their members, which name them', () => {
    expect(summary.components.map((c: Record<string, unknown>) => [c.id, c.status, c.group, c.group_id, c.position, c.components])).toEqual([
      ['group-shop-script-alert-x-script-quoted', 'partial_outage', true, null, 1, ['athens', 'thebes']],
      ['athens', 'partial_outage', false, 'group-shop-script-alert-x-script-quoted', 2, undefined],
      ['sparta', 'degraded_performance', false, null, 3, undefined],
      ['thebes', 'under_maintenance', false, 'group-shop-script-alert-x-script-quoted', 4, undefined],
    ]);
  });

  it('lists unresolved incidents with their updates newest first, and maintenance', () => {
    expect(summary.incidents).toHaveLength(1);
    const [incident] = summary.incidents;
    expect(incident).toMatchObject({ id: 'u1', status: 'identified', impact: 'major', resolved_at: null, monitoring_at: null, shortlink: 'https://status.example.com/?a=1&b=2#incident-u1' });
    expect(incident.incident_updates.map((u: Record<string, unknown>) => [u.id, u.status, u.incident_id])).toEqual([
      ['u2', 'identified', 'u1'],
      ['u1', 'investigating', 'u1'],
    ]);
    expect(incident.components.map((c: Record<string, unknown>) => c.id)).toEqual(['athens']);
    expect(summary.scheduled_maintenances).toHaveLength(1);
    expect(summary.scheduled_maintenances[0]).toMatchObject({
      id: 'db',
      status: 'in_progress',
      impact: 'maintenance',
      scheduled_for: '2026-11-24T09:30:00Z',
      scheduled_until: '2026-11-24T11:00:00Z',
    });
  });
});

describe('status page Atom feed', () => {
  const feed = renderAtomFeed(buildStatusPageSnapshot(input()));

  it('is well-formed Atom 1.0 with the elements RFC 4287 requires', () => {
    expect(feed.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">')).toBe(true);
    expectWellFormed(feed);
    expect(feed).toContain('<id>https://status.example.com/?a=1&amp;b=2/history.atom</id>');
    expect(feed).toContain('<updated>2026-11-24T10:00:00.000Z</updated>');
    expect(feed).toContain('<link rel="self" type="application/atom+xml" href="https://status.example.com/?a=1&amp;b=2/history.atom"/>');
    expect(feed).toMatch(/<author><name>Example &lt;script&gt;.*?<\/name><\/author>/);
    expect(feed).not.toContain('\u0001');
  });

  it('has an entry per update and per maintenance in progress, newest first, each with its own id', () => {
    const entries = [...feed.matchAll(/<entry><id>([^<]*)<\/id><title type="text">([^<]*)<\/title><updated>([^<]*)<\/updated>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(entries.map(([, title]) => title)).toEqual([
      'Maintenance in progress: Database &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; ',
      'Identified: Partial outage: Checkout &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; ',
      'Investigating: Partial outage: Checkout &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; ',
      'Resolved: Major outage: Search',
      'Investigating: Major outage: Search',
    ]);
    expect(new Set(entries.map(([id]) => id)).size).toBe(5);
    expect(entries[1]).toEqual(['https://status.example.com/?a=1&amp;b=2#update-u2', expect.any(String), '2026-11-24T09:20:00.000Z']);
    expect(feed).toContain('<content type="text">Looking &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; \nsecond line</content>');
  });

  it('stays well formed for the big page', () => {
    expectWellFormed(renderAtomFeed(buildStatusPageSnapshot(bigInput())));
  });
});
