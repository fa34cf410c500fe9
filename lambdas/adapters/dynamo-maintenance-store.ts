import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { MaintenanceWindow } from '../domain/maintenance/maintenance';
import type { MaintenanceStore } from '../domain/maintenance/ports';
import { configKey, MAINTENANCE_PREFIX, maintenanceExpiry, maintenanceItem, windowOfItem, type MaintenanceItem } from './config-items';
import { TtlCache } from './ttl-cache';

const ALL = 'all';

/**
 * Maintenance windows, one config item each (`maintenance#<id>`), the file's and the API's. Windows are few
 * and the config table small, so one filtered Scan reads them all. With `cacheMs`, an instance reuses what it
 * read for that long (the raise path); without, every read is fresh and consistent (the escalation, which
 * must see a window ended early at once).
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
    return (await this.cache.getOrLoad(ALL, () => this.scan())) ?? [];
  }

  private async scan(): Promise<readonly MaintenanceWindow[]> {
    const windows: MaintenanceWindow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tables.config,
          FilterExpression: 'begins_with(configkey, :prefix)',
          ExpressionAttributeValues: { ':prefix': MAINTENANCE_PREFIX },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      windows.push(...(page.Items ?? []).map((item) => windowOfItem(item as MaintenanceItem)));
      start = page.LastEvaluatedKey;
    } while (start);
    return windows;
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
