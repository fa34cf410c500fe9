import type { WebhookSender } from '../domain/webhooks/ports';
import type { PostResult } from '../domain/webhooks/webhook';

/** How long a receiver has to answer; the announcer's timeout leaves room for the event record after it. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** POSTs with node's fetch. Redirects are not followed: the signed body goes to the configured URL only. */
export class FetchWebhookSender implements WebhookSender {
  async post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<PostResult> {
    try {
      const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      // The body is not used; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return { error: e.name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}` };
    }
  }
}
