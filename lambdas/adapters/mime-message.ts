import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { InboundMessage } from '../domain/inbound-email/inbound-email';
import { normaliseSesMessageId } from './ses-message-ids';

/**
 * How many MIME parts a message may have before it is read from its header block alone. mailparser's own
 * limit is 1,000; above this bound a message is a flood of parts, not mail to page on.
 */
export const MAX_MIME_PARTS = 2_000;

/** A message id without its angle brackets, SES's ids in one domain whatever the region. */
const bareId = (id: string) => normaliseSesMessageId(id.trim().replace(/^<|>$/g, ''));

/** Header values by lower-case name, unfolded, first occurrence kept. Encoded words stay as sent. */
function headersOf(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    headers[key] ??= line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  return headers;
}

const firstAddress = (from: AddressObject | undefined) => from?.value.find((a) => a.address);

const parse = (raw: Buffer) =>
  simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, maxChildNodes: MAX_MIME_PARTS });

/** What the header block tells of a message: everything screening, threading and dedup need. */
function headerFacts(parsed: ParsedMail, size: number): InboundMessage {
  const from = firstAddress(parsed.from);
  const references = typeof parsed.references === 'string' ? [parsed.references] : (parsed.references ?? []);
  const threadIds = [...references, ...(parsed.inReplyTo ? [parsed.inReplyTo] : [])].map(bareId).filter(Boolean);
  return {
    headers: headersOf(parsed),
    ...(parsed.subject === undefined ? {} : { subject: parsed.subject }),
    ...(from?.address ? { from: { address: from.address, ...(from.name ? { name: from.name } : {}) } } : {}),
    ...(parsed.date ? { date: parsed.date } : {}),
    ...(parsed.messageId ? { messageId: bareId(parsed.messageId) } : {}),
    threadIds: [...new Set(threadIds)],
    attachments: [],
    size,
  };
}

/** Where a message's header block ends and its body begins: after the first empty line. */
function splitAtBody(raw: Buffer): { header: Buffer; body: Buffer } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const [at, gap] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : lf >= 0 ? [lf, 2] : [raw.length, 0];
  return { header: raw.subarray(0, at), body: raw.subarray(at + gap) };
}

/**
 * A message read from its header block alone, with the reason its body was not read: for messages too
 * large to parse, missing from the bucket, or whose MIME structure cannot be parsed.
 */
export async function parseHeaderBlock(headerBlock: Buffer, size: number, unreadable: string): Promise<InboundMessage> {
  try {
    return { ...headerFacts(await parse(Buffer.concat([headerBlock, Buffer.from('\r\n\r\n')])), size), unreadable };
  } catch (error) {
    return { headers: {}, threadIds: [], attachments: [], size, unreadable: `${unreadable}; headers unreadable (${(error as Error).message})` };
  }
}

/**
 * Parses a raw message with mailparser: character sets and transfer encodings decoded, the HTML body turned
 * into text when there is no text body, attachments listed (their content is not kept). A MIME structure
 * that cannot be parsed whole still yields every header fact, so the message is screened, threaded and
 * deduplicated like any other; a multipart body without a usable boundary is taken as plain text.
 */
export async function parseMimeMessage(raw: Buffer): Promise<InboundMessage> {
  let parsed: ParsedMail;
  try {
    parsed = await parse(raw);
  } catch (error) {
    return parseHeaderBlock(splitAtBody(raw).header, raw.length, `malformed MIME (${(error as Error).message})`);
  }
  const text = parsed.text || (parsed.attachments.length === 0 ? splitAtBody(raw).body.toString('utf8').trim() : '');
  return {
    ...headerFacts(parsed, raw.length),
    ...(text ? { text } : {}),
    attachments: parsed.attachments.map((a) => ({ name: a.filename ?? '(unnamed)', type: a.contentType, size: a.size })),
  };
}
