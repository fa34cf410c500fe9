import type { Announcement, Delivery, PostResult, Webhook } from './webhook';

/** Tells the webhooks what happened to an incident, in the background. */
export interface IncidentAnnouncer {
  /**
   * Starts the announcement's deliveries and returns. Never rejects: a failure is logged and dropped, so that
   * an announcement never fails or holds up the page, claim or resolve it follows. Announcing the same thing
   * twice delivers it once.
   */
  announce(announcement: Announcement): Promise<void>;
}

/** The configured webhooks. */
export interface WebhookDirectory {
  list(): Promise<readonly Webhook[]>;
}

/** Makes one signed POST. */
export interface WebhookSender {
  post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<PostResult>;
}

/** Where deliveries that will never succeed are kept, for an operator to look at and replay. */
export interface DeadLetterQueue {
  send(delivery: Delivery, reason: string): Promise<void>;
}
