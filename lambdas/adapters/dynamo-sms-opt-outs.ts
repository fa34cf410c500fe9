import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import { configKey } from './config-items';

/** Numbers that opted out of SMS, as AWS reported them: never sent to again. */
export interface SmsOptOuts {
  has(phone: string): Promise<boolean>;
  add(phone: string, at: Date): Promise<void>;
}

/** Opted-out numbers in the config table (`smsoptout#<number>`), which `config apply` leaves alone. */
export class DynamoSmsOptOuts implements SmsOptOuts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  async has(phone: string): Promise<boolean> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.smsOptOut(phone) }, ConsistentRead: true }));
    return Item !== undefined;
  }

  async add(phone: string, at: Date): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tables.config, Item: { configkey: configKey.smsOptOut(phone), kind: 'smsoptout', phone, at: at.toISOString() } }));
  }
}
