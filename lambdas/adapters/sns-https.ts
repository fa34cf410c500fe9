import { verify } from 'node:crypto';
import * as z from 'zod';

/**
 * SNS's HTTPS subscriptions: its message envelope, its signature, and its own endpoints, which alone are
 * trusted for certificates and subscription confirmations.
 */
export const snsMessageSchema = z.looseObject({
  Type: z.enum(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation'], { error: 'must be an SNS message type' }),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Subject: z.string().optional(),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2'], { error: 'must be 1 or 2' }),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});
export type SnsMessage = z.output<typeof snsMessageSchema>;

/** SNS's own endpoints, the only hosts a certificate is fetched from or a subscription confirmed at. */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Whether a URL is an HTTPS URL of SNS itself. */
export function isSnsUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && SNS_HOST.test(parsed.hostname) && !parsed.username && !parsed.password && !parsed.port;
  } catch {
    return false;
  }
}

/** The text SNS signs: the message's fields in a fixed order, each as `Name\nvalue\n`. */
export function snsStringToSign(message: SnsMessage): string {
  const fields =
    message.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields
    .filter((field) => message[field] !== undefined)
    .map((field) => `${field}\n${message[field]}\n`)
    .join('');
}

/** Whether the message's signature verifies with the certificate (or public key) PEM. */
export function hasValidSnsSignature(message: SnsMessage, certificatePem: string): boolean {
  try {
    const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
    return verify(algorithm, Buffer.from(snsStringToSign(message)), certificatePem, Buffer.from(message.Signature, 'base64'));
  } catch {
    return false;
  }
}

/** SNS over HTTPS: its signing certificates and subscription confirmations, at SNS's own hosts only. */
export interface SnsHttps {
  /** The PEM at a signing certificate URL. */
  certificate(url: string): Promise<string>;
  /** Visits a SubscribeURL, which confirms the subscription. */
  confirmSubscription(url: string): Promise<void>;
}

const TIMEOUT_MS = 5000;

/** SNS's endpoints over HTTPS with fetch; certificates are kept per instance, as SNS rotates them rarely. */
export class FetchSnsHttps implements SnsHttps {
  private readonly certificates = new Map<string, Promise<string>>();

  certificate(url: string): Promise<string> {
    let pem = this.certificates.get(url);
    if (!pem) {
      pem = get(url).then((res) => res.text());
      pem.catch(() => this.certificates.delete(url));
      this.certificates.set(url, pem);
    }
    return pem;
  }

  async confirmSubscription(url: string): Promise<void> {
    await get(url);
  }
}

async function get(url: string): Promise<Response> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${new URL(url).host} answered ${res.status}`);
  return res;
}
