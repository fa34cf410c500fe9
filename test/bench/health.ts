/**
 * The health benchmark (`npm run bench:health`): what InResponse's own health costs a month with no incidents. The alarms and the dashboard are counted from the synthesized templates of a plain
 * stack (the CDK app's defaults) and of one with inbound mail, SMS and Slack; the canary's calls are metered on
 * the local runtime over a few runs and priced at its default interval.
 */
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { performance } from 'node:perf_hooks';
import { CANARY_DEFAULTS } from '../../lambdas/config/canary';
import type { AwsClients } from '../../lambdas/composition';
import { InResponseStack, type InResponseStackProps } from '../../lib/inresponse-stack';
import { startLocalRuntime } from '../../lib/local/runtime';
import { TEST_CONFIG } from '../support/fixtures';
import { ASSUMED_INVOCATION_SECONDS, FUNCTION_GB, PRICES } from './channels';
import { checkLine, runSection, type Check } from './measure';

/** CloudWatch list prices, US East, in US dollars a month (2025; not re-read from this offline machine). */
export const CLOUDWATCH_PRICES = {
  /** A standard-resolution alarm, per metric it reads: a metric-math alarm pays for each metric inside. */
  alarmMetric: 0.1,
  compositeAlarm: 0.5,
  /** Beyond the account's first three dashboards (of up to 50 metrics each), which are free. */
  dashboard: 3,
  /** Each distinct metric name and dimension combination published, prorated by the hour. */
  customMetric: 0.3,
  logsIngestedPerGb: 0.5,
} as const;

const CANARY_RUNS = 5;
const HOURS_A_MONTH = 730;
/** What a canary invocation is billed in AWS: a cold notifier's start, one SES send, reads every 500 ms. */
const ASSUMED_CANARY_SECONDS = 3;
const BUDGET = 5;

/** One alarm as billed: the metrics it reads, and the Metrics Insights queries, billed per metric they analyse. */
interface AlarmCost {
  readonly name: string;
  /** What it watches, by the namespace of its metrics. */
  readonly watches: string;
  readonly metrics: number;
  readonly insightsQueries: number;
}

export interface StackCost {
  readonly stack: string;
  readonly alarms: readonly AlarmCost[];
  readonly byWatched: Readonly<Record<string, { alarms: number; metrics: number; insightsQueries: number }>>;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly alarmsPerMonth: number;
  readonly dashboardsPerMonth: number;
}

export interface CanaryCost {
  readonly runsPerMonth: number;
  readonly perRun: {
    readonly lambdaInvocations: number;
    readonly transitions: number;
    readonly dynamoDbReadUnits: number;
    readonly dynamoDbWriteUnits: number;
    readonly emails: number;
    readonly logBytes: number;
    readonly measuredSeconds: number;
  };
  /** The distinct metrics (name and dimensions) its runs emitted: each is a custom metric. */
  readonly customMetrics: readonly string[];
  readonly perMonth: { readonly lambda: number; readonly stepFunctions: number; readonly dynamoDb: number; readonly ses: number; readonly logs: number; readonly customMetrics: number; readonly total: number };
}

export interface HealthResults {
  readonly stacks: readonly StackCost[];
  readonly canary: CanaryCost;
  readonly prices: typeof CLOUDWATCH_PRICES;
  readonly checks: Check[];
}

