import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { API_ROUTES, type ApiFunctionId } from '../../lambdas/config/routes';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { smsEnvironment, type SmsSendingProps } from './escalation';
import { grantConfig, grantRaiseAndAct, workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';

/** The functions this construct makes; the Slack actions function comes with Slack, the console's with the console. */
type IncidentApiFunctionId = Exclude<ApiFunctionId, 'slackActions' | 'console'>;

const HANDLER_FILES: Readonly<Record<IncidentApiFunctionId, string>> = {
  incidentProcessor: 'lambdas/handlers/incident-processor.ts',
  incidentQuery: 'lambdas/handlers/incident-query.ts',
  integrations: 'lambdas/handlers/integrations.ts',
};

/**
 * One JSON line per request. The route key, never the path: paths carry integration keys
 * (`/integrations/alertmanager/{key}`) and signed action tokens (`/actions/{token}`).
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    ip: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
    routeKey: AccessLogField.contextRouteKey(),
    protocol: AccessLogField.contextProtocol(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    integrationError: AccessLogField.contextIntegrationErrorMessage(),
    error: AccessLogField.contextErrorMessage(),
  }),
);

/** The HTTP API, whose default stage (auto-deployed, as HttpApi makes it) writes access logs kept a month. */
export function incidentHttpApi(scope: Construct, id: string): HttpApi {
  const api = new HttpApi(scope, id, { description: 'InResponse incident API', createDefaultStage: false });
  const accessLogs = new LogGroup(scope, `${id}AccessLogs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  // The id HttpApi gives its own default stage, so that the stage keeps its logical id.
  api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
  });
  return api;
}

export interface IncidentApiProps {
  readonly api: HttpApi;
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly escalation: StateMachine;
  /** The announcement state machine: webhooks hear of what the function does. */
  readonly announcement: StateMachine;
  readonly linkSecret: ISecret;
  /** So that the escalation preview shows the SMS contacts a page would use. */
  readonly sms?: SmsSendingProps;
  /** So that it shows the Slack contacts too (the functions get no access to the Slack secret). */
  readonly slack?: boolean;
}

/**
 * The HTTP API (payload v2) with the shared routes, and its three functions: the incident processor and the
 * integrations function, which write, and the incident query function, which only reads.
 */
export class IncidentApi extends Construct {
  readonly api: HttpApi;
  readonly functions: Readonly<Record<IncidentApiFunctionId, NodejsFunction>>;

  constructor(scope: Construct, id: string, { api, tables, escalation, announcement, linkSecret, sms, slack }: IncidentApiProps) {
    super(scope, id);
    const environment = {
      ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
      ...workflowEnvironment(escalation, announcement),
      [ENV.linkSecretArn]: linkSecret.secretArn,
      ...smsEnvironment(sms),
      ...(slack ? { [ENV.slackEnabled]: 'true' } : {}),
    };
    const fn = (functionId: IncidentApiFunctionId) =>
      inResponseFunction(this, functionId, { entry: HANDLER_FILES[functionId], environment });
    const processor = fn('incidentProcessor');
    const query = fn('incidentQuery');
    const integrations = fn('integrations');
    this.functions = { incidentProcessor: processor, incidentQuery: query, integrations };

    // Least privilege: the processor and the integrations function raise and act on incidents (the
    // processor also verifies action links); the query function reads incidents, keys, maintenance windows and the
    // event record.
    grantRaiseAndAct(processor, tables, escalation, announcement);
    // Overrides made through the API; heartbeat pings (their state, and the monitors' config, read with the keys').
    tables.schedules.grantReadWriteData(processor);
    tables.heartbeats.grantReadWriteData(processor);
    linkSecret.grantRead(processor);
    grantRaiseAndAct(integrations, tables, escalation, announcement);
    tables.incidents.grantReadData(query);
    grantConfig(query, tables.config, { maintenance: true });
    tables.events.grantReadData(query);
    // Who is on call, shifts, iCal feeds and escalation previews; the heartbeats' state.
    tables.schedules.grantReadData(query);
    tables.heartbeats.grantReadData(query);

    this.api = api;
    for (const [functionId, handler] of Object.entries(this.functions)) addApiRoutes(api, functionId as ApiFunctionId, handler);
    new CfnOutput(this, 'IncidentsUrl', { value: `${this.api.apiEndpoint}/incidents` });
  }
}

/** Puts the shared routes of one function on the HTTP API, each with a payload v2 Lambda integration. */
export function addApiRoutes(api: HttpApi, functionId: ApiFunctionId, fn: IFunction): void {
  for (const route of API_ROUTES.filter((r) => r.function === functionId)) {
    const routes = api.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.method}${route.path}`, fn),
    });
    NagSuppressions.addResourceSuppressions(routes, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Every route is authorised in its function: API keys are looked up by their SHA-256 hash in the config table (x-api-key, a bearer token, the {key} path segment of webhooks, or the routing_key of a PagerDuty event, which is in the body where no API Gateway authoriser can read it); /actions/{token} checks the HMAC-SHA256 signature and expiry of the token; /slack/actions checks the v0 HMAC-SHA256 signature Slack puts on each request, and refuses requests stamped more than 5 minutes away.',
      },
    ]);
  }
}
