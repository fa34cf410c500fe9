import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { CalendarFeed, CalendarFeedStore } from '../domain/oncall/calendar-feeds';
import { configKey } from './config-items';
import { configItemsOfKind } from './dynamo-pages';

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
    const items = await configItemsOfKind(this.db, this.tables.config, 'icalfeed');
    const feeds = items.map(({ configkey: _key, kind: _kind, secretHash: _hash, ...feed }) => feed as CalendarFeed);
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
