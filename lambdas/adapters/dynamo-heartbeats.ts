import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../config/limits';
import type { TableNames } from '../config/tables';
import type { HeartbeatMonitor, HeartbeatState, HeartbeatStore, OverdueHeartbeat } from '../domain/heartbeats/heartbeats';
import type { SupportHours } from '../domain/escalation/urgency';
import { configKey, type HeartbeatItem } from './config-items';
import { allItems, configItemsOfKind } from './dynamo-pages';
import { TtlCache } from './ttl-cache';

/** The value of `due` on every monitor that can go overdue: the one partition of the sparse due-time index. */
const DUE = 'due';

const monitorOf = ({ configkey: _key, kind: _kind, ...monitor }: HeartbeatItem): HeartbeatMonitor => monitor;

/**
 * Heartbeat monitors: their config from the config table (cached, as the directory is), their state in the
 * heartbeats table, whose sparse `byDeadline` index lists the monitors that can go overdue by deadline.
 */
export class DynamoHeartbeatStore implements HeartbeatStore {
  private readonly configured: TtlCache<HeartbeatMonitor>;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config' | 'heartbeats'>,
    now: () => number = Date.now,
  ) {
    this.configured = new TtlCache(LIMITS.directoryCacheSeconds * 1000, 10_000, now);
  }

  findMonitor(name: string): Promise<HeartbeatMonitor | undefined> {
    return this.configured.getOrLoad(name, async () => {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.heartbeat(name) } }));
      return Item && monitorOf(Item as HeartbeatItem);
    });
  }

  async recordPing(monitor: HeartbeatMonitor, at: Date, deadline: number, note: string | undefined): Promise<{ readonly openIncident?: number }> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.heartbeats,
        Key: { monitor: monitor.name },
        // What the checker needs to raise is written with each ping, so that checking reads the index alone.
        UpdateExpression: `SET lastPingAt = :at, deadline = :deadline, #due = :due, service = :service, severity = :severity, intervalMinutes = :interval, onPing = :onPing${
          monitor.supportHours ? ', supportHours = :hours' : ''
        }${note === undefined ? '' : ', note = :note'} REMOVE incidentNumber${monitor.supportHours ? '' : ', supportHours'}${note === undefined ? ', note' : ''}`,
        ExpressionAttributeNames: { '#due': 'due' },
        ExpressionAttributeValues: {
          ':at': at.toISOString(),
          ':deadline': deadline,
          ':due': DUE,
          ':service': monitor.service,
          ':severity': monitor.severity,
          ':interval': monitor.intervalMinutes,
          ':onPing': monitor.onPing,
          ...(monitor.supportHours ? { ':hours': monitor.supportHours } : {}),
          ...(note === undefined ? {} : { ':note': note }),
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const open = Attributes?.incidentNumber as number | undefined;
    return open === undefined ? {} : { openIncident: open };
  }

  async overdue(at: Date): Promise<readonly OverdueHeartbeat[]> {
    const items = await allItems(this.db, {
      query: {
        TableName: this.tables.heartbeats,
        IndexName: 'byDeadline',
        KeyConditionExpression: '#due = :due AND deadline < :now',
        ExpressionAttributeNames: { '#due': 'due' },
        ExpressionAttributeValues: { ':due': DUE, ':now': at.getTime() },
      },
    });
    return items.map((item) => ({
      name: item.monitor as string,
      service: item.service as string,
      severity: item.severity as OverdueHeartbeat['severity'],
      intervalMinutes: item.intervalMinutes as number,
      onPing: item.onPing as OverdueHeartbeat['onPing'],
      deadline: item.deadline as number,
      lastPingAt: item.lastPingAt as string,
      ...(item.supportHours ? { supportHours: item.supportHours as SupportHours } : {}),
    }));
  }

  async markAlerting(name: string, deadline: number, incidentNumber: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.heartbeats,
          Key: { monitor: name },
          // Out of the due-time index until the next ping: the monitor fires once.
          UpdateExpression: 'SET incidentNumber = :number REMOVE #due',
          ConditionExpression: 'deadline = :deadline',
          ExpressionAttributeNames: { '#due': 'due' },
          ExpressionAttributeValues: { ':number': incidentNumber, ':deadline': deadline },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async states(): Promise<ReadonlyMap<string, HeartbeatState>> {
    const items = await allItems(this.db, { scan: { TableName: this.tables.heartbeats } });
    return new Map(
      items.map((item) => [
        item.monitor as string,
        {
          name: item.monitor as string,
          ...(item.lastPingAt ? { lastPingAt: item.lastPingAt as string } : {}),
          ...(item.note ? { note: item.note as string } : {}),
          ...(item.deadline !== undefined ? { deadline: item.deadline as number } : {}),
          ...(item.incidentNumber !== undefined ? { incidentNumber: item.incidentNumber as number } : {}),
        },
      ]),
    );
  }

  async monitors(): Promise<readonly HeartbeatMonitor[]> {
    return ((await configItemsOfKind(this.db, this.tables.config, 'heartbeat')) as HeartbeatItem[]).map(monitorOf);
  }
}
