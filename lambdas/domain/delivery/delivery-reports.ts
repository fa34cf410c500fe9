/**
 * What the providers report about the pages they took, as they publish it: SES's event publishing (through an
 * SNS topic) for mail, and End User Messaging's event destinations for SMS and voice calls. Each report is
 * tied to its incident by the tag or context the notifier sent with the message, and to its page by the
 * message id the provider answered.
 */
import * as z from 'zod';

/** The tag (SES) and context key (End User Messaging) that carry a page's incident number. */
export const INCIDENT_TAG = 'inresponse-incident';

/**
 * What became of a message: `delivered`; `delayed` (still trying); `bounced` (SES gave up: hard or soft);
 * `complained` (the recipient marked it as spam); `undelivered` (an SMS or call that did not reach the phone).
 */
export const DELIVERY_OUTCOMES = ['delivered', 'delayed', 'bounced', 'complained', 'undelivered'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** The outcomes that mean the page did not reach the person on that channel. */
export const FAILED_OUTCOMES: ReadonlySet<DeliveryOutcome> = new Set(['bounced', 'complained', 'undelivered']);

export interface DeliveryReport {
  readonly incident: number;
  readonly messageId: string;
  /** The address or phone number the report is about. */
  readonly to: string;
  readonly outcome: DeliveryOutcome;
  /** The contact itself is bad, until it changes: a hard bounce, a complaint, an invalid or blocking number. */
  readonly badContact: boolean;
  /** What the provider said, for the timeline: `550 5.1.1 user unknown`. */
  readonly detail: string;
  readonly at: string;
}

const incidentNumber = z.coerce.number().int().positive();
const recipient = z.looseObject({ emailAddress: z.string(), status: z.string().optional(), diagnosticCode: z.string().optional() });

/** An SES event (event publishing), as much of it as is read; SES adds fields over time. */
const sesEventSchema = z.looseObject({
  eventType: z.string(),
  mail: z.looseObject({ messageId: z.string(), timestamp: z.string(), destination: z.array(z.string()), tags: z.record(z.string(), z.array(z.string())).optional() }),
  bounce: z.looseObject({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(recipient), timestamp: z.string() }).optional(),
  complaint: z.looseObject({ complainedRecipients: z.array(recipient), complaintFeedbackType: z.string().optional(), timestamp: z.string() }).optional(),
  delivery: z.looseObject({ recipients: z.array(z.string()), smtpResponse: z.string().optional(), timestamp: z.string() }).optional(),
  deliveryDelay: z.looseObject({ delayType: z.string(), delayedRecipients: z.array(recipient), timestamp: z.string() }).optional(),
  reject: z.looseObject({ reason: z.string() }).optional(),
});

/** An End User Messaging SMS or voice event, as much of it as is read. */
const phoneEventSchema = z.looseObject({
  eventType: z.string().regex(/^(TEXT|VOICE)_/),
  eventTimestamp: z.number(),
  messageId: z.string(),
  destinationPhoneNumber: z.string(),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
});

/** Drops a `smtp; ` prefix: `smtp; 550 5.1.1 user unknown` reads `550 5.1.1 user unknown`. */
const smtpDetail = (r: z.output<typeof recipient>, fallback: string) => (r.diagnosticCode ?? r.status ?? fallback).replace(/^smtp;\s*/i, '');

function sesReports(event: z.output<typeof sesEventSchema>): DeliveryReport[] {
  const incident = incidentNumber.safeParse(event.mail.tags?.[INCIDENT_TAG]?.[0]);
  if (!incident.success) return [];
  const base = { incident: incident.data, messageId: event.mail.messageId };
  switch (event.eventType) {
    case 'Delivery':
      return (event.delivery?.recipients ?? []).map((to) => ({ ...base, to, outcome: 'delivered', badContact: false, detail: event.delivery?.smtpResponse ?? 'delivered', at: event.delivery!.timestamp }));
    case 'Bounce': {
      const hard = event.bounce?.bounceType === 'Permanent';
      return (event.bounce?.bouncedRecipients ?? []).map((r) => ({
        ...base,
        to: r.emailAddress,
        outcome: 'bounced',
        badContact: hard,
        detail: `${hard ? 'hard' : 'soft'} bounce: ${smtpDetail(r, event.bounce!.bounceSubType ?? event.bounce!.bounceType)}`,
        at: event.bounce!.timestamp,
      }));
    }
    case 'Complaint':
      return (event.complaint?.complainedRecipients ?? []).map((r) => ({
        ...base,
        to: r.emailAddress,
        outcome: 'complained',
        badContact: true,
        detail: `complaint${event.complaint!.complaintFeedbackType ? ` (${event.complaint!.complaintFeedbackType})` : ''}: the recipient marked the page as spam`,
        at: event.complaint!.timestamp,
      }));
    case 'DeliveryDelay':
      return (event.deliveryDelay?.delayedRecipients ?? []).map((r) => ({
        ...base,
        to: r.emailAddress,
        outcome: 'delayed',
        badContact: false,
        detail: `delayed (${event.deliveryDelay!.delayType}): ${smtpDetail(r, 'SES keeps trying')}`,
        at: event.deliveryDelay!.timestamp,
      }));
    case 'Reject':
      return event.mail.destination.map((to) => ({ ...base, to, outcome: 'bounced', badContact: false, detail: `rejected by SES: ${event.reject?.reason ?? 'unknown reason'}`, at: event.mail.timestamp }));
    default:
      return [];
  }
}

/** What each final SMS and voice event means; the others (queued, pending, ringing) are not reported. */
const PHONE_OUTCOMES: Readonly<Record<string, { readonly outcome: DeliveryOutcome; readonly badContact: boolean }>> = {
  TEXT_DELIVERED: { outcome: 'delivered', badContact: false },
  TEXT_SUCCESSFUL: { outcome: 'delivered', badContact: false },
  TEXT_INVALID: { outcome: 'undelivered', badContact: true },
  TEXT_BLOCKED: { outcome: 'undelivered', badContact: true },
  TEXT_CARRIER_BLOCKED: { outcome: 'undelivered', badContact: false },
  TEXT_SPAM: { outcome: 'undelivered', badContact: false },
  TEXT_PROTECT_BLOCKED: { outcome: 'undelivered', badContact: false },
  TEXT_INVALID_MESSAGE: { outcome: 'undelivered', badContact: false },
  TEXT_UNREACHABLE: { outcome: 'undelivered', badContact: false },
  TEXT_CARRIER_UNREACHABLE: { outcome: 'undelivered', badContact: false },
  TEXT_TTL_EXPIRED: { outcome: 'undelivered', badContact: false },
  TEXT_UNKNOWN: { outcome: 'undelivered', badContact: false },
  VOICE_COMPLETED: { outcome: 'delivered', badContact: false },
  VOICE_BUSY: { outcome: 'undelivered', badContact: false },
  VOICE_NO_ANSWER: { outcome: 'undelivered', badContact: false },
  VOICE_FAILED: { outcome: 'undelivered', badContact: false },
  VOICE_TTL_EXPIRED: { outcome: 'undelivered', badContact: false },
};

function phoneReports(event: z.output<typeof phoneEventSchema>): DeliveryReport[] {
  const incident = incidentNumber.safeParse(event.context?.[INCIDENT_TAG]);
  const meaning = PHONE_OUTCOMES[event.eventType];
  if (!incident.success || !meaning) return [];
  const what = event.eventType.replace(/^(TEXT|VOICE)_/, '').toLowerCase().replaceAll('_', ' ');
  return [
    {
      incident: incident.data,
      messageId: event.messageId,
      to: event.destinationPhoneNumber,
      ...meaning,
      detail: `${what}${event.messageStatusDescription ? `: ${event.messageStatusDescription}` : ''}`,
      at: new Date(event.eventTimestamp).toISOString(),
    },
  ];
}

/**
 * The reports in one published message (the `Message` of an SNS notification), none for a message that is
 * neither an SES nor an End User Messaging event, or is about no page of an incident.
 */
export function deliveryReportsOf(message: unknown): DeliveryReport[] {
  const phone = phoneEventSchema.safeParse(message);
  if (phone.success) return phoneReports(phone.data);
  const ses = sesEventSchema.safeParse(message);
  return ses.success ? sesReports(ses.data) : [];
}
