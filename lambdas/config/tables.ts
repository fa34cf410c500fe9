/**
 * The DynamoDB tables, defined once: the CDK stack, the local runtime and the tests all build their tables
 * from these definitions, and the Lambdas find the physical names through {@link TABLE_ENV}.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Attributes copied into the index besides the keys. */
  readonly nonKeyAttributes: readonly string[];
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** An attribute holding an epoch second after which DynamoDB deletes the item (TTL). */
  readonly timeToLiveAttribute?: string;
}

/** The config table's sparse index of maintenance windows (see `config` below). */
export const MAINTENANCE_INDEX = 'maintenanceWindows';

/**
 * Attributes a list page shows. Only attributes that change with the index keys are projected, so counting a
 * repeated event (occurrences, lastSeenAt) never writes to an index.
 */
const INCIDENT_SUMMARY = ['service', 'team', 'severity', 'state', 'title', 'source', 'detectedAt', 'createdAt'] as const;

export const TABLES = {
  /** Seed 001's Incident table. */
  incidents: {
    partitionKey: { name: 'incidentId', type: 'N' },
    indexes: [
      {
        indexName: 'byState',
        partitionKey: { name: 'state', type: 'S' },
        sortKey: { name: 'incidentId', type: 'N' },
        nonKeyAttributes: INCIDENT_SUMMARY.filter((a) => a !== 'state'),
      },
      {
        indexName: 'byServiceState',
        partitionKey: { name: 'serviceState', type: 'S' },
        sortKey: { name: 'incidentId', type: 'N' },
        nonKeyAttributes: INCIDENT_SUMMARY,
      },
    ],
  },
  /** Seed 001's Service table: the owning team of each service. */
  services: {
    partitionKey: { name: 'serviceId', type: 'S' },
    indexes: [],
  },
  /**
   * The on-call schedules, as rules (never expanded per day), by team: one item per schedule
   * (`<schedule>#rules`: time zone, layers, the file's overrides) and one per override made through the API
   * (`<schedule>#override#<id>`), which `config apply` leaves alone and DynamoDB deletes a while after it ends.
   * One Query of a team's partition reads everything needed to say who is on call.
   */
  schedules: {
    partitionKey: { name: 'team', type: 'S' },
    sortKey: { name: 'entry', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  /**
   * Seed 001's Config table: the incident counter, team profiles, people, API key hashes and maintenance
   * windows, which DynamoDB deletes a while after they end.
   *
   * The windows are read together on every escalation step and (cached) raise. The table's key is `configkey`
   * alone, so no Query of the table can read them together, and a new key schema would replace the table (and
   * its counter). A single item holding every window would lose their TTL and their writes one by one (the
   * file's, the API's, an early end). So every window carries `calendar` (= `maintenance`), which no other
   * item has: the sparse `maintenanceWindows` index holds the windows and nothing else, and one Query of its
   * one partition reads them all, never a Scan, for one index write per window written (rare). Index reads may
   * lag a write by a moment: what must see a window ended early at once (an escalation about to hold, ending a
   * window) reads that window's item again, consistently, by key.
   */
  config: {
    partitionKey: { name: 'configkey', type: 'S' },
    indexes: [
      {
        indexName: MAINTENANCE_INDEX,
        partitionKey: { name: 'calendar', type: 'S' },
        sortKey: { name: 'configkey', type: 'S' },
        nonKeyAttributes: ['id', 'services', 'from', 'to', 'reason', 'origin', 'createdBy', 'endedEarlyBy'],
      },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
  /**
   * The open incident of each (service, dedup key). A uniqueness lock needs a consistent conditional write on
   * that key, which neither the four tables' keys nor an (eventually consistent) index can give.
   */
  dedup: {
    partitionKey: { name: 'dedupId', type: 'S' },
    indexes: [],
  },
  /**
   * What inbound mail needs to remember, for a while: which messages were already processed (SES delivers at
   * least once) and which message ids belong to which incident's thread (originals and pages), so that a
   * reply finds its incident.
   */
  inboundMail: {
    partitionKey: { name: 'mailKey', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  /** The event record: every inbound event with its outcome, per service, newest last, kept for a while. */
  events: {
    partitionKey: { name: 'stream', type: 'S' },
    sortKey: { name: 'eventId', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  /**
   * Heartbeat monitors' state, one item per monitor: its last ping and its deadline. Only monitors with a
   * deadline and no open incident carry `due`, so the sparse `byDeadline` index holds exactly the monitors
   * that can go overdue: the checker queries it up to now, and never scans.
   */
  heartbeats: {
    partitionKey: { name: 'monitor', type: 'S' },
    indexes: [
      {
        indexName: 'byDeadline',
        partitionKey: { name: 'due', type: 'S' },
        sortKey: { name: 'deadline', type: 'N' },
        nonKeyAttributes: ['service', 'severity', 'intervalMinutes', 'onPing', 'supportHours', 'lastPingAt'],
      },
    ],
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof TABLES;
export type TableNames = Readonly<Record<TableId, string>>;

export const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** Environment variable through which each Lambda learns a table's physical name. */
export const TABLE_ENV: Readonly<Record<TableId, string>> = {
  incidents: 'INCIDENTS_TABLE',
  services: 'SERVICES_TABLE',
  schedules: 'SCHEDULES_TABLE',
  config: 'CONFIG_TABLE',
  dedup: 'DEDUP_TABLE',
  inboundMail: 'INBOUND_MAIL_TABLE',
  events: 'EVENTS_TABLE',
  heartbeats: 'HEARTBEATS_TABLE',
};

/** Physical table names for a deployment: `<prefix>-<table>`. */
export function tableNames(prefix: string): TableNames {
  return Object.fromEntries(TABLE_IDS.map((id) => [id, `${prefix}-${id}`])) as Record<TableId, string>;
}

/** The names of a table's key attributes: partition key, then sort key if it has one. */
export function keyAttributeNames(id: TableId): readonly string[] {
  const table: TableDefinition = TABLES[id];
  return table.sortKey ? [table.partitionKey.name, table.sortKey.name] : [table.partitionKey.name];
}
