import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';
import { INCIDENT_TAG } from '../../lambdas/domain/delivery/delivery-reports';
import type { RecordedSms } from './sms-voice-server';

/** What becomes of mail to an address: delivered, a hard or soft bounce, or delivered and then marked as spam. */
export type EmailFate = 'deliver' | 'bounce' | 'soft-bounce' | 'complain';
/** What becomes of a text or call to a number: delivered (answered), an invalid number, a phone off, a call not answered. */
export type PhoneFate = 'deliver' | 'invalid' | 'unreachable' | 'no-answer';

/** SES's mailbox simulator addresses do locally what they do in AWS. */
const SIMULATOR: readonly (readonly [string, EmailFate])[] = [
  ['success@simulator.amazonses.com', 'deliver'],
  ['bounce@simulator.amazonses.com', 'bounce'],
  ['complaint@simulator.amazonses.com', 'complain'],
];

const BOUNCES = {
  bounce: { bounceType: 'Permanent', bounceSubType: 'General', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
  'soft-bounce': { bounceType: 'Transient', bounceSubType: 'MailboxFull', status: '4.2.2', diagnosticCode: 'smtp; 452 4.2.2 mailbox full' },
} as const;

const PHONE_EVENTS: Readonly<Record<Exclude<PhoneFate, 'deliver'>, { readonly text: string; readonly voice: string; readonly description: string }>> = {
  invalid: { text: 'TEXT_INVALID', voice: 'VOICE_FAILED', description: 'Destination phone number is not valid' },
  unreachable: { text: 'TEXT_UNREACHABLE', voice: 'VOICE_FAILED', description: 'Destination phone is switched off or out of coverage' },
  'no-answer': { text: 'TEXT_UNREACHABLE', voice: 'VOICE_NO_ANSWER', description: 'Nobody answered the call' },
};

/**
 * The local stand-in for SES's event publishing and End User Messaging's event destinations, which no
 * emulator has: each message the SES emulator or the SMS and voice stand-in takes is reported, as AWS
 * reports it to the delivery events topic, to `publish` (the delivery feedback handler, in an SNS event). A
 * test (or `INRESPONSE_BOUNCE`) says which addresses bounce or complain and which numbers fail; the rest is
 * delivered. Reports go out after the send has been answered, as AWS's come later.
 */
export class LocalDeliveryReports {
  private readonly emailFates = new Map<string, EmailFate>(SIMULATOR);
  private readonly phoneFates = new Map<string, PhoneFate>();
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly publish: (message: string) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  email(address: string, fate: EmailFate): void {
    this.emailFates.set(address.toLowerCase(), fate);
  }

  phone(number: string, fate: PhoneFate): void {
    this.phoneFates.set(number, fate);
  }

  /** Reports nothing more: the runtime stops, and reports not yet handled are dropped, as a stopped account's would be. */
  close(): void {
    this.closed = true;
  }

  /** Reports made and not yet handled. */
  get pending(): number {
    return this.inFlight;
  }

  /** Reports every mail the SES emulator answers with a message id, with the tags its request carried. */
  watchSes(server: Server): void {
    const store = getStoreReadonly();
    const reported = new Set<string>();
    server.on('request', (req, res) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v2/email/outbound-emails')) return;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('finish', () => {
        if (res.statusCode !== 200) return;
        const request = parseJson(Buffer.concat(chunks).toString('utf8'));
        const to: string[] = request?.Destination?.ToAddresses ?? [];
        const sent = store.emails.find((e) => !reported.has(e.messageId) && e.destination.to.join() === to.join() && e.subject === request?.Content?.Simple?.Subject?.Data);
        if (!sent) return;
        reported.add(sent.messageId);
        const tags = Object.fromEntries(((request?.EmailTags ?? []) as { Name: string; Value: string }[]).map((t) => [t.Name, [t.Value]]));
        for (const address of to) this.reportEmail(sent.messageId, address, tags);
      });
    });
  }

  /** Reports a text or call the SMS and voice stand-in took. */
  reportPhone(sms: RecordedSms): void {
    const fate = this.phoneFates.get(String(sms.request.DestinationPhoneNumber)) ?? 'deliver';
    const voice = sms.operation === 'SendVoiceMessage';
    const failure = fate === 'deliver' ? undefined : PHONE_EVENTS[fate];
    this.emit({
      eventType: failure ? (voice ? failure.voice : failure.text) : voice ? 'VOICE_COMPLETED' : 'TEXT_DELIVERED',
      eventVersion: '1.0',
      eventTimestamp: Date.now(),
      isFinal: true,
      originationPhoneNumber: sms.request.OriginationIdentity,
      destinationPhoneNumber: sms.request.DestinationPhoneNumber,
      messageId: sms.messageId,
      messageStatus: failure ? 'FAILED' : 'DELIVERED',
      messageStatusDescription: failure?.description ?? (voice ? 'Call completed' : 'Message has been accepted by phone'),
      context: sms.request.Context ?? {},
    });
  }

  private reportEmail(messageId: string, address: string, tags: Record<string, string[]>): void {
    const fate = this.emailFates.get(address.toLowerCase()) ?? 'deliver';
    const now = new Date().toISOString();
    const mail = { timestamp: now, messageId, source: 'local', destination: [address], tags: { ...tags, [INCIDENT_TAG]: tags[INCIDENT_TAG] ?? [] } };
    if (fate === 'bounce' || fate === 'soft-bounce') {
      const { bounceType, bounceSubType, ...recipient } = BOUNCES[fate];
      this.emit({ eventType: 'Bounce', mail, bounce: { bounceType, bounceSubType, bouncedRecipients: [{ emailAddress: address, action: 'failed', ...recipient }], timestamp: now, feedbackId: randomId() } });
      return;
    }
    this.emit({ eventType: 'Delivery', mail, delivery: { timestamp: now, recipients: [address], smtpResponse: '250 2.0.0 OK', processingTimeMillis: 1, reportingMTA: 'local' } });
    if (fate === 'complain') {
      this.emit({ eventType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: address }], complaintFeedbackType: 'abuse', timestamp: now, feedbackId: randomId() } });
    }
  }

  /**
   * Publishes a report after the current send is answered, one after another in the order made. A report the
   * handler throws on is delivered again shortly, as Lambda retries an asynchronous invocation (AWS waits
   * minutes; here the wait is short, since the only cause expected is a report that came before its page was
   * recorded).
   */
  private emit(message: unknown): void {
    if (this.closed) return;
    this.inFlight++;
    const body = JSON.stringify(message);
    this.queue = this.queue
      .then(async () => {
        for (let attempt = 1; ; attempt++) {
          if (this.closed) return;
          try {
            return await this.publish(body);
          } catch (error) {
            if (attempt >= REDELIVERIES || this.closed) throw error;
            await new Promise((resolve) => setTimeout(resolve, REDELIVERY_MS));
          }
        }
      })
      .catch((error: unknown) => {
        if (!this.closed) this.onError(error);
      })
      .finally(() => this.inFlight--);
  }

  private queue: Promise<void> = Promise.resolve();
}

/** How often, and how far apart, a report is delivered before it is given up (logged). */
const REDELIVERIES = 50;
const REDELIVERY_MS = 20;

const randomId = () => randomBytes(16).toString('hex');

// biome-ignore lint/suspicious/noExplicitAny: the SES request as the SDK sent it, read field by field with fallbacks
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
