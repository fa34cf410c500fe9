import { verify } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import type { Severity } from '../incident/incident';
import { fitMessage, fitTitle, type InboundAction } from './inbound-action';
import { parseInput } from '../shared/validation';

/**
 * CloudWatch alarms through an SNS topic with an HTTPS subscription: SNS's message envelope, its signature,
 * and the alarm inside.
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

/** The alarm state change CloudWatch publishes to SNS. */
export const cloudWatchAlarmSchema = z.looseObject({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().optional(),
  AlarmArn: z.string().optional(),
  Region: z.string().optional(),
  NewStateValue: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  NewStateReason: z.string().optional(),
  OldStateValue: z.string().optional(),
  StateChangeTime: z.string().optional(),
});

export type CloudWatchAlarm = z.output<typeof cloudWatchAlarmSchema>;

/** The alarm in a notification's `Message`, or a 400 naming what is wrong with it. */
export function alarmOf(message: SnsMessage): CloudWatchAlarm {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.Message);
  } catch (error) {
    throw new ValidationError('the SNS message is not a CloudWatch alarm (not JSON)', [{ field: 'Message', problem: 'is not JSON' }], { cause: error });
  }
  return parseInput(cloudWatchAlarmSchema, parsed, 'CloudWatch alarm in Message');
}

/** The dedup key of an alarm: its ARN, or account, region and name for alarms published without one. */
export const alarmDedupKey = (alarm: CloudWatchAlarm) =>
  `cloudwatch:${alarm.AlarmArn ?? `${alarm.AWSAccountId ?? '-'}:${alarm.Region ?? '-'}:${alarm.AlarmName}`}`;

/** ALARM opens (or joins) the alarm's incident, OK resolves it; INSUFFICIENT_DATA asks for nothing. */
export function actionOfAlarm(alarm: CloudWatchAlarm, service: string, severity: Severity, now: Date): InboundAction | undefined {
  const dedupKey = alarmDedupKey(alarm);
  if (alarm.NewStateValue === 'OK') return { kind: 'resolve', dedupKey, summary: alarm.AlarmName };
  if (alarm.NewStateValue !== 'ALARM') return undefined;
  const changedAt = alarm.StateChangeTime && !Number.isNaN(Date.parse(alarm.StateChangeTime)) ? new Date(alarm.StateChangeTime) : now;
  const region = alarm.Region ? ` (${alarm.Region})` : '';
  return {
    kind: 'trigger',
    event: {
      service,
      severity,
      title: fitTitle(`${alarm.AlarmName}${region}`),
      message: fitMessage([alarm.AlarmDescription, alarm.NewStateReason, alarm.AlarmArn ? `alarm: ${alarm.AlarmArn}` : ''].filter(Boolean).join('\n')),
      detectedAt: changedAt.toISOString(),
      source: 'cloudwatch',
      dedupKey,
    },
  };
}

/** SNS over HTTPS: its signing certificates and subscription confirmations, at SNS's own hosts only. */
export interface SnsHttps {
  /** The PEM at a signing certificate URL. */
  certificate(url: string): Promise<string>;
  /** Visits a SubscribeURL, which confirms the subscription. */
  confirmSubscription(url: string): Promise<void>;
}
