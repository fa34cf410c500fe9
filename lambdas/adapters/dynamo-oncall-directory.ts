import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { DayContacts, TeamProfile } from '../domain/escalation/escalation';
import type { OnCallDirectory } from '../domain/escalation/escalation-use-case';
import { configKey } from './config-items';

/** Teams and the on-call calendar in DynamoDB, read consistently at each use: a level pages today's people. */
export class DynamoOnCallDirectory implements OnCallDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'calendar' | 'config'>,
  ) {}

  async findTeam(name: string): Promise<TeamProfile | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.team(name) }, ConsistentRead: true }),
    );
    return Item && { name, timeZone: Item.timeZone, defaultContact: Item.defaultContact, escalation: Item.escalation };
  }

  async findDay(team: string, day: string): Promise<DayContacts | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.calendar, Key: { teamname: team, day }, ConsistentRead: true }),
    );
    return Item && { oncall: Item.oncall, escalation: Item.escalation };
  }
}
