import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TtlCache } from './ttl-cache';
import { itemsInPages } from './dynamo-pages';
import { INCIDENT_NUMBER_BASE } from '../config/limits';
import type { TableNames } from '../config/tables';
import { createdEvent } from '../domain/incident/event-record';
import { eventItem } from './dynamo-event-log';
import { ACTIVE_STATES, INCIDENT_FIELDS, pickFields, STATES, SUMMARY_FIELDS, type Incident, type IncidentState, type IncidentSummary, type TimelineEntry } from '../domain/incident/incident';
import type { EscalationProgress, EscalationSnapshot, PagedRecipient } from '../domain/escalation/escalation';
import type {
  IncidentStanding,
  RepeatCount,
  ChangeResult,
  ChangeTarget,
  IncidentChange,
  IncidentListFilter,
  IncidentPage,
  IncidentRepository,
  UrgencyChange,
} from '../domain/incident/ports';

/** Key of the incident counter in the config table (seed 001). */
export const COUNTER_KEY = 'incidentId';

type IncidentItem = Omit<Incident, 'number'> & { incidentId: number; serviceState: string; dedupId: string };

const serviceState = (service: string, state: IncidentState) => `${service}#${state}`;

function toItem(incident: Incident, lockId: string): IncidentItem {
  const { number, ...rest } = incident;
  return { ...rest, incidentId: number, serviceState: serviceState(incident.service, incident.state), dedupId: lockId };
}

/** The incident of an item, its fields in API order; storage-only attributes (keys of indexes, lock) left out. */
const fromItem = (item: Record<string, unknown>): Incident =>
  pickFields({ ...item, number: item.incidentId }, INCIDENT_FIELDS) as unknown as Incident;

const summaryFromItem = (item: Record<string, unknown>): IncidentSummary =>
  pickFields({ ...item, number: item.incidentId }, SUMMARY_FIELDS) as unknown as IncidentSummary;

/** How many dedup locks an instance remembers the holder of; a storm of one alert needs one. */
const LOCK_HINTS = 10_000;
const LOCK_HINT_TTL_MS = 60 * 60 * 1000;

