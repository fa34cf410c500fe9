import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { GetAccountCommandOutput, GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import type { Subscription } from '@aws-sdk/client-sns';
import { CANARY_DEFAULTS } from '../../lambdas/config/canary';
import { METRICS, metricsNamespaceOf } from '../../lambdas/config/metrics';

/** The outcome of one check of `doctor`: what was checked, what was found, and how to fix a failure. */
export interface Verdict {
  readonly status: 'ok' | 'fail' | 'warn' | 'skip';
  readonly check: string;
  readonly detail: string;
  readonly fix?: string;
}

/** The canary's metric, as the canary emits it (Powertools Metrics, EMF) in its stack's namespace: 1 for a green run, 0 for a red one. */
export const canaryMetric = (stackName: string) => ({ namespace: metricsNamespaceOf(stackName), name: METRICS.canarySuccess }) as const;
/** The canary's default interval; three missed runs raise its alarm, and turn this check red. */
export const CANARY_INTERVAL_MINUTES = CANARY_DEFAULTS.intervalMinutes;
const MISSED_RUNS = 3;

const CHECK = {
  sesIdentity: 'SES sending identity',
  sesAccount: 'SES account',
  receiptRuleSet: 'SES receipt rule set',
  smsIdentity: 'SMS origination identity',
  alarms: 'alarms subscribed',
  alarmStates: 'alarms quiet',
  canary: 'canary',
} as const;

/** The checks that only a deployed stack can answer, as a local run reports them. */
export const AWS_ONLY_CHECKS: readonly string[] = Object.values(CHECK);

/** The sender identity is verified for sending (GetEmailIdentity), or missing (`undefined`: not found). */
export function sesIdentityVerdict(identity: string, answer: Pick<GetEmailIdentityCommandOutput, 'VerifiedForSendingStatus' | 'VerificationStatus'> | undefined): Verdict {
  const check = CHECK.sesIdentity;
  const domain = !identity.includes('@');
  const fix = domain
    ? `publish the DKIM records SES gives for ${identity} (aws sesv2 get-email-identity --email-identity ${identity}) in its DNS zone`
    : `click the link SES mailed to ${identity}`;
  if (!answer) {
    return { status: 'fail', check, detail: `${identity} is not an SES identity in this region`, fix: `aws sesv2 create-email-identity --email-identity ${identity}, then ${fix}` };
  }
  if (answer.VerifiedForSendingStatus) return { status: 'ok', check, detail: `${identity} is verified for sending` };
  return { status: 'fail', check, detail: `${identity} is not verified for sending (${answer.VerificationStatus ?? 'no status'})`, fix };
}

/** The account may send to anyone (out of the sandbox) and sending is not paused (GetAccount). */
export function sesAccountVerdict(answer: Pick<GetAccountCommandOutput, 'ProductionAccessEnabled' | 'SendingEnabled' | 'EnforcementStatus' | 'SendQuota'>): Verdict {
  const check = CHECK.sesAccount;
  if (answer.SendingEnabled === false) {
    return {
      status: 'fail',
      check,
      detail: `sending is paused for this account (enforcement status ${answer.EnforcementStatus ?? 'unknown'}): no page goes out by email`,
      fix: 'read the SES console\'s reputation dashboard (bounce and complaint rates), fix the cause, and ask AWS to resume sending',
    };
  }
  if (!answer.ProductionAccessEnabled) {
    return {
      status: 'fail',
      check,
      detail: 'in the SES sandbox: pages reach only verified addresses, 200 a day',
      fix: 'request production access: aws sesv2 put-account-details --production-access-enabled --mail-type TRANSACTIONAL --website-url <url> --use-case-description "on-call pages" (or the SES console)',
    };
  }
  const quota = answer.SendQuota;
  return { status: 'ok', check, detail: `out of the sandbox${quota ? `, ${quota.SentLast24Hours ?? 0} of ${quota.Max24HourSend ?? '?'} sent in 24 h` : ''}` };
}

/** The stack's receipt rule set is the region's active one (DescribeActiveReceiptRuleSet); skipped without inbound mail. */
export function receiptRuleSetVerdict(expected: string | undefined, active: string | undefined): Verdict {
  const check = CHECK.receiptRuleSet;
  if (!expected) return { status: 'skip', check, detail: 'no inbound domain in this stack' };
  if (active === expected) return { status: 'ok', check, detail: `${expected} is active` };
  const activate = `aws ses set-active-receipt-rule-set --rule-set-name ${expected}`;
  if (!active) return { status: 'fail', check, detail: `no rule set is active: mail to the inbound domain is refused`, fix: activate };
  return {
    status: 'fail',
    check,
    detail: `another rule set, ${active}, is active (one per region): mail to the inbound domain never reaches InResponse`,
    fix: `move ${expected}'s rule into ${active}, or ${activate} if ${active} is unused`,
  };
}

/** The kinds of origination identity, by the resource type in their ARN. */
export type OriginationKind = 'phone-number' | 'pool' | 'sender-id';

/** The kind and id of an origination identity's ARN (`arn:aws:sms-voice:<region>:<account>:pool/pool-123`). */
export function originationOf(arn: string): { readonly kind: OriginationKind; readonly id: string; readonly country?: string } | undefined {
  const match = /^arn:aws[a-z-]*:sms-voice:[^:]*:[^:]*:(phone-number|pool|sender-id)\/([^/]+)(?:\/([A-Z]{2}))?$/.exec(arn);
  if (!match) return undefined;
  return { kind: match[1] as OriginationKind, id: match[2]!, ...(match[3] ? { country: match[3] } : {}) };
}

/** The SMS origination identity exists and is active (DescribePhoneNumbers, DescribePools, DescribeSenderIds). */
export function smsIdentityVerdict(arn: string | undefined, found: { readonly status?: string | undefined } | undefined): Verdict {
  const check = CHECK.smsIdentity;
  if (!arn) return { status: 'skip', check, detail: 'no SMS in this stack' };
  if (!found) {
    return { status: 'fail', check, detail: `${arn} does not exist in this account and region: no SMS page goes out`, fix: 'request a number (aws pinpoint-sms-voice-v2 request-phone-number) and deploy with -c smsOriginationIdentity=<its ARN>' };
  }
  if (found.status === undefined || found.status === 'ACTIVE') return { status: 'ok', check, detail: `${arn} is present${found.status ? ' and active' : ''}` };
  return { status: 'fail', check, detail: `${arn} is ${found.status}, not ACTIVE`, fix: 'finish its registration in the End User Messaging console (a US toll-free number needs an approved registration)' };
}

/**
 * The stack's alarms (named after the stack) each notify an SNS topic, and every such topic has a confirmed
 * subscriber: an alarm that reaches no one is no alarm.
 */
export function alarmsVerdict(stackName: string, alarms: readonly Pick<MetricAlarm, 'AlarmName' | 'AlarmActions'>[], subscriptions: ReadonlyMap<string, readonly Pick<Subscription, 'SubscriptionArn' | 'Protocol'>[]>): Verdict {
  const check = CHECK.alarms;
  if (alarms.length === 0) return { status: 'fail', check, detail: `no alarm's name starts with ${stackName}`, fix: 'deploy the current version of the stack, which has the alarms (npx cdk deploy)' };
  const silent = alarms.filter((a) => !(a.AlarmActions ?? []).some(isTopic));
  if (silent.length) {
    return { status: 'fail', check, detail: `${silent.length} alarm(s) notify no topic: ${names(silent)}`, fix: 'deploy the current version of the stack (npx cdk deploy)' };
  }
  const topics = [...new Set(alarms.flatMap((a) => a.AlarmActions ?? []).filter(isTopic))];
  const unconfirmed = topics.filter((topic) => !(subscriptions.get(topic) ?? []).some(confirmed));
  if (unconfirmed.length) {
    const pending = unconfirmed.flatMap((topic) => subscriptions.get(topic) ?? []).length;
    return {
      status: 'fail',
      check,
      detail: `no confirmed subscriber on ${unconfirmed.join(', ')}${pending ? ` (${pending} awaiting confirmation)` : ''}: alarms reach no one`,
      fix: 'confirm the subscription from the mail AWS Notifications sent, or subscribe someone: aws sns subscribe --topic-arn <topic> --protocol email --notification-endpoint <address>',
    };
  }
  const how = [...new Set(topics.flatMap((topic) => (subscriptions.get(topic) ?? []).filter(confirmed).map((s) => s.Protocol ?? '?')))].sort();
  return { status: 'ok', check, detail: `${alarms.length} alarm(s), notifying ${topics.length} topic(s) with confirmed subscribers (${how.join(', ')})` };
}

/** None of the stack's alarms is firing now. */
export function alarmStatesVerdict(alarms: readonly Pick<MetricAlarm, 'AlarmName' | 'StateValue' | 'StateReason'>[]): Verdict {
  const check = CHECK.alarmStates;
  const firing = alarms.filter((a) => a.StateValue === 'ALARM');
  if (firing.length === 0) return { status: 'ok', check, detail: `none of ${alarms.length} alarm(s) is in ALARM` };
  return { status: 'warn', check, detail: `in ALARM now: ${names(firing)}`, fix: 'see why in the CloudWatch console (the alarm\'s history), and the stack\'s dashboard' };
}

/**
 * The canary is green: its latest result, within three intervals, is a success. `points` are the minimum of
 * {@link canaryMetric} per period (GetMetricData), newest first or in any order.
 */
export function canaryVerdict(points: readonly { readonly at: Date; readonly value: number }[], now: Date, intervalMinutes = CANARY_INTERVAL_MINUTES): Verdict {
  const check = CHECK.canary;
  const latest = [...points].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
  const window = MISSED_RUNS * intervalMinutes;
  const fix = 'look at the canary function\'s logs (the failed step is named there), and at the notifier\'s';
  if (!latest || now.getTime() - latest.at.getTime() > window * 60_000) {
    return {
      status: 'fail',
      check,
      detail: latest ? `no result since ${latest.at.toISOString()} (more than ${window} min)` : `no result of ${METRICS.canarySuccess} in the last hour`,
      fix: `check that the canary's schedule is enabled and the function runs; ${fix}`,
    };
  }
  if (latest.value < 1) return { status: 'fail', check, detail: `red: the run of ${latest.at.toISOString()} failed`, fix };
  return { status: 'ok', check, detail: `green at ${latest.at.toISOString()}` };
}

/** A dead-letter queue holds nothing. */
export function deadLetterVerdict(queue: string, messages: number): Verdict {
  const check = `dead letters: ${queue}`;
  if (messages === 0) return { status: 'ok', check, detail: 'empty' };
  return { status: 'fail', check, detail: `${messages} message(s) failed for good`, fix: `npx inresponse dlq list ${queue}, fix the cause, then npx inresponse dlq redrive ${queue}` };
}

const isTopic = (action: string) => action.startsWith('arn:aws:sns:') || /^arn:aws-[a-z-]+:sns:/.test(action);

const confirmed = (s: Pick<Subscription, 'SubscriptionArn'>) => Boolean(s.SubscriptionArn) && s.SubscriptionArn !== 'PendingConfirmation' && s.SubscriptionArn !== 'Deleted';

const names = (alarms: readonly Pick<MetricAlarm, 'AlarmName'>[]) => alarms.map((a) => a.AlarmName ?? '?').join(', ');
