import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { smsEnvironment, smsSendStatement, type SmsSendingProps } from './escalation';
import { grantRaiseAndAct, workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';

export interface SmsRepliesProps {
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly escalation: StateMachine;
  /** The announcement state machine: webhooks hear of what the function does. */
  readonly announcement: StateMachine;
  readonly sms: SmsSendingProps;
}

/**
 * SMS replies: the topic a number's two-way channel publishes to (set it as the number's two-way
 * destination), and the function that claims or resolves by reply code and answers by SMS.
 */
export class SmsReplies extends Construct {
  readonly topic: Topic;
  /** The function the topic invokes; events it failed on are kept in its dead-letter queue. */
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, { tables, escalation, announcement, sms }: SmsRepliesProps) {
    super(scope, id);
    this.topic = new Topic(this, 'TwoWay', { displayName: 'InResponse SMS replies', enforceSSL: true });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'The two-way channel publishes short SMS replies (a reply code); encrypting them would need a customer managed KMS key that the SMS service may use, for data that is already plain text on the phone network.',
      },
    ]);
    const fn = inResponseFunction(this, 'smsReplies', {
      entry: 'lambdas/handlers/sms-replies.ts',
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        ...workflowEnvironment(escalation, announcement),
        ...smsEnvironment(sms),
      },
      deadLetterQueue: true,
    });
    this.function = fn;
    // Claims and resolves (a resolve releases the dedup lock and records the event), reads people, answers by SMS.
    grantRaiseAndAct(fn, tables, escalation, announcement);
    fn.addToRolePolicy(smsSendStatement(this, sms));
    this.topic.addSubscription(new LambdaSubscription(fn));
  }
}
