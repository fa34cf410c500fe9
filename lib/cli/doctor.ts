import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DescribePhoneNumbersCommand, DescribePoolsCommand, DescribeSenderIdsCommand, PinpointSMSVoiceV2Client, ResourceNotFoundException as SmsResourceNotFound } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetAccountCommand, GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TABLE_IDS, tableNames } from '../../lambdas/config/tables';
import { CliError } from '../cli-errors';
import { ApiClient } from './api-client';
import {
  alarmStatesVerdict,
  alarmsVerdict,
  AWS_ONLY_CHECKS,
  canaryMetric,
  canaryVerdict,
  deadLetterVerdict,
  originationOf,
  receiptRuleSetVerdict,
  sesAccountVerdict,
  sesIdentityVerdict,
  smsIdentityVerdict,
  type Verdict,
} from './doctor-checks';
import type { Target } from './target';
import type { Terminal } from './terminal';

/** How far back the canary's results are read. */
const CANARY_LOOKBACK_MS = 60 * 60_000;

/**
 * `doctor`: checks a deployment and prints one line per check, with how to fix each failure. Locally it checks
 * what the local runtime has (the API, the tables, the dead-letter queue) and says which checks need AWS.
 * Returns the verdicts; the command fails if any did.
 */
export async function doctorCommand(target: Target, terminal: Terminal, now: () => Date = () => new Date()): Promise<Verdict[]> {
  terminal.print(`InResponse doctor: ${target.description}`);
  const step = terminal.step('checking');
  const verdicts: Verdict[] = [];
  const run = async (check: string, verdictsOf: () => Promise<Verdict | Verdict[]>) => {
    step.update(`checking ${check}`);
    const found = await verdictsOf().catch((error: unknown): Verdict => couldNotCheck(check, error));
    for (const verdict of [found].flat()) {
      verdicts.push(verdict);
      printVerdict(terminal, verdict);
    }
  };
  await run('API answers', () => apiVerdict(target));
  await run('tables', () => tablesVerdict(target));
  await run('dead letters', () => deadLetterVerdicts(target));
  const { stackName } = target;
  if (stackName === undefined) {
    for (const check of AWS_ONLY_CHECKS) printVerdict(terminal, { status: 'skip', check, detail: 'needs AWS: npx inresponse doctor --stack <name>' });
    terminal.print('(locally the SES emulator and the stand-ins take every page: no account to verify and no alarms; npm start runs the canary itself, every 15 minutes)');
  } else {
    const sesv2 = new SESv2Client(target.clientSettings('ses'));
    try {
      await run('SES sending identity', async () => sesIdentityVerdict(target.senderIdentity ?? '?', await emailIdentity(sesv2, target.senderIdentity ?? '?')));
      await run('SES account', async () => sesAccountVerdict(await sesv2.send(new GetAccountCommand({}))));
    } finally {
      sesv2.destroy();
    }
    await run('SES receipt rule set', () => receiptRuleSetCheck(target));
    await run('SMS origination identity', () => smsIdentityCheck(target));
    await run('alarms subscribed', () => alarmChecks(target, stackName));
    await run('canary', () => canaryCheck(target, now()));
  }
  const failed = verdicts.filter((v) => v.status === 'fail').length;
  if (failed) step.fail(`${failed} check(s) failed`);
  else step.succeed('every check passed');
  return verdicts;
}

const MARK: Readonly<Record<Verdict['status'], string>> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', skip: 'skip' };

function printVerdict(terminal: Terminal, verdict: Verdict): void {
  terminal.print(`${MARK[verdict.status]}  ${verdict.check.padEnd(24)}  ${verdict.detail}`);
  if (verdict.fix && verdict.status !== 'ok') terminal.print(`      fix: ${verdict.fix}`);
}

/** A check whose API call failed: most often the credentials lack a permission. */
function couldNotCheck(check: string, error: unknown): Verdict {
  if (error instanceof CliError) return { status: 'fail', check, detail: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  const refused = (error as { code?: string }).code === 'ECONNREFUSED';
  return {
    status: 'fail',
    check,
    detail: `could not check: ${name}: ${message}`,
    fix: name.includes('AccessDenied')
      ? 'the credentials need read access to this service (ReadOnlyAccess covers every check)'
      : refused
        ? 'locally, is npm start running?'
        : 'check the credentials, the region and the network',
  };
}

async function apiVerdict(target: Target): Promise<Verdict> {
  const check = 'API answers';
  if (!target.apiKey) return { status: 'warn', check, detail: 'no responder key to call it with', fix: 'set INRESPONSE_API_KEY to a responder key' };
  await ApiClient.of(target).get('/incidents?limit=1');
  return { status: 'ok', check, detail: `${target.apiUrl}/incidents answers the responder key` };
}

async function tablesVerdict(target: Target): Promise<Verdict> {
  const dynamoDb = new DynamoDBClient(target.clientSettings('dynamoDb'));
  const names = tableNames(target.tablePrefix);
  try {
    const states = await Promise.all(
      TABLE_IDS.map(async (id) => {
        try {
          return { name: names[id], status: (await dynamoDb.send(new DescribeTableCommand({ TableName: names[id] }))).Table?.TableStatus ?? '?' };
        } catch (error) {
          if (error instanceof ResourceNotFoundException) return { name: names[id], status: 'MISSING' };
          throw error;
        }
      }),
    );
    const wrong = states.filter((s) => s.status !== 'ACTIVE');
    if (wrong.length === 0) return { status: 'ok', check: 'tables', detail: `${states.length} tables ${target.tablePrefix}-* active` };
    return { status: 'fail', check: 'tables', detail: wrong.map((s) => `${s.name} ${s.status}`).join(', '), fix: 'deploy the stack (npx cdk deploy), or restart npm start' };
  } finally {
    dynamoDb.destroy();
  }
}

async function deadLetterVerdicts(target: Target): Promise<Verdict[]> {
  const sqs = new SQSClient(target.clientSettings('sqs'));
  try {
    return await Promise.all(
      target.deadLetterQueues.map(async (queue) => {
        const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
        return deadLetterVerdict(queue.name, Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0));
      }),
    );
  } finally {
    sqs.destroy();
  }
}

