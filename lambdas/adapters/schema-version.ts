import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The version of the shape of every stored item, in its `schemaVersion` attribute. A release that changes
 * how an item is stored raises it and adds a migration ({@link ./dynamo-migrations}); `config apply` upgrades
 * the items written by older releases.
 */
export const SCHEMA_VERSION = 1;
export const SCHEMA_VERSION_ATTRIBUTE = 'schemaVersion';

type Input = Record<string, unknown>;
type Item = Record<string, unknown>;

const NAME = `#${SCHEMA_VERSION_ATTRIBUTE}`;
const VALUE = `:${SCHEMA_VERSION_ATTRIBUTE}`;

const stampItem = (item: Item): Item => ({ ...item, [SCHEMA_VERSION_ATTRIBUTE]: SCHEMA_VERSION });

/** An update that also sets the version, unless it sets it itself (a migration). */
function stampUpdate(update: Input): Input {
  const names = (update.ExpressionAttributeNames ?? {}) as Record<string, string>;
  if (NAME in names || typeof update.UpdateExpression !== 'string') return update;
  const expression = update.UpdateExpression;
  const set = /(^|\s)SET\s/i.exec(expression);
  return {
    ...update,
    UpdateExpression: set ? `${expression.slice(0, set.index)}${set[1]}SET ${NAME} = ${VALUE}, ${expression.slice(set.index + set[0].length)}` : `SET ${NAME} = ${VALUE} ${expression}`,
    ExpressionAttributeNames: { ...names, [NAME]: SCHEMA_VERSION_ATTRIBUTE },
    ExpressionAttributeValues: { ...((update.ExpressionAttributeValues ?? {}) as Item), [VALUE]: SCHEMA_VERSION },
  };
}

/**
 * A write's input with every item it puts or updates stamped with the current {@link SCHEMA_VERSION}: the
 * document client's native values, before they are marshalled. Other commands are left as they are.
 */
export function stampSchemaVersion(commandName: string, input: Input): Input {
  switch (commandName) {
    case 'PutItemCommand':
      return { ...input, Item: stampItem(input.Item as Item) };
    case 'UpdateItemCommand':
      return stampUpdate(input);
    case 'TransactWriteItemsCommand':
      return {
        ...input,
        TransactItems: (input.TransactItems as Input[]).map((t) => ({
          ...t,
          ...(t.Put ? { Put: { ...(t.Put as Input), Item: stampItem((t.Put as Input).Item as Item) } } : {}),
          ...(t.Update ? { Update: stampUpdate(t.Update as Input) } : {}),
        })),
      };
    case 'BatchWriteItemCommand':
      return {
        ...input,
        RequestItems: Object.fromEntries(
          Object.entries(input.RequestItems as Record<string, Input[]>).map(([table, requests]) => [
            table,
            requests.map((r) => (r.PutRequest ? { PutRequest: { Item: stampItem((r.PutRequest as Input).Item as Item) } } : r)),
          ]),
        ),
      };
    default:
      return input;
  }
}

/** The output's items without their version: what the adapters read is the item's content. */
function withoutVersions(output: Input): Input {
  const strip = (item: unknown) => {
    if (!item || typeof item !== 'object') return item;
    const { [SCHEMA_VERSION_ATTRIBUTE]: _version, ...rest } = item as Item;
    return rest;
  };
  return {
    ...output,
    ...(output.Item ? { Item: strip(output.Item) } : {}),
    ...(output.Attributes ? { Attributes: strip(output.Attributes) } : {}),
    ...(Array.isArray(output.Items) ? { Items: output.Items.map(strip) } : {}),
    ...(output.Responses && !Array.isArray(output.Responses)
      ? { Responses: Object.fromEntries(Object.entries(output.Responses as Record<string, unknown[]>).map(([table, items]) => [table, items.map(strip)])) }
      : {}),
  };
}

/** Whether a request names the version attribute: the migrations read and compare it, nothing else does. */
const readsVersion = (input: Input) => Object.values((input.ExpressionAttributeNames ?? {}) as Record<string, string>).includes(SCHEMA_VERSION_ATTRIBUTE);

/** The low-level operation of each document client write command: what {@link stampSchemaVersion} stamps. */
function writeOf(command: unknown): string | undefined {
  if (command instanceof PutCommand) return 'PutItemCommand';
  if (command instanceof UpdateCommand) return 'UpdateItemCommand';
  if (command instanceof TransactWriteCommand) return 'TransactWriteItemsCommand';
  if (command instanceof BatchWriteCommand) return 'BatchWriteItemCommand';
  return undefined;
}

/**
 * The document client every adapter reads and writes with, versioning every item it writes and keeping the
 * version out of what it reads unless the request names it (the migrations). Done at its `send`, on the
 * command's native values: a low-level command sent on the same DynamoDB client is left as it is.
 */
export function versioned(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  type Sent = { input: Input; middlewareStack: { add: (middleware: unknown, options: object) => void } };
  const send = client.send.bind(client) as unknown as (command: Sent) => Promise<Input>;
  const versionedSend = async (command: Sent): Promise<Input> => {
    const input = command.input;
    const write = writeOf(command);
    if (write) {
      // On the command's own stack, before the document client marshals its native values.
      command.middlewareStack.add(
        (next: (args: { input: Input }) => Promise<unknown>) => async (args: { input: Input }) => next({ ...args, input: stampSchemaVersion(write, args.input) }),
        { step: 'initialize', name: 'stampSchemaVersion', override: true },
      );
    }
    const output = await send(command);
    return readsVersion(input) ? output : withoutVersions(output);
  };
  client.send = versionedSend as unknown as typeof client.send;
  return client;
}
