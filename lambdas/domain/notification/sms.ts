import type { Incident } from '../incident/incident';
import { replyCodeOf } from './sms-replies';

/** GSM 03.38's basic character set: one septet each. */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Its extension table: two septets each (an escape, then the character). */
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

/** Characters outside GSM-7 that have a close GSM-7 spelling, so a page need not fall into UCS-2. */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  '‘': "'",
  '’': "'",
  '‚': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '–': '-',
  '—': '-',
  '−': '-',
  '…': '...',
  '•': '*',
  '·': '.',
  '\u00a0': ' ',
  '\t': ' ',
  '`': "'",
  '´': "'",
  '«': '"',
  '»': '"',
  '©': '(c)',
  '®': '(R)',
  '™': 'TM',
  '×': 'x',
  '÷': '/',
  '≤': '<=',
  '≥': '>=',
  '→': '->',
  '←': '<-',
  Œ: 'OE',
  œ: 'oe',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
};

const isGsm7 = (char: string) => GSM7_BASIC.has(char) || GSM7_EXTENSION.has(char);

/**
 * Text in GSM-7 only: characters with a GSM-7 spelling take it (curly quotes, dashes, accents that GSM-7
 * lacks: `ő` becomes `o`), others become `?`. A message in GSM-7 fits 160 characters a segment; one
 * character outside it would put the whole message in UCS-2, at 70.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    if (isGsm7(char)) out += char;
    else if (TRANSLITERATIONS[char] !== undefined) out += TRANSLITERATIONS[char];
    else {
      const base = char.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...base].every(isGsm7) && base !== char ? base : '?';
    }
  }
  return out;
}

/** The septets a GSM-7 text takes: two for each character of the extension table. */
export const gsm7Septets = (text: string): number => [...text].reduce((n, char) => n + (GSM7_EXTENSION.has(char) ? 2 : 1), 0);

/** How many SMS segments a GSM-7 text takes: one up to 160 septets, else 153 each (7 go to the join header). */
export const smsSegments = (text: string): number => {
  const septets = gsm7Septets(text);
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
};

/** The most septets of one segment, and of two (each of a long message's segments gives 7 to its header). */
const ONE_SEGMENT = 160;
const TWO_SEGMENTS = 2 * 153;
/** The fewest septets of title worth sending: below this, a second segment is spent rather than the title. */
const MIN_TITLE = 40;

/**
 * A page as an SMS: `[CRIT] #100042 5xx Error Spike (athens). Reply 42C to claim, 42R to resolve. <link>`, in
 * GSM-7. The title is cut so that the message fits one segment wherever the link leaves room for a readable
 * title, else two; the link (the signed action page, which claims) is never cut.
 */
export function renderSms(incident: Incident, claimLink: string): string {
  const code = replyCodeOf(incident.number);
  const head = toGsm7(`[${incident.severity}] #${incident.number} `);
  const tail = toGsm7(` (${incident.service}). Reply ${code}C to claim, ${code}R to resolve. ${claimLink}`);
  const title = toGsm7(incident.title.replace(/\s+/g, ' ').trim());
  const fixed = gsm7Septets(head) + gsm7Septets(tail);
  const room = Math.max(MIN_TITLE, ONE_SEGMENT - fixed >= MIN_TITLE ? ONE_SEGMENT - fixed : TWO_SEGMENTS - fixed);
  let fitted = title;
  if (gsm7Septets(title) > room) {
    fitted = '';
    for (const char of title) {
      if (gsm7Septets(fitted + char) > room - 3) break;
      fitted += char;
    }
    fitted = `${fitted.trimEnd()}...`;
  }
  return head + fitted + tail;
}
