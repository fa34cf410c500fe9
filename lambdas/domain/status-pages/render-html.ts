/**
 * A status page as one HTML5 document: inline CSS, no JavaScript, readable on a phone, and small (under 50 KB
 * for 20 components with incidents on one day in six), since it is written once per change and read by
 * everyone during an outage.
 *
 * Accessibility: `lang`, landmarks (header, main, footer), headings in order (h1 page, h2 sections, h3
 * incidents, groups and ungrouped components, h4 grouped components), statuses said in words beside their
 * colour, colours of at least 4.5:1 on white. Each day with an incident holds its text ("24 Nov: partial
 * outage 1 h 12 min, 99.71% up") for screen readers, shown as a tooltip on hover.
 */
import { escapeHtml } from '../notification/notification';
import { wallClockOf } from '../oncall/zoned-time';
import { COMPONENT_STATUS_LABELS, type ComponentStatus, worstStatus } from './component-status';
import { type ComponentView, feedUrlOf, type MaintenanceView, type StatusIncident, type StatusPageSnapshot, summaryUrlOf } from './snapshot';
import { UPDATE_STATUS_LABELS } from './status-updates';
import type { DayHistory } from './uptime-history';

/** Each status's colour, for its text and bars on white: every one has a contrast of at least 4.5:1. */
export const STATUS_COLORS: Readonly<Record<ComponentStatus, string>> = {
  operational: '#1a7f37',
  degraded_performance: '#9a6700',
  under_maintenance: '#0969da',
  partial_outage: '#bc4c00',
  major_outage: '#cf222e',
};

