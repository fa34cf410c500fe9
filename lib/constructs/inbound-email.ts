import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda, LambdaInvocationType, S3 } from 'aws-cdk-lib/aws-ses-actions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV, RAW_MAIL_KEY_PREFIX } from '../../lambdas/config/env';
import { LIMITS } from '../../lambdas/config/limits';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { parseRejectVerdicts } from '../../lambdas/adapters/ses-inbound';
import { grantRaiseAndAct, workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';

export interface InboundEmailProps {
  /** The domain whose mail becomes incidents: `<service>[+severity]@<domain>`. Its MX must point at SES. */
  readonly domain: string;
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly escalation: StateMachine;
  /** The announcement state machine: webhooks hear of what the function does. */
  readonly announcement: StateMachine;
  /** The From address of pages: mail from it is never taken in. */
  readonly senderAddress: string;
  /** SES checks whose FAIL rejects mail (comma-separated); the defaults when absent. */
  readonly rejectVerdicts?: string;
}

/**
 * Inbound mail: an SES receipt rule set for the domain whose one rule stores the raw message in an encrypted,
 * private bucket (kept for the inbound retention) and then invokes the email-to-alert function, which reads
 * it from there. SES allows one active rule set per account and region: activating it is the operator's step.
 */
export class InboundEmail extends Construct {
  readonly bucket: Bucket;
  readonly function: NodejsFunction;
  readonly ruleSet: ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: InboundEmailProps) {
    super(scope, id);
    // Fails the synth, not the first mail, on a misspelt check.
    parseRejectVerdicts(props.rejectVerdicts);
    this.bucket = new Bucket(this, 'RawMail', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(LIMITS.inboundRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'Only SES writes to this bucket (under the prefix, for this account) and only the email-to-alert role reads it; objects expire after the inbound retention. Server access logs would need a second bucket and would record only those two; where per-object auditing is required, CloudTrail S3 data events give it.',
      },
    ]);
    this.function = inResponseFunction(this, 'emailToAlert', {
      entry: 'lambdas/handlers/email-to-alert.ts',
      // Parsing a 10 MB message with attachments takes a few seconds at most.
      timeout: Duration.seconds(60),
      deadLetterQueue: true,
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], props.tables[tableId].tableName])),
        ...workflowEnvironment(props.escalation, props.announcement),
        [ENV.inboundDomain]: props.domain,
        [ENV.inboundBucket]: this.bucket.bucketName,
        [ENV.inboundKeyPrefix]: RAW_MAIL_KEY_PREFIX,
        [ENV.senderAddress]: props.senderAddress,
        ...(props.rejectVerdicts === undefined ? {} : { [ENV.inboundRejectVerdicts]: props.rejectVerdicts }),
      },
    });
    // Least privilege: read raw mail (never write or delete it), raise and comment on incidents like the
    // processor, remember processed mail and threads, record events, start escalations.
    // GetObject under the prefix; ListBucket so that a missing message is NoSuchKey (paged from its headers),
    // not AccessDenied (retried, then dead-lettered).
    this.function.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${RAW_MAIL_KEY_PREFIX}*`)] }),
    );
    this.function.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    const bucketLogicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    NagSuppressions.addResourceSuppressions(
      this.function.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Raw messages are stored under the prefix by their SES message id, which is known only when mail arrives: read-only, under the prefix only.',
          appliesTo: [`Resource::<${bucketLogicalId}.Arn>/${RAW_MAIL_KEY_PREFIX}*`],
        },
      ],
      true,
    );
    grantRaiseAndAct(this.function, props.tables, props.escalation, props.announcement);
    props.tables.inboundMail.grantReadWriteData(this.function);

    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', {
      rules: [
        {
          recipients: [props.domain],
          scanEnabled: true,
          tlsPolicy: TlsPolicy.OPTIONAL,
          actions: [
            new S3({ bucket: this.bucket, objectKeyPrefix: RAW_MAIL_KEY_PREFIX }),
            new Lambda({ function: this.function, invocationType: LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
  }
}
