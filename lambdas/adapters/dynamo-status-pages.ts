import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableNames } from '../config/tables';
import type { IncidentState, Severity } from '../domain/incident/incident';
import type { PageContent, PageIncidentSource, RenderStates, StatusPageStore, StoredOverride, StoredRenderState, StoredStatusUpdate } from '../domain/status-pages/ports';
import type { PageRenderState } from '../domain/status-pages/render-coalescing';
import type { PageIncidentInput } from '../domain/status-pages/snapshot';
import type { StoredStatusPage } from '../domain/status-pages/status-page-config';
import { configKey, type StatusPagesItem } from './config-items';
import { itemsInPages, type Item } from './dynamo-pages';

/** A page's content item holds each update under `u#<id>` and each override under `o#<component>`: each is written alone, no read needed. */
const UPDATE = 'u#';
const OVERRIDE = 'o#';

/** How long a page keeps its updates: its history's days. Older ones are dropped when a new one is posted, which keeps the item small. */
const UPDATE_KEPT_MS = 90 * 86_400_000;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * The file's pages (one config item, `statuspages`) and what responders wrote on each (one item per page,
 * `statuspage#<page>`), read consistently by key: a render right after a change sees it, and nothing is
 * scanned.
 */
export class DynamoStatusPageStore implements StatusPageStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  async pages(): Promise<Readonly<Record<string, StoredStatusPage>>> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.statusPages }, ConsistentRead: true }));
    const item = Item as StatusPagesItem | undefined;
    return Object.fromEntries(Object.entries(item?.pages ?? {}).map(([id, page]) => [id, item?.links?.[id] ? { ...page, linkToken: item.links[id] } : page]));
  }

  async content(pageId: string): Promise<PageContent> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.config, Key: { configkey: configKey.statusPageContent(pageId) }, ConsistentRead: true }));
    return contentOf(Item ?? {});
  }

  async addUpdate(pageId: string, update: StoredStatusUpdate): Promise<StoredStatusUpdate> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tables.config,
        Key: { configkey: configKey.statusPageContent(pageId) },
        UpdateExpression: 'SET #update = if_not_exists(#update, :update)',
        ExpressionAttributeNames: { '#update': UPDATE + update.id },
        ExpressionAttributeValues: { ':update': update },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const content = Attributes ?? {};
    const keepFrom = Date.parse(update.at) - UPDATE_KEPT_MS;
    const old = contentOf(content).updates.filter((u) => Date.parse(u.at) < keepFrom);
    if (old.length) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.config,
          Key: { configkey: configKey.statusPageContent(pageId) },
          UpdateExpression: `REMOVE ${old.map((_, i) => `#old${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(old.map((u, i) => [`#old${i}`, UPDATE + u.id])),
        }),
      );
    }
    return content[UPDATE + update.id] as StoredStatusUpdate;
  }

  async setOverride(pageId: string, component: string, override: StoredOverride): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.config,
        Key: { configkey: configKey.statusPageContent(pageId) },
        UpdateExpression: 'SET #override = :override',
        ExpressionAttributeNames: { '#override': OVERRIDE + component },
        ExpressionAttributeValues: { ':override': override },
      }),
    );
  }

  async removeOverride(pageId: string, component: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.config,
          Key: { configkey: configKey.statusPageContent(pageId) },
          UpdateExpression: 'REMOVE #override',
          ConditionExpression: 'attribute_exists(#override)',
          ExpressionAttributeNames: { '#override': OVERRIDE + component },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function contentOf(item: Item): PageContent {
  const updates: StoredStatusUpdate[] = [];
  const overrides: Record<string, StoredOverride> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(UPDATE)) updates.push(value as StoredStatusUpdate);
    else if (name.startsWith(OVERRIDE)) overrides[name.slice(OVERRIDE.length)] = value as StoredOverride;
  }
  return { updates, overrides };
}

/** How far before the history's first day a resolved incident is looked for: one open longer than this before it is left out. */
const LONGEST_INCIDENT_MS = 30 * 86_400_000;

interface IndexedIncident {
  readonly incidentId: number;
  readonly service: string;
  readonly severity: Severity;
  readonly state: IncidentState;
  readonly createdAt: string;
}

/**
 * The incidents of a page's services from the incidents table's `byServiceState` index: every OPEN and
 * CLAIMED one, and the RESOLVED ones newest first back to the history's start. The index does not hold
 * `resolvedAt`, which the base table answers for those, 100 at a time.
 */
