import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { type Incident, SEVERITIES, STATES } from '../incident/incident';
import { identifier } from '../shared/validation';

/** What happened to an incident that webhooks are told about (ilert's alert actions). */
export const ANNOUNCEMENT_TYPES = ['created', 'claimed', 'resolved', 'escalated'] as const;
export type AnnouncementType = (typeof ANNOUNCEMENT_TYPES)[number];

/** Hosts a webhook may reach over plain http: this machine only, for the local runtime and tests. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const webhookUrl = z.url({ error: 'must be an absolute URL' }).refine(
  (url) => {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' || (protocol === 'http:' && LOOPBACK_HOSTS.has(hostname));
  },
  { error: 'must be https (http only for localhost)' },
);

/** A webhook in the on-call config file, by name: where it posts, for which services or teams, on which events. */
export const webhookConfigSchema = z
  .strictObject({
    url: webhookUrl,
    services: z.array(identifier).max(50).default([]),
    teams: z.array(identifier).max(50).default([]),
    events: z.array(z.enum(ANNOUNCEMENT_TYPES)).min(1).default([...ANNOUNCEMENT_TYPES]),
  })
  .refine((w) => w.services.length + w.teams.length > 0, { error: 'must name at least one service or team', path: ['services'] });

export type WebhookConfig = z.output<typeof webhookConfigSchema>;

/** A configured webhook, as the directory answers it. */
export type Webhook = WebhookConfig & { readonly name: string };

/** The incident as an announcement carries it: what a receiver needs, without the message or timeline. */
const announcedIncidentSchema = z.strictObject({
  number: z.number().int().positive(),
  title: z.string(),
  service: identifier,
  team: identifier,
  severity: z.enum(SEVERITIES),
  state: z.enum(STATES),
});

/** One thing that happened to an incident: the input of the announcement state machine. */
export const announcementSchema = z.strictObject({
  type: z.enum(ANNOUNCEMENT_TYPES),
  incident: announcedIncidentSchema,
  at: z.iso.datetime(),
  /** Who claimed or resolved it, or who raised it. */
  by: z.string().optional(),
  /** For `escalated`: the level (from 1) that fired, and in which repeat round (from 0). */
  level: z.number().int().positive().optional(),
  round: z.number().int().min(0).optional(),
});

export type Announcement = z.output<typeof announcementSchema>;

/** The announcement of an incident's change, at `at`. */
export function announcementOf(
  type: AnnouncementType,
  incident: Pick<Incident, 'number' | 'title' | 'service' | 'team' | 'severity' | 'state'>,
  at: Date,
  extra: Pick<Announcement, 'by' | 'level' | 'round'> = {},
): Announcement {
  const { number, title, service, team, severity, state } = incident;
  return { type, incident: { number, title, service, team, severity, state }, at: at.toISOString(), ...extra };
}

/**
 * The one name of an announcement: `incident-12-created`, `incident-12-escalated-l2-r0`. The state machine's
 * execution is named so (a second start of it is refused, so it is delivered once) and delivery ids derive from it.
 */
export function announcementId(a: Announcement): string {
  const escalation = a.type === 'escalated' ? `-l${a.level ?? 0}-r${a.round ?? 0}` : '';
  return `incident-${a.incident.number}-${a.type}${escalation}`;
}

/** The webhooks that want this announcement: subscribed to its type, and to its service or its team. */
export function webhooksFor(webhooks: readonly Webhook[], a: Announcement): Webhook[] {
  return webhooks.filter(
    (w) => w.events.includes(a.type) && (w.services.includes(a.incident.service) || w.teams.includes(a.incident.team)),
  );
}

/**
 * One POST to make: planned once, so that every attempt sends the same bytes under the same delivery id. Not
 * strict: the state machine hands it on with what it adds (the failure that dead-letters it).
 */
export const deliverySchema = z.object({
  deliveryId: z.string().min(1),
  webhook: identifier,
  url: webhookUrl,
  type: z.enum(ANNOUNCEMENT_TYPES),
  incidentNumber: z.number().int().positive(),
  service: identifier,
  /** The JSON body, as sent and signed. */
  body: z.string(),
});

export type Delivery = z.output<typeof deliverySchema>;

/** The JSON body a webhook receives. */
export interface WebhookPayload {
  readonly id: string;
  readonly type: AnnouncementType;
  readonly at: string;
  readonly by?: string;
  readonly level?: number;
  readonly round?: number;
  readonly incident: Announcement['incident'] & { readonly url: string };
}

/** The deliveries of an announcement to the webhooks that want it. */
export function planDeliveries(webhooks: readonly Webhook[], a: Announcement, incidentUrl: (number: number) => string): Delivery[] {
  return webhooksFor(webhooks, a).map((w) => {
    const deliveryId = `${announcementId(a)}.${w.name}`;
    const payload: WebhookPayload = {
      id: deliveryId,
      type: a.type,
      at: a.at,
      ...(a.by === undefined ? {} : { by: a.by }),
      ...(a.level === undefined ? {} : { level: a.level }),
      ...(a.round === undefined ? {} : { round: a.round }),
      incident: { ...a.incident, url: incidentUrl(a.incident.number) },
    };
    return {
      deliveryId,
      webhook: w.name,
      url: w.url,
      type: a.type,
      incidentNumber: a.incident.number,
      service: a.incident.service,
      body: JSON.stringify(payload),
    };
  });
}

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const SIGNATURE_HEADER = 'x-inresponse-signature';
/** The header carrying the delivery id, the same on every attempt: receivers drop what they have seen. */
export const DELIVERY_HEADER = 'x-inresponse-delivery';

/**
 * The signature of a body sent at `at` (Stripe's scheme): the timestamp is signed with the body, so a
 * receiver that refuses old timestamps refuses replays.
 */
export function signatureOf(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** How one POST ended, as the sender saw it. */
export type PostResult = { readonly status: number } | { readonly error: string };

/** How a delivery attempt ended: delivered, worth retrying (5xx, 408, 429, no answer), or never going to work. */
export type DeliveryOutcome =
  | { readonly outcome: 'delivered'; readonly status: number }
  | { readonly outcome: 'retryable' | 'permanent'; readonly reason: string };

export function outcomeOf(result: PostResult): DeliveryOutcome {
  if ('error' in result) return { outcome: 'retryable', reason: result.error };
  const { status } = result;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const reason = `HTTP ${status}`;
  return status >= 500 || status === 408 || status === 429 ? { outcome: 'retryable', reason } : { outcome: 'permanent', reason };
}

/** The input of each task of the announcement state machine, as its `Parameters` shape it. */
export const announcerTaskSchema = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('plan'), announcement: announcementSchema }),
  z.strictObject({ task: z.literal('deliver'), delivery: deliverySchema }),
  /** `reason`: the `Cause` of the error that ended the delivery. */
  z.strictObject({ task: z.literal('dead-letter'), delivery: deliverySchema, reason: z.string() }),
]);

export type AnnouncerTask = z.input<typeof announcerTaskSchema>;
