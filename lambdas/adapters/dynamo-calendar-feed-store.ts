import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type ScanCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { CalendarFeed, CalendarFeedStore } from '../domain/oncall/calendar-feeds';
import { configKey } from './config-items';

/** Calendar feeds in the config table (`icalfeed#<id>`), which `config apply` leaves alone. */
export class DynamoCalendarFeedStore implements CalendarFeedStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  async create(feed: CalendarFeed, secretHash: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tables.config,
        Item: { configkey: configKey.calendarFeed(feed.id), kind: 'icalfeed', ...feed, secretHash },
        ConditionExpression: 'attribute_not_exists(configkey)',
      }),
    );
  }

  async find(id: string): Promise<{ feed: CalendarFeed; secretHash: string } | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.calendarFeed(id) } }));
    if (!Item) return undefined;
    const { configkey: _key, kind: _kind, secretHash, ...feed } = Item;
    return { feed: feed as CalendarFeed, secretHash: secretHash as string };
  }

  async list(): Promise<CalendarFeed[]> {
    const feeds: CalendarFeed[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await this.db.send(
        new ScanCommand({
          TableName: this.tables.config,
          FilterExpression: 'kind = :feed',
          ExpressionAttributeValues: { ':feed': 'icalfeed' },
          ExclusiveStartKey: start,
        }),
      );
      for (const { configkey: _key, kind: _kind, secretHash: _hash, ...feed } of page.Items ?? []) feeds.push(feed as CalendarFeed);
      start = page.LastEvaluatedKey;
    } while (start);
    return feeds.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async remove(id: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({ TableName: this.tables.config, Key: { configkey: configKey.calendarFeed(id) }, ConditionExpression: 'attribute_exists(configkey)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
