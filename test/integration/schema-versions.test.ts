import { DeleteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTables } from '../../lambdas/adapters/dynamo-migrations';
import { SCHEMA_VERSION } from '../../lambdas/adapters/schema-version';
import { documentClient } from '../../lambdas/composition';
import { TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { LOCAL_AWS } from '../../lib/local/local-aws';
import { TEST_CONFIG, validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';

let system: TestSystem;
/** A client without InResponse's middleware: writes as a release before versions did, reads items whole. */
let plain: DynamoDBClient;
beforeAll(async () => {
  system = await startTestSystem();
  plain = new DynamoDBClient({ ...LOCAL_AWS, endpoint: system.runtime.dynamoDbEndpoint });
});
afterAll(async () => {
  plain.destroy();
  await system.stop();
});

const tableName = (table: TableId) => system.runtime.deployment.tables[table];
/** Every item of a table, whole, as stored. */
const stored = async (table: TableId) => (await plain.send(new ScanCommand({ TableName: tableName(table), ConsistentRead: true }))).Items ?? [];

describe('schema versions', () => {
  it('are on every item the current release writes, and out of what it answers', async () => {
    const key = system.keys[Object.keys(TEST_CONFIG.apiKeys).find((k) => TEST_CONFIG.apiKeys[k]!.role === 'integration')!]!;
    const raised = await system.request('PUT', '/incidents', { key, body: validEvent() });
    expect(raised.status).toBe(201);
    expect(raised.body).not.toHaveProperty('schemaVersion');
    const responder = system.keys[Object.keys(TEST_CONFIG.apiKeys).find((k) => TEST_CONFIG.apiKeys[k]!.role === 'responder')!]!;
    expect((await system.request('POST', `/incidents/${raised.body.number}`, { key: responder, body: { action: 'claim', by: 'ana@example.com' } })).status).toBe(200);
    expect((await system.request('GET', `/incidents/${raised.body.number}`, { key: responder })).body).not.toHaveProperty('schemaVersion');

    const written = await Promise.all(TABLE_IDS.map(async (table) => [table, await stored(table)] as const));
    const tablesWritten = written.filter(([, items]) => items.length).map(([table]) => table);
    expect(tablesWritten).toEqual(expect.arrayContaining(['incidents', 'services', 'schedules', 'config', 'dedup', 'events']));
    for (const [table, items] of written) {
      for (const item of items) expect(item.schemaVersion, `${table} ${JSON.stringify(item).slice(0, 120)}`).toEqual({ N: String(SCHEMA_VERSION) });
    }
  });

  it('of items an earlier release wrote are brought up by the migrations, a run stopped halfway resumed, and nothing else is written', async () => {
    // Two incidents and a config item as a release before versions wrote them.
    const old = [100900, 100901].map((n) => ({ incidentId: { N: String(n) }, service: { S: 'old' }, state: { S: 'RESOLVED' }, timeline: { L: [] } }));
    for (const Item of old) await plain.send(new PutItemCommand({ TableName: tableName('incidents'), Item }));
    await plain.send(new PutItemCommand({ TableName: tableName('config'), Item: { configkey: { S: 'smsoptout#+15550100999' }, kind: { S: 'smsoptout' } } }));
    // As after deploying a release with a new version: the tables are not recorded as migrated to it.
    for (const table of TABLE_IDS) await plain.send(new DeleteItemCommand({ TableName: tableName('config'), Key: { configkey: { S: `migration#${table}` } } }));
    const current = JSON.stringify(await stored('incidents'));

    const db = documentClient(system.runtime.clients.dynamoDb);
    const first = await migrateTables(db, system.runtime.deployment.tables, { maxPages: 1, pageSize: 1 });
    expect(first.find((r) => r.table === 'incidents')).toMatchObject({ done: false });
    let runs = 1;
    let results = first;
    while (results.some((r) => !r.done)) {
      results = await migrateTables(db, system.runtime.deployment.tables, { maxPages: 1, pageSize: 1 });
      runs++;
    }
    expect(runs).toBeGreaterThan(2);
    const incidents = await stored('incidents');
    expect(incidents.filter((i) => !i.schemaVersion)).toEqual([]);
    expect(incidents.filter((i) => i.service?.S === 'old')).toHaveLength(2);
    // The release's own items were never rewritten: only the old ones changed.
    const untouched = JSON.parse(current).filter((i: { service?: { S: string } }) => i.service?.S !== 'old');
    expect(incidents.filter((i) => i.service?.S !== 'old')).toEqual(untouched);
    expect((await stored('config')).find((i) => i.configkey?.S === 'smsoptout#+15550100999')?.schemaVersion).toEqual({ N: String(SCHEMA_VERSION) });

    // Done: nothing is scanned again.
    expect((await migrateTables(db, system.runtime.deployment.tables)).every((r) => r.done && r.scanned === 0)).toBe(true);
  });
});
