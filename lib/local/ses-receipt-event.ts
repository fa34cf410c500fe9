import { randomBytes } from 'node:crypto';
import type { SESEvent, SESReceiptStatus } from 'aws-lambda';
import type { Verdicts } from '../../lambdas/domain/inbound-email/inbound-email';
import type { SmtpEnvelope } from './smtp-listener';

/** Verdicts where nothing checks: no spam or virus scanner, no DNS for SPF, DKIM and DMARC. */
export const LOCAL_VERDICTS: Verdicts = { spam: 'DISABLED', virus: 'DISABLED', spf: 'GRAY', dkim: 'GRAY', dmarc: 'GRAY' };

/** An id shaped like SES's message ids: 40 lower-case letters and digits. */
export const sesMessageId = () =>
  Array.from(randomBytes(40), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

/** The header fields of a raw message, in order, with folded lines joined, as SES lists them. */
function headerFields(raw: Buffer): { name: string; value: string }[] {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  return block.split(/\r?\n(?![ \t])/).flatMap((field) => {
    const colon = field.indexOf(':');
    return colon > 0 ? [{ name: field.slice(0, colon).trim(), value: field.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() }] : [];
  });
}

/**
 * The event an SES receipt rule's Lambda action sends for a message its S3 action stored under
 * `<prefix><messageId>`: the same shape, so that the same handler runs.
 */
export function sesReceiptEvent(args: {
  readonly raw: Buffer;
  readonly envelope: SmtpEnvelope;
  readonly messageId: string;
  readonly receivedAt: Date;
  readonly verdicts: Verdicts;
  readonly functionArn: string;
}): SESEvent {
  const headers = headerFields(args.raw);
  const first = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value;
  const list = (name: string) => (first(name) ? [first(name)!] : undefined);
  const status = (check: keyof Verdicts): SESReceiptStatus => ({ status: (args.verdicts[check] ?? 'GRAY') as SESReceiptStatus['status'] });
  const timestamp = args.receivedAt.toISOString();
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp,
            source: args.envelope.mailFrom,
            messageId: args.messageId,
            destination: [...args.envelope.recipients],
            headersTruncated: false,
            headers,
            commonHeaders: {
              returnPath: args.envelope.mailFrom,
              ...(list('from') ? { from: list('from') } : {}),
              ...(list('to') ? { to: list('to') } : {}),
              date: first('date') ?? '',
              messageId: first('message-id') ?? '',
              ...(first('subject') ? { subject: first('subject') } : {}),
            },
          },
          receipt: {
            timestamp,
            processingTimeMillis: 0,
            recipients: [...args.envelope.recipients],
            spamVerdict: status('spam'),
            virusVerdict: status('virus'),
            spfVerdict: status('spf'),
            dkimVerdict: status('dkim'),
            dmarcVerdict: status('dmarc'),
            action: { type: 'Lambda', functionArn: args.functionArn, invocationType: 'Event' },
          },
        },
      },
    ],
  };
}