const BASE_PROPS: InResponseStackProps = { tablePrefix: 'inresponse', ses: { senderAddress: 'oncall@example.com', senderIdentity: 'example.com' } };
const STACKS: readonly { name: string; props: InResponseStackProps }[] = [
  { name: 'defaults (email, webhooks, status pages)', props: BASE_PROPS },
  {
    name: 'with inbound mail, SMS and Slack',
    props: {
      ...BASE_PROPS,
      inbound: { domain: 'oncall.example.com' },
      sms: { originationIdentityArn: 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef', voiceId: 'JOANNA' },
      slack: true,
    },
  },
];

type AlarmMetrics = { MetricName?: string; Namespace?: string; Metrics?: { MetricStat?: { Metric: { Namespace: string } }; Expression?: unknown }[]; AlarmName: string };

/** The alarms, composites and dashboards of a synthesized stack, and what they cost a month. */
export function stackCost(name: string, props: InResponseStackProps): StackCost {
  // No bundling: the template is all that is counted.
  const template = Template.fromStack(new InResponseStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'InResponse', props));
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(({ Properties }): AlarmCost => {
    const alarm = Properties as AlarmMetrics;
    const stats = alarm.MetricName ? [alarm.Namespace!] : (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.Namespace] : []));
    const queries = (alarm.Metrics ?? []).filter((m) => JSON.stringify(m.Expression ?? '').includes('SELECT'));
    const namespace = stats[0] ?? /FROM SCHEMA\(\\"([^\\]+)\\"/.exec(JSON.stringify(queries[0]?.Expression))?.[1] ?? '?';
    return { name: alarm.AlarmName, watches: namespace.startsWith('InResponse/') ? 'canary' : namespace, metrics: stats.length, insightsQueries: queries.length };
  });
  const byWatched: Record<string, { alarms: number; metrics: number; insightsQueries: number }> = {};
  for (const alarm of alarms) {
    byWatched[alarm.watches] ??= { alarms: 0, metrics: 0, insightsQueries: 0 };
    const entry = byWatched[alarm.watches]!;
    entry.alarms++;
    entry.metrics += alarm.metrics;
    entry.insightsQueries += alarm.insightsQueries;
  }
  const compositeAlarms = Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm')).length;
  const dashboards = Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length;
  const metrics = alarms.reduce((sum, a) => sum + a.metrics, 0);
  return {
    stack: name,
    alarms,
    byWatched,
    compositeAlarms,
    dashboards,
    // Metrics Insights queries are billed per metric they analyse: DynamoDB reports throttled requests and system
    // errors only when some occur, so a month without them analyses none.
    alarmsPerMonth: metrics * CLOUDWATCH_PRICES.alarmMetric + compositeAlarms * CLOUDWATCH_PRICES.compositeAlarm,
    dashboardsPerMonth: dashboards * CLOUDWATCH_PRICES.dashboard,
  };
}

