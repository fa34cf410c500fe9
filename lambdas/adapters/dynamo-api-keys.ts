import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyStore, StoredApiKey } from '../domain/access/ports';
import { type ApiKeyItem, configKey } from './config-items';
import { configItemsOfKind } from './dynamo-pages';

/** The API keys in the config table: one item per key, keyed by the hash of its secret. */
export class DynamoApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async list(): Promise<readonly StoredApiKey[]> {
    const items = (await configItemsOfKind(this.db, this.table, 'apikey')) as ApiKeyItem[];
    return items.map(({ configkey: _key, kind: _kind, keyHash, ...principal }) => ({ keyHash, principal }));
  }

  /** One transaction: the old item deleted if it is still there, the new one put if its hash is new. */
  async replace(current: StoredApiKey, keyHash: string): Promise<boolean> {
    const item: ApiKeyItem = { configkey: configKey.apiKey(keyHash), kind: 'apikey', keyHash, ...current.principal };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.table, Key: { configkey: configKey.apiKey(current.keyHash) }, ConditionExpression: 'attribute_exists(configkey)' } },
            { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(configkey)' } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }
}
