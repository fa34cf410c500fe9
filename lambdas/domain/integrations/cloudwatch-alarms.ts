/** CloudWatch alarms as incidents: the alarm a notification carries, and what it asks for. */
import * as z from 'zod';
import { ValidationError } from '../shared/errors';
import type { Severity } from '../incident/incident';
import { fitMessage, fitTitle, type InboundAction } from './inbound-action';
import { parseInput } from '../shared/validation';

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

/** The alarm in an SNS notification's `Message`, or a 400 naming what is wrong with it. */
export function alarmOf(message: string): CloudWatchAlarm {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
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
