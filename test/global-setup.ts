import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** One in-memory DynamoDB Local for the whole run; each test file creates its own tables in it. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