async function emailIdentity(sesv2: SESv2Client, identity: string) {
  try {
    return await sesv2.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
  } catch (error) {
    if (error instanceof NotFoundException) return undefined;
    throw error;
  }
}

/** SES v1's API: the receipt rule sets are not in SES v2. */
async function receiptRuleSetCheck(target: Target): Promise<Verdict> {
  if (!target.receiptRuleSetName) return receiptRuleSetVerdict(undefined, undefined);
  const ses = new SESClient(target.clientSettings('ses'));
  try {
    const { Metadata } = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
    return receiptRuleSetVerdict(target.receiptRuleSetName, Metadata?.Name);
  } finally {
    ses.destroy();
  }
}

async function smsIdentityCheck(target: Target): Promise<Verdict> {
  const arn = target.smsOriginationIdentity;
  const origination = arn ? originationOf(arn) : undefined;
  if (!arn || !origination) return smsIdentityVerdict(arn, arn ? {} : undefined);
  const sms = new PinpointSMSVoiceV2Client(target.clientSettings('sms'));
  try {
    if (origination.kind === 'phone-number') {
      const { PhoneNumbers } = await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [arn] }));
      return smsIdentityVerdict(arn, PhoneNumbers?.[0] && { status: PhoneNumbers[0].Status });
    }
    if (origination.kind === 'pool') {
      const { Pools } = await sms.send(new DescribePoolsCommand({ PoolIds: [arn] }));
      return smsIdentityVerdict(arn, Pools?.[0] && { status: Pools[0].Status });
    }
    const { SenderIds } = await sms.send(new DescribeSenderIdsCommand({ SenderIds: [{ SenderId: origination.id, IsoCountryCode: origination.country ?? '' }] }));
    return smsIdentityVerdict(arn, SenderIds?.[0] && {});
  } catch (error) {
    if (error instanceof SmsResourceNotFound) return smsIdentityVerdict(arn, undefined);
    throw error;
  } finally {
    sms.destroy();
  }
}

/** The stack's alarms (their names start with the stack's), the topics they notify, and those topics' subscribers. */
async function alarmChecks(target: Target, stackName: string): Promise<Verdict[]> {
  const cloudWatch = new CloudWatchClient(target.clientSettings('cloudWatch'));
  const sns = new SNSClient(target.clientSettings('sns'));
  try {
    const alarms: MetricAlarm[] = [];
    let next: string | undefined;
    do {
      const page = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: stackName, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: next }));
      alarms.push(...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? []));
      next = page.NextToken;
    } while (next);
    const subscriptions = new Map<string, Subscription[]>();
    for (const topic of new Set(alarms.flatMap((a) => a.AlarmActions ?? []).filter((action) => action.includes(':sns:')))) {
      const found: Subscription[] = [];
      let token: string | undefined;
      do {
        const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic, NextToken: token }));
        found.push(...(page.Subscriptions ?? []));
        token = page.NextToken;
      } while (token);
      subscriptions.set(topic, found);
    }
    return [alarmsVerdict(stackName, alarms, subscriptions), ...(alarms.length ? [alarmStatesVerdict(alarms)] : [])];
  } finally {
    cloudWatch.destroy();
    sns.destroy();
  }
}

/**
 * The canary's results of the last hour, through a Metrics Insights query: the minimum of its metric per
 * five minutes, over whatever dimensions the canary gives it.
 */
async function canaryCheck(target: Target, now: Date): Promise<Verdict> {
  const metric = canaryMetric(target.stackName ?? '');
  const cloudWatch = new CloudWatchClient(target.clientSettings('cloudWatch'));
  try {
    const { MetricDataResults } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - CANARY_LOOKBACK_MS),
        EndTime: now,
        MetricDataQueries: [{ Id: 'canary', Expression: `SELECT MIN(${metric.name}) FROM "${metric.namespace}"`, Period: 300, ReturnData: true }],
      }),
    );
    const result = MetricDataResults?.[0];
    const points = (result?.Timestamps ?? []).map((at, i) => ({ at, value: result?.Values?.[i] ?? 0 }));
    return canaryVerdict(points, now);
  } finally {
    cloudWatch.destroy();
  }
}
