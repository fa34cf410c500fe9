import { CfnOutput } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { API_ROUTES, type ApiFunctionId } from '../../lambdas/config/routes';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { grantRaiseAndAct } from './grants';
import { inResponseFunction } from './inresponse-function';

const HANDLER_FILES: Readonly<Record<ApiFunctionId, string>> = {
  incidentProcessor: 'lambdas/handlers/incident-processor.ts',
  incidentQuery: 'lambdas/handlers/incident-query.ts',
  integrations: 'lambdas/handlers/integrations.ts',
};

export interface IncidentApiProps {
  readonly api: HttpApi;
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly escalation: StateMachine;
  readonly linkSecret: ISecret;
}

/**
 * The HTTP API (payload v2) with the shared routes, and its two functions: the incident processor, which
 * writes, and the incident query function, which only reads.
 */
export class IncidentApi extends Construct {
  readonly api: HttpApi;
  readonly functions: Readonly<Record<ApiFunctionId, NodejsFunction>>;

  constructor(scope: Construct, id: string, { api, tables, escalation, linkSecret }: IncidentApiProps) {
    super(scope, id);
    const environment = {
      ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
      [ENV.escalationStateMachineArn]: escalation.stateMachineArn,
      [ENV.linkSecretArn]: linkSecret.secretArn,
    };
    const fn = (functionId: ApiFunctionId) =>
      inResponseFunction(this, functionId, { entry: HANDLER_FILES[functionId], environment });
    const processor = fn('incidentProcessor');
    const query = fn('incidentQuery');
    const integrations = fn('integrations');
    this.functions = { incidentProcessor: processor, incidentQuery: query, integrations };

    // Least privilege: the processor and the integrations function raise and act on incidents (the
    // processor also verifies action links); the query function reads incidents, keys and the event record.
    grantRaiseAndAct(processor, tables, escalation);
    linkSecret.grantRead(processor);
    grantRaiseAndAct(integrations, tables, escalation);
    tables.incidents.grantReadData(query);
    tables.config.grantReadData(query);
    tables.events.grantReadData(query);

    this.api = api;
    for (const route of API_ROUTES) {
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.method}${route.path}`, this.functions[route.function]),
      });
    }
    new CfnOutput(this, 'IncidentsUrl', { value: `${this.api.apiEndpoint}/incidents` });
  }
}