/** Meters the canary's calls on the local runtime over a few runs, and prices them at the default interval. */
export async function canaryCost(): Promise<CanaryCost> {
  const counts = { readUnits: 0, writeUnits: 0, emails: 0 };
  const meterDynamoDb = (client: AwsClients['dynamoDb']) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        counts[/Get|Query|Scan/.test(context.commandName!) ? 'readUnits' : 'writeUnits'] += units;
        return result;
      },
      { step: 'initialize', name: 'benchHealthMeter' },
    );
  // As in AWS: the canary's and the notifier's log lines are part of its cost, and its metrics are printed.
  const env = { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED };
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' });
  const runtime = await startLocalRuntime({
    config: TEST_CONFIG,
    periodicJobs: false,
    instrument: (clients, own) => {
      meterDynamoDb(own.canary.dynamoDb);
      meterDynamoDb(own.notifier.dynamoDb);
      clients.ses.middlewareStack.add(
        (next) => async (args) => {
          counts.emails++;
          return next(args);
        },
        { step: 'initialize', name: 'benchHealthSes' },
      );
    },
  });
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  try {
    process.stdout.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
    await runtime.runCanary(); // warms the runtime up, as a warm Lambda is; not counted
    Object.assign(counts, { readUnits: 0, writeUnits: 0, emails: 0 });
    printed.length = 0;
    const started = performance.now();
    for (let run = 0; run < CANARY_RUNS; run++) {
      const result = await runtime.runCanary();
      if (!result.ok) throw new Error(`the canary ran red: ${result.failed}: ${result.reason}`);
    }
    const measuredSeconds = (performance.now() - started) / 1000 / CANARY_RUNS;
    process.stdout.write = write;
    const { executions } = await runtime.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: runtime.deployment.escalationStateMachineArn }));
    const counted = (executions ?? []).slice(0, CANARY_RUNS);
    const states = (
      await Promise.all(counted.map(async (e) => (await runtime.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn! }))).events!.map((event) => event.stateEnteredEventDetails!.name!)))
    ).flat();
    const emf = printed.filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>);
    const customMetrics = [...new Set(emf.flatMap((line) => line._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => `${m.Name} ${d.Dimensions.flat().map((k) => `${k}=${line[k]}`).join(' ')}`))))];
    const per = (n: number) => n / CANARY_RUNS;
    const perRun = {
      lambdaInvocations: 1 + per(states.filter((s) => s === 'Escalate' || s === 'Notify due').length),
      transitions: per(states.length),
      dynamoDbReadUnits: per(counts.readUnits),
      dynamoDbWriteUnits: per(counts.writeUnits),
      emails: per(counts.emails),
      logBytes: per(printed.reduce((sum, line) => sum + Buffer.byteLength(line), 0)),
      measuredSeconds,
    };
    const runsPerMonth = (HOURS_A_MONTH * 60) / CANARY_DEFAULTS.intervalMinutes;
    const perMonth = {
      lambda:
        runsPerMonth *
        (perRun.lambdaInvocations * PRICES.lambdaPerRequest +
          (ASSUMED_CANARY_SECONDS + (perRun.lambdaInvocations - 1) * ASSUMED_INVOCATION_SECONDS) * FUNCTION_GB * PRICES.lambdaPerGbSecond),
      stepFunctions: runsPerMonth * perRun.transitions * PRICES.stepFunctionsPerTransition,
      dynamoDb: runsPerMonth * (perRun.dynamoDbReadUnits * PRICES.dynamoDbPerReadUnit + perRun.dynamoDbWriteUnits * PRICES.dynamoDbPerWriteUnit),
      ses: runsPerMonth * perRun.emails * PRICES.sesPerEmail,
      logs: (runsPerMonth * perRun.logBytes * CLOUDWATCH_PRICES.logsIngestedPerGb) / 1024 ** 3,
      customMetrics: customMetrics.length * CLOUDWATCH_PRICES.customMetric,
    };
    return { runsPerMonth, perRun, customMetrics, perMonth: { ...perMonth, total: Object.values(perMonth).reduce((sum, v) => sum + v, 0) } };
  } finally {
    process.stdout.write = write;
    await runtime.stop();
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function benchHealth(): Promise<HealthResults> {
  const stacks = STACKS.map(({ name, props }) => stackCost(name, props));
  const canary = await canaryCost();
  const checks = stacks.map((s) => {
    const total = s.alarmsPerMonth + canary.perMonth.total;
    return { floor: `${s.stack}: < $${BUDGET}/month`, ok: total < BUDGET, value: `$${total.toFixed(2)}` };
  });
  return { stacks, canary, prices: CLOUDWATCH_PRICES, checks };
}

const money = (n: number) => `$${n.toFixed(2)}`;

export function healthLines(r: HealthResults): string[] {
  const c = r.canary;
  return [
    '',
    `Health: a month with no incidents (CloudWatch: $${r.prices.alarmMetric} per alarm metric, $${r.prices.dashboard} per dashboard beyond 3, $${r.prices.customMetric} per custom metric)`,
    ...r.stacks.flatMap((s) => [
      `  ${s.stack}: ${s.alarms.length} alarms reading ${s.alarms.reduce((n, a) => n + a.metrics, 0)} metrics, ${s.compositeAlarms} composite, ${s.dashboards} dashboard`,
      ...Object.entries(s.byWatched).map(
        ([watched, w]) => `    ${watched.padEnd(14)} ${String(w.alarms).padStart(3)} alarms  ${String(w.metrics).padStart(3)} metrics${w.insightsQueries ? `  ${w.insightsQueries} Metrics Insights queries (billed per metric analysed: none in a month without throttles or errors)` : ''}  ${money(w.metrics * r.prices.alarmMetric)}`,
      ),
      `    alarms ${money(s.alarmsPerMonth)}; dashboard ${money(0)} as one of the account's 3 free (${money(s.dashboardsPerMonth)} beyond them)`,
      `    total with the canary: ${money(s.alarmsPerMonth + c.perMonth.total)} (${money(s.alarmsPerMonth + c.perMonth.total + s.dashboardsPerMonth)} with the dashboard paid)`,
    ]),
    `  canary every ${CANARY_DEFAULTS.intervalMinutes} min: ${c.runsPerMonth.toFixed(0)} runs a month; per run ${c.perRun.lambdaInvocations.toFixed(1)} invocations, ${c.perRun.transitions.toFixed(1)} transitions, ${c.perRun.dynamoDbReadUnits.toFixed(1)} RU / ${c.perRun.dynamoDbWriteUnits.toFixed(1)} WU, ${c.perRun.emails.toFixed(1)} email, ${(c.perRun.logBytes / 1024).toFixed(1)} KB of logs, ${c.perRun.measuredSeconds.toFixed(2)} s here (${ASSUMED_CANARY_SECONDS} s billed assumed)`,
    `    Lambda ${money(c.perMonth.lambda)}, Step Functions ${money(c.perMonth.stepFunctions)}, DynamoDB ${money(c.perMonth.dynamoDb)}, SES ${money(c.perMonth.ses)}, logs ${money(c.perMonth.logs)}, custom metrics ${money(c.perMonth.customMetrics)} (${c.customMetrics.join('; ')}): ${money(c.perMonth.total)}`,
    ...r.checks.map(checkLine),
    '',
  ];
}

/** `npm run bench:health`: this benchmark alone. */
export const runHealthBench = (): Promise<void> => runSection('health', benchHealth, healthLines);
