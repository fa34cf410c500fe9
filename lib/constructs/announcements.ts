import { Duration } from 'aws-cdk-lib';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { type AnnouncementSubstitutions, readAnnouncementDefinition } from '../announcement-definition';
import { inResponseFunction } from './inresponse-function';
import { inResponseStateMachine } from './state-machine';
import { grantConfig } from './grants';

export interface AnnouncementsProps {
  readonly tables: Readonly<Record<TableId, ITable>>;
  /** The incident API's URL, which payloads link to. */
  readonly publicApiUrl: string;
}

/**
 * Outbound webhooks: the announcement state machine, from the one ASL file, and the announcer it invokes,
 * which alone reads the signing secret; deliveries that fail for good are kept in the dead-letter queue.
 */
export class Announcements extends Construct {
  readonly stateMachine: StateMachine;
  readonly announcer: NodejsFunction;
  readonly deadLetterQueue: Queue;
  readonly webhookSecret: Secret;

  constructor(scope: Construct, id: string, { tables, publicApiUrl }: AnnouncementsProps) {
    super(scope, id);
    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'InResponse: HMAC key of the signatures of webhook deliveries; receivers verify with it',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    NagSuppressions.addResourceSuppressions(this.webhookSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated by hand, with the receivers: each must be given the new key when it changes (aws secretsmanager put-secret-value, then update the announcer to replace warm instances), which no schedule can do for them.',
      },
    ]);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of webhook deliveries; nothing consumes it automatically.' },
    ]);
    this.announcer = inResponseFunction(this, 'announcer', {
      entry: 'lambdas/handlers/announcer.ts',
      // One POST (10 s at most) and the event record; the state machine's task timeout (30 s) is above it.
      timeout: Duration.seconds(20),
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        [ENV.publicApiUrl]: publicApiUrl,
        [ENV.webhookSecretArn]: this.webhookSecret.secretArn,
        [ENV.webhookDeadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
      },
    });
    // It reads the webhooks, records each delivery, sends dead letters and reads the signing secret: no more.
    grantConfig(this.announcer, tables.config, {});
    tables.events.grantWriteData(this.announcer);
    // A delivery given up is said on its incident's timeline: an append to the item, by key.
    Grant.addToPrincipal({ grantee: this.announcer, actions: ['dynamodb:UpdateItem'], resourceArns: [tables.incidents.tableArn] });
    this.deadLetterQueue.grantSendMessages(this.announcer);
    this.webhookSecret.grantRead(this.announcer);

    const substitutions: AnnouncementSubstitutions = { AnnouncerFunctionArn: this.announcer.functionArn };
    this.stateMachine = inResponseStateMachine(this, { definition: readAnnouncementDefinition(), substitutions: { ...substitutions }, invokes: this.announcer });
  }
}
