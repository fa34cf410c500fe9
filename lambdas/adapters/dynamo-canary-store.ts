import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { CanaryStore } from '../domain/canary/canary';
import { CANARY_SERVICE } from '../domain/canary/canary-service';
import type { TeamProfile } from '../domain/escalation/escalation';
import { teamItem, type ServiceItem } from './config-items';

/** The canary's service and team in the config tables, and the deletion of its resolved incidents. */
export class DynamoCanaryStore implements CanaryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'services' | 'config' | 'incidents'>,
  ) {}

  /** Two idempotent writes a run: a changed canary address takes effect at the next run. */
  async ensureRoute(team: TeamProfile): Promise<void> {
    const service: ServiceItem = { serviceId: CANARY_SERVICE, team: team.name, description: "InResponse's canary: raised and resolved by InResponse itself" };
    await Promise.all([
      this.db.send(new PutCommand({ TableName: this.tables.services, Item: service })),
      this.db.send(new PutCommand({ TableName: this.tables.config, Item: teamItem(team) })),
    ]);
  }

  /** Deletes the incident only if it is a resolved canary incident; one already gone is no error. */
  async removeIncident(number: number): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tables.incidents,
          Key: { incidentId: number },
          ConditionExpression: 'attribute_not_exists(incidentId) OR (service = :canary AND #state = :resolved)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':canary': CANARY_SERVICE, ':resolved': 'RESOLVED' },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new Error(`incident #${number} is not a resolved canary incident: kept`, { cause: error });
      throw error;
    }
  }
}
