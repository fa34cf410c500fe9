import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../lambdas/config/env';
import { API_ROUTES, type ApiFunctionId } from '../../lambdas/config/routes';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';

const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

const HANDLER_FILES: Readonly<Record<ApiFunctionId, string>> = {
  incidentProcessor: 'lambdas/handlers/incident-processor.ts',
  incidentQuery: 'lambdas/handlers/incident-query.ts',
};

export interface IncidentApiProps {
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly escalation: StateMachine;
}

/**
 * The HTTP API (payload v2) with the shared routes, and its two functions: the incident processor, which
 * writes, and the incident query function, which only reads.
 */
export class IncidentApi extends Construct {
  readonly api: HttpApi;
  readonly functions: Readonly<Record<ApiFunctionId, NodejsFunction>>;

  constructor(scope: Construct, id: string, { tables, escalation }: IncidentApiProps) {
    super(scope, id);
    const environment = {
      ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
      [ENV.escalationStateMachineArn]: escalation.stateMachineArn,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const fn = (functionId: ApiFunctionId) =>
      new NodejsFunction(this, functionId, {
        entry: repoPath(HANDLER_FILES[functionId]),
        projectRoot: repoPath(''),
        depsLockFilePath: repoPath('package-lock.json'),
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(10),
        environment: { ...environment, POWERTOOLS_SERVICE_NAME: functionId },
        logGroup: new LogGroup(this, `${functionId}Logs`, {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        bundling: {
          format: OutputFormat.CJS,
          target: 'node22',
          minify: true,
          sourceMap: true,
          // Bundle the SDK versions this code is tested with rather than the runtime's.
          externalModules: [],
        },
      });
    const processor = fn('incidentProcessor');
    const query = fn('incidentQuery');
    this.functions = { incidentProcessor: processor, incidentQuery: query };

    // Least privilege: the processor writes incidents, locks and the counter, reads services and keys;
    // the query function reads incidents and keys, nothing else.
    tables.incidents.grantReadWriteData(processor);
    tables.dedup.grantReadWriteData(processor);
    tables.config.grantReadWriteData(processor);
    tables.services.grantReadData(processor);
    escalation.grantStartExecution(processor);
    tables.incidents.grantReadData(query);
    tables.config.grantReadData(query);

    this.api = new HttpApi(this, 'HttpApi', { description: 'InResponse incident API' });
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
