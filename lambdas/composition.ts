import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDirectory } from './adapters/dynamo-directory';
import { DynamoIncidentRepository } from './adapters/dynamo-incident-repository';
import { SfnEscalations } from './adapters/sfn-escalations';
import { ENV, requireEnv, tableNamesFromEnv } from './config/env';
import type { TableNames } from './config/tables';
import type { IncidentUseCaseDeps } from './domain/incident-use-cases';
import { redactApiKeys } from './domain/access';
import type { Clock } from './domain/ports';

/**
 * The composition root: the one place where ports meet their adapters. Lambdas build their dependencies here
 * from the environment; the local runtime and the tests build them from clients of their own.
 */
export interface AwsClients {
  readonly dynamoDb: DynamoDBClient;
  readonly sfn: SFNClient;
}

export interface Deployment {
  readonly tables: TableNames;
  readonly escalationStateMachineArn: string;
}

export const documentClient = (dynamoDb: DynamoDBClient) =>
  DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } });

/** What reading incidents needs: the incident store and the directory of services and keys. */
export function incidentReadDeps(
  dynamoDb: DynamoDBClient,
  tables: TableNames,
  clock: Clock = () => new Date(),
): Pick<IncidentUseCaseDeps, 'incidents' | 'directory'> {
  const db = documentClient(dynamoDb);
  return {
    incidents: new DynamoIncidentRepository(db, tables),
    directory: new DynamoDirectory(db, tables, () => clock().getTime()),
  };
}

export function incidentUseCaseDeps(
  clients: AwsClients,
  deployment: Deployment,
  clock: Clock = () => new Date(),
): IncidentUseCaseDeps {
  return {
    ...incidentReadDeps(clients.dynamoDb, deployment.tables, clock),
    escalation: new SfnEscalations(clients.sfn, deployment.escalationStateMachineArn),
    clock,
  };
}

/** The deployment as the CDK stack describes it to a Lambda, through environment variables. */
export function deploymentFromEnv(): Deployment {
  return { tables: tableNamesFromEnv(), escalationStateMachineArn: requireEnv(ENV.escalationStateMachineArn) };
}

/** SDK clients with the region and credentials of the Lambda's environment. */
export const awsClientsFromEnv = (): AwsClients => ({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) });

/**
 * Structured JSON logs; the level comes from POWERTOOLS_LOG_LEVEL (or the Lambda's log level setting) unless
 * given. Headers are never logged; as a second line of defence, anything shaped like an API key is
 * redacted from every logged value, error messages and stacks included.
 */
export const createLogger = (serviceName: string, logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR') =>
  new Logger({
    serviceName,
    ...(logLevel ? { logLevel } : {}),
    jsonReplacerFn: (_key, value) => (typeof value === 'string' ? redactApiKeys(value) : value),
  });

/**
 * A handler whose dependencies are built once, on its first invocation (the cold start), so that importing
 * the module (in a test, say) needs no environment.
 */
export function builtOnFirstCall<A extends unknown[], R>(build: () => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args) => (built ??= build())(...args);
}
