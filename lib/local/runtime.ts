import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import sesEmulatorModule from 'aws-ses-v2-local';
import { applyOnCallConfig, type ApplyResult, type SecretStore } from '../../lambdas/adapters/dynamo-config-writer';
import {
  createLogger,
  documentClient,
  escalationDeps,
  incidentUseCaseDeps,
  type AwsClients,
  type Deployment,
  type NotifierSettings,
} from '../../lambdas/composition';
import { API_ROUTES } from '../../lambdas/config/routes';
import { tableNames } from '../../lambdas/config/tables';
import { resumeEscalations } from '../../lambdas/domain/incident-use-cases';
import type { OnCallConfig } from '../../lambdas/domain/oncall-config';
import type { Clock } from '../../lambdas/domain/ports';
import { createHandler as createIncidentProcessor } from '../../lambdas/handlers/incident-processor';
import { createHandler as createIncidentQuery } from '../../lambdas/handlers/incident-query';
import { createHandler as createNotifier } from '../../lambdas/handlers/notifier';
import { NOTIFIER_STATE, substitutedEscalationDefinition } from '../escalation-definition';
import { LOCAL_AWS, ensureTables, startDynamoDbLocal } from './dynamodb-local';
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
  /** Signs the action links in pages; random when absent (links then die with the runtime). */
  readonly linkSecret?: string;
  readonly senderAddress?: string;
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
  /** How many OPEN incidents' escalations were resumed at start. */
  readonly resumed: number;
  stop(): Promise<void>;
}

const ESCALATION_MACHINE_NAME = 'inresponse-escalation';
const LOCAL_NOTIFIER_ARN = `arn:aws:lambda:${LOCAL_AWS.region}:000000000000:function:notifier`;
const LOCAL_SENDER_ADDRESS = 'oncall@inresponse.local';

/** The package is CommonJS with `exports.default`: under Node's ESM loader, the default import is `exports`. */
const startSesEmulator =
  (sesEmulatorModule as unknown as { default?: typeof sesEmulatorModule }).default ?? sesEmulatorModule;

/**
 * The whole system on this machine: DynamoDB Local, the Step Functions API over the ASL interpreter running
 * the same ASL file (its notifier task bound to the same notifier handler), the SES v2 API emulator, and
 * the HTTP gateway in front of the same Lambda handlers.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    let dynamoDbEndpoint = options.dynamoDbEndpoint;
    if (!dynamoDbEndpoint) {
      const dynamo = await startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {});
      stops.push(dynamo.stop);
      dynamoDbEndpoint = dynamo.endpoint;
    }

    const ses: Server = await startSesEmulator({ host: '127.0.0.1', port: options.sesPort ?? 0 });
    stops.push(
      () =>
        new Promise((resolve) => {
          ses.close(() => resolve());
          // Idle keep-alive connections would hold close() until they time out.
          ses.closeAllConnections();
        }),
    );
    const sesUrl = `http://127.0.0.1:${(ses.address() as { port: number }).port}`;

    const dynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    // The notifier is a Lambda of its own in AWS, with its own clients; so here.
    const notifierDynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    const sesClient = new SESv2Client({ ...LOCAL_AWS, endpoint: sesUrl, maxAttempts: 1 });
    stops.push(async () => [dynamoDb, notifierDynamoDb, sesClient].forEach((client) => client.destroy()));

    const deployment: Deployment = {
      tables: tableNames(options.tablePrefix ?? 'inresponse'),
      escalationStateMachineArn: stateMachineArn(ESCALATION_MACHINE_NAME),
    };
    await ensureTables(dynamoDb, deployment.tables);
    const applied = options.config
      ? await applyOnCallConfig(documentClient(dynamoDb), deployment.tables, options.config, {
          env: process.env,
          ...(options.secrets ? { secrets: options.secrets } : {}),
        })
      : undefined;

    const linkSecret = options.linkSecret ?? randomBytes(32).toString('base64url');
    // Links point at the gateway, whose URL is known once it listens.
    const notifierSettings: { -readonly [K in keyof NotifierSettings]: NotifierSettings[K] } = {
      from: options.senderAddress ?? LOCAL_SENDER_ADDRESS,
      publicApiUrl: '',
      linkSecret,
    };
    const logger = (name: string) => options.logger ?? createLogger(name);
    const notifier = createNotifier({
      escalation: escalationDeps({ dynamoDb: notifierDynamoDb, ses: sesClient }, deployment.tables, notifierSettings, options.clock),
      logger: logger('notifier'),
    });
    const sfnServer = new StepFunctionsServer([
      {
        name: ESCALATION_MACHINE_NAME,
        definition: JSON.parse(substitutedEscalationDefinition({ NotifierFunctionArn: LOCAL_NOTIFIER_ARN })),
        taskHandlers: { [NOTIFIER_STATE]: notifier },
      },
    ]);
    const sfnEndpoint = await sfnServer.listen();
    stops.push(() => sfnServer.close());
    const clients: AwsClients = { dynamoDb, sfn: new SFNClient({ ...LOCAL_AWS, endpoint: sfnEndpoint }), ses: sesClient };
    stops.push(async () => clients.sfn.destroy());
    options.instrument?.(clients);

    const useCases = incidentUseCaseDeps(clients, deployment, options.clock);
    const gateway = new HttpGateway(API_ROUTES, {
      incidentProcessor: createIncidentProcessor({ useCases, logger: logger('incident-processor'), linkSecret }),
      incidentQuery: createIncidentQuery({ useCases, logger: logger('incident-query') }),
    });
    const apiUrl = await gateway.listen(options.gatewayPort ?? 0, options.gatewayHost);
    notifierSettings.publicApiUrl = apiUrl;
    stops.push(() => gateway.close());

    // Executions lived in the previous run's memory: start every OPEN incident's escalation again.
    const resumed = await resumeEscalations(useCases);

    return { apiUrl, sesUrl, sfnEndpoint, dynamoDbEndpoint, deployment, clients, ...(applied ? { applied } : {}), resumed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
