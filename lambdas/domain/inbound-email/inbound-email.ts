import { createHash } from 'node:crypto';
import { LIMITS } from '../../config/limits';
import { MAX_LISTED_ATTACHMENTS, type EmailAttachment, type EmailOrigin, type IncidentEvent, type Severity } from '../incident/incident';
import { boundWithMarker, fitLine } from '../shared/text';

/**
 * Inbound email as incidents: which service and severity an address names, which mail is ignored or
 * rejected, and how a message becomes an incident, a comment or an acknowledgment. Plain functions over the
 * parsed message; MIME parsing and SES are the adapters' business.
 */

/** The severity of mail sent to `service@domain`, without a `+severity` tag. */
export const DEFAULT_EMAIL_SEVERITY: Severity = 'ERR';

/** The `+tag` of an address, and the severity it sets. */
const SEVERITY_TAGS: Readonly<Record<string, Severity>> = {
  crit: 'CRIT',
  critical: 'CRIT',
  err: 'ERR',
  error: 'ERR',
  warn: 'WARN',
  warning: 'WARN',
};

export type RecipientRoute =
  | { readonly ok: true; readonly service: string; readonly severity: Severity }
  /** `service` is the name the address gave, when it looks like one: rejections are recorded under it. */
  | { readonly ok: false; readonly reason: string; readonly service?: string };

const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The service and severity an address names: `athens@oncall.example.com`, `athens+crit@oncall.example.com`. */
export function routeRecipient(address: string, inboundDomain: string): RecipientRoute {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase();
  if (at < 1 || domain !== inboundDomain.toLowerCase()) return { ok: false, reason: `${address} is not an address of ${inboundDomain}` };
  const [service = '', tag] = local.split('+', 2);
  if (!SERVICE_NAME.test(service)) return { ok: false, reason: `${service || '(empty)'} is not a service name` };
  if (tag === undefined) return { ok: true, service, severity: DEFAULT_EMAIL_SEVERITY };
  const severity = SEVERITY_TAGS[tag];
  if (!severity) {
    return { ok: false, service, reason: `+${tag} is not a severity: use +crit, +err or +warn (or none, for ${DEFAULT_EMAIL_SEVERITY})` };
  }
  return { ok: true, service, severity };
}

/** The receiving side's checks of a message (spam, virus, dmarc, ...) by name, each with its status (PASS, FAIL, ...). */
export type Verdicts = Readonly<Record<string, string>>;

/** The checks among `enforced` that the message failed, as `spf FAIL`. */
export function failedVerdicts(verdicts: Verdicts, enforced: readonly string[]): string[] {
  return enforced.filter((check) => verdicts[check] === 'FAIL').map((check) => `${check} FAIL`);
}

/** A received message as the MIME parser gives it. */
export interface InboundMessage {
  /** Header values by lower-case name: the first occurrence of each. */
  readonly headers: Readonly<Record<string, string>>;
  readonly subject?: string;
  readonly from?: { readonly address: string; readonly name?: string };
  readonly date?: Date;
  /** Message-ID without angle brackets. */
  readonly messageId?: string;
  /** In-Reply-To and References ids, without angle brackets. */
  readonly threadIds: readonly string[];
  /** The text body, or the HTML body as text. */
  readonly text?: string;
  readonly attachments: readonly EmailAttachment[];
  /** The raw message's size in bytes. */
  readonly size: number;
  /** Why the body could not be read (too large, malformed), if it could not. */
  readonly unreadable?: string;
}

/** Where a message came from: the SMTP envelope and the receiving side's checks. */
export interface Envelope {
  /** MAIL FROM; empty for bounces (the null return path). */
  readonly mailFrom: string;
  readonly recipients: readonly string[];
  readonly verdicts: Verdicts;
  readonly receivedAt: Date;
  /** The receiving side's id of this delivery (SES's message id). */
  readonly deliveryId: string;
}

export type Screening = { readonly accept: true } | { readonly accept: false; readonly reason: string };

/** Subjects of out-of-office replies from clients that set no header saying so. */
const OUT_OF_OFFICE_SUBJECT = /^\s*(out of (the )?office|automatic reply|auto[- ]?reply|autoreply)\b/i;

