import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAINTENANCE_INDEX, type TableNames } from '../config/tables';
import type { MaintenanceWindow } from '../domain/maintenance/maintenance';
import type { MaintenanceStore } from '../domain/maintenance/ports';
import { configKey, MAINTENANCE_CALENDAR, maintenanceExpiry, maintenanceItem, windowOfItem, type MaintenanceItem } from './config-items';
import { allItems } from './dynamo-pages';
import { TtlCache } from './ttl-cache';

const ALL = 'all';

/**
 * Maintenance windows, one config item each (`maintenance#<id>`), the file's and the API's. All of them are
 * read by one Query of the config table's sparse `maintenanceWindows` index, which holds the windows and
 * nothing else (never a Scan of the table). Index reads are eventually consistent; {@link window} reads one
 * window by key, consistently, for what must see a window ended early at once. With `cacheMs`, an instance
 * reuses the windows it read for that long (the raise path); without, every call queries the index.
 */
export class DynamoMaintenanceStore implements MaintenanceStore {
  private readonly cache: TtlCache<readonly MaintenanceWindow[]>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
    cacheMs = 0,
    now: () => number = Date.now,
  ) {
    this.cache = new TtlCache(cacheMs, 1, now);
  }

  async windows(): Promise<readonly MaintenanceWindow[]> {
    return (await this.cache.getOrLoad(ALL, () => this.query())) ?? [];
  }

  private async query(): Promise<readonly MaintenanceWindow[]> {
    const items = await allItems(this.db, {
      query: {
        TableName: this.tables.config,
        IndexName: MAINTENANCE_INDEX,
        KeyConditionExpression: '#calendar = :calendar',
        ExpressionAttributeNames: { '#calendar': 'calendar' },
        ExpressionAttributeValues: { ':calendar': MAINTENANCE_CALENDAR },
      },
    });
    return items.map((item) => windowOfItem(item as MaintenanceItem));
  }

  async window(id: string): Promise<MaintenanceWindow | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.maintenance(id) }, ConsistentRead: true }));
    return Item ? windowOfItem(Item as MaintenanceItem) : undefined;
  }

  async add(window: MaintenanceWindow): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tables.config, Item: maintenanceItem(window), ConditionExpression: 'attribute_not_exists(configkey)' }));
    this.cache.delete(ALL);
  }

  async end(id: string, at: Date, by: string): Promise<MaintenanceWindow | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.config,
          Key: { configkey: configKey.maintenance(id) },
          UpdateExpression: 'SET #to = :at, endedEarlyBy = :by, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(configkey) AND origin = :api AND #to > :at',
          ExpressionAttributeNames: { '#to': 'to' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':by': by, ':api': 'api', ':expiresAt': maintenanceExpiry(at.toISOString()) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return windowOfItem(Attributes as MaintenanceItem);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    } finally {
      this.cache.delete(ALL);
    }
  }
}
