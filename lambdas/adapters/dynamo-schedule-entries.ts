import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { HandoffNoticeLog } from '../domain/oncall/handoff-notices';
import type { OverrideStore } from '../domain/oncall/ports';
import type { OnCallShift } from '../domain/oncall/schedule';
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

/** How long a handoff notice is remembered after its shift starts: past then no sweep looks for it. */
const NOTICE_KEPT_SECONDS = 2 * 24 * 3600;

/** Handoff notices sent, one item each in the team's partition of the schedules table, deleted after two days. */
export class DynamoHandoffNoticeLog implements HandoffNoticeLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'schedules'>,
  ) {}

  async remember(team: string, schedule: string, shift: Pick<OnCallShift, 'person' | 'shiftStart'>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.schedules,
          Item: {
            team,
            entry: scheduleEntry.notice(schedule, shift.person, shift.shiftStart),
            kind: 'notice',
            expiresAt: Math.floor(shift.shiftStart / 1000) + NOTICE_KEPT_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(entry)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forget(team: string, schedule: string, shift: Pick<OnCallShift, 'person' | 'shiftStart'>): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tables.schedules, Key: { team, entry: scheduleEntry.notice(schedule, shift.person, shift.shiftStart) } }));
  }
}
