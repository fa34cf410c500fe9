import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { renderHandoffNotice, renderPage, type ContactMethod, type EmailMessage, type Notification, type Notifier, type NotifyResult } from '../domain/notification/notification';
import { notifyOutcome } from './aws-errors';
import { sesMessageIdHeader } from './ses-message-ids';
import { INCIDENT_TAG } from '../domain/delivery/delivery-reports';

export interface SesSettings {
  readonly from: string;
  readonly configurationSetName?: string;
}

/**
 * The email channel: pages and handoff notices rendered as mail and sent through SES v2, marked as automatic mail so that
 * auto-responders do not answer them. Throttling, 5xx and network errors are retryable; a rejected message
 * is permanent. The console's sign-in links go out through {@link send}.
 */
export class SesEmailNotifier implements Notifier {
  constructor(
    private readonly ses: SESv2Client,
    private readonly settings: SesSettings,
  ) {}

  async notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult> {
    if (contact.channel !== 'email') return { outcome: 'permanent', reason: `not an email contact: ${contact.channel}` };
    const message =
      notification.kind === 'page' ? renderPage(notification.incident, contact.address, notification) : renderHandoffNotice(notification, contact.address);
    // A page's incident rides along as a tag, which SES puts in the page's delivery, bounce and complaint events.
    const tags = notification.kind === 'page' ? [{ Name: INCIDENT_TAG, Value: String(notification.incident.number) }] : undefined;
    return notifyOutcome(async () => {
      const messageId = await this.send(message, tags);
      return { messageId, threadId: sesMessageIdHeader(messageId) };
    });
  }

  /** Sends one message as the sender, with SES message tags if any; its SES message id. Throws what SES throws. */
  async send(message: EmailMessage, tags?: readonly { readonly Name: string; readonly Value: string }[]): Promise<string> {
    const { MessageId = '' } = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.settings.from,
        Destination: { ToAddresses: [message.to] },
        ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
        ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
        ...(tags ? { EmailTags: [...tags] } : {}),
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
            Headers: [{ Name: 'Auto-Submitted', Value: 'auto-generated' }],
          },
        },
      }),
    );
    return MessageId;
  }
}
