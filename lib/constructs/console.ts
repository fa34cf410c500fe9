import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { CfnOutput } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { sesSendStatement, smsEnvironment, type SesSendingProps, type SmsSendingProps } from './escalation';
import { grantRaiseAndAct, workflowEnvironment } from './grants';
import { addApiRoutes } from './incident-api';
import { inResponseFunction } from './inresponse-function';

export interface ResponderConsoleProps {
  readonly api: HttpApi;
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly escalation: StateMachine;
  readonly announcement: StateMachine;
  /** What the console's sign-in links, session cookies and CSRF tokens are signed with (keys derived from it). */
  readonly linkSecret: ISecret;
  /** The sign-in links are mailed as the pages are. */
  readonly ses: SesSendingProps;
  /** Where the status pages are published: the console links to each. */
  readonly statusPagesUrl: string;
  readonly sms?: SmsSendingProps;
  readonly slack?: boolean;
}

/** The console's function and routes on the HTTP API. */
export class ResponderConsole extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, { api, tables, escalation, announcement, linkSecret, ses, statusPagesUrl, sms, slack }: ResponderConsoleProps) {
    super(scope, id);
    const fn = inResponseFunction(this, 'console', {
      entry: 'lambdas/handlers/console.ts',
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        ...workflowEnvironment(escalation, announcement),
        [ENV.linkSecretArn]: linkSecret.secretArn,
        [ENV.publicApiUrl]: api.apiEndpoint,
        [ENV.senderAddress]: ses.senderAddress,
        [ENV.statusPageBaseUrl]: statusPagesUrl,
        ...(ses.configurationSet ? { [ENV.sesConfigurationSet]: ses.configurationSet } : {}),
        ...smsEnvironment(sms),
        ...(slack ? { [ENV.slackEnabled]: 'true' } : {}),
      },
    });
    this.function = fn;
    // Least privilege: it acts on incidents as the processor does (claim, resolve, comment, maintenance
    // windows, status updates and component overrides), adds schedule overrides, reads the event record and the heartbeats, records used sign-in links (the
    // config table's `signinlink#` items, through the config write the processor has too), and mails sign-in
    // links as the sender only.
    grantRaiseAndAct(fn, tables, escalation, announcement);
    tables.schedules.grantReadWriteData(fn);
    tables.events.grantReadData(fn);
    tables.heartbeats.grantReadData(fn);
    linkSecret.grantRead(fn);
    fn.addToRolePolicy(sesSendStatement(this, ses));
    addApiRoutes(api, 'console', fn);
    new CfnOutput(this, 'ConsoleUrl', { value: `${api.apiEndpoint}/console` });
  }
}

