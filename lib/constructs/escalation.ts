import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { readEscalationDefinition, type EscalationSubstitutions } from '../escalation-definition';
import { inResponseFunction } from './inresponse-function';

export interface SesSendingProps {
  /** The From address of pages. */
  readonly senderAddress: string;
  /** The verified SES identity it belongs to: the address itself, or its domain. */
  readonly senderIdentity: string;
  readonly configurationSet?: string;
}

export interface EscalationWorkflowProps {
  readonly tables: Readonly<Record<TableId, Table>>;
  /** The incident API's URL, which the links in pages point at. */
  readonly publicApiUrl: string;
  readonly linkSecret: ISecret;
  readonly ses: SesSendingProps;
  /** The inbound mail domain, when mail is taken in: pages then ask for replies at `<service>@<domain>`. */
  readonly inboundDomain?: string;
}

/**
 * The escalation state machine, from the one ASL file, and the notifier it invokes. The definition is
 * inlined (not uploaded as an asset) so that the template, and the tests that read it, hold its states.
 */
export class EscalationWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly notifier: NodejsFunction;

  constructor(scope: Construct, id: string, { tables, publicApiUrl, linkSecret, ses, inboundDomain }: EscalationWorkflowProps) {
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
        ...(inboundDomain ? { [ENV.inboundDomain]: inboundDomain } : {}),
      },
    });
    // The notifier reads and updates incidents, reads the calendar and team profiles, remembers the message
    // ids of pages for replies, and sends as the sender identity only.
    tables.incidents.grantReadWriteData(this.notifier);
    tables.inboundMail.grantWriteData(this.notifier);
    tables.calendar.grantReadData(this.notifier);
    tables.config.grantReadData(this.notifier);
    linkSecret.grantRead(this.notifier);
    const { region, account } = Stack.of(this);
    this.notifier.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        resources: [
          `arn:aws:ses:${region}:${account}:identity/${ses.senderIdentity}`,
          ...(ses.configurationSet ? [`arn:aws:ses:${region}:${account}:configuration-set/${ses.configurationSet}`] : []),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': ses.senderAddress } },
      }),
    );

    const substitutions: EscalationSubstitutions = { NotifierFunctionArn: this.notifier.functionArn };
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromString(readEscalationDefinition()),
      definitionSubstitutions: { ...substitutions },
      stateMachineType: StateMachineType.STANDARD,
      logs: {
        destination: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
        level: LogLevel.ERROR,
        includeExecutionData: false,
      },
    });
    // The state machine may invoke the notifier and nothing else.
    this.notifier.grantInvoke(this.stateMachine);
  }
}
