import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, EmailSender, SendResult } from '../domain/notification/notification';
import { isTransientAwsError } from './aws-errors';

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
          ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
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
      return { ok: false, retryable: isTransientAwsError(error), reason: `${e.name}: ${e.message}` };
    }
  }
}
