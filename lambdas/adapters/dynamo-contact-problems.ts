import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { ContactProblem, ContactProblems } from '../domain/delivery/delivery-feedback';
import { configKey } from './config-items';
import { itemsByKeys } from './dynamo-pages';

/**
 * Bad contacts in the config table (`contactproblem#<address or number>`), which `config apply` leaves alone:
 * keyed by the contact, so a person whose address changes in the file is no longer flagged.
 */
export class DynamoContactProblems implements ContactProblems {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  async flag(problem: ContactProblem): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tables.config, Item: { configkey: configKey.contactProblem(problem.to), kind: 'contactproblem', ...problem } }));
  }

  async problemsOf(contacts: readonly string[]): Promise<ReadonlyMap<string, ContactProblem>> {
    const found = new Map<string, ContactProblem>();
    const keys = [...new Set(contacts)].map((contact) => ({ configkey: configKey.contactProblem(contact) }));
    for await (const { configkey: _key, kind: _kind, ...problem } of itemsByKeys(this.db, this.tables.config, keys)) found.set(problem.to as string, problem as ContactProblem);
    return found;
  }
}
