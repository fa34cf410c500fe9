import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Announcements } from './constructs/announcements';
import { HeartbeatChecker } from './constructs/heartbeat-checker';
import { EscalationWorkflow, type SesSendingProps, type SmsSendingProps } from './constructs/escalation';
import { EscalationSweeper } from './constructs/escalation-sweeper';
import { DeliveryEvents, DeliveryFeedback } from './constructs/delivery-feedback';
import { InboundEmail } from './constructs/inbound-email';
import { SlackChannel } from './constructs/slack';
import { SmsReplies } from './constructs/sms-replies';
import { IncidentApi, incidentHttpApi } from './constructs/incident-api';
import { InResponseTables } from './constructs/tables';
import { StatusPages, type StatusPagesDomain } from './constructs/status-pages';
import { ResponderConsole } from './constructs/console';
import { Canary } from './constructs/canary';
import { CANARY_DEFAULTS } from '../lambdas/config/canary';
import { InResponseHealth, type AlarmRecipients } from './constructs/health';
import { type DeadLetterQueueOutput, OUTPUT } from './stack-outputs';

export interface InResponseStackProps extends StackProps {
  /** Prefix of the table names, which `npm run config:apply -- --prefix` writes to. */
  readonly tablePrefix: string;
  /** Use the tables of `tablePrefix` that exist (restored from a backup) instead of making them. */
  readonly existingTables?: boolean;
  /** How pages are sent: the From address, its verified SES identity, an optional configuration set. */
  readonly ses: SesSendingProps;
  /** Mail to `<service>[+severity]@<domain>` becomes incidents; no inbound mail when absent. */
  readonly inbound?: { readonly domain: string; readonly rejectVerdicts?: string };
  /** SMS pages from this origination identity to people with a phone; no SMS when absent. */
  readonly sms?: SmsSendingProps;
  /** Pages to Slack, with Claim and Resolve buttons, through a Slack app whose secret the operator fills; none when false. */
  readonly slack?: boolean;
  /** A custom domain for the status pages (and its ACM certificate in us-east-1); CloudFront's own name when absent. */
  readonly statusPagesDomain?: StatusPagesDomain;
  /** Who the alarms reach, out of band (SNS email and SMS); nobody until given, the alarms still on the dashboard. */
  readonly alarms?: AlarmRecipients;
  /** Where the canary pages and how often it runs: {@link CANARY_DEFAULTS} for what is not given. */
  readonly canary?: { readonly address?: string; readonly intervalMinutes?: number };
}

/**
 * InResponse: the tables, the incident API, the escalation state machine with its notifier, the announcement
 * state machine with its announcer (outbound webhooks), and, with an inbound domain, the SES receipt rule that
 * turns mail into incidents; status pages rendered into a bucket behind CloudFront; SMS and Slack where enabled;
 * the canary, and the alarms and dashboard of InResponse's own health.
 */
