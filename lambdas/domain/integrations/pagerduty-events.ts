import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { LIMITS } from '../../config/limits';
import { fitMessage, fitTitle, keptLinks, severityOfLabel, type InboundAction } from './inbound-action';

/** Just the routing key of an event, read before the rest is validated. */
export const pagerDutyRoutingKeySchema = z.looseObject({ routing_key: z.string().min(1, 'must not be empty') });

/**
 * PagerDuty's Events API v2 (`POST /v2/enqueue`), so that any PagerDuty client, or Alertmanager's
 * `pagerduty_configs`, works by changing the URL. The routing key is an InResponse integration key.
 */
export const pagerDutyEventSchema = z
  .looseObject({
    routing_key: pagerDutyRoutingKeySchema.shape.routing_key,
    event_action: z.enum(['trigger', 'acknowledge', 'resolve'], { error: 'must be trigger, acknowledge or resolve' }),
    dedup_key: z.string().min(1, 'must not be empty').max(LIMITS.maxDedupKeyLength, `must be at most ${LIMITS.maxDedupKeyLength} characters`).optional(),
    payload: z
      .looseObject({
        summary: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
        source: z.string().min(1, 'must not be empty'),
        severity: z.enum(['critical', 'error', 'warning', 'info'], { error: 'must be critical, error, warning or info' }),
        timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' }).optional(),
        component: z.string().optional(),
        group: z.string().optional(),
        class: z.string().optional(),
        custom_details: z.unknown().optional(),
      })
      .optional(),
    links: z.array(z.looseObject({ href: z.string(), text: z.string().optional() })).max(50).optional(),
    images: z.array(z.looseObject({ src: z.string(), href: z.string().optional(), alt: z.string().optional() })).max(50).optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
  })
  .superRefine((event, ctx) => {
    if (event.event_action === 'trigger' && !event.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required for trigger' });
    if (event.event_action !== 'trigger' && !event.dedup_key) {
      ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required for ${event.event_action}` });
    }
  });

export type PagerDutyEvent = z.output<typeof pagerDutyEventSchema>;

/** The source of incidents raised through this API, whatever client sent them (named in the message). */
export const PAGERDUTY_SOURCE = 'pagerduty-events-v2';

/** A dedup key for a trigger that brought none, returned to the sender as PagerDuty does. */
export const generatedDedupKey = () => randomBytes(16).toString('hex');

/** The action of an event, with its dedup key (the one given or `generated`). */
export function actionOfPagerDutyEvent(event: PagerDutyEvent, service: string, dedupKey: string, now: Date): InboundAction {
  if (event.event_action !== 'trigger') return { kind: event.event_action, dedupKey, summary: dedupKey };
  const payload = event.payload!;
  const details = payload.custom_details === undefined ? '' : typeof payload.custom_details === 'string' ? payload.custom_details : JSON.stringify(payload.custom_details, null, 2);
  const message = [
    `source: ${payload.source}`,
    ...(event.client ? [`client: ${event.client}`] : []),
    ...(['component', 'group', 'class'] as const).filter((k) => payload[k]).map((k) => `${k}: ${payload[k]}`),
    details ? `details: ${details}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    kind: 'trigger',
    event: {
      service,
      severity: severityOfLabel(payload.severity),
      title: fitTitle(payload.summary),
      message: fitMessage(message),
      detectedAt: payload.timestamp ? new Date(payload.timestamp).toISOString() : now.toISOString(),
      source: PAGERDUTY_SOURCE,
      dedupKey,
      links: keptLinks([
        ...(event.links ?? []).map((l) => ({ href: l.href, ...(l.text ? { text: l.text } : {}) })),
        ...(event.images ?? []).map((i) => ({ href: i.href ?? i.src, text: i.alt ?? 'Image' })),
        event.client_url ? { href: event.client_url, text: event.client ?? 'Client' } : undefined,
      ]),
    },
  };
}
