import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { TeamProfile } from '../domain/escalation/escalation';
import type { OnCallDirectory } from '../domain/escalation/escalation-use-case';
import type { Override, Schedule } from '../domain/oncall/schedule';
import type { Person } from '../domain/oncall/schedule-config';
import { configKey, type OverrideItem, type PersonItem, type ScheduleItem } from './config-items';
import { configItemsOfKind, itemsByKeys, teamScheduleEntries } from './dynamo-pages';

/**
 * Teams, schedules and people in DynamoDB, read consistently at each use: a level pages whoever is on call
 * now, an override made a second ago included.
 */
export class DynamoOnCallDirectory implements OnCallDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'schedules' | 'config'>,
  ) {}

  async findTeam(name: string): Promise<TeamProfile | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.team(name) }, ConsistentRead: true }),
    );
    return (
      Item && {
        name,
        timeZone: Item.timeZone,
        defaultContact: Item.defaultContact,
        escalation: Item.escalation,
        ...(Item.handoffNotice ? { handoffNotice: Item.handoffNotice } : {}),
        ...(Item.slackChannel ? { slackChannel: Item.slackChannel } : {}),
      }
    );
  }

  async findSchedules(team: string): Promise<Schedule[]> {
    const items = await this.teamEntries(team);
    const overrides = new Map<string, Override[]>();
    for (const item of items) {
      if (item.kind !== 'override') continue;
      const { id, person, from, to, replaces } = item;
      overrides.set(item.schedule, [...(overrides.get(item.schedule) ?? []), { id, person, from, to, ...(replaces ? { replaces } : {}) }]);
    }
    return items
      .filter((item): item is ScheduleItem => item.kind === 'schedule')
      .map((item) => ({ name: item.name, timeZone: item.timeZone, layers: item.layers, overrides: [...item.overrides, ...(overrides.get(item.name) ?? [])] }));
  }

  async findPeople(ids: readonly string[]): Promise<ReadonlyMap<string, Person>> {
    const people = new Map<string, Person>();
    for await (const item of itemsByKeys(this.db, this.tables.config, ids.map((id) => ({ configkey: configKey.person(id) })))) {
      const { configkey: _key, kind: _kind, id, ...person } = item as PersonItem;
      people.set(id, person);
    }
    return people;
  }

  /** The person whose phone number, Slack user id or email address this is, if any (a scan of the small config table). */
  async findPersonBy(field: 'phone' | 'slack' | 'email', value: string): Promise<{ id: string; name: string; email: string } | undefined> {
    const found = (await configItemsOfKind(this.db, this.tables.config, 'person')).find((item) => item[field] === value);
    return found && { id: found.id as string, name: found.name as string, email: found.email as string };
  }

  /** Every configured person with their contacts and zone, for reports (a scan of the small config table). */
  async listPeople(): Promise<(Person & { id: string })[]> {
    return (await configItemsOfKind(this.db, this.tables.config, 'person')).map((item) => {
      const { configkey: _key, kind: _kind, ...person } = item as unknown as PersonItem;
      return person;
    });
  }

  /** The names of every configured team (a scan of the small config table). */
  async listTeams(): Promise<string[]> {
    return (await configItemsOfKind(this.db, this.tables.config, 'team')).map((item) => item.name as string).sort();
  }

  /** Every entry of a team's partition: its schedules' rules and the API's overrides. */
  private async teamEntries(team: string): Promise<(ScheduleItem | OverrideItem)[]> {
    return (await teamScheduleEntries(this.db, this.tables.schedules, team)) as (ScheduleItem | OverrideItem)[];
  }
}