export class InResponseStack extends Stack {
  constructor(scope: Construct, id: string, props: InResponseStackProps) {
    super(scope, id, props);
    const tables = new InResponseTables(this, 'Tables', { prefix: props.tablePrefix, ...(props.existingTables ? { existing: true } : {}) });
    const api = incidentHttpApi(this, 'HttpApi');
    // Signs the claim and resolve links in pages; generated, never leaves Secrets Manager but to the functions.
    const linkSecret = new Secret(this, 'LinkSecret', {
      description: 'InResponse: HMAC key of the action links in pages',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(linkSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated by hand, not on a schedule: the operator puts a new random value (aws secretsmanager put-secret-value). Links signed with the old key then stop working: they live 24 hours at most, and the API keeps working without them. Functions read the key once per cold start, so warm instances go on with the old key until they are replaced (updating the functions replaces them at once).',
      },
    ]);
    // Pages go out with configuration sets whose events (delivered, bounced, failed) come back to InResponse.
    const deliveryEvents = new DeliveryEvents(this, 'DeliveryEvents', { ses: props.ses, ...(props.sms ? { sms: props.sms } : {}) });
    const ses = deliveryEvents.ses;
    const sms = deliveryEvents.sms;
    const announcements = new Announcements(this, 'Announcements', { tables: tables.byId, publicApiUrl: api.apiEndpoint });
    const announcement = announcements.stateMachine;
    // Every dead-letter queue, with the function that takes its messages again (`npx inresponse dlq`).
    const deadLetterQueues: DeadLetterQueueOutput[] = [
      { name: 'webhook-deliveries', url: announcements.deadLetterQueue.queueUrl, kind: 'webhook-deliveries', functionName: announcements.announcer.functionName },
    ];
    const escalation = new EscalationWorkflow(this, 'Escalation', {
      announcement,
      tables: tables.byId,
      publicApiUrl: api.apiEndpoint,
      linkSecret,
      ses: ses,
      ...(props.inbound ? { inboundDomain: props.inbound.domain } : {}),
      ...(sms ? { sms } : {}),
    });
    new IncidentApi(this, 'IncidentApi', { api, tables: tables.byId, escalation: escalation.stateMachine, announcement, linkSecret, ...(sms ? { sms } : {}), ...(props.slack ? { slack: true } : {}) });
    const statusPages = new StatusPages(this, 'StatusPages', {
      tables: tables.byId,
      escalation: escalation.stateMachine,
      announcement,
      ...(props.statusPagesDomain ? { domain: props.statusPagesDomain } : {}),
    });
    new CfnOutput(this, 'StatusPagesUrl', { value: statusPages.url, description: 'each page is at <url>/<page>/' });
    if (props.statusPagesDomain) new CfnOutput(this, 'StatusPagesCdnDomain', { value: statusPages.distribution.distributionDomainName, description: 'point the custom domain here (CNAME, or an alias record)' });
    new ResponderConsole(this, 'Console', {
      api,
      tables: tables.byId,
      escalation: escalation.stateMachine,
      announcement,
      linkSecret,
      ses: ses,
      statusPagesUrl: statusPages.url,
      ...(sms ? { sms } : {}),
      ...(props.slack ? { slack: true } : {}),
    });
    const feedback = new DeliveryFeedback(this, 'DeliveryFeedback', { topic: deliveryEvents.topic, tables: tables.byId, escalation: escalation.stateMachine });
    deadLetterQueues.push({ name: 'delivery-feedback', url: feedback.function.deadLetterQueue!.queueUrl, kind: 'lambda-events', functionName: feedback.function.functionName });
    new CfnOutput(this, 'DeliveryEventsTopicArn', { value: deliveryEvents.topic.topicArn, description: 'add as the SNS event destination of your own SES or SMS configuration set, if you gave one' });
    new EscalationSweeper(this, 'EscalationSweeper', { tables: tables.byId, escalation: escalation.stateMachine, announcement });
    new HeartbeatChecker(this, 'HeartbeatChecker', { tables: tables.byId, escalation: escalation.stateMachine, announcement });
    if (sms) {
      const replies = new SmsReplies(this, 'SmsReplies', { tables: tables.byId, escalation: escalation.stateMachine, announcement, sms });
      deadLetterQueues.push({ name: 'sms-replies', url: replies.function.deadLetterQueue!.queueUrl, kind: 'lambda-events', functionName: replies.function.functionName });
      new CfnOutput(this, OUTPUT.smsOriginationIdentity, { value: sms.originationIdentityArn });
      new CfnOutput(this, 'SmsRepliesTopicArn', { value: replies.topic.topicArn, description: "set as the origination number's two-way SNS destination" });
    }
    if (props.slack) {
      const slack = new SlackChannel(this, 'Slack', { api, tables: tables.byId, escalation: escalation.stateMachine, announcement, notifier: escalation.notifier, announcer: announcements.announcer });
      new CfnOutput(this, 'SlackSecretArn', { value: slack.secret.secretArn, description: 'put {"botToken":"xoxb-...","signingSecret":"..."} of the Slack app here' });
      new CfnOutput(this, 'SlackInteractivityUrl', { value: `${api.apiEndpoint}/slack/actions`, description: "set as the Slack app's interactivity request URL" });
    }
    if (props.inbound) {
      const inbound = new InboundEmail(this, 'InboundEmail', {
        ...props.inbound,
        tables: tables.byId,
        escalation: escalation.stateMachine,
        announcement,
        senderAddress: ses.senderAddress,
      });
      deadLetterQueues.push({ name: 'inbound-email', url: inbound.function.deadLetterQueue!.queueUrl, kind: 'lambda-events', functionName: inbound.function.functionName });
      new CfnOutput(this, OUTPUT.receiptRuleSetName, { value: inbound.ruleSet.receiptRuleSetName });
    }
    const canary = new Canary(this, 'Canary', {
      tables: tables.byId,
      escalation: escalation.stateMachine,
      announcement,
      address: props.canary?.address ?? CANARY_DEFAULTS.address,
      interval: Duration.minutes(props.canary?.intervalMinutes ?? CANARY_DEFAULTS.intervalMinutes),
    });
    // Last: it watches every function, queue, state machine, table and API made above.
    const health = new InResponseHealth(this, 'Health', {
      recipients: props.alarms ?? {},
      canaryInterval: canary.interval,
      ...(props.sms ? { smsMonthlySpendLimit: props.sms.monthlySpendLimit ?? 1 } : {}),
      ...(props.existingTables ? { existingTables: Object.values(tables.byId) } : {}),
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: health.topic.topicArn, description: 'alarms of InResponse itself; subscribe more operators here, never InResponse' });
    new CfnOutput(this, OUTPUT.apiUrl, { value: api.apiEndpoint, description: 'the HTTP API; npx inresponse reads this and the outputs below' });
    new CfnOutput(this, OUTPUT.tablePrefix, { value: props.tablePrefix });
    new CfnOutput(this, OUTPUT.senderIdentity, { value: props.ses.senderIdentity, description: 'the SES identity pages are sent as: verified, out of the sandbox' });
    new CfnOutput(this, OUTPUT.deadLetterQueues, { value: this.toJsonString(deadLetterQueues), description: 'JSON: each dead-letter queue and the function that takes its messages again' });
    new CfnOutput(this, 'WebhookSecretArn', { value: announcements.webhookSecret.secretArn, description: 'give its value to webhook receivers, to verify signatures' });
    new CfnOutput(this, 'WebhookDeadLetterQueueUrl', { value: announcements.deadLetterQueue.queueUrl });
  }
}
