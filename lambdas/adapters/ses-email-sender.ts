import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender, SendResult } from '../domain/notification';

/** SES errors that a later attempt may get past; everything else about a message is permanent. */
const RETRYABLE_SES_ERRORS = new Set(['TooManyRequestsException', 'ThrottlingException', 'InternalFailure', 'ServiceUnavailable']);

/**
 * Whether a failed send is worth retrying, decided from the protocol (as Alertmanager's notifiers do):
 * throttling, 5xx and network failures retry; a rejected message or address does not.
 */
export function isRetryableSendError(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (e.name && RETRYABLE_SES_ERRORS.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP answer at all: a timeout or a connection that failed.
  return true;
}

export interface SesSettings {
  readonly from: string;
  readonly configurationSetName?: string;
}

/** Sends pages through SES v2, marked as automatic mail so that auto-responders do not answer them. */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly settings: SesSettings,
  ) {}

  async send(message: EmailMessage): Promise<SendResult> {
    try {
      const { MessageId } = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.settings.from,
          Destination: { ToAddresses: [message.to] },
          ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
              Headers: [{ Name: 'Auto-Submitted', Value: 'auto-generated' }],
            },
          },
        }),
      );
      return { ok: true, messageId: MessageId ?? '' };
    } catch (error) {
      const e = error as Error;
      return { ok: false, retryable: isRetryableSendError(error), reason: `${e.name}: ${e.message}` };
    }
  }
}
