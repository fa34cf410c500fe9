import { type PinpointSMSVoiceV2Client, SendTextMessageCommand, SendVoiceMessageCommand, type VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { ContactMethod, Notification, Notifier, NotifyResult } from '../domain/notification/notification';
import { renderSms, toGsm7 } from '../domain/notification/sms';
import { INCIDENT_TAG } from '../domain/delivery/delivery-reports';
import type { SmsAnswerer } from '../domain/notification/sms-replies';
import { renderVoiceSsml } from '../domain/notification/voice';
import { notifyOutcome } from './aws-errors';
import type { SmsOptOuts } from './dynamo-sms-opt-outs';

export interface SmsSettings {
  /** The phone number, sender id or pool (its ID or ARN) that sends. */
  readonly originationIdentity: string;
  readonly configurationSetName?: string;
  /** The Polly voice of voice calls; no calls without it (the identity must be able to call). */
  readonly voiceId?: VoiceId;
}

export type VoiceSettings = SmsSettings & { readonly voiceId: VoiceId };

/** How AWS says a number opted out (replied STOP): a ConflictException with this reason. */
const OPTED_OUT = 'DESTINATION_PHONE_NUMBER_OPTED_OUT';

/** A transactional text to one number from the configured identity; a page's carries its incident, for its delivery events. */
function textMessage(settings: SmsSettings, phone: string, body: string, incident?: number): SendTextMessageCommand {
  return new SendTextMessageCommand({
    DestinationPhoneNumber: phone,
    OriginationIdentity: settings.originationIdentity,
    MessageBody: body,
    MessageType: 'TRANSACTIONAL',
    ...(settings.configurationSetName ? { ConfigurationSetName: settings.configurationSetName } : {}),
    ...(incident === undefined ? {} : { Context: { [INCIDENT_TAG]: String(incident) } }),
  });
}

/**
 * The SMS channel: a page as a short GSM-7 text with its claim link, sent through AWS End User Messaging SMS
 * and Voice v2 as a transactional message. Throttling, 5xx and network errors are retryable; anything AWS
 * refuses (an invalid number) is permanent. A number AWS reports as opted out is remembered and never sent
 * to again: each later page records it as a permanent failure without calling AWS.
 */
export class SmsNotifier implements Notifier {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly settings: SmsSettings,
    private readonly optOuts: SmsOptOuts,
    private readonly clock: () => Date,
  ) {}

  async notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult> {
    if (contact.channel !== 'sms') return { outcome: 'permanent', reason: `not an SMS contact: ${contact.channel}` };
    if (notification.kind !== 'page') return { outcome: 'permanent', reason: 'only pages go by SMS' };
    const { phone } = contact;
    if (await this.optOuts.has(phone)) return { outcome: 'permanent', reason: `${phone} opted out of SMS` };
    return notifyOutcome(
      async () => {
        const body = renderSms(notification.incident, notification.links.claim);
        return { messageId: (await this.sms.send(textMessage(this.settings, phone, body, notification.incident.number))).MessageId ?? '' };
      },
      async (error) => {
        if (error.name === 'ConflictException' && error.Reason === OPTED_OUT) await this.optOuts.add(phone, this.clock());
      },
    );
  }
}

/**
 * The voice channel: the page read out in a call through SendVoiceMessage (SSML, Amazon Polly), from the same
 * origination identity as SMS. One-way: acknowledging is by the link in the SMS or the email. Failures are
 * sorted as for SMS.
 */
export class VoiceNotifier implements Notifier {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly settings: VoiceSettings,
  ) {}

  async notify(contact: ContactMethod, notification: Notification): Promise<NotifyResult> {
    if (contact.channel !== 'voice') return { outcome: 'permanent', reason: `not a voice contact: ${contact.channel}` };
    if (notification.kind !== 'page') return { outcome: 'permanent', reason: 'only pages go by voice' };
    const call = new SendVoiceMessageCommand({
      DestinationPhoneNumber: contact.phone,
      OriginationIdentity: this.settings.originationIdentity,
      MessageBody: renderVoiceSsml(notification.incident),
      MessageBodyTextType: 'SSML',
      VoiceId: this.settings.voiceId,
      ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
      Context: { [INCIDENT_TAG]: String(notification.incident.number) },
    });
    return notifyOutcome(async () => ({ messageId: (await this.sms.send(call)).MessageId ?? '' }));
  }
}

/** Answers to SMS replies, sent from the same origination identity the pages come from. */
export class SmsAnswers implements SmsAnswerer {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly settings: SmsSettings,
  ) {}

  async answer(phone: string, text: string): Promise<void> {
    await this.sms.send(textMessage(this.settings, phone, toGsm7(text)));
  }
}
