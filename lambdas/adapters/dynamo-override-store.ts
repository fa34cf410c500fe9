import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { OverrideStore } from '../domain/oncall/ports';
import type { Override } from '../domain/oncall/schedule';
import { scheduleEntry, type OverrideItem } from './config-items';

/** How long an override made through the API is kept after it ends: its shifts stay visible for a month. */
const KEPT_AFTER_END_SECONDS = 30 * 24 * 3600;

/** Overrides made through the API, one item each in the team's partition of the schedules table. */
export class DynamoOverrideStore implements OverrideStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'schedules'>,
  ) {}

  async add(team: string, schedule: string, override: Override, meta: { createdBy: string; createdAt: Date }): Promise<void> {
    const item: OverrideItem = {
      team,
      entry: scheduleEntry.override(schedule, override.id),
      kind: 'override',
      schedule,
      ...override,
      createdBy: meta.createdBy,
      createdAt: meta.createdAt.toISOString(),
      expiresAt: Math.floor(override.to / 1000) + KEPT_AFTER_END_SECONDS,
    };
    await this.db.send(new PutCommand({ TableName: this.tables.schedules, Item: item, ConditionExpression: 'attribute_not_exists(entry)' }));
  }

  async remove(team: string, schedule: string, id: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tables.schedules,
          Key: { team, entry: scheduleEntry.override(schedule, id) },
          ConditionExpression: 'attribute_exists(entry)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
