import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { SignInLink, UsedSignInLinks } from '../domain/console/sign-in';
import { configKey } from './config-items';

/**
 * Used sign-in links in the config table (`signinlink#<id>`), which `config apply` leaves alone: a conditional
 * put per use, so that of two uses of one link exactly one wins; DynamoDB deletes the item after the link expires.
 */
export class DynamoUsedSignInLinks implements UsedSignInLinks {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  async markUsed(link: SignInLink): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.config,
          Item: { configkey: configKey.signInLink(link.id), kind: 'signinlink', personId: link.personId, expiresAt: link.expiresAt },
          ConditionExpression: 'attribute_not_exists(configkey)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async wasUsed(link: SignInLink): Promise<boolean> {
    // Consistent: a link used a moment ago, in another tab, reads as used.
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.signInLink(link.id) }, ConsistentRead: true }));
    return Item !== undefined;
  }
}
