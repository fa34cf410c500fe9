import { Duration, Stack } from 'aws-cdk-lib';
import { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  type IMetric,
  TreatMissingData,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnTable, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct, type IConstruct } from 'constructs';
import { METRICS, METRICS_SERVICE } from '../../lambdas/config/metrics';
import { email as emailAddress, phoneNumber } from '../../lambdas/domain/oncall/schedule-config';
import { metricsNamespace } from './inresponse-function';

/** Where alarms go: people reached by AWS alone, never through InResponse. */
export interface AlarmRecipients {
  /** An operator's address: SNS mails it a confirmation link first. */
  readonly email?: string;
  /** A phone number in E.164 form (+33612345678): SNS sends it SMS. */
  readonly sms?: string;
}

export interface HealthProps {
  readonly recipients: AlarmRecipients;
  /** The canary's metric is watched at its interval: three runs missed or red in a row raise the alarm. */
  readonly canaryInterval: Duration;
  /** With SMS, the account's monthly SMS spending limit in US dollars, which SMS spend is watched against. */
  readonly smsMonthlySpendLimit?: number;
  /** Tables the stack uses but did not make (restored from a backup): watched as those it made are. */
  readonly existingTables?: readonly ITable[];
}

/** SES reviews an account at 5% bounces or 0.1% complaints and may pause it at 10% or 0.5%: the alarms ring at review. */
const SES_BOUNCE_RATE_ALARM = 0.05;
const SES_COMPLAINT_RATE_ALARM = 0.001;
/** The share of the monthly SMS spending limit that raises the alarm. */
const SMS_SPEND_ALARM_SHARE = 0.8;
/** The share of the API's requests answered 5xx in five minutes that raises the alarm. */
const API_5XX_RATE_ALARM = 0.05;
/** Canary runs missed or red in a row before the alarm. */
const CANARY_MISSES_ALARM = 3;

const FIVE_MINUTES = Duration.minutes(5);
const HOUR = Duration.hours(1);

/** The resources the health alarms watch, found by walking the stack: every one of each kind. */
interface WatchedResources {
  readonly functions: readonly CfnFunction[];
  readonly queues: readonly CfnQueue[];
  readonly stateMachines: readonly CfnStateMachine[];
  readonly tables: readonly CfnTable[];
  readonly apis: readonly CfnApi[];
}

/** Every function, queue (each is a dead-letter queue), state machine, table and HTTP API of the stack. */
function watchedResources(scope: IConstruct): WatchedResources {
  const all = Stack.of(scope).node.findAll();
  return {
    functions: all.filter((c): c is CfnFunction => c instanceof CfnFunction),
    queues: all.filter((c): c is CfnQueue => c instanceof CfnQueue),
    stateMachines: all.filter((c): c is CfnStateMachine => c instanceof CfnStateMachine),
    tables: all.filter((c): c is CfnTable => c instanceof CfnTable),
    apis: all.filter((c): c is CfnApi => c instanceof CfnApi && c.protocolType === 'HTTP'),
  };
}

/** Whether a state machine's definition bounds its executions (TimeoutSeconds at the top): only then can one time out. */
function canTimeOut(machine: CfnStateMachine): boolean {
  try {
    return typeof machine.definitionString === 'string' && (JSON.parse(machine.definitionString) as { TimeoutSeconds?: unknown }).TimeoutSeconds !== undefined;
  } catch {
    // A definition that is not plain JSON here (a token): watched for timeouts too.
    return true;
  }
}

/** A resource as the stack names it: its construct path below the stack, without the L1's own `Resource`. */
const labelOf = (resource: IConstruct) => {
  const path = resource.node.path.split('/').slice(1);
  return (path.at(-1) === 'Resource' ? path.slice(0, -1) : path).join('/');
};

