import { EVENT_OUTCOMES, type ListedEvent, UNROUTED_STREAM } from '../incident/event-record';
import { SEVERITIES, STATES, type Incident, type TimelineEntry } from '../incident/incident';
import type { MaintenanceWindow } from '../maintenance/maintenance';
import type { HeartbeatView } from '../heartbeats/heartbeats';
import type { PresentedShift } from '../oncall/oncall-use-cases';
import { COMPONENT_STATUS_LABELS, COMPONENT_STATUSES, type ComponentStatus } from '../status-pages/component-status';
import type { StoredStatusUpdate } from '../status-pages/ports';
import type { StatusPageSummary } from '../status-pages/status-page-use-cases';
import { MAX_UPDATE_CHARACTERS, UPDATE_STATUS_LABELS, UPDATE_STATUSES } from '../status-pages/status-updates';
import { REPORT_PERIODS_DAYS, type DurationStats, type PeriodReport, type ResponseTimes } from '../reports/reports';
import type { ConsoleIncidentPage, ConsoleIncidentQuery, EventExplorerQuery } from './console-queries';
import { csrfField, esc, field, renderPage, select, table, textInput, time, type Viewer } from './layout';

const any = (label: string) => ['', label] as const;
const pairs = (values: readonly string[]) => values.map((v) => [v, v] as const);
const state = (s: string) => `<span class="${esc(s)}">${esc(s.toLowerCase())}</span>`;
const incidentLink = (number: number, title?: string) => `<a href="/console/incidents/${number}">#${number}${title ? ` ${esc(title)}` : ''}</a>`;

/** The incident table alone: what the page's script swaps in every 5 s. */
export function incidentTable(page: ConsoleIncidentPage, query: ConsoleIncidentQuery): string {
  const rows = page.items.map((i) => [incidentLink(i.number, i.title), state(i.state), esc(i.severity), esc(i.service), esc(i.team), time(i.createdAt)]);
  const older = page.nextCursor ? `<p><a id="older" href="/console/incidents?${new URLSearchParams({ ...filterParams(query), cursor: page.nextCursor })}">Older incidents</a></p>` : '';
  return `<div id="incidents">${table('incident-table', 'Incidents, newest first', ['Incident', 'State', 'Severity', 'Service', 'Team', 'Created'], rows, 'No incidents match.')}${older}</div>`;
}

const filterParams = (q: ConsoleIncidentQuery): Record<string, string> =>
  Object.fromEntries(Object.entries({ team: q.team, service: q.service, state: q.state, severity: q.severity }).filter((e): e is [string, string] => e[1] !== undefined));

export function incidentsPage(viewer: Viewer, page: ConsoleIncidentPage, query: ConsoleIncidentQuery, teams: readonly string[]): string {
  const filters =
    `<form class="fields" method="get" action="/console/incidents" aria-label="Filter incidents">` +
    field('team', 'Team', select('team', [any('any team'), ...pairs(teams)], query.team)) +
    field('service', 'Service', textInput('service', query.service)) +
    field('state', 'State', select('state', [any('any state'), ...STATES.map((s) => [s, s.toLowerCase()] as const)], query.state)) +
    field('severity', 'Severity', select('severity', [any('any severity'), ...pairs(SEVERITIES)], query.severity)) +
    `<button type="submit">Filter</button></form>`;
  return renderPage({ title: 'Incidents', viewer, section: 'incidents', refresh: true }, `<h1>Incidents</h1>${filters}${incidentTable(page, query)}`);
}

function timelineRow(e: TimelineEntry): string[] {
  const what = e.type.replaceAll('_', ' ') + (e.level === undefined ? '' : ` (level ${e.level})`);
  return [time(e.at), esc(what), esc(e.by), esc(e.to ?? ''), esc(e.to ? (e.channel ?? 'email') : ''), `<span class="msg">${esc(e.note ?? '')}</span>`];
}