/** Incidents in DynamoDB: one item per incident, a lock item per open dedup key, a counter for numbers. */
export class DynamoIncidentRepository implements IncidentRepository {
  /**
   * The incident this instance last saw holding each dedup lock, so that a repeat costs one conditional
   * write instead of a read and a write. Only a hint: {@link recordRepeat}'s condition refuses a stale one,
   * which is then dropped and the lock read again.
   */
  private readonly lockHolders = new TtlCache<number>(LOCK_HINT_TTL_MS, LOCK_HINTS);

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'incidents' | 'dedup' | 'config' | 'events'>,
  ) {}

  /** An UpdateItem of one incident's item. */
  private updateIncident(number: number, params: Omit<UpdateCommandInput, 'TableName' | 'Key'>): UpdateCommand {
    return new UpdateCommand({ TableName: this.tables.incidents, Key: { incidentId: number }, ...params });
  }

  async findActiveByDedup(lockId: string): Promise<number | undefined> {
    const hint = this.lockHolders.get(lockId);
    if (hint !== undefined) return hint;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.dedup, Key: { dedupId: lockId }, ConsistentRead: true }),
    );
    const holder = Item?.incidentId as number | undefined;
    if (holder !== undefined) this.lockHolders.set(lockId, holder);
    return holder;
  }

  async recordRepeat(number: number, lockId: string, at: Date, by: string): Promise<Incident | undefined> {
    try {
      const { Attributes } = await this.db.send(this.repeatUpdate(number, lockId, at, by, { ReturnValues: 'ALL_NEW' }));
      return fromItem(Attributes!);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      this.lockHolders.delete(lockId);
      return undefined;
    }
  }

  async countRepeat(number: number, lockId: string, at: Date, by: string): Promise<RepeatCount> {
    try {
      await this.db.send(
        this.repeatUpdate(number, lockId, at, by, {
          extraCondition: 'attribute_not_exists(escalationStartFailedAt)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'counted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const found = error.Item ? (unmarshall(error.Item) as IncidentItem) : undefined;
      if (found && found.dedupId === lockId && ACTIVE_STATES.includes(found.state) && found.escalationStartFailedAt) return 'escalation_not_started';
      this.lockHolders.delete(lockId);
      return 'lost';
    }
  }

  /** The conditional update that counts one more occurrence, if the incident still holds the lock and is active. */
  private repeatUpdate(
    number: number,
    lockId: string,
    at: Date,
    by: string,
    { extraCondition, ...returns }: Pick<UpdateCommandInput, 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'> & { extraCondition?: string },
  ): UpdateCommand {
    return this.updateIncident(number, {
      UpdateExpression:
        'SET occurrences = occurrences + :one, lastSeenAt = :at, lastSeenBy = :by, firstRepeatAt = if_not_exists(firstRepeatAt, :at)',
      ConditionExpression: `dedupId = :lock AND #state IN (:open, :claimed)${extraCondition ? ` AND ${extraCondition}` : ''}`,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':at': at.toISOString(),
        ':by': by,
        ':lock': lockId,
        ':open': ACTIVE_STATES[0],
        ':claimed': ACTIVE_STATES[1],
      },
      ...returns,
    });
  }

  async allocateNumber(): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.config,
        Key: { configkey: COUNTER_KEY },
        UpdateExpression: 'SET currentId = if_not_exists(currentId, :base) + :one',
        ExpressionAttributeValues: { ':base': INCIDENT_NUMBER_BASE, ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Attributes!.currentId as number;
  }

  async create(incident: Incident, lockId: string): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.dedup,
                Item: { dedupId: lockId, incidentId: incident.number, service: incident.service, createdAt: incident.createdAt },
                ConditionExpression: 'attribute_not_exists(dedupId)',
              },
            },
            {
              Put: {
                TableName: this.tables.incidents,
                Item: toItem(incident, lockId),
                ConditionExpression: 'attribute_not_exists(incidentId)',
              },
            },
            // The event record's "created" entry, written with the incident: one call, and never one without the other.
            { Put: { TableName: this.tables.events, Item: eventItem(createdEvent(incident)) } },
          ],
        }),
      );
      this.lockHolders.set(lockId, incident.number);
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        return false;
      }
      throw error;
    }
  }

  async standings(numbers: readonly number[]): Promise<ReadonlyMap<number, IncidentStanding>> {
    const items = await this.batchGet(numbers, { ProjectionExpression: 'incidentId, #state, occurrences, lastSeenAt', ExpressionAttributeNames: { '#state': 'state' } });
    return new Map(items.map((item) => [item.incidentId as number, { state: item.state as IncidentState, occurrences: item.occurrences as number, lastSeenAt: item.lastSeenAt as string }]));
  }

  /** Items by incident number, in BatchGetItems of 100 keys; keys left unprocessed (throttling) are asked for again. */
  private async batchGet(numbers: readonly number[], projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> }): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let keys: Record<string, unknown>[] = [...new Set(numbers)].map((incidentId) => ({ incidentId }));
    while (keys.length) {
      const { Responses, UnprocessedKeys } = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tables.incidents]: { Keys: keys.slice(0, 100), ...(projection ?? {}) } } }),
      );
      items.push(...(Responses?.[this.tables.incidents] ?? []));
      keys = [...(UnprocessedKeys?.[this.tables.incidents]?.Keys ?? []), ...keys.slice(100)];
    }
    return items;
  }

  /**
   * The incidents created since `since`, at most `max` of them (the newest): for reports. Numbers grow with
   * creation time, so each state's partition of the `byState` index is read newest first until an incident
   * older than `since`, never a Scan; the whole incidents are then read by key.
   */
  async createdSince(since: Date, max: number): Promise<Incident[]> {
    const from = since.toISOString();
    const perState = await Promise.all(STATES.map((state) => this.numbersCreatedSince(state, from, max)));
    const newest = perState.flat().sort((a, b) => b - a).slice(0, max);
    return (await this.batchGet(newest)).map(fromItem).sort((a, b) => b.number - a.number);
  }

  private async numbersCreatedSince(state: IncidentState, from: string, max: number): Promise<number[]> {
    const numbers: number[] = [];
    const newestFirst = itemsInPages(this.db, {
      query: {
        TableName: this.tables.incidents,
        IndexName: 'byState',
        KeyConditionExpression: '#state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state },
        ProjectionExpression: 'incidentId, createdAt',
        ScanIndexForward: false,
        Limit: Math.min(max, 500),
      },
    });
    for await (const item of newestFirst) {
      if ((item.createdAt as string) < from || numbers.length >= max) break;
      numbers.push(item.incidentId as number);
    }
    return numbers;
  }

  async get(number: number): Promise<Incident | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.incidents, Key: { incidentId: number }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async change({ number, service, lockId }: ChangeTarget, change: IncidentChange): Promise<ChangeResult> {
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ':entry': [change.entry], ':at': change.entry.at };
    change.from.forEach((state, i) => {
      values[`:from${i}`] = state;
    });
    const sets = ['timeline = list_append(timeline, :entry)', 'updatedAt = :at'];
    if (change.to) {
      const actor = change.to === 'CLAIMED' ? 'claimed' : 'resolved';
      Object.assign(values, { ':to': change.to, ':serviceState': serviceState(service, change.to), ':by': change.entry.by });
      sets.push('#state = :to', 'serviceState = :serviceState', `${actor}By = :by`, `${actor}At = :at`);
    }
    let condition = `attribute_exists(incidentId) AND #state IN (${change.from.map((_, i) => `:from${i}`).join(', ')})`;
    if (change.maxTimelineEntries !== undefined) {
      condition += ' AND size(timeline) < :maxEntries';
      values[':maxEntries'] = change.maxTimelineEntries;
    }
    const update = {
      TableName: this.tables.incidents,
      Key: { incidentId: number },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };

    try {
      if (change.to !== 'RESOLVED') {
        const { Attributes } = await this.db.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
        return { outcome: 'changed', incident: fromItem(Attributes!) };
      }
      // Resolving releases the dedup lock in the same transaction, so the next event opens a new incident.
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Delete: {
                TableName: this.tables.dedup,
                Key: { dedupId: lockId },
                ConditionExpression: 'attribute_not_exists(dedupId) OR incidentId = :number',
                ExpressionAttributeValues: { ':number': number },
              },
            },
          ],
        }),
      );
      this.lockHolders.delete(lockId);
      return { outcome: 'changed', incident: (await this.get(number))! };
    } catch (error) {
      const old = refusedItem(error);
      if (old === null) throw error;
      return old ? { outcome: 'refused', incident: fromItem(old) } : { outcome: 'not_found' };
    }
  }

  async list(filter: IncidentListFilter): Promise<IncidentPage> {
    // Each (index, partition) is already newest first; a filter without a state merges the three states.
    const states = filter.state ? [filter.state] : STATES;
    const [indexName, partitionKey] = filter.service ? ['byServiceState', 'serviceState'] : ['byState', 'state'];
    const partitions = states.map((state) => (filter.service ? serviceState(filter.service, state) : state));
    const pages = await Promise.all(
      partitions.map((partition) =>
        this.db.send(
          new QueryCommand({
            TableName: this.tables.incidents,
            IndexName: indexName,
            KeyConditionExpression:
              filter.before === undefined ? '#pk = :pk' : '#pk = :pk AND incidentId < :before',
            ExpressionAttributeNames: { '#pk': partitionKey },
            ExpressionAttributeValues: {
              ':pk': partition,
              ...(filter.before === undefined ? {} : { ':before': filter.before }),
            },
            ScanIndexForward: false,
            // One more than a page tells whether another page follows.
            Limit: filter.limit + 1,
          }),
        ),
      ),
    );
    const newestFirst = pages
      .flatMap((page) => page.Items ?? [])
      .map(summaryFromItem)
      .sort((a, b) => b.number - a.number);
    const items = newestFirst.slice(0, filter.limit);
    return newestFirst.length > filter.limit ? { items, nextBefore: items[items.length - 1]!.number } : { items };
  }

  async changeUrgency(number: number, change: UrgencyChange): Promise<ChangeResult> {
    const sets = ['urgency = :to', 'timeline = list_append(timeline, :entry)', 'updatedAt = :at'];
    const values: Record<string, unknown> = { ':to': change.to, ':from': change.from, ':entry': [change.entry], ':at': change.entry.at, ':open': 'OPEN' };
    if (change.restart) {
      sets.push('escalation.progress = :progress', 'escalation.run = :run');
      Object.assign(values, { ':progress': change.restart.progress, ':run': change.restart.run });
      if (change.restart.execution) {
        sets.push('escalationExecution = :execution');
        values[':execution'] = change.restart.execution;
      }
    }
    // An incident stored before urgencies existed is high.
    const was = change.from === 'high' ? '(urgency = :from OR attribute_not_exists(urgency))' : 'urgency = :from';
    try {
      const { Attributes } = await this.db.send(
        this.updateIncident(number, {
          UpdateExpression: `SET ${sets.join(', ')} REMOVE raiseAt`,
          ConditionExpression: `attribute_exists(incidentId) AND #state = :open AND ${was}${change.restart ? ' AND attribute_exists(escalation)' : ''}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'changed', incident: fromItem(Attributes!) };
    } catch (error) {
      const old = refusedItem(error);
      if (old === null) throw error;
      return old ? { outcome: 'refused', incident: fromItem(old) } : { outcome: 'not_found' };
    }
  }

  async moveEscalation(number: number, from: string | undefined, execution: string): Promise<Incident | undefined> {
    try {
      const { Attributes } = await this.db.send(
        this.updateIncident(number, {
          UpdateExpression: 'SET escalationExecution = :execution',
          ConditionExpression: `attribute_exists(incidentId) AND #state = :open AND ${from === undefined ? 'attribute_not_exists(escalationExecution)' : 'escalationExecution = :from'}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':execution': execution, ':open': 'OPEN', ...(from === undefined ? {} : { ':from': from }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(Attributes!);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async setEscalationStartFailure(number: number, entry: TimelineEntry | undefined): Promise<Incident | undefined> {
    const { Attributes } = await this.db.send(
      this.updateIncident(number, {
        ...(entry
          ? {
              UpdateExpression: 'SET escalationStartFailedAt = :at, timeline = list_append(timeline, :entry)',
              ExpressionAttributeValues: { ':at': entry.at, ':entry': [entry] },
            }
          : { UpdateExpression: 'REMOVE escalationStartFailedAt' }),
        ConditionExpression: 'attribute_exists(incidentId)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? fromItem(Attributes) : undefined;
  }

  async freezeEscalation(number: number, snapshot: EscalationSnapshot): Promise<Incident> {
    try {
      const { Attributes } = await this.db.send(
        this.updateIncident(number, {
          UpdateExpression: 'SET escalation = :snapshot',
          ConditionExpression: 'attribute_exists(incidentId) AND attribute_not_exists(escalation)',
          ExpressionAttributeValues: { ':snapshot': snapshot },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(Attributes!);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(number))!;
    }
  }

  async appendTimeline(number: number, entries: readonly TimelineEntry[]): Promise<void> {
    await this.db.send(
      this.updateIncident(number, {
        UpdateExpression: 'SET timeline = list_append(timeline, :entries)',
        ConditionExpression: 'attribute_exists(incidentId)',
        ExpressionAttributeValues: { ':entries': entries },
      }),
    );
  }

  async setEscalationProgress(number: number, expected: EscalationProgress, next: EscalationProgress, paged: readonly PagedRecipient[] = []): Promise<boolean> {
    if (expected.done) return false;
    try {
      await this.db.send(
        this.updateIncident(number, {
          UpdateExpression: `SET escalation.progress = :next${paged.length ? ', escalation.paged = list_append(if_not_exists(escalation.paged, :none), :paged)' : ''}`,
          ConditionExpression: 'escalation.progress.round = :round AND escalation.progress.#level = :level AND escalation.progress.nextAt = :nextAt',
          ExpressionAttributeNames: { '#level': 'level' },
          ExpressionAttributeValues: {
            ':next': next,
            ':round': expected.round,
            ':level': expected.level,
            ':nextAt': expected.nextAt,
            ...(paged.length ? { ':paged': paged, ':none': [] } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/**
 * The item a failed condition found: the item (ALL_OLD), `undefined` if there was none, or `null` if the
 * error is not a failed condition at all.
 */
function refusedItem(error: unknown): Record<string, unknown> | undefined | null {
  if (error instanceof ConditionalCheckFailedException) {
    return error.Item ? unmarshall(error.Item) : undefined;
  }
  if (error instanceof TransactionCanceledException) {
    const reason = error.CancellationReasons?.[0];
    if (reason?.Code !== 'ConditionalCheckFailed') return null;
    return reason.Item ? unmarshall(reason.Item) : undefined;
  }
  return null;
}
