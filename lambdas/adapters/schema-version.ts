import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

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

/**
 * Versions every item written through the document clients over `dynamoDb` (which write nothing any other
 * way), and keeps the version out of what they read unless the request names it (the migrations): the step
 * runs outside the document client's (un)marshalling, on native values. Added once per client, however many
 * document clients share it.
 */
export function versionItems(dynamoDb: DynamoDBClient): void {
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Input;
      const result = await next({ ...args, input: stampSchemaVersion(context.commandName ?? '', input) });
      return readsVersion(input) ? result : { ...result, output: withoutVersions(result.output as unknown as Input) as unknown as typeof result.output };
    },
    { step: 'initialize', priority: 'high', name: 'versionItems', override: true },
  );
}
