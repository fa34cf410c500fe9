import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import * as z from 'zod';
import { LIMITS } from '../config/limits';
import type { Envelope, InboundMessage, Verdicts } from '../domain/inbound-email/inbound-email';
import { ValidationError } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { parseHeaderBlock, parseMimeMessage } from './mime-message';

/** The SES checks of a received message. */
export const VERDICT_CHECKS = ['spam', 'virus', 'spf', 'dkim', 'dmarc'] as const;
export type VerdictCheck = (typeof VERDICT_CHECKS)[number];

/**
 * Checks whose FAIL rejects a message unless configured otherwise. SPF and DKIM alone are left out: mail
 * relayed by a group or a forwarder often fails them while DMARC, which considers both, still passes.
 */
export const DEFAULT_REJECT_VERDICTS: readonly VerdictCheck[] = ['spam', 'virus', 'dmarc'];

/** The SES checks whose FAIL rejects mail, from a comma-separated list (empty: none); the defaults when unset. */
export function parseRejectVerdicts(list: string | undefined): readonly VerdictCheck[] {
  if (list === undefined) return DEFAULT_REJECT_VERDICTS;
  const checks = list.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  const unknown = checks.filter((c) => !(VERDICT_CHECKS as readonly string[]).includes(c));
  if (unknown.length) throw new Error(`reject verdicts: ${unknown.join(', ')} not among ${VERDICT_CHECKS.join(', ')}`);
  return checks as VerdictCheck[];
}

const verdict = z.looseObject({ status: z.string() });

/** The SES receipt event a receipt rule's Lambda action sends: only what InResponse reads of it. */
export const sesReceiptEventSchema = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        ses: z.looseObject({
          mail: z.looseObject({
            timestamp: z.iso.datetime({ offset: true }),
            source: z.string(),
            messageId: z.string().min(1),
            headers: z.array(z.looseObject({ name: z.string(), value: z.string() })).default([]),
          }),
          receipt: z.looseObject({
            recipients: z.array(z.string()).min(1),
            spamVerdict: verdict.optional(),
            virusVerdict: verdict.optional(),
            spfVerdict: verdict.optional(),
            dkimVerdict: verdict.optional(),
            dmarcVerdict: verdict.optional(),
          }),
        }),
      }),
    )
    .min(1),
});

export type SesReceiptRecord = z.output<typeof sesReceiptEventSchema>['Records'][number];

/** The records of an SES receipt event, or why it is not one (retrying such an event cannot help). */
export function sesReceiptRecordsOf(event: unknown): { readonly records: SesReceiptRecord[] } | { readonly invalid: ValidationError } {
  try {
    return { records: parseInput(sesReceiptEventSchema, event, 'SES receipt event').Records };
  } catch (error) {
    if (error instanceof ValidationError) return { invalid: error };
    throw error;
  }
}

/** The envelope of a received message: MAIL FROM, the recipients the rule matched, SES's verdicts. */
export function envelopeOf({ ses: { mail, receipt } }: SesReceiptRecord): Envelope {
  const verdicts: Verdicts = Object.fromEntries(
    VERDICT_CHECKS.flatMap((check) => {
      const status = receipt[`${check}Verdict`]?.status;
      return status ? [[check, status]] : [];
    }),
  );
  return { mailFrom: mail.source, recipients: receipt.recipients, verdicts, receivedAt: new Date(mail.timestamp), deliveryId: mail.messageId };
}

/** Where the receipt rule's S3 action stored raw messages: `<prefix><SES message id>`. */
export interface RawMailLocation {
  readonly bucket: string;
  readonly keyPrefix: string;
}

/**
 * Reads the raw message a receipt rule stored in S3 and parses it. A message too large to parse, or missing,
 * still yields its headers from the receipt event, with the reason, so that it can still page.
 */
export class S3InboundMailReader {
  constructor(
    private readonly s3: S3Client,
    private readonly location: RawMailLocation,
  ) {}

  async read(record: SesReceiptRecord): Promise<InboundMessage> {
    const { mail } = record.ses;
    let object: GetObjectCommandOutput;
    try {
      object = await this.s3.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.location.keyPrefix + mail.messageId }));
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') throw error;
      return fromHeaders(record, 0, `the raw message ${this.location.keyPrefix + mail.messageId} is not in the mail bucket`);
    }
    const size = object.ContentLength ?? 0;
    if (size > LIMITS.maxInboundEmailBytes) {
      (object.Body as Readable | undefined)?.destroy();
      return fromHeaders(record, size, `the message has ${size} bytes, above the limit of ${LIMITS.maxInboundEmailBytes}`);
    }
    return parseMimeMessage(Buffer.from(await object.Body!.transformToByteArray()));
  }
}

/** The message as far as the receipt event's headers tell: the same header-only path as unparseable MIME. */
const fromHeaders = (record: SesReceiptRecord, size: number, unreadable: string): Promise<InboundMessage> =>
  parseHeaderBlock(Buffer.from(record.ses.mail.headers.map((h) => `${h.name}: ${h.value}`).join('\r\n')), size, unreadable);
