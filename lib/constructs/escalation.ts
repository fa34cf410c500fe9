import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { readEscalationDefinition, type EscalationSubstitutions } from '../escalation-definition';
import { inResponseFunction } from './inresponse-function';
import { inResponseStateMachine } from './state-machine';
import { grantConfig } from './grants';

export interface SesSendingProps {
  /** The From address of pages. */
  readonly senderAddress: string;
  /** The verified SES identity it belongs to: the address itself, or its domain. */
  readonly senderIdentity: string;
  readonly configurationSet?: string;
}

/** How pages go out by SMS: AWS End User Messaging SMS and Voice v2. */
export interface SmsSendingProps {
  /** The ARN of the phone number, sender id or pool that sends: the only one the notifier may send from. */
  readonly originationIdentityArn: string;
  readonly configurationSet?: string;
  /** The Amazon Polly voice (such as JOANNA) of voice calls from the same identity; no calls without it. */
  readonly voiceId?: string;
  /** The account's monthly SMS spending limit in US dollars, which an alarm watches spend against (default 1, AWS's starting limit). */
  readonly monthlySpendLimit?: number;
}

export interface EscalationWorkflowProps {
  readonly tables: Readonly<Record<TableId, ITable>>;
  /** The incident API's URL, which the links in pages point at. */
  readonly publicApiUrl: string;
  readonly linkSecret: ISecret;
  readonly ses: SesSendingProps;
  /** The inbound mail domain, when mail is taken in: pages then ask for replies at `<service>@<domain>`. */
  readonly inboundDomain?: string;
  /** SMS pages to people with a phone; none when absent. */
  readonly sms?: SmsSendingProps;
  /** Where the notifier announces escalations beyond the first level to the webhooks. */
  readonly announcement: StateMachine;
}

/**
 * The escalation state machine, from the one ASL file, and the notifier it invokes. The definition is
 * inlined (not uploaded as an asset) so that the template, and the tests that read it, hold its states.
 */
export class EscalationWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly notifier: NodejsFunction;

  constructor(scope: Construct, id: string, { tables, publicApiUrl, linkSecret, ses, inboundDomain, sms, announcement }: EscalationWorkflowProps) {
    super(scope, id);
    this.notifier = inResponseFunction(this, 'notifier', {
      entry: 'lambdas/handlers/notifier.ts',
      // Longer than a level's sends can take; the state machine's task timeout (90 s) is above it.
      timeout: Duration.seconds(60),
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        [ENV.senderAddress]: ses.senderAddress,
        ...(ses.configurationSet ? { [ENV.sesConfigurationSet]: ses.configurationSet } : {}),
        [ENV.publicApiUrl]: publicApiUrl,
        [ENV.linkSecretArn]: linkSecret.secretArn,
        [ENV.announcementStateMachineArn]: announcement.stateMachineArn,
        ...(inboundDomain ? { [ENV.inboundDomain]: inboundDomain } : {}),
        ...smsEnvironment(sms),
      },
    });
    // The notifier reads and updates incidents, reads schedules, people, team profiles and maintenance windows
    // (which hold an escalation), records the handoff notices it sent (in the schedules table), remembers the
    // message ids of pages for replies, and sends as the sender identity only.
    tables.incidents.grantReadWriteData(this.notifier);
    tables.inboundMail.grantWriteData(this.notifier);
    tables.schedules.grantReadWriteData(this.notifier);
    grantConfig(this.notifier, tables.config, { maintenance: true });
    linkSecret.grantRead(this.notifier);
    announcement.grantStartExecution(this.notifier);
    // Its schedule: every 5 minutes it sends the handoff notices that are due.
    new Rule(this, 'HandoffNotices', { schedule: Schedule.rate(Duration.minutes(5)), targets: [new LambdaFunction(this.notifier)] });
    if (sms) this.notifier.addToRolePolicy(smsSendStatement(this, sms, sms.voiceId ? ['sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage'] : undefined));
    this.notifier.addToRolePolicy(sesSendStatement(this, ses));

    const substitutions: EscalationSubstitutions = { NotifierFunctionArn: this.notifier.functionArn };
    this.stateMachine = inResponseStateMachine(this, { definition: readEscalationDefinition(), substitutions: { ...substitutions }, invokes: this.notifier });
  }
}

/** SendEmail as the sender address, from its identity (and configuration set) only. */
export function sesSendStatement(scope: Construct, ses: SesSendingProps): PolicyStatement {
  const { region, account } = Stack.of(scope);
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions: ['ses:SendEmail'],
    resources: [
      `arn:aws:ses:${region}:${account}:identity/${ses.senderIdentity}`,
      ...(ses.configurationSet ? [`arn:aws:ses:${region}:${account}:configuration-set/${ses.configurationSet}`] : []),
    ],
    conditions: { StringEquals: { 'ses:FromAddress': ses.senderAddress } },
  });
}

/** The environment through which a function learns that SMS is set up, and from where it sends. */
export function smsEnvironment(sms: SmsSendingProps | undefined): Record<string, string> {
  if (!sms) return {};
  if (!/^arn:aws[\w-]*:sms-voice:[\w-]+:\d{12}:(phone-number|pool|sender-id)\/\S+$/.test(sms.originationIdentityArn)) {
    throw new Error(`smsOriginationIdentity must be the ARN of a phone number, pool or sender id, not ${sms.originationIdentityArn}`);
  }
  return {
    [ENV.smsOriginationIdentity]: sms.originationIdentityArn,
    ...(sms.configurationSet ? { [ENV.smsConfigurationSet]: sms.configurationSet } : {}),
    ...(sms.voiceId ? { [ENV.voiceId]: sms.voiceId } : {}),
  };
}

/** SendTextMessage (or the `actions` given) from the one origination identity (and configuration set) only. */
export function smsSendStatement(scope: Construct, sms: SmsSendingProps, actions = ['sms-voice:SendTextMessage']): PolicyStatement {
  const { region, account } = Stack.of(scope);
  return new PolicyStatement({
    effect: Effect.ALLOW,
    actions,
    resources: [
      sms.originationIdentityArn,
      ...(sms.configurationSet ? [`arn:aws:sms-voice:${region}:${account}:configuration-set/${sms.configurationSet}`] : []),
    ],
  });
}