/** Short class names: the bars repeat them up to 90 times per component. */
const CLASS: Readonly<Record<ComponentStatus, string>> = {
  operational: 'o',
  degraded_performance: 'd',
  under_maintenance: 'm',
  partial_outage: 'p',
  major_outage: 'x',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => String(n).padStart(2, '0');

/** "24 Nov 2026, 11:00" on the page's clocks. */
function formatInstant(iso: string, zone: string): string {
  const t = wallClockOf(Date.parse(iso), zone);
  return `${t.day} ${MONTHS[t.month - 1]} ${t.year}, ${pad(t.hour)}:${pad(t.minute)}`;
}

const time = (iso: string, zone: string) => `<time datetime="${escapeHtml(iso)}">${formatInstant(iso, zone)}</time>`;

/** "24 Nov" from "2026-11-24". */
const dayLabel = (date: string) => `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;

/** A percentage cut (never rounded up) to two decimals: 99.999 is not shown as 100. */
export function formatUptime(uptime: number): string {
  if (uptime >= 100) return '100%';
  return `${(Math.floor(uptime * 100 + 1e-9) / 100).toFixed(2)}%`;
}

/** "45 min", "1 h 12 min"; at least a minute for any outage. */
function formatMinutes(minutes: number): string {
  const whole = Math.max(1, Math.ceil(minutes - 1e-9));
  if (whole < 60) return `${whole} min`;
  return whole % 60 === 0 ? `${whole / 60} h` : `${Math.floor(whole / 60)} h ${whole % 60} min`;
}

/** The page's style; `days` is the history's length, each day a stripe of the bars. */
const css = (days: number) =>
  [
    'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}',
    'header,main,footer{max-width:52rem;margin:0 auto;padding:0 1rem}',
    'h1{font-size:1.75rem;margin:1.5rem 0 1rem}h2{font-size:1.25rem;margin:2rem 0 .75rem}h3,h4{font-size:1rem;margin:0}',
    '.banner{color:#fff;font-weight:600;padding:.75rem 1rem;border-radius:6px;margin:0}',
    'ul,ol{list-style:none;margin:0;padding:0}',
    '.g{margin-top:1rem}.g>.row{margin-bottom:.25rem}.g>.row h3{font-size:1.05rem}',
    '.c{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;margin-bottom:.5rem}',
    '.row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 1rem}',
    '.st{margin:0;font-weight:600}.note{margin:.25rem 0 0;font-size:.875rem}',
    `.bars{position:relative;height:2rem;margin:.5rem 0 .25rem;background:repeating-linear-gradient(90deg,${STATUS_COLORS.operational} 0 calc(100%/${days} - 1px),transparent 0 calc(100%/${days}))}`,
    `.bars li{position:absolute;top:0;bottom:0;width:calc(100%/${days} - 1px)}`,
    '.bars span{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}',
    '.bars li:hover span{width:auto;height:auto;clip-path:none;bottom:2.25rem;left:50%;transform:translateX(-50%);background:#1f2328;color:#fff;padding:.25rem .5rem;border-radius:4px;font-size:.8125rem;z-index:1}',
    '.axis{display:flex;justify-content:space-between;margin:0;font-size:.8125rem;color:#59636e}',
    'article{border-left:4px solid #d0d7de;padding-left:1rem;margin-bottom:1.25rem}.meta{margin:.25rem 0;font-size:.875rem;color:#59636e}',
    '.u{margin:.5rem 0}.u p{margin:0}.t{white-space:pre-line;overflow-wrap:anywhere}',
    'footer{margin-top:2rem;padding-bottom:2rem;font-size:.875rem;color:#59636e}a{color:#0969da}',
    ...Object.entries(CLASS).map(([status, c]) => `.${c}{background:${STATUS_COLORS[status as ComponentStatus]}}.s-${c}{color:${STATUS_COLORS[status as ComponentStatus]}}`),
  ].join('');

/** A day's text: "24 Nov: partial outage 1 h 12 min, 99.71% up". */
function dayText(day: DayHistory): string {
  const parts = [
    day.major > 0 ? `major outage ${formatMinutes(day.major)}` : '',
    day.partial > 0 ? `partial outage ${formatMinutes(day.partial)}` : '',
    day.degraded > 0 ? `degraded performance ${formatMinutes(day.degraded)}` : '',
  ].filter(Boolean);
  return `${dayLabel(day.date)}: ${parts.join(', ')}, ${formatUptime(day.uptime)} up`;
}

const quiet = (day: DayHistory) => day.worst === 'operational';

/**
 * The history bars: the days without incidents are the bar's background, a green stripe per day, and each day
 * with an incident is an item placed over its stripe, holding its text. The bar's label counts both, so a
 * screen reader hears "Checkout, last 90 days: incidents on 2 days, none on the other 88", then those 2 days.
 */
function bars(component: ComponentView): string {
  const days = component.history;
  const label = `${component.name}, last ${days.length} days`;
  const items = days.flatMap((day, i) =>
    quiet(day) ? [] : [`<li class=${CLASS[day.worst]} style=left:${Number(((100 * i) / days.length).toFixed(3))}%><span>${escapeHtml(dayText(day))}</span>`],
  );
  if (items.length === 0) return `<div class=bars role=img aria-label="${escapeHtml(`${label}: no incidents`)}"></div>`;
  const counted = `incidents on ${items.length} ${items.length === 1 ? 'day' : 'days'}, none on the other ${days.length - items.length}`;
  return `<ol class=bars aria-label="${escapeHtml(`${label}: ${counted}`)}">${items.join('')}</ol>`;
}

function componentItem(component: ComponentView, heading: 'h3' | 'h4', zone: string): string {
  const c = CLASS[component.status];
  const note = component.override?.note ? escapeHtml(component.override.note) : '';
  const until = component.override?.until ? `${note ? ' ' : ''}(until ${time(component.override.until, zone)})` : '';
  return [
    `<li class=c><div class=row><${heading}>${escapeHtml(component.name)}</${heading}><p class="st s-${c}">${COMPONENT_STATUS_LABELS[component.status]}</p></div>`,
    note || until ? `<p class=note>${note}${until}</p>` : '',
    bars(component),
    `<p class=axis><span>${component.history.length} days ago</span><span>${formatUptime(component.uptime)} uptime</span><span>Today</span></p></li>`,
  ].join('');
}

/** Components in the config's order; a group is shown where its first component is, with all of its own. */
function componentsSection(snapshot: StatusPageSnapshot): string {
  const zone = snapshot.page.timeZone;
  const blocks: string[] = [];
  let loose: string[] = [];
  const shown = new Set<string>();
  const flush = () => {
    if (loose.length > 0) blocks.push(`<ul>${loose.join('')}</ul>`);
    loose = [];
  };
  for (const component of snapshot.components) {
    if (!component.group) {
      loose.push(componentItem(component, 'h3', zone));
      continue;
    }
    if (shown.has(component.group.id)) continue;
    shown.add(component.group.id);
    flush();
    const members = snapshot.components.filter((c) => c.group?.id === component.group!.id);
    const worst = worstStatus(members.map((m) => m.status));
    blocks.push(
      `<section class=g aria-labelledby="${component.group.id}"><div class=row><h3 id="${component.group.id}">${escapeHtml(component.group.name)}</h3>` +
        `<p class="st s-${CLASS[worst]}">${COMPONENT_STATUS_LABELS[worst]}</p></div><ul>${members.map((m) => componentItem(m, 'h4', zone)).join('')}</ul></section>`,
    );
  }
  flush();
  return `<section aria-labelledby=components><h2 id=components>Components</h2>${blocks.join('')}</section>`;
}

function affects(ids: readonly string[], snapshot: StatusPageSnapshot): string {
  const names = ids.map((id) => snapshot.components.find((c) => c.id === id)?.name ?? id);
  return names.length > 0 ? `Affects ${escapeHtml(names.join(', '))}` : '';
}

function incidentArticle(incident: StatusIncident, snapshot: StatusPageSnapshot): string {
  const zone = snapshot.page.timeZone;
  const updates = incident.updates.map(
    (u) => `<li class=u><p><strong>${UPDATE_STATUS_LABELS[u.status]}</strong> · ${time(u.at, zone)}</p><p class=t>${escapeHtml(u.text)}</p></li>`,
  );
  const meta = [affects(incident.components, snapshot), incident.resolvedAt ? `Resolved ${time(incident.resolvedAt, zone)}` : ''].filter(Boolean).join(' · ');
  return `<article id="incident-${escapeHtml(incident.id)}"><h3>${escapeHtml(incident.name)}</h3>${meta ? `<p class=meta>${meta}</p>` : ''}<ol>${updates.join('')}</ol></article>`;
}

function maintenanceArticle(maintenance: MaintenanceView, snapshot: StatusPageSnapshot): string {
  const zone = snapshot.page.timeZone;
  const state = maintenance.status === 'in_progress' ? 'In progress' : 'Scheduled';
  return (
    `<article id="maintenance-${escapeHtml(maintenance.id)}"><h3>${escapeHtml(maintenance.name)}</h3>` +
    `<p class=meta><strong>${state}</strong> · ${time(maintenance.from, zone)} to ${time(maintenance.to, zone)} · ${affects(maintenance.components, snapshot)}</p></article>`
  );
}

function section(id: string, heading: string, articles: readonly string[]): string {
  return articles.length > 0 ? `<section aria-labelledby=${id}><h2 id=${id}>${heading}</h2>${articles.join('')}</section>` : '';
}

/** The status page as an HTML document. Every text of the snapshot is escaped. */
export function renderStatusPageHtml(snapshot: StatusPageSnapshot): string {
  const { page } = snapshot;
  const title = escapeHtml(page.title);
  const active = snapshot.incidents.filter((i) => i.resolvedAt === undefined);
  const past = snapshot.incidents.filter((i) => i.resolvedAt !== undefined);
  const worst = worstStatus(snapshot.components.map((c) => c.status));
  return [
    '<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">',
    `<title>${title} status</title>`,
    // No icon file: without this, every visit also asks the CDN for /favicon.ico, and is answered 403.
    '<link rel=icon href="data:,">',
    page.visibility === 'private' ? '<meta name=robots content="noindex,nofollow">' : '',
    `<link rel=alternate type="application/atom+xml" title="${title} status history" href="${escapeHtml(feedUrlOf(snapshot))}">`,
    `<style>${css(snapshot.components[0]?.history.length ?? 90)}</style></head><body>`,
    `<header><h1>${title}</h1><p class="banner ${CLASS[worst]}">${escapeHtml(snapshot.description)}</p></header><main>`,
    section('active', 'Active incidents', active.map((i) => incidentArticle(i, snapshot))),
    section('maintenance', 'Maintenance', snapshot.maintenances.map((m) => maintenanceArticle(m, snapshot))),
    componentsSection(snapshot),
    section('past', 'Past incidents', past.map((i) => incidentArticle(i, snapshot))),
    `</main><footer><p>Last updated ${time(snapshot.generatedAt, page.timeZone)} (${escapeHtml(page.timeZone)}). `,
    `<a href="${escapeHtml(feedUrlOf(snapshot))}">Atom feed</a> · <a href="${escapeHtml(summaryUrlOf(snapshot))}">JSON</a></p></footer></body></html>`,
  ].join('');
}
