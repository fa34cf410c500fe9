import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  QueryCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, NativeAttributeValue>;

/**
 * The items a Scan or a Query answers, page after page, as they come: a reader that needs only the first ones
 * (newest first, down to a date) stops, and no further page is read.
 */
export async function* itemsInPages(db: DynamoDBDocumentClient, request: { scan: ScanCommandInput } | { query: QueryCommandInput }): AsyncGenerator<Item> {
  let start: Item | undefined;
  do {
    const page =
      'scan' in request
        ? await db.send(new ScanCommand({ ...request.scan, ExclusiveStartKey: start }))
        : await db.send(new QueryCommand({ ...request.query, ExclusiveStartKey: start }));
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_KEYS = 100;

/** The items of these keys that exist, read consistently in batches of 100, the keys DynamoDB left unprocessed read again. */
export async function* itemsByKeys(db: DynamoDBDocumentClient, table: string, keys: readonly Item[]): AsyncGenerator<Item> {
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending: Item[] | undefined = keys.slice(i, i + BATCH_GET_KEYS);
    while (pending?.length) {
      const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      yield* Responses?.[table] ?? [];
      pending = UnprocessedKeys?.[table]?.Keys;
    }
  }
}

/** Every item a Scan or a Query answers, page after page. */
export async function allItems(db: DynamoDBDocumentClient, request: { scan: ScanCommandInput } | { query: QueryCommandInput }): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of itemsInPages(db, request)) items.push(item);
  return items;
}

/** The items of one kind in the config table (teams, calendar feeds): a scan of that small table. */
export const configItemsOfKind = (db: DynamoDBDocumentClient, table: string, kind: string): Promise<Item[]> =>
  allItems(db, { scan: { TableName: table, FilterExpression: 'kind = :kind', ExpressionAttributeValues: { ':kind': kind } } });

/** Every entry of a team's partition of the schedules table, read consistently. */
export const teamScheduleEntries = (db: DynamoDBDocumentClient, table: string, team: string): Promise<Item[]> =>
  allItems(db, { query: { TableName: table, KeyConditionExpression: 'team = :team', ExpressionAttributeValues: { ':team': team }, ConsistentRead: true } });