/**
 * InResponse's own health, out of band: CloudWatch alarms on every function (errors; throttles from the region's
 * shared concurrency, or its own where it reserves some), every
 * dead-letter queue (any message), every state machine (failed or timed-out executions), the HTTP API (5xx
 * rate), every table (throttled requests, system errors), SES's bounce and complaint rates, SMS spend against the
 * monthly limit, and the canary (three runs missed or red); an SNS topic of their own whose subscribers are an
 * operator's email and phone, reached by AWS and never through InResponse; a dashboard of the same figures.
 * Resources are found by walking the stack, so a new one is watched without anyone adding its alarm; a
 * validation fails the synth if one created after this construct escaped.
 */
export class InResponseHealth extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly watched = new Set<IConstruct>();

  constructor(scope: Construct, id: string, props: HealthProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new Topic(this, 'Alarms', { displayName: 'InResponse alarms', enforceSSL: true });
    // The topic's own policy replaces SNS's default one: CloudWatch alarms of this account may publish.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states, nothing of incidents. CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and a customer managed key would cost more than every alarm of the stack together.',
      },
    ]);
    const { email, sms } = props.recipients;
    if (email !== undefined && !emailAddress.safeParse(email).success) throw new Error(`alarmEmail must be an email address, not ${email}`);
    if (sms !== undefined && !phoneNumber.safeParse(sms).success) throw new Error(`alarmSms must be a phone number in E.164 form (+33612345678), not ${sms}`);
    if (email) this.topic.addSubscription(new EmailSubscription(email));
    if (sms) this.topic.addSubscription(new SmsSubscription(sms));

    const resources = watchedResources(this);
    const widgets = {
      functions: [] as IMetric[],
      queues: [] as IMetric[],
      stateMachines: [] as IMetric[],
    };
    // A function that reserves no concurrency is throttled only from the region's shared pool, where each of its
    // throttles counts in the region's Throttles: one alarm reads that, not one metric per function. A function
    // that reserves concurrency is throttled at its own limit, and its alarm sums its errors and throttles.
    const lambda = (metricName: string, dimensionsMap?: Record<string, string>) =>
      new Metric({ namespace: 'AWS/Lambda', metricName, ...(dimensionsMap ? { dimensionsMap } : {}), statistic: 'Sum', period: FIVE_MINUTES });
    // Ids of the metrics inside expressions are numbered: one graph shows several expressions, and ids are per graph.
    resources.functions.forEach((fn, i) => {
      const errors = lambda('Errors', { FunctionName: fn.ref }).with({ label: labelOf(fn) });
      const failures =
        fn.reservedConcurrentExecutions === undefined
          ? errors
          : new MathExpression({ expression: `errors${i} + throttles${i}`, usingMetrics: { [`errors${i}`]: errors, [`throttles${i}`]: lambda('Throttles', { FunctionName: fn.ref }) }, label: labelOf(fn), period: FIVE_MINUTES });
      this.watch(fn, fn.reservedConcurrentExecutions === undefined ? 'errors' : 'errors or throttles', failures, { threshold: 1 });
      widgets.functions.push(failures);
    });
    const regionThrottles = lambda('Throttles').with({ label: 'throttles, all functions of the region' });
    this.alarm('LambdaThrottles', "Lambda throttles in the region (InResponse's functions share its concurrency)", regionThrottles, { threshold: 1 });
    for (const queue of resources.queues) {
      const visible = new Metric({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensionsMap: { QueueName: queue.attrQueueName }, statistic: 'Maximum', period: FIVE_MINUTES, label: labelOf(queue) });
      this.watch(queue, 'messages in the dead-letter queue', visible, { threshold: 1 });
      widgets.queues.push(visible);
    }
    resources.stateMachines.forEach((machine, i) => {
      const metric = (metricName: string) => new Metric({ namespace: 'AWS/States', metricName, dimensionsMap: { StateMachineArn: machine.ref }, statistic: 'Sum', period: FIVE_MINUTES, label: labelOf(machine) });
      const ended = canTimeOut(machine)
        ? new MathExpression({ expression: `failed${i} + timedOut${i}`, usingMetrics: { [`failed${i}`]: metric('ExecutionsFailed'), [`timedOut${i}`]: metric('ExecutionsTimedOut') }, label: labelOf(machine), period: FIVE_MINUTES })
        : metric('ExecutionsFailed');
      this.watch(machine, canTimeOut(machine) ? 'executions failed or timed out' : 'executions failed', ended, { threshold: 1 });
      widgets.stateMachines.push(ended);
    });
    const apiRates = resources.apis.map((api) => {
      const metric = (metricName: string) => new Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiId: api.ref }, statistic: 'Sum', period: FIVE_MINUTES });
      const rate = new MathExpression({ expression: 'IF(requests > 0, errors / requests, 0)', usingMetrics: { errors: metric('5xx'), requests: metric('Count') }, label: `${labelOf(api)} 5xx rate`, period: FIVE_MINUTES });
      this.watch(api, `5xx rate above ${API_5XX_RATE_ALARM * 100}%`, rate, { threshold: API_5XX_RATE_ALARM, operator: ComparisonOperator.GREATER_THAN_THRESHOLD });
      return rate;
    });
    // Throttled requests and system errors are reported per table and operation: one Metrics Insights query sums
    // a table's operations, whichever InResponse uses, now or later.
    const dynamoQuery = (metricName: string, where: string, groupBy = '') =>
      new MathExpression({ expression: `SELECT SUM(${metricName}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName)${where}${groupBy}`, period: FIVE_MINUTES, usingMetrics: {} });
    const tables = [...resources.tables.map((table) => ({ table, name: table.ref })), ...(props.existingTables ?? []).map((table) => ({ table, name: table.tableName }))];
    for (const { table, name } of tables) {
      const where = ` WHERE TableName = '${name}'`;
      this.watch(table, 'throttled requests', dynamoQuery('ThrottledRequests', where), { threshold: 1 }, 'Throttles');
      this.watch(table, 'system errors', dynamoQuery('SystemErrors', where), { threshold: 1 }, 'SystemErrors');
    }

    const ses = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: HOUR });
    const bounceRate = ses('Reputation.BounceRate');
    const complaintRate = ses('Reputation.ComplaintRate');
    this.alarm('SesBounceRate', `SES bounce rate above ${SES_BOUNCE_RATE_ALARM * 100}% (SES pauses sending at 10%)`, bounceRate, { threshold: SES_BOUNCE_RATE_ALARM, operator: ComparisonOperator.GREATER_THAN_THRESHOLD });
    this.alarm('SesComplaintRate', `SES complaint rate above ${SES_COMPLAINT_RATE_ALARM * 100}%`, complaintRate, { threshold: SES_COMPLAINT_RATE_ALARM, operator: ComparisonOperator.GREATER_THAN_THRESHOLD });
    // End User Messaging SMS reports the month's text message spend, in US dollars, for the account and region.
    const smsSpend = new Metric({ namespace: 'AWS/SMSVoice', metricName: 'TextMessageMonthlySpend', statistic: 'Maximum', period: HOUR });
    if (props.smsMonthlySpendLimit !== undefined) {
      const threshold = props.smsMonthlySpendLimit * SMS_SPEND_ALARM_SHARE;
      this.alarm('SmsSpend', `SMS spend this month at ${SMS_SPEND_ALARM_SHARE * 100}% of the $${props.smsMonthlySpendLimit} limit`, smsSpend, { threshold });
    }

    const canary = new Metric({ namespace: metricsNamespace(this), metricName: METRICS.canarySuccess, dimensionsMap: { service: METRICS_SERVICE }, statistic: 'Maximum', period: props.canaryInterval, label: 'canary green' });
    this.alarm('Canary', `canary missed or red ${CANARY_MISSES_ALARM} times in a row`, canary, {
      threshold: 1,
      operator: ComparisonOperator.LESS_THAN_THRESHOLD,
      periods: CANARY_MISSES_ALARM,
      missing: TreatMissingData.BREACHING,
    });

    const custom = (metricName: string, statistic: string) => new Metric({ namespace: metricsNamespace(this), metricName, dimensionsMap: { service: METRICS_SERVICE }, statistic, period: HOUR, label: `${metricName} ${statistic}` });
    const insights = (metricName: string, groupBy: string, label: string) =>
      new MathExpression({ expression: `SELECT SUM(${metricName}) FROM SCHEMA("${metricsNamespace(this)}", service, ${groupBy}) GROUP BY ${groupBy}`, period: HOUR, usingMetrics: {}, label });
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${stack.stackName}-health` });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# ${stack.stackName}: its own health\nAlarms go to the SNS topic ${this.topic.topicName}, never through InResponse.`, width: 24, height: 2 }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Canary (1 = green)', left: [canary], width: 8 }),
      new GraphWidget({ title: 'Incidents created, by service and severity', left: [insights(METRICS.incidentsCreated, 'IncidentService, Severity', 'incidents')], width: 8 }),
      new GraphWidget({ title: 'Pages sent and failed, by channel', left: [insights(METRICS.pagesSent, 'Channel', 'sent')], right: [insights(METRICS.pagesFailed, 'Channel', 'failed')], width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Time to first page (s)', left: [custom(METRICS.timeToFirstPage, 'p50'), custom(METRICS.timeToFirstPage, 'p90')], width: 8 }),
      new GraphWidget({ title: 'Time to acknowledge (s)', left: [custom(METRICS.timeToAcknowledge, 'p50'), custom(METRICS.timeToAcknowledge, 'p90')], width: 8 }),
      new GraphWidget({ title: 'HTTP API 5xx rate', left: apiRates, width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Functions: errors', left: widgets.functions, right: [regionThrottles], width: 12, height: 8 }),
      new GraphWidget({ title: 'State machines: failed executions', left: widgets.stateMachines, right: widgets.queues, rightYAxis: { label: 'dead letters' }, width: 12, height: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'DynamoDB: throttled requests and system errors, by table', left: [dynamoQuery('ThrottledRequests', '', ' GROUP BY TableName')], right: [dynamoQuery('SystemErrors', '', ' GROUP BY TableName')], width: 12 }),
      new GraphWidget({ title: 'SES bounce and complaint rates', left: [bounceRate, complaintRate], width: 6 }),
      new GraphWidget({ title: 'SMS spend this month ($)', left: [smsSpend], width: 6 }),
    );

    this.node.addValidation({
      validate: () => {
        const all = watchedResources(this);
        return [...all.functions, ...all.queues, ...all.stateMachines, ...all.tables, ...all.apis]
          .filter((resource) => !this.watched.has(resource))
          .map((resource) => `${resource.node.path} has no alarm: create it before the health construct, which watches what the stack holds when it is made`);
      },
    });
  }

  /** An alarm on a resource of the stack, named after it. */
  private watch(resource: IConstruct, what: string, metric: IMetric, condition: AlarmCondition, kind = ''): void {
    this.watched.add(resource);
    this.alarm(`${labelOf(resource).replace(/[^A-Za-z0-9]/g, '')}${kind}`, `${labelOf(resource)}: ${what}`, metric, condition);
  }

  /** An alarm whose state changes, both ways, go to the topic. */
  private alarm(id: string, description: string, metric: IMetric, { threshold, operator, periods = 1, missing = TreatMissingData.NOT_BREACHING }: AlarmCondition): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName} ${description}`.slice(0, 255),
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: operator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: missing,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

interface AlarmCondition {
  readonly threshold: number;
  readonly operator?: ComparisonOperator;
  readonly periods?: number;
  readonly missing?: TreatMissingData;
}
