import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, stampSchemaVersion } from '../../lambdas/adapters/schema-version';

describe('the schema version of what is written', () => {
  it('is put on every item put, and set by every update, beside what the update sets', () => {
    expect(stampSchemaVersion('PutItemCommand', { TableName: 't', Item: { id: 1 } })).toEqual({ TableName: 't', Item: { id: 1, schemaVersion: SCHEMA_VERSION } });
    expect(stampSchemaVersion('UpdateItemCommand', { UpdateExpression: 'SET a = :a REMOVE b', ExpressionAttributeValues: { ':a': 1 } })).toEqual({
      UpdateExpression: 'SET #schemaVersion = :schemaVersion, a = :a REMOVE b',
      ExpressionAttributeNames: { '#schemaVersion': 'schemaVersion' },
      ExpressionAttributeValues: { ':a': 1, ':schemaVersion': SCHEMA_VERSION },
    });
    expect(stampSchemaVersion('UpdateItemCommand', { UpdateExpression: 'ADD changes :one', ExpressionAttributeNames: { '#x': 'x' } })).toMatchObject({
      UpdateExpression: 'SET #schemaVersion = :schemaVersion ADD changes :one',
      ExpressionAttributeNames: { '#x': 'x', '#schemaVersion': 'schemaVersion' },
    });
    // A SET after another clause, with an attribute whose name ends in "set".
    expect(stampSchemaVersion('UpdateItemCommand', { UpdateExpression: 'REMOVE reset SET a = :a' }).UpdateExpression).toBe('REMOVE reset SET #schemaVersion = :schemaVersion, a = :a');
  });

  it('is left to an update that sets it itself, and to reads', () => {
    const migration = { UpdateExpression: 'SET #schemaVersion = :v', ExpressionAttributeNames: { '#schemaVersion': 'schemaVersion' } };
    expect(stampSchemaVersion('UpdateItemCommand', migration)).toBe(migration);
    const read = { TableName: 't', Key: { id: 1 } };
    expect(stampSchemaVersion('GetItemCommand', read)).toBe(read);
  });

  it('is put on the items of transactions and batches', () => {
    const stamped = stampSchemaVersion('TransactWriteItemsCommand', {
      TransactItems: [{ Put: { TableName: 't', Item: { id: 1 } } }, { Update: { TableName: 't', Key: { id: 2 }, UpdateExpression: 'SET a = :a' } }, { ConditionCheck: { TableName: 't' } }],
    });
    expect(stamped.TransactItems).toEqual([
      { Put: { TableName: 't', Item: { id: 1, schemaVersion: SCHEMA_VERSION } } },
      { Update: expect.objectContaining({ UpdateExpression: 'SET #schemaVersion = :schemaVersion, a = :a' }) },
      { ConditionCheck: { TableName: 't' } },
    ]);
    const batch = stampSchemaVersion('BatchWriteItemCommand', { RequestItems: { t: [{ PutRequest: { Item: { id: 1 } } }, { DeleteRequest: { Key: { id: 2 } } }] } });
    expect(batch.RequestItems).toEqual({ t: [{ PutRequest: { Item: { id: 1, schemaVersion: SCHEMA_VERSION } } }, { DeleteRequest: { Key: { id: 2 } } }] });
  });
});
