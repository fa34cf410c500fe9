import type { EventLog, EventRecord } from '../incident/event-record';
import { SYSTEM } from '../incident/incident';
import type { IncidentRepository } from '../incident/ports';
import type { Clock } from '../shared/clock';
import { refreshSlackMessages, type SlackRefreshDeps } from '../notification/slack-messages';
import type { DeadLetterQueue, WebhookDirectory, WebhookSender } from './ports';
import { type Announcement, DELIVERY_HEADER, type Delivery, outcomeOf, planDeliveries, SIGNATURE_HEADER, signatureOf } from './webhook';

export interface AnnouncementDeps {
  readonly webhooks: WebhookDirectory;
  readonly sender: WebhookSender;
  readonly deadLetters: DeadLetterQueue;
  readonly events: Pick<EventLog, 'record'>;
  /** The incidents' timelines, which say when a webhook gave up on one. */
  readonly incidents: Pick<IncidentRepository, 'appendTimeline'>;
  /** The deployment's webhook signing secret. */
  readonly secret: string;
  /** The incident API's URL of an incident, put in every payload. */
  readonly incidentUrl: (number: number) => string;
  /** Brings the incident's Slack messages up to date after a claim or resolve made anywhere, where Slack is set up. */
  readonly slack?: SlackRefreshDeps;
  readonly clock: Clock;
}

/** The delivery failed in a way worth retrying (5xx, 408, 429, no answer): the state machine retries this name. */
export class RetryableDeliveryError extends Error {
  override readonly name = 'RetryableDeliveryError';
}

/** The receiver refused the delivery (another 4xx): retrying cannot help, the state machine dead-letters it. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

/**
 * The deliveries an announcement makes: one per webhook subscribed to its type and its service or team. A claim
 * or resolve, wherever it was made (the API, a link, an SMS or email reply), first brings the incident's Slack
 * messages up to date: one failing message does not stop the others, nor the webhooks.
 */
export async function planAnnouncement(deps: Pick<AnnouncementDeps, 'webhooks' | 'incidentUrl' | 'slack'>, announcement: Announcement): Promise<Delivery[]> {
  if (deps.slack && (announcement.type === 'claimed' || announcement.type === 'resolved')) {
    await refreshSlackMessages(deps.slack, announcement.incident.number);
  }
  return planDeliveries(await deps.webhooks.list(), announcement, deps.incidentUrl);
}

/**
 * One attempt of a delivery: a signed POST, its outcome recorded in the event record. Throws
 * {@link RetryableDeliveryError} or {@link PermanentDeliveryError} when it did not succeed.
 */
export async function deliver(deps: AnnouncementDeps, delivery: Delivery): Promise<{ readonly status: number }> {
  const headers = {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signatureOf(deps.secret, delivery.body, deps.clock()),
    [DELIVERY_HEADER]: delivery.deliveryId,
  };
  const result = outcomeOf(await deps.sender.post(delivery.url, headers, delivery.body));
  if (result.outcome === 'delivered') {
    await deps.events.record(deliveryEvent(deps, delivery, 'delivered', `HTTP ${result.status}`));
    return { status: result.status };
  }
  await deps.events.record(deliveryEvent(deps, delivery, 'delivery_failed', result.reason));
  throw result.outcome === 'retryable' ? new RetryableDeliveryError(result.reason) : new PermanentDeliveryError(result.reason);
}

/**
 * Keeps a delivery that will not succeed in the dead-letter queue, and records that it was given up: in the
 * event record, and on the incident's timeline, where responders look.
 */
export async function deadLetter(deps: AnnouncementDeps, delivery: Delivery, reason: string): Promise<void> {
  await deps.deadLetters.send(delivery, reason);
  await deps.events.record(deliveryEvent(deps, delivery, 'dead_lettered', reason));
  await deps.incidents.appendTimeline(delivery.incidentNumber, [
    { at: deps.clock().toISOString(), type: 'webhook_failed', by: SYSTEM, to: delivery.webhook, note: `${delivery.type} not delivered to webhook ${delivery.webhook}: ${reason}` },
  ]);
}

function deliveryEvent(deps: Pick<AnnouncementDeps, 'clock'>, delivery: Delivery, outcome: EventRecord['outcome'], reason: string): EventRecord {
  return {
    at: deps.clock().toISOString(),
    service: delivery.service,
    source: `webhook:${delivery.webhook}`,
    outcome,
    incidentNumber: delivery.incidentNumber,
    reason,
    summary: `${delivery.type} (delivery ${delivery.deliveryId})`,
  };
}
