import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { WebhookDirectory } from '../domain/webhooks/ports';
import type { Webhook } from '../domain/webhooks/webhook';
import type { WebhookItem } from './config-items';
import { configItemsOfKind } from './dynamo-pages';

/** The webhooks `config apply` wrote to the config table. */
export class DynamoWebhookDirectory implements WebhookDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  async list(): Promise<readonly Webhook[]> {
    const items = (await configItemsOfKind(this.db, this.tables.config, 'webhook')) as WebhookItem[];
    return items.map(({ name, url, services, teams, events }) => ({ name, url, services, teams, events }));
  }
}
