import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../config/limits';
import type { TableNames } from '../config/tables';
import type { Principal } from '../domain/access/access';
import type { Directory, Service } from '../domain/access/ports';
import { DEFAULT_URGENCY_POLICY } from '../domain/escalation/urgency';
import { configKey, type ApiKeyItem, type ServiceItem } from './config-items';
import { TtlCache } from './ttl-cache';

const CACHE_ENTRIES = 1000;

/**
 * Services and API keys from DynamoDB, cached for {@link LIMITS.directoryCacheSeconds}: a revoked key or a
 * changed owner takes effect within that time on every running instance.
 */
export class DynamoDirectory implements Directory {
  private readonly services: TtlCache<Service>;
  private readonly principals: TtlCache<Principal>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'services' | 'config'>,
    now: () => number = Date.now,
  ) {
    const ttlMs = LIMITS.directoryCacheSeconds * 1000;
    this.services = new TtlCache(ttlMs, CACHE_ENTRIES, now);
    this.principals = new TtlCache(ttlMs, CACHE_ENTRIES, now);
  }

  findService(id: string): Promise<Service | undefined> {
    return this.services.getOrLoad(id, async () => {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.services, Key: { serviceId: id } }));
      const item = Item as ServiceItem | undefined;
      return item && { id: item.serviceId, team: item.team, urgency: item.urgency ?? DEFAULT_URGENCY_POLICY, ...(item.slackChannel ? { slackChannel: item.slackChannel } : {}), ...(item.statusPages?.length ? { statusPages: item.statusPages } : {}) };
    });
  }

  findPrincipal(keyHash: string): Promise<Principal | undefined> {
    return this.principals.getOrLoad(keyHash, async () => {
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.apiKey(keyHash) } }),
      );
      if (!Item) return undefined;
      const item = Item as ApiKeyItem;
      return item.role === 'integration'
        ? { name: item.name, role: 'integration', service: item.service }
        : { name: item.name, role: 'responder' };
    });
  }
}
