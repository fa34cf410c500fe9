import type { LinkAction } from '../access/action-links';
import type { Incident } from '../incident/incident';
import { fitCharacters } from '../shared/text';

/** One email to one recipient: a page rendered for the email channel. */
export interface EmailMessage {
  readonly to: string;
  /** Where replies go: the service's inbound address, which takes `ack`, `resolve` and comments. */
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * How one person is reached: by email, by SMS or a voice call to an E.164 number, or by a Slack direct message
 * to their Slack user id. Each channel has its own {@link Notifier} implementation.
 */
export type ContactMethod =
  | { readonly channel: 'email'; readonly address: string }
  | { readonly channel: 'sms' | 'voice'; readonly phone: string }
  | { readonly channel: 'slack'; readonly user: string };

export type Channel = ContactMethod['channel'];

/** Where a contact method reaches: the address, the number or the Slack user id, as the timeline records it. */
export function reachOf(contact: ContactMethod): string {
  if (contact.channel === 'email') return contact.address;
  return contact.channel === 'slack' ? contact.user : contact.phone;
}

/** A page: the incident as it stands, the level that fires, and how to act on it. */
export interface PageNotification extends PageContext {
  readonly kind: 'page';
  readonly incident: Incident;
}

/** An incident still open, as a handoff notice lists it. */
export interface OpenIncidentSummary {
  readonly number: number;
  readonly severity: string;
  readonly state: string;
  readonly service: string;
  readonly title: string;
}

/** The notice to the person coming on call: the shift's start and end, and the team's open incidents. */
export interface HandoffNotification {
  readonly kind: 'handoff';
  readonly team: string;
  readonly schedule: string;
  readonly personName: string;
  /** The zone the times are shown in: the person's own, else the schedule's. */
  readonly timeZone: string;
  readonly shiftStart: number;
  readonly shiftEnd: number;
  readonly openIncidents: readonly OpenIncidentSummary[];
}

/** What one notification says. */
export type Notification = PageNotification | HandoffNotification;

/**
 * The outcome of one notification: sent (with the channel's message id, and the id replies to it refer
 * to, where the channel threads replies), or failed, retryable or permanent, with the reason.
 */
export type NotifyResult =
  | { readonly outcome: 'sent'; readonly messageId: string; readonly threadId?: string }
  | { readonly outcome: 'retryable' | 'permanent'; readonly reason: string };

/**
 * Reaches one contact with one notification. Never throws for a delivery failure: it says, from the
 * channel's protocol, whether trying again may help (Alertmanager's `Notify(ctx, ...) (retry bool, err)`).
 */
export interface Notifier {
  notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult>;
}

/**
 * One notifier per channel, behind the one port: each contact goes to its channel's notifier. A channel that
 * is not set up (SMS without an origination identity) fails permanently, with the reason.
 */
export class ChannelNotifiers implements Notifier {
  constructor(private readonly byChannel: Readonly<Partial<Record<Channel, Notifier>>>) {}

  notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult> {
    const notifier = this.byChannel[contact.channel];
    if (!notifier) return Promise.resolve({ outcome: 'permanent', reason: `the ${contact.channel} channel is not set up` });
    return notifier.notify(contact, notification);
  }
}

/** Text made safe to place in HTML, attribute values included. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Header values must stay on one line, whatever the alert's title holds. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim();

/** Where a page stands in its escalation, and how its recipient acts on it. */
export interface PageContext {
  /** 1-based, as people count levels. */
  readonly level: number;
  readonly round: number;
  readonly links: Readonly<Record<LinkAction, string>>;
  /** The service's inbound address, when mail is taken in. */
  readonly replyTo?: string;
}

/** The most characters of a page's subject: mail clients show about this much, and cut the rest. */
export const MAX_SUBJECT_CHARACTERS = 200;

/**
 * A page's subject: `[CRIT] #100042 5xx Error Spike — athens (level 2)`. A long title is cut so that the
 * severity, number, service and level always show; the whole title is in the body.
 */
function subjectOf(incident: Incident, level: number): string {
  const prefix = `[${incident.severity}] #${incident.number} `;
  const suffix = ` — ${incident.service} (level ${level})`;
  return prefix + fitCharacters(oneLine(incident.title), MAX_SUBJECT_CHARACTERS - [...prefix].length - [...suffix].length) + suffix;
}

/** The page for one recipient, with its subject, text and HTML parts. */
export function renderPage(incident: Incident, to: string, context: PageContext): EmailMessage {
  const subject = subjectOf(incident, context.level);
  const facts: [string, string][] = [
    ['Service', incident.service],
    ['Severity', incident.severity],
    ['State', incident.state],
    ['Title', incident.title],
    ['Source', incident.source ?? '-'],
    ['Detected', incident.detectedAt],
    ['Occurrences', String(incident.occurrences)],
    ['Level', context.round > 0 ? `${context.level} (repeat ${context.round})` : String(context.level)],
    ...emailFacts(incident),
    ...(incident.links ?? []).map((link): [string, string] => [link.text ?? 'Link', link.href]),
  ];
  const replyHint = context.replyTo
    ? 'Or reply to this email: "ack" or "resolve" on the first line claims or resolves; anything else is added as a comment.'
    : undefined;
  const text = [
    `Incident #${incident.number} needs an on-call engineer.`,
    '',
    ...facts.map(([name, value]) => `${name}: ${value}`),
    '',
    incident.message,
    '',
    `Claim:   ${context.links.claim}`,
    `Resolve: ${context.links.resolve}`,
    '',
    'Claiming stops the escalation. Each link opens a page with a button to confirm.',
    ...(replyHint ? [replyHint] : []),
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(`[${incident.severity}] #${incident.number} ${incident.title}`)}</h2>`,
    '<table>',
    ...facts.map(([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<pre style="white-space:pre-wrap">${escapeHtml(incident.message)}</pre>`,
    `<p><a href="${escapeHtml(context.links.claim)}">Claim</a> &nbsp; <a href="${escapeHtml(context.links.resolve)}">Resolve</a></p>`,
    '<p>Claiming stops the escalation. Each link opens a page with a button to confirm.</p>',
    ...(replyHint ? [`<p>${escapeHtml(replyHint)}</p>`] : []),
    '</body></html>',
  ].join('\n');
  return { to, subject, text, html, ...(context.replyTo ? { replyTo: context.replyTo } : {}) };
}

/** What a page shows of the mail that raised its incident: who sent it and what it carried. */
function emailFacts(incident: Incident): [string, string][] {
  if (!incident.email) return [];
  const { from, to, attachments, attachmentsNotListed } = incident.email;
  const files = [
    ...attachments.map((a) => `${a.name} (${a.type}, ${a.size} bytes)`),
    ...(attachmentsNotListed ? [`and ${attachmentsNotListed} more`] : []),
  ].join(', ');
  return [
    ['Email from', from],
    ['Sent to', to],
    ...(files ? [['Attachments', files] as [string, string]] : []),
  ];
}

/** The handoff notice for one person, with its subject, text and HTML parts. */
export function renderHandoffNotice(notice: HandoffNotification, to: string): EmailMessage {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: notice.timeZone, dateStyle: 'full', timeStyle: 'short' });
  const time = (ms: number) => `${format.format(ms)} (${notice.timeZone})`;
  const subject = fitCharacters(oneLine(`On call from ${time(notice.shiftStart)}: ${notice.team}/${notice.schedule}`), MAX_SUBJECT_CHARACTERS);
  const incidents = notice.openIncidents.map((i) => `#${i.number} [${i.severity}] ${i.state} ${i.service}: ${oneLine(i.title)}`);
  const lines = [
    `${notice.personName}, you are on call in ${notice.team}/${notice.schedule}.`,
    '',
    `From: ${time(notice.shiftStart)}`,
    `To:   ${time(notice.shiftEnd)}`,
    '',
    incidents.length ? `Open incidents of team ${notice.team}:` : `Team ${notice.team} has no open incident.`,
    ...incidents,
  ];
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    ...lines.map((line) => (line ? `<p>${escapeHtml(line)}</p>` : '')),
    '</body></html>',
  ].join('\n');
  return { to, subject, text: lines.join('\n'), html };
}

/** The confirmation page a link opens: a GET shows it, only its button's POST acts. */
export function renderConfirmation(incident: Incident, action: LinkAction, by: string, postUrl: string): string {
  const verb = action === 'claim' ? 'Claim' : 'Resolve';
  return [
    '<!doctype html><html><head><meta name="robots" content="noindex"></head><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(`${verb} #${incident.number} ${incident.title}?`)}</h2>`,
    `<p>${escapeHtml(`${incident.service}, ${incident.severity}, now ${incident.state}. You act as ${by}.`)}</p>`,
    `<form method="post" action="${escapeHtml(postUrl)}"><button type="submit">${verb}</button></form>`,
    '</body></html>',
  ].join('\n');
}
