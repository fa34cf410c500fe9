import { Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { CfnConfigurationSet as CfnSmsConfigurationSet } from 'aws-cdk-lib/aws-smsvoice';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import type { SesSendingProps, SmsSendingProps } from './escalation';
import { inResponseFunction } from './inresponse-function';

/** The SES events that tell what became of a page. */
const SES_EVENTS = [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT, EmailSendingEvent.DELIVERY_DELAY];

export interface DeliveryEventsProps {
  readonly ses: SesSendingProps;
  readonly sms?: SmsSendingProps;
}

/**
 * Where SES and End User Messaging report what became of each page: one SNS topic, the event destination of a
 * configuration set of each service that the stack makes, unless the operator names their own (then they add
 * the topic as its event destination). The pages are sent with these sets: {@link ses} and {@link sms}.
 */
export class DeliveryEvents extends Construct {
  readonly topic: Topic;
  /** How pages go out: with the stack's configuration set unless the operator gave one. */
  readonly ses: SesSendingProps;
  readonly sms: SmsSendingProps | undefined;

  constructor(scope: Construct, id: string, { ses, sms }: DeliveryEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new Topic(this, 'Topic', { displayName: 'InResponse delivery events', enforceSSL: true });
    for (const service of ['ses.amazonaws.com', 'sms-voice.amazonaws.com']) {
      this.topic.addToResourcePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal(service)],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    }
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason: 'Delivery events carry message ids, addresses and statuses: encrypting them would need a customer managed KMS key that SES and the SMS service may use.',
      },
    ]);

    if (ses.configurationSet) {
      this.ses = ses;
    } else {
      const set = new ConfigurationSet(this, 'Pages', { configurationSetName: `${stack.stackName}-pages` });
      new ConfigurationSetEventDestination(this, 'PagesEvents', { configurationSet: set, destination: EventDestination.snsTopic(this.topic), events: SES_EVENTS });
      this.ses = { ...ses, configurationSet: set.configurationSetName };
    }

    if (!sms || sms.configurationSet) {
      this.sms = sms;
    } else {
      const set = new CfnSmsConfigurationSet(this, 'SmsPages', {
        configurationSetName: `${stack.stackName}-sms-pages`,
        eventDestinations: [
          {
            eventDestinationName: 'delivery-feedback',
            enabled: true,
            matchingEventTypes: ['TEXT_ALL', 'VOICE_ALL'],
            snsDestination: { topicArn: this.topic.topicArn },
          },
        ],
      });
      // Its Ref is its name: the functions that send with it then wait for it at deploy.
      this.sms = { ...sms, configurationSet: set.ref };
    }
  }
}

export interface DeliveryFeedbackProps {
  readonly topic: Topic;
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly escalation: StateMachine;
}

/**
 * The function that records the delivery events on the pages' incidents, flags bad contacts, and wakes an
 * escalation whose page failed.
 */
export class DeliveryFeedback extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, { topic, tables, escalation }: DeliveryFeedbackProps) {
    super(scope, id);
    const fn = inResponseFunction(this, 'deliveryFeedback', {
      entry: 'lambdas/handlers/delivery-feedback.ts',
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        [ENV.escalationStateMachineArn]: escalation.stateMachineArn,
      },
      deadLetterQueue: true,
    });
    // Least privilege: the incident by key (read, timeline append, escalation takeover), bad contacts in the
    // config table, and starting and stopping the incident's escalation.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [tables.incidents.tableArn] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [tables.config.tableArn] }));
    escalation.grantStartExecution(fn);
    escalation.grantExecution(fn, 'states:StopExecution');
    topic.addSubscription(new LambdaSubscription(fn));
    this.function = fn;
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'StopExecution acts on an execution of the escalation state machine, whose name (the incident’s) is not known in advance.',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+:\\*$/' }],
        },
      ],
      true,
    );
  }
}