/** Links of alerts are shown as links only when they are web addresses: never `javascript:`. */
const safeLink = (href: string, text?: string) => (/^https?:\/\//i.test(href) ? `<a href="${esc(href)}" rel="noreferrer">${esc(text ?? href)}</a>` : esc(`${text ?? ''} ${href}`));

function actionForms(viewer: Viewer, incident: Incident): string {
  const form = (action: string, label: string) =>
    `<form class="inline" method="post" action="/console/incidents/${incident.number}">${csrfField(viewer)}<input type="hidden" name="action" value="${action}"><button id="${action}" type="submit">${label}</button></form> `;
  return (
    `<h2>Act</h2><p>As ${esc(viewer.name)}: ` +
    (incident.state === 'OPEN' ? form('claim', 'Claim') : '') +
    (incident.state !== 'RESOLVED' ? form('resolve', 'Resolve') : '') +
    `</p><form class="fields" method="post" action="/console/incidents/${incident.number}" aria-label="Comment">${csrfField(viewer)}<input type="hidden" name="action" value="comment">` +
    field('note', 'Comment', `<textarea id="f-note" name="note" rows="2" cols="40" required></textarea>`) +
    `<button id="comment" type="submit">Add comment</button></form>`
  );
}

export function incidentPage(viewer: Viewer, incident: Incident, maintenance?: { readonly id: string; readonly until: string }): string {
  const facts: [string, string][] = [
    ['State', state(incident.state)],
    ['Severity', esc(incident.severity)],
    ['Urgency', esc(incident.urgency ?? 'high')],
    ['Service', esc(incident.service)],
    ['Team', esc(incident.team)],
    ['Source', esc(incident.source ?? 'api')],
    ['Created', `${time(incident.createdAt)} by ${esc(incident.createdBy)}`],
    ['Events', `${incident.occurrences}, the latest ${time(incident.lastSeenAt)}`],
    ...(incident.claimedBy ? [['Claimed', `${time(incident.claimedAt)} by ${esc(incident.claimedBy)}`] as [string, string]] : []),
    ...(incident.resolvedBy ? [['Resolved', `${time(incident.resolvedAt)} by ${esc(incident.resolvedBy)}`] as [string, string]] : []),
    ...(maintenance ? [['Maintenance', `${esc(maintenance.id)}, until ${time(maintenance.until)}: escalation held`] as [string, string]] : []),
  ];
  const links = incident.links?.length ? `<h2>Links</h2><ul>${incident.links.map((l) => `<li>${safeLink(l.href, l.text)}</li>`).join('')}</ul>` : '';
  const email = incident.email
    ? `<h2>Email origin</h2><dl><dt>From</dt><dd>${esc(incident.email.from)}</dd><dt>To</dt><dd>${esc(incident.email.to)}</dd>` +
      `${incident.email.date ? `<dt>Date</dt><dd>${esc(incident.email.date)}</dd>` : ''}${incident.email.messageId ? `<dt>Message id</dt><dd>${esc(incident.email.messageId)}</dd>` : ''}` +
      `<dt>Attachments</dt><dd>${incident.email.attachments.map((a) => esc(a.name)).join(', ') || 'none'}${incident.email.attachmentsNotListed ? ` and ${incident.email.attachmentsNotListed} more` : ''}</dd></dl>`
    : '';
  const main =
    `<h1 id="incident-title">#${incident.number} ${esc(incident.title)}</h1>` +
    `<dl id="incident-facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl><h2>Message</h2><p class="msg">${esc(incident.message)}</p>` +
    links +
    email +
    actionForms(viewer, incident) +
    `<h2>Timeline</h2>${table('timeline', 'Everything that happened, pages with their channel', ['When', 'What', 'By', 'To', 'Channel', 'Note'], incident.timeline.map(timelineRow), 'Nothing yet.')}`;
  return renderPage({ title: `#${incident.number} ${incident.title}`, viewer, section: 'incidents' }, main);
}

const who = (s: PresentedShift) => esc(s.name ? `${s.name} (${s.email})` : (s.email ?? s.person));

/** A person's contacts that proved bad, said in words: pages there do not reach them until the config changes. */
const contactWarnings = (s: PresentedShift) =>
  (s.contactProblems ?? []).map((p) => ` <strong class="contact-problem">${esc(p.channel)} ${esc(p.to)} does not work: ${esc(p.problem)} (incident #${p.incident})</strong>`).join('');

export interface TeamOnCall {
  readonly team: string;
  readonly schedules: readonly { readonly schedule: string; readonly onCall: readonly PresentedShift[] }[];
}

export function onCallPage(viewer: Viewer, teams: readonly TeamOnCall[]): string {
  const sections = teams.map((t) => {
    const rows = t.schedules.map((s) => [
      `<a href="/console/schedules/${esc(t.team)}/${esc(s.schedule)}">${esc(s.schedule)}</a>`,
      s.onCall.map((shift) => who(shift) + contactWarnings(shift)).join(', ') || 'nobody',
      s.onCall.map((shift) => time(shift.end)).join(', '),
    ]);
    return `<h2>${esc(t.team)}</h2>${table(`oncall-${esc(t.team)}`, `On call now in team ${t.team}`, ['Schedule', 'On call', 'Until'], rows, 'No schedules.')}`;
  });
  return renderPage({ title: 'On call', viewer, section: 'oncall' }, `<h1>Who is on call now</h1>${sections.join('') || '<p>No teams.</p>'}`);
}

export interface ScheduleDays {
  readonly team: string;
  readonly schedule: string;
  readonly timeZone: string;
  /** The instants the shifts were read between: a shift is cut there, so its end there is not its own. */
  readonly from: string;
  readonly to: string;
  /** Each day (YYYY-MM-DD in the schedule's zone) with the shifts that overlap it. */
  readonly days: readonly { readonly date: string; readonly shifts: readonly PresentedShift[] }[];
}

export function schedulePage(viewer: Viewer, calendar: ScheduleDays): string {
  const span = (s: PresentedShift) =>
    Date.parse(s.start) <= Date.parse(calendar.from) ? `until ${time(s.end)}` : Date.parse(s.end) >= Date.parse(calendar.to) ? `from ${time(s.start)}` : `${time(s.start)} to ${time(s.end)}`;
  const shift = (s: PresentedShift) =>
    `${who(s)}: ${span(s)}${s.layer === 'override' ? ' <span class="override">(override)</span>' : ` (${esc(s.layer)})`}`;
  const rows = calendar.days.map((d) => [esc(d.date), d.shifts.map(shift).join('<br>') || 'nobody']);
  const form =
    `<h2>Add an override</h2><form class="fields" method="post" action="/console/schedules/${esc(calendar.team)}/${esc(calendar.schedule)}/overrides" aria-label="Add an override">${csrfField(viewer)}` +
    field('person', 'Person (id or email)', textInput('person', '', 'required')) +
    field('from', `From (${calendar.timeZone})`, textInput('from', '', 'type="datetime-local" required')) +
    field('to', `To (${calendar.timeZone})`, textInput('to', '', 'type="datetime-local" required')) +
    field('replaces', 'Replaces (optional)', textInput('replaces')) +
    `<button id="add-override" type="submit">Add override</button></form>`;
  return renderPage(
    { title: `${calendar.team} / ${calendar.schedule}`, viewer, section: 'oncall' },
    `<h1>Schedule ${esc(calendar.schedule)} of ${esc(calendar.team)}</h1><p>The next 14 days; times in UTC, days in ${esc(calendar.timeZone)}. Overrides are marked.</p>` +
      table('calendar', 'Shifts per day', ['Day', 'Shifts'], rows, 'No shifts.') +
      form,
  );
}

export function maintenancePage(viewer: Viewer, windows: readonly MaintenanceWindow[], now: Date): string {
  const status = (w: MaintenanceWindow) => (Date.parse(w.to) <= now.getTime() ? 'ended' : Date.parse(w.from) > now.getTime() ? 'planned' : 'active');
  const rows = windows.map((w) => [esc(w.id), esc(w.services.join(', ')), esc(status(w)), time(w.from), time(w.to), esc(w.reason), esc(w.createdBy)]);
  const form =
    `<h2>Start a window</h2><form class="fields" method="post" action="/console/maintenance" aria-label="Start a maintenance window">${csrfField(viewer)}` +
    field('services', 'Services (comma-separated)', textInput('services', '', 'required')) +
    field('reason', 'Reason', textInput('reason', '', 'required')) +
    field('durationMinutes', 'Minutes', textInput('durationMinutes', '60', 'type="number" min="1" required')) +
    `<button id="start-maintenance" type="submit">Start</button></form>`;
  return renderPage(
    { title: 'Maintenance', viewer, section: 'maintenance' },
    `<h1>Maintenance windows</h1>${table('maintenance', 'Windows, latest first', ['Id', 'Services', 'Status', 'From', 'To', 'Reason', 'By'], rows, 'No windows.')}${form}`,
  );
}

export function heartbeatsPage(viewer: Viewer, heartbeats: readonly HeartbeatView[]): string {
  const rows = heartbeats.map((h) => [
    esc(h.name),
    esc(h.service),
    esc(h.status),
    time(h.lastPingAt) || 'never',
    esc(h.lastNote ?? ''),
    time(h.deadline),
    h.incidentNumber === undefined ? '' : incidentLink(h.incidentNumber),
  ]);
  return renderPage(
    { title: 'Heartbeats', viewer, section: 'heartbeats' },
    `<h1>Heartbeats</h1>${table('heartbeats', 'Monitors with their last ping', ['Monitor', 'Service', 'Status', 'Last ping', 'Note', 'Deadline', 'Incident'], rows, 'No monitors.')}`,
  );
}

export function eventsPage(viewer: Viewer, query: EventExplorerQuery, events: readonly ListedEvent[]): string {
  const form =
    `<form class="fields" method="get" action="/console/events" aria-label="Filter events">` +
    field('service', `Service (or ${UNROUTED_STREAM})`, textInput('service', query.service, 'required')) +
    field('outcome', 'Outcome', select('outcome', [any('any outcome'), ...pairs(EVENT_OUTCOMES)], query.outcome)) +
    field('from', 'From (UTC)', textInput('from', query.from?.toISOString().slice(0, 16), 'type="datetime-local"')) +
    field('to', 'To (UTC)', textInput('to', query.to?.toISOString().slice(0, 16), 'type="datetime-local"')) +
    field('q', 'Summary contains', textInput('q', query.q, 'type="search"')) +
    `<button type="submit">Show</button></form>`;
  const rows = events.map((e) => [
    time(e.at),
    esc(e.outcome),
    esc(e.source),
    e.incidentNumber === undefined ? '' : incidentLink(e.incidentNumber),
    esc(e.summary ?? ''),
    esc(e.reason ?? ''),
    esc(e.from ?? ''),
  ]);
  const results = query.service
    ? table('events', `Latest events of ${query.service}`, ['When', 'Outcome', 'Source', 'Incident', 'Summary', 'Reason', 'From'], rows, 'No events match.')
    : '<p>Choose a service.</p>';
  return renderPage({ title: 'Events', viewer, section: 'events' }, `<h1>Event explorer</h1>${form}${results}`);
}

/** A status page as the console shows it: its components now, and its latest updates. */
export interface ConsoleStatusPage extends StatusPageSummary {
  readonly updates: readonly StoredStatusUpdate[];
}

/** How many of a page's updates the console lists; the public page and `GET …/updates` have them all. */
export const CONSOLE_STATUS_UPDATES = 10;

const componentStatusText = (status: ComponentStatus) => esc(COMPONENT_STATUS_LABELS[status]);

function statusPageSection(viewer: Viewer, page: ConsoleStatusPage, publicUrl: string | undefined, newUpdateId: string): string {
  const action = (what: string) => `/console/status/${esc(page.id)}/${what}`;
  const ids = (what: string) => `${what}-${esc(page.id)}`;
  const removeForm = (component: string) =>
    `<form class="inline" method="post" action="${action('overrides/remove')}">${csrfField(viewer)}<input type="hidden" name="component" value="${esc(component)}">` +
    `<button type="submit" aria-label="Remove the override of ${esc(component)}">Remove override</button></form>`;
  const components = page.components.map((c) => [
    esc(c.name),
    esc(c.id),
    componentStatusText(c.status),
    c.override ? `${esc(c.override.setBy)}${c.override.note ? `: ${esc(c.override.note)}` : ''}${c.override.until ? ` until ${time(c.override.until)}` : ''} ${removeForm(c.id)}` : '',
  ]);
  const updates = page.updates.map((u) => [time(u.at), esc(UPDATE_STATUS_LABELS[u.status]), `<span class="msg">${esc(u.text)}</span>`, esc((u.components ?? []).join(', ')), esc(u.createdBy)]);
  // Field ids are the page's own, so that two pages' forms on one view keep their labels apart.
  const pageField = (name: string, label: string, input: string) => `<label for="f-${name}-${esc(page.id)}">${esc(label)} ${input}</label>`;
  const postForm =
    `<form class="fields" method="post" action="${action('updates')}" aria-label="Post an update on ${esc(page.title)}">${csrfField(viewer)}` +
    // The update's id, made when the form is shown: a form sent twice posts one update.
    `<input type="hidden" name="id" value="${esc(newUpdateId)}">` +
    pageField('status', 'Status', `<select id="f-status-${esc(page.id)}" name="status">${UPDATE_STATUSES.map((s) => `<option value="${s}">${esc(UPDATE_STATUS_LABELS[s])}</option>`).join('')}</select>`) +
    pageField('text', 'What readers should know', `<textarea id="f-text-${esc(page.id)}" name="text" rows="3" cols="50" maxlength="${MAX_UPDATE_CHARACTERS}" required></textarea>`) +
    pageField('components', 'Components (comma-separated ids, optional)', `<input id="f-components-${esc(page.id)}" name="components">`) +
    pageField('incidentNumber', 'Incident number (optional)', `<input id="f-incidentNumber-${esc(page.id)}" name="incidentNumber" type="number" min="1">`) +
    `<button id="${ids('post-update')}" type="submit">Post update</button></form>`;
  const overrideForm =
    `<form class="fields" method="post" action="${action('overrides')}" aria-label="Override a component of ${esc(page.title)}">${csrfField(viewer)}` +
    pageField('component', 'Component', `<select id="f-component-${esc(page.id)}" name="component">${page.components.map((c) => `<option value="${esc(c.id)}">${esc(c.name)}</option>`).join('')}</select>`) +
    pageField('override', 'Show as', `<select id="f-override-${esc(page.id)}" name="status">${COMPONENT_STATUSES.map((s) => `<option value="${s}">${componentStatusText(s)}</option>`).join('')}</select>`) +
    pageField('note', 'Note (optional)', `<input id="f-note-${esc(page.id)}" name="note" maxlength="500">`) +
    `<button id="${ids('override')}" type="submit">Override</button></form>`;
  const link = !page.path
    ? ' <small>(not published: a private page gets its secret address from config apply)</small>'
    : publicUrl
      ? ` <a href="${esc(`${publicUrl}/${page.path}/`)}">${page.visibility === 'private' ? 'private page (secret link)' : 'public page'}</a>`
      : '';
  return (
    `<section id="${ids('page')}" aria-labelledby="${ids('title')}"><h2 id="${ids('title')}">${esc(page.title)} <small>(${esc(page.id)}, ${esc(page.visibility)})</small>${link}</h2>` +
    table(ids('components'), 'Components now', ['Component', 'Id', 'Status', 'Override'], components, 'No components.') +
    table(ids('updates'), `Latest updates, newest first (at most ${CONSOLE_STATUS_UPDATES})`, ['When', 'Status', 'Text', 'Components', 'By'], updates, 'No updates yet.') +
    `<h3>Post an update</h3>${postForm}<h3>Override a component</h3><p>An override shows instead of what the incidents say, until it is removed.</p>${overrideForm}</section>`
  );
}

/** The status pages: each component's status now, the latest updates, and the forms to post and override. */
export function statusPage(viewer: Viewer, pages: readonly ConsoleStatusPage[], publicUrl: string | undefined, newUpdateId: () => string): string {
  return renderPage(
    { title: 'Status pages', viewer, section: 'status' },
    `<h1>Status pages</h1>${pages.length ? pages.map((p) => statusPageSection(viewer, p, publicUrl, newUpdateId())).join('') : '<p id="status-pages">No status pages are configured.</p>'}`,
  );
}

/** "4 min 10 s", "2 h 5 min"; "none" without durations. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return 'none';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.round((s % 3600) / 60) ? ` ${Math.round((s % 3600) / 60)} min` : ''}`;
}

const stats = (d: DurationStats) => (d.count ? `${formatDuration(d.medianSeconds)} / ${formatDuration(d.meanSeconds)} (${d.count})` : 'none');

function responseTable(id: string, what: string, rows: readonly ResponseTimes[]): string {
  return table(id, `MTTA and MTTR per ${what}: median / mean (incidents)`, [what[0]!.toUpperCase() + what.slice(1), 'Incidents', 'MTTA', 'MTTR'], rows.map((r) => [esc(r.key), String(r.incidents), stats(r.mtta), stats(r.mttr)]), 'No incidents.');
}

export function reportsPage(viewer: Viewer, report: PeriodReport & { readonly truncated: boolean }): string {
  const periods = REPORT_PERIODS_DAYS.map((d) => (d === report.days ? `<strong>${d} days</strong>` : `<a href="/console/reports?days=${d}">${d} days</a>`)).join(' · ');
  const pages = report.pages.map((p) => [esc(p.name ? `${p.name} (${p.person})` : p.person), String(p.pages), String(p.incidents), String(p.nightPages)]);
  const perDay = report.perDay.map((d) => [esc(d.date), String(d.count)]);
  return renderPage(
    { title: 'Reports', viewer, section: 'reports' },
    `<h1>Reports, last ${report.days} days</h1><p>${periods}</p><p>${report.incidents} incidents${report.truncated ? ' (the newest only: the report reads a bounded number)' : ''}.</p>` +
      `<h2>By service</h2>${responseTable('by-service', 'service', report.byService)}<h2>By team</h2>${responseTable('by-team', 'team', report.byTeam)}` +
      `<h2>Pages per person</h2>${table('pages', 'Pages per person; night is 22:00 to 07:00 on their clock', ['Person', 'Pages', 'Incidents', 'At night'], pages, 'No pages.')}` +
      `<h2>Incidents per day</h2>${table('per-day', 'Incidents created per day (UTC)', ['Day', 'Incidents'], perDay, 'No days.')}`,
  );
}

export function signInPage(problem?: string): string {
  return renderPage(
    { title: 'Sign in' },
    `<h1>Sign in</h1>${problem ? `<p class="error" role="alert">${esc(problem)}</p>` : ''}<p>Give your address: if it is in the on-call configuration, a sign-in link is mailed to it.</p>` +
      `<form class="fields" method="post" action="/console/sign-in" aria-label="Sign in">${field('email', 'Email address', textInput('email', '', 'type="email" autocomplete="email" required'))}<button id="send-link" type="submit">Send me a link</button></form>`,
  );
}

export const checkMailPage = () =>
  renderPage(
    { title: 'Check your mail' },
    '<h1>Check your mail</h1><p id="message">If this address belongs to someone in the on-call configuration, a sign-in link is on its way. It works once, for 10 minutes.</p>',
  );

/**
 * What a mailed link opens: who it signs in, and the button that does. Only the button's POST uses the link, so
 * a mail scanner that opens the link signs no one in and leaves the link working.
 */
export function confirmSignInPage(name: string, token: string): string {
  return renderPage(
    { title: 'Sign in' },
    `<h1>Sign in as ${esc(name)}</h1><p>This link works once: press the button to sign in to the console.</p>` +
      `<form method="post" action="/console/auth/${esc(encodeURIComponent(token))}"><button id="confirm-sign-in" type="submit">Sign in as ${esc(name)}</button></form>`,
  );
}

/** What an expired, used or altered link opens: why, and the way to a new one. */
export function signInLinkRefusedPage(problem: string): string {
  return renderPage(
    { title: 'Sign-in link not valid' },
    `<h1>This sign-in link cannot be used</h1><p id="message" class="error">${esc(problem.charAt(0).toUpperCase() + problem.slice(1))}.</p>` +
      '<p><a id="new-link" href="/console/sign-in">Ask for a new sign-in link</a></p>',
  );
}
