import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { WebhookDirectory } from '../domain/webhooks/ports';
import type { Webhook } from '../domain/webhooks/webhook';
import type { WebhookItem } from './config-items';
import { configItemsOfKind } from './dynamo-pages';
import { TtlCache } from './ttl-cache';

/**
 * The webhooks `config apply` wrote to the config table: read fresh, or, with `cacheMs`, kept that long (those
 * that only decide whether to announce need not read them on every request).
 */
export class DynamoWebhookDirectory implements WebhookDirectory {
  private readonly cache: TtlCache<readonly Webhook[]> | undefined;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
    cacheMs?: number,
    now: () => number = Date.now,
  ) {
    this.cache = cacheMs === undefined ? undefined : new TtlCache(cacheMs, 1, now);
  }

  async list(): Promise<readonly Webhook[]> {
    if (!this.cache) return this.read();
    return (await this.cache.getOrLoad('webhooks', () => this.read())) ?? [];
  }

  private async read(): Promise<readonly Webhook[]> {
    const items = (await configItemsOfKind(this.db, this.tables.config, 'webhook')) as WebhookItem[];
    return items.map(({ name, url, services, teams, events }) => ({ name, url, services, teams, events }));
  }
}
