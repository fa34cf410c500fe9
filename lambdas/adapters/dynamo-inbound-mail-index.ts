import { BatchGetCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../config/limits';
import type { TableNames } from '../config/tables';
import type { InboundMailIndex, ProcessedMail } from '../domain/inbound-email/ports';
import { expiresAtEpoch } from './retention';

/** Thread keys looked up per reply: a long References chain is searched from its newest ids. */
const MAX_THREAD_KEYS = 50;

/** The inbound mail index in DynamoDB: items expire (TTL) after the inbound retention. */
export class DynamoInboundMailIndex implements InboundMailIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'inboundMail'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async findProcessed(key: string): Promise<ProcessedMail | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.inboundMail, Key: { mailKey: key }, ConsistentRead: true }));
    return Item && { outcome: Item.outcome as string, ...(Item.incidentNumber === undefined ? {} : { incidentNumber: Item.incidentNumber as number }) };
  }

  async markProcessed(key: string, processed: ProcessedMail): Promise<void> {
    await this.put(key, processed);
  }

  async findThread(keys: readonly string[]): Promise<number | undefined> {
    const wanted = [...new Set(keys)].slice(-MAX_THREAD_KEYS);
    if (!wanted.length) return undefined;
    const { Responses } = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.tables.inboundMail]: { Keys: wanted.map((k) => ({ mailKey: threadItemKey(k) })) } } }),
    );
    const found = new Map((Responses?.[this.tables.inboundMail] ?? []).map((item) => [item.mailKey as string, item.incidentNumber as number]));
    // The newest id of the thread (last in References, or In-Reply-To) wins.
    for (const key of [...wanted].reverse()) {
      const number = found.get(threadItemKey(key));
      if (number !== undefined) return number;
    }
    return undefined;
  }

  async rememberThread(key: string, incidentNumber: number): Promise<void> {
    await this.put(threadItemKey(key), { incidentNumber });
  }

  private async put(mailKey: string, attributes: object): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tables.inboundMail,
        Item: { mailKey, ...attributes, expiresAt: expiresAtEpoch(this.now(), LIMITS.inboundRetentionDays) },
      }),
    );
  }
}

const threadItemKey = (key: string) => `thread#${key}`;
