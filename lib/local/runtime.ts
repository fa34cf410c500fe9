import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Server } from 'node:http';
import sesEmulatorModule from 'aws-ses-v2-local';
import { applyOnCallConfig, type ApplyResult, type SecretStore } from '../../lambdas/adapters/dynamo-config-writer';
import { createLogger, documentClient, incidentUseCaseDeps, type AwsClients, type Deployment } from '../../lambdas/composition';
import { API_ROUTES } from '../../lambdas/config/routes';
import { tableNames } from '../../lambdas/config/tables';
import type { OnCallConfig } from '../../lambdas/domain/oncall-config';
import type { Clock } from '../../lambdas/domain/ports';
import { createHandler as createIncidentProcessor } from '../../lambdas/handlers/incident-processor';
import { createHandler as createIncidentQuery } from '../../lambdas/handlers/incident-query';
import { readEscalationDefinition } from '../escalation-definition';
import { LOCAL_AWS, ensureTables, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import { HttpGateway } from './http-gateway';
import { StepFunctionsServer, stateMachineArn } from './stepfunctions-server';

export interface LocalRuntimeOptions {
  /** Persist DynamoDB Local's data here; in memory when absent. */
  readonly dataDir?: string;
  /** Use a DynamoDB Local already running (tests share one) instead of starting one. */
  readonly dynamoDbEndpoint?: string;
  readonly gatewayPort?: number;
  readonly gatewayHost?: string;
  readonly sesPort?: number;
  /** Prefix of the table names, so that several runtimes can share one DynamoDB Local. */
  readonly tablePrefix?: string;
  /** Applied at start, as `npm run config:apply` would. */
  readonly config?: OnCallConfig;
  readonly secrets?: SecretStore;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called with each SDK client before use (the benchmark counts calls with middleware). */
  readonly instrument?: (clients: AwsClients) => void;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly sesUrl: string;
  readonly sfnEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly deployment: Deployment;
  readonly clients: AwsClients;
  readonly applied?: ApplyResult;
  stop(): Promise<void>;
}

const ESCALATION_MACHINE_NAME = 'inresponse-escalation';

/** The package is CommonJS with `exports.default`: under Node's ESM loader, the default import is `exports`. */
const startSesEmulator =
  (sesEmulatorModule as unknown as { default?: typeof sesEmulatorModule }).default ?? sesEmulatorModule;

/**
 * The whole system on this machine: DynamoDB Local, the Step Functions API over the ASL interpreter running
 * the same ASL file, the SES v2 API emulator, and the HTTP gateway in front of the same Lambda handlers.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    let dynamoDbEndpoint = options.dynamoDbEndpoint;
    if (!dynamoDbEndpoint) {
      const dynamo: DynamoDbLocal = await startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {});
      stops.push(dynamo.stop);
      dynamoDbEndpoint = dynamo.endpoint;
    }

    const sfnServer = new StepFunctionsServer([
      { name: ESCALATION_MACHINE_NAME, definition: JSON.parse(readEscalationDefinition()) },
    ]);
    const sfnEndpoint = await sfnServer.listen();
    stops.push(() => sfnServer.close());

    const ses: Server = await startSesEmulator({ host: '127.0.0.1', port: options.sesPort ?? 0 });
    stops.push(() => new Promise((resolve) => ses.close(() => resolve())));
    const sesUrl = `http://127.0.0.1:${(ses.address() as { port: number }).port}`;

    const clients: AwsClients = {
      dynamoDb: new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint }),
      sfn: new SFNClient({ ...LOCAL_AWS, endpoint: sfnEndpoint }),
    };
    stops.push(async () => {
      clients.dynamoDb.destroy();
      clients.sfn.destroy();
    });
    options.instrument?.(clients);

    const deployment: Deployment = {
      tables: tableNames(options.tablePrefix ?? 'inresponse'),
      escalationStateMachineArn: stateMachineArn(ESCALATION_MACHINE_NAME),
    };
    await ensureTables(clients.dynamoDb, deployment.tables);
    const applied = options.config
      ? await applyOnCallConfig(documentClient(clients.dynamoDb), deployment.tables, options.config, {
          env: process.env,
          ...(options.secrets ? { secrets: options.secrets } : {}),
        })
      : undefined;

    const useCases = incidentUseCaseDeps(clients, deployment, options.clock);
    const gateway = new HttpGateway(API_ROUTES, {
      incidentProcessor: createIncidentProcessor({ useCases, logger: options.logger ?? createLogger('incident-processor') }),
      incidentQuery: createIncidentQuery({ useCases, logger: options.logger ?? createLogger('incident-query') }),
    });
    const apiUrl = await gateway.listen(options.gatewayPort ?? 0, options.gatewayHost);
    stops.push(() => gateway.close());

    return {
      apiUrl,
      sesUrl,
      sfnEndpoint,
      dynamoDbEndpoint,
      deployment,
      clients,
      ...(applied ? { applied } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
