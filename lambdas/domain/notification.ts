import type { LinkAction } from './action-links';
import type { Incident } from './incident';

/** One email to one recipient. */
export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The outcome of a send: SES's message id, or why not and whether trying again may help. */
export type SendResult =
  | { readonly ok: true; readonly messageId: string }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

/** Sends one email. Never throws for a delivery failure: it says whether the failure is worth a retry. */
export interface EmailSender {
  send(message: EmailMessage): Promise<SendResult>;
}

/** Text made safe to place in HTML, attribute values included. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Header values must stay on one line, whatever the alert's title holds. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim();

export interface PageContext {
  /** 1-based, as people count levels. */
  readonly level: number;
  readonly round: number;
  readonly links: Readonly<Record<LinkAction, string>>;
}

/** The page for one recipient: subject like `[CRIT] #100042 5xx Error Spike — athens (level 2)`. */
export function renderPage(incident: Incident, to: string, context: PageContext): EmailMessage {
  const subject = oneLine(`[${incident.severity}] #${incident.number} ${incident.title} — ${incident.service} (level ${context.level})`);
  const facts: [string, string][] = [
    ['Service', incident.service],
    ['Severity', incident.severity],
    ['State', incident.state],
    ['Title', incident.title],
    ['Source', incident.source ?? '-'],
    ['Detected', incident.detectedAt],
    ['Occurrences', String(incident.occurrences)],
    ['Level', context.round > 0 ? `${context.level} (repeat ${context.round})` : String(context.level)],
  ];
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
    '</body></html>',
  ].join('\n');
  return { to, subject, text, html };
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
