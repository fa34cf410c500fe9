import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { InboundMessage } from '../domain/inbound-email';

/** A message id without its angle brackets. */
const bareId = (id: string) => id.trim().replace(/^<|>$/g, '');

/** Header values by lower-case name, unfolded, first occurrence kept. Encoded words stay as sent. */
function headersOf(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    headers[key] ??= line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
  }
  return headers;
}

const firstAddress = (from: AddressObject | undefined) => from?.value.find((a) => a.address);

/**
 * Parses a raw message with mailparser: character sets and transfer encodings decoded, the HTML body turned
 * into text when there is no text body, attachments listed (their content is not kept). Malformed MIME
 * yields what could be read: mailparser is lenient, and whatever it cannot take is said in `unreadable`.
 */
export async function parseMimeMessage(raw: Buffer): Promise<InboundMessage> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (error) {
    return { headers: {}, threadIds: [], attachments: [], size: raw.length, unreadable: `malformed MIME (${(error as Error).message})` };
  }
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
    ...(parsed.text ? { text: parsed.text } : {}),
    attachments: parsed.attachments.map((a) => ({
      name: a.filename ?? '(unnamed)',
      type: a.contentType,
      size: a.size,
    })),
    size: raw.length,
  };
}