export class DynamoPageIncidents implements PageIncidentSource {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'incidents'>,
  ) {}

  async openIncidentsOf(services: readonly string[]): Promise<readonly PageIncidentInput[]> {
    const open = await Promise.all(services.flatMap((s) => (['OPEN', 'CLAIMED'] as const).map((state) => this.partition(s, state))));
    return open.flat().map((i) => inputOf(i));
  }

  async incidentsOf(services: readonly string[], since: Date): Promise<readonly PageIncidentInput[]> {
    const [open, resolved] = await Promise.all([this.openIncidentsOf(services), Promise.all(services.map((s) => this.partition(s, 'RESOLVED', since.getTime() - LONGEST_INCIDENT_MS)))]);
    const ends = await this.resolvedAt(resolved.flat().map((i) => i.incidentId));
    const closed = resolved.flat().flatMap((i) => {
      const end = ends.get(i.incidentId);
      return end !== undefined && Date.parse(end) >= since.getTime() ? [inputOf(i, end)] : [];
    });
    return [...open, ...closed];
  }

  /** One (service, state) partition, newest first, down to incidents created at `createdFrom`. */
  private async partition(service: string, state: IncidentState, createdFrom?: number): Promise<IndexedIncident[]> {
    const found: IndexedIncident[] = [];
    const newestFirst = itemsInPages(this.db, {
      query: {
        TableName: this.tables.incidents,
        IndexName: 'byServiceState',
        KeyConditionExpression: 'serviceState = :partition',
        ExpressionAttributeValues: { ':partition': `${service}#${state}` },
        ProjectionExpression: 'incidentId, service, severity, #state, createdAt',
        ExpressionAttributeNames: { '#state': 'state' },
        ScanIndexForward: false,
      },
    });
    for await (const item of newestFirst as AsyncGenerator<IndexedIncident>) {
      // Numbers grow with creation: the first one too old ends the partition's reading.
      if (createdFrom !== undefined && Date.parse(item.createdAt) < createdFrom) break;
      found.push(item);
    }
    return found;
  }

  private async resolvedAt(numbers: readonly number[]): Promise<ReadonlyMap<number, string>> {
    const ends = new Map<number, string>();
    let keys: Item[] = numbers.map((incidentId) => ({ incidentId }));
    while (keys.length) {
      const { Responses, UnprocessedKeys } = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tables.incidents]: { Keys: keys.slice(0, 100), ProjectionExpression: 'incidentId, resolvedAt' } } }),
      );
      for (const item of Responses?.[this.tables.incidents] ?? []) if (item.resolvedAt) ends.set(item.incidentId as number, item.resolvedAt as string);
      keys = [...(UnprocessedKeys?.[this.tables.incidents]?.Keys ?? []), ...keys.slice(100)];
    }
    return ends;
  }
}

const inputOf = (i: IndexedIncident, resolvedAt?: string): PageIncidentInput => ({
  number: i.incidentId,
  service: i.service,
  severity: i.severity,
  state: i.state,
  openedAt: i.createdAt,
  ...(resolvedAt ? { resolvedAt } : {}),
});

/** `wakePending` negated, as a condition: no wake-up, or its render has begun, or it is lost (due before `:lostBefore`). */
const NO_PENDING_WAKE = '(attribute_not_exists(wakeAt) OR (attribute_exists(lastRenderAt) AND lastRenderAt >= wakeAt) OR wakeAt < :lostBefore)';

/**
 * Each page's render state, one config item (`statuspagerender#<page>`), changed atomically (the count) or
 * under conditions (claims), so that racing writers agree.
 */
export class DynamoRenderStates implements RenderStates {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'config'>,
  ) {}

  private key(pageId: string) {
    return { TableName: this.tables.config, Key: { configkey: configKey.statusPageRender(pageId) } };
  }

  async countChange(pageId: string): Promise<StoredRenderState> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        ...this.key(pageId),
        UpdateExpression: 'ADD changes :one SET renderedChanges = if_not_exists(renderedChanges, :zero), streak = if_not_exists(streak, :zero)',
        ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stateOf(Attributes ?? {});
  }

  async read(pageId: string): Promise<StoredRenderState> {
    const { Item } = await this.db.send(new GetCommand({ ...this.key(pageId), ConsistentRead: true }));
    return stateOf(Item ?? {});
  }

  claimRender(pageId: string, at: number, intervalMs: number, lostBefore: number): Promise<boolean> {
    return this.conditionally({
      UpdateExpression: 'SET wakeAt = :at',
      ConditionExpression: `${NO_PENDING_WAKE} AND (attribute_not_exists(lastRenderAt) OR lastRenderAt <= :allowedBefore)`,
      ExpressionAttributeValues: { ':at': at, ':allowedBefore': at - intervalMs, ':lostBefore': lostBefore },
    }, pageId);
  }

  claimWake(pageId: string, at: number, lostBefore: number, lastRenderAt: number | undefined): Promise<boolean> {
    return this.conditionally({
      UpdateExpression: 'SET wakeAt = :at',
      // A pending wake-up later than this one is replaced by it.
      ConditionExpression: `(${NO_PENDING_WAKE} OR wakeAt > :at) AND ${lastRenderAt === undefined ? 'attribute_not_exists(lastRenderAt)' : 'lastRenderAt = :last'}`,
      ExpressionAttributeValues: { ':at': at, ':lostBefore': lostBefore, ...(lastRenderAt === undefined ? {} : { ':last': lastRenderAt }) },
    }, pageId);
  }

  async beginRender(pageId: string, wakeAt: number, lastRenderAt: number | undefined, streak: number): Promise<PageRenderState | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          ...this.key(pageId),
          UpdateExpression: 'SET lastRenderAt = :at, streak = :streak',
          ConditionExpression: `wakeAt = :at AND changes > renderedChanges AND ${lastRenderAt === undefined ? 'attribute_not_exists(lastRenderAt)' : 'lastRenderAt = :last'}`,
          ExpressionAttributeValues: { ':at': wakeAt, ':streak': streak, ...(lastRenderAt === undefined ? {} : { ':last': lastRenderAt }) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stateOf(Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async finishRender(pageId: string, seen: number): Promise<void> {
    await this.conditionally({ UpdateExpression: 'SET renderedChanges = :seen', ConditionExpression: 'renderedChanges < :seen', ExpressionAttributeValues: { ':seen': seen } }, pageId);
  }

  private async conditionally(update: { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Item }, pageId: string): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ ...this.key(pageId), ...update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

const stateOf = (item: Item): StoredRenderState => ({
  changes: (item.changes as number | undefined) ?? 0,
  renderedChanges: (item.renderedChanges as number | undefined) ?? 0,
  streak: (item.streak as number | undefined) ?? 0,
  ...(item.lastRenderAt === undefined ? {} : { lastRenderAt: item.lastRenderAt as number }),
  ...(item.wakeAt === undefined ? {} : { wakeAt: item.wakeAt as number }),
});
