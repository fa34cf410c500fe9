import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TABLE_IDS, TABLES, type TableId, type TableNames } from '../config/tables';
import type { Item } from './dynamo-pages';
import { SCHEMA_VERSION, SCHEMA_VERSION_ATTRIBUTE } from './schema-version';

/** One step of an item's shape: from the version before `to`, to `to`. */
export interface Migration {
  readonly to: number;
  readonly what: string;
  /** The item of `table` in its new shape (the version is set by the runner). */
  readonly upgrade: (item: Item, table: TableId) => Item;
}

/**
 * Every migration, in order, for every table. Version 1 is the first to be written on items: an item without
 * a version was written before versions existed, in the shape of version 1.
 */
export const MIGRATIONS: readonly Migration[] = [{ to: 1, what: 'the items of earlier releases carry their schema version', upgrade: (item) => item }];

/** Where a table's migration stands: its version once done, else where its scan stopped. */
const progressKey = (table: TableId) => `migration#${table}`;

export interface MigrationResult {
  readonly table: TableId;
  readonly scanned: number;
  readonly upgraded: number;
  /** Whether every item is at the current version (false: stopped at `maxPages`, to be resumed). */
  readonly done: boolean;
}

/**
 * Upgrades the items of every table written by older releases to the current {@link SCHEMA_VERSION}:
 * idempotent (an item at the current version is left alone; each write is conditional on the version the
 * item had, so an item a live writer changed meanwhile, which then carries the current version, is left as
 * written) and resumable (after each page, where the scan stands is kept in the config table; a run stopped
 * at `maxPages` or by a failure goes on from there). A table done is recorded, and not scanned again until
 * the version changes.
 */
export async function migrateTables(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  { maxPages = Number.POSITIVE_INFINITY, pageSize }: { maxPages?: number; pageSize?: number } = {},
): Promise<MigrationResult[]> {
  const results: MigrationResult[] = [];
  for (const table of TABLE_IDS) results.push(await migrateTable(db, tables, table, maxPages, pageSize));
  return results;
}

async function migrateTable(db: DynamoDBDocumentClient, tables: TableNames, table: TableId, maxPages: number, pageSize: number | undefined): Promise<MigrationResult> {
  const { Item: progress } = await db.send(new GetCommand({ TableName: tables.config, Key: { configkey: progressKey(table) }, ConsistentRead: true }));
  if ((progress?.doneVersion ?? 0) >= SCHEMA_VERSION) return { table, scanned: 0, upgraded: 0, done: true };
  let start = progress?.resumeFrom as Item | undefined;
  let [scanned, upgraded, pages] = [0, 0, 0];
  do {
    if (pages++ >= maxPages) return { table, scanned, upgraded, done: false };
    const page = await db.send(
      new ScanCommand({
        TableName: tables[table],
        ExclusiveStartKey: start,
        ConsistentRead: true,
        ...(pageSize ? { Limit: pageSize } : {}),
        FilterExpression: 'attribute_not_exists(#version) OR #version < :current',
        ExpressionAttributeNames: { '#version': SCHEMA_VERSION_ATTRIBUTE },
        ExpressionAttributeValues: { ':current': SCHEMA_VERSION },
      }),
    );
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) if (await upgrade(db, tables[table], table, item)) upgraded++;
    start = page.LastEvaluatedKey;
    await db.send(new PutCommand({ TableName: tables.config, Item: { configkey: progressKey(table), kind: 'migration', ...(start ? { resumeFrom: start } : { doneVersion: SCHEMA_VERSION }) } }));
  } while (start);
  return { table, scanned, upgraded, done: true };
}

/** Writes an item in its current shape if it still has the version it was read with; whether it did. */
async function upgrade(db: DynamoDBDocumentClient, tableName: string, table: TableId, item: Item): Promise<boolean> {
  const from = (item[SCHEMA_VERSION_ATTRIBUTE] as number | undefined) ?? 0;
  const upgraded = MIGRATIONS.filter((m) => m.to > from && m.to <= SCHEMA_VERSION).reduce((current, m) => m.upgrade(current, table), item);
  // Never brings back an item deleted since it was read (its TTL expired, an override was removed).
  const exists = 'attribute_exists(#key)';
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...upgraded, [SCHEMA_VERSION_ATTRIBUTE]: SCHEMA_VERSION },
        ConditionExpression: `${exists} AND ${from === 0 ? 'attribute_not_exists(#version)' : '#version = :from'}`,
        ExpressionAttributeNames: { '#version': SCHEMA_VERSION_ATTRIBUTE, '#key': TABLES[table].partitionKey.name },
        ...(from === 0 ? {} : { ExpressionAttributeValues: { ':from': from } }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
