import { type PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { ContactMethod, Notification, Notifier, NotifyResult } from '../domain/notification/notification';
import { renderSms, toGsm7 } from '../domain/notification/sms';
import type { SmsAnswerer } from '../domain/notification/sms-replies';
import { isTransientAwsError } from './aws-errors';

export interface SmsSettings {
  /** The phone number, sender id or pool (its ID or ARN) that sends. */
  readonly originationIdentity: string;
  readonly configurationSetName?: string;
}

/**
 * The SMS channel: a page as a short GSM-7 text with its claim link, sent through AWS End User Messaging SMS
 * and Voice v2 as a transactional message. Throttling, 5xx and network errors are retryable; anything AWS
 * refuses (an opted-out or invalid number) is permanent.
 */
export class SmsNotifier implements Notifier {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly settings: SmsSettings,
  ) {}

  async notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult> {
    if (contact.channel !== 'sms') return { outcome: 'permanent', reason: `not an SMS contact: ${contact.channel}` };
    if (notification.kind !== 'page') return { outcome: 'permanent', reason: 'only pages go by SMS' };
    try {
      const { MessageId = '' } = await this.sms.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: contact.phone,
          OriginationIdentity: this.settings.originationIdentity,
          MessageBody: renderSms(notification.incident, notification.links.claim),
          MessageType: 'TRANSACTIONAL',
          ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
        }),
      );
      return { outcome: 'sent', messageId: MessageId };
    } catch (error) {
      const e = error as Error;
      return { outcome: isTransientAwsError(error) ? 'retryable' : 'permanent', reason: `${e.name}: ${e.message}` };
    }
  }
}

/** Answers to SMS replies, sent from the same origination identity the pages come from. */
export class SmsAnswers implements SmsAnswerer {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly settings: SmsSettings,
  ) {}

  async answer(phone: string, text: string): Promise<void> {
    await this.sms.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: phone,
        OriginationIdentity: this.settings.originationIdentity,
        MessageBody: toGsm7(text),
        MessageType: 'TRANSACTIONAL',
        ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
      }),
    );
  }
}