/**
 * Whether mail may raise or touch an incident. Ignored: bounces and delivery reports, auto-replies and
 * out-of-office notes, bulk list traffic, and our own pages, so that two systems never page each other in a
 * loop. Machine mail marked `Auto-Submitted: auto-generated` (cron, monitoring) and mail relayed by a
 * discussion group (`List-Id` with `Precedence: list`) are what the address is for: accepted.
 */
export function screenMessage(message: InboundMessage, envelope: Envelope, ownAddresses: readonly string[]): Screening {
  const header = (name: string) => message.headers[name]?.trim().toLowerCase();
  const ignore = (reason: string): Screening => ({ accept: false, reason });
  const from = message.from?.address.toLowerCase();
  if (from && ownAddresses.some((own) => own.toLowerCase() === from)) return ignore(`sent by InResponse itself (${from})`);
  const mailFrom = envelope.mailFrom.trim();
  if (mailFrom === '' || mailFrom === '<>') return ignore('a bounce (null return path)');
  const contentType = header('content-type') ?? '';
  if (contentType.startsWith('multipart/report') && /report-type="?delivery-status/.test(contentType)) return ignore('a delivery status report (bounce)');
  if (contentType.startsWith('multipart/report') && /report-type="?disposition-notification/.test(contentType)) return ignore('a read receipt');
  const autoSubmitted = header('auto-submitted')?.split(';')[0]?.trim();
  if (autoSubmitted && autoSubmitted !== 'no' && autoSubmitted !== 'auto-generated') return ignore(`an automatic reply (Auto-Submitted: ${autoSubmitted})`);
  if (message.headers['x-autoreply'] !== undefined || message.headers['x-autorespond'] !== undefined) return ignore('an automatic reply (X-Autoreply)');
  const precedence = header('precedence');
  if (precedence === 'auto_reply' || header('x-precedence') === 'auto_reply') return ignore('an automatic reply (Precedence: auto_reply)');
  if (message.subject && OUT_OF_OFFICE_SUBJECT.test(message.subject)) return ignore('an out-of-office reply');
  if (message.headers['list-id'] !== undefined && (precedence === 'bulk' || precedence === 'junk')) return ignore(`bulk list mail (Precedence: ${precedence})`);
  return { accept: true };
}

/** Who sent a message, as people read it: `Jane Doe <jane@example.com>`. */
export function senderOf(message: InboundMessage, envelope: Envelope): string {
  const address = message.from?.address || envelope.mailFrom || 'unknown sender';
  return message.from?.name ? `${message.from.name} <${address}>` : address;
}

/** Lines that introduce a quoted message below them: `On Tue, … Jane wrote:`, and French and German alike. */
const ATTRIBUTION = /^(on\b.*\bwrote:|le\b.*\ba écrit\s?:|am\b.*\bschrieb.*:)\s*$/i;
/** Outlook's separators: everything below is the quoted message. */
const ORIGINAL_MESSAGE = /^(-{2,}\s*original message\s*-{2,}|_{20,})\s*$/i;

/**
 * The new text of a message: without the quoted message a reply carries below it and without the signature
 * (after the `-- ` line). Only what is reliably recognisable goes: a quote at the end, introduced by an
 * attribution line or made of `>` lines, and Outlook's "Original Message" block. Quotes interleaved with
 * answers stay, since cutting them would cut answers.
 */
export function newTextOf(text: string): string {
  let lines = text.replace(/\r\n?/g, '\n').split('\n');
  const separator = lines.findIndex((line) => ORIGINAL_MESSAGE.test(line.trim()));
  if (separator >= 0) lines = lines.slice(0, separator);
  let end = lines.length;
  while (end > 0 && (lines[end - 1]!.trim() === '' || lines[end - 1]!.startsWith('>'))) end--;
  const quoteFound = lines.slice(end).some((line) => line.startsWith('>'));
  if (quoteFound) {
    lines = lines.slice(0, end);
    // The attribution may wrap onto two lines.
    const last = lines.length - 1;
    if (last >= 0 && ATTRIBUTION.test(lines[last]!.trim())) lines = lines.slice(0, last);
    else if (last >= 1 && ATTRIBUTION.test(`${lines[last - 1]!.trim()} ${lines[last]!.trim()}`)) lines = lines.slice(0, last - 1);
  }
  // RFC 3676's signature separator is "-- "; many clients trim it to "--".
  const signature = lines.findLastIndex((line) => line === '-- ' || line === '--');
  if (signature >= 0 && lines.length - signature <= 15) lines = lines.slice(0, signature);
  return lines.join('\n').trim();
}

/** An incident's message from mail: the new text, bounded, or why there is none. */
function messageOf(message: InboundMessage): string {
  if (message.unreadable) return `[the body was not read: ${message.unreadable}]`;
  const text = newTextOf(message.text ?? '');
  return boundWithMarker(text || '(no text in the message)', LIMITS.maxMessageBytes);
}

/** A title from a subject: on one line, bounded. */
const titleOf = (message: InboundMessage, sender: string) =>
  fitLine(message.subject ?? '', LIMITS.maxTitleBytes, `(no subject) mail from ${sender}`);

/** How far ahead of its receipt a Date header is believed; beyond, the receipt time is used. */
const MAX_DATE_SKEW_MS = 5 * 60_000;

/** The dedup key of mail: its Message-ID, so that the same message delivered twice joins one incident. */
export const emailDedupKey = (message: InboundMessage, envelope: Envelope) =>
  `email:${message.messageId ?? `delivery:${envelope.deliveryId}`}`;

/** The incident event a message raises for one of its routed recipients, and the mail facts kept with it. */
export function emailIncidentEvent(
  message: InboundMessage,
  envelope: Envelope,
  route: Extract<RecipientRoute, { ok: true }>,
  recipient: string,
): IncidentEvent & { readonly email: EmailOrigin } {
  const sender = senderOf(message, envelope);
  const date = message.date && !Number.isNaN(message.date.getTime()) ? message.date : undefined;
  const believable = date && date.getTime() <= envelope.receivedAt.getTime() + MAX_DATE_SKEW_MS;
  return {
    service: route.service,
    severity: route.severity,
    title: titleOf(message, sender),
    message: messageOf(message),
    detectedAt: (believable ? date : envelope.receivedAt).toISOString(),
    source: 'email',
    dedupKey: emailDedupKey(message, envelope),
    email: {
      from: sender,
      to: recipient,
      ...(date ? { date: date.toISOString() } : {}),
      ...(message.messageId ? { messageId: message.messageId } : {}),
      attachments: message.attachments.slice(0, MAX_LISTED_ATTACHMENTS),
      ...(message.attachments.length > MAX_LISTED_ATTACHMENTS ? { attachmentsNotListed: message.attachments.length - MAX_LISTED_ATTACHMENTS } : {}),
    },
  };
}

/** A reply's command, from its first line (`ack` or `claim`, `resolve`), and the rest of its new text. */
export interface ReplyCommand {
  readonly action: 'claim' | 'resolve';
  /** What the reply says below the command, bounded: the note of the claim or resolve. */
  readonly note?: string;
}

/** What a reply's first line asks for, with the rest of the reply as its note. */
export function replyCommandOf(text: string): ReplyCommand | undefined {
  const [first = '', ...rest] = newTextOf(text).split('\n');
  const word = first.trim().toLowerCase().replace(/[.!]+$/, '');
  const action = word === 'ack' || word === 'acknowledge' || word === 'claim' ? 'claim' : word === 'resolve' || word === 'resolved' ? 'resolve' : undefined;
  if (!action) return undefined;
  const note = rest.join('\n').trim();
  return { action, ...(note ? { note: boundWithMarker(note, LIMITS.maxNoteBytes) } : {}) };
}

/** The note of a reply's comment on the timeline: its new text, bounded. */
export function replyNoteOf(message: InboundMessage, envelope: Envelope): string {
  const text = message.unreadable ? `[the body was not read: ${message.unreadable}]` : newTextOf(message.text ?? '');
  return boundWithMarker(`Email from ${senderOf(message, envelope)}: ${text || message.subject || '(empty)'}`, LIMITS.maxNoteBytes);
}

/** The key under which a message id is remembered for its thread (hashed: ids can be long). */
export const threadKeyOf = (messageId: string): string => createHash('sha256').update(messageId).digest('base64url');
