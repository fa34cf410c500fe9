import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../config/limits';
import type { TableNames } from '../config/tables';
import type { EventLog, EventRecord } from '../domain/incident/event-record';
import { expiresAtEpoch } from './retention';

const RECORD_FIELDS = ['at', 'service', 'source', 'outcome', 'incidentNumber', 'reason', 'summary', 'from'] as const satisfies readonly (keyof EventRecord)[];

/** The item of an event: in its service's partition, after its time, expiring after the retention time. */
export const eventItem = (event: EventRecord) => ({
  stream: event.service,
  eventId: `${event.at}#${randomBytes(6).toString('base64url')}`,
  ...event,
  expiresAt: expiresAtEpoch(new Date(event.at), LIMITS.inboundRetentionDays),
});

/**
 * The event record in DynamoDB: one partition per service, sorted by time (ISO time plus a random suffix,
 * so that events of the same millisecond never overwrite each other), each item expiring after the
 * retention time.
 */
export class DynamoEventLog implements EventLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'events'>,
  ) {}

  async record(event: EventRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tables.events, Item: eventItem(event) }));
  }

  async list(service: string, limit: number): Promise<readonly EventRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tables.events,
        KeyConditionExpression: '#stream = :s',
        ExpressionAttributeNames: { '#stream': 'stream' },
        ExpressionAttributeValues: { ':s': service },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => Object.fromEntries(RECORD_FIELDS.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as unknown as EventRecord);
  }
}
