import { DeleteItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import { documentClient } from '../../lambdas/composition';
import { LIMITS } from '../../lambdas/config/limits';
import { ValidationError } from '../../lambdas/domain/shared/errors';
import { onCallConfigSchema, type OnCallConfig } from '../../lambdas/domain/oncall/oncall-config';
import { planLines } from '../../lib/config-plan';
import { TEST_CONFIG, validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';

let system: TestSystem;
let now = new Date('2026-11-24T10:00:00Z');
const secrets = new Map<string, string>();

beforeAll(async () => {
  system = await startTestSystem({ clock: () => now, secrets });
});
afterAll(() => system.stop());

const apply = (config: OnCallConfig, env: Record<string, string> = {}) =>
  applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, config, { env, secrets });

const withChanges = (changes: Record<string, unknown>): OnCallConfig =>
  onCallConfigSchema.parse({ ...structuredClone(TEST_CONFIG), ...changes });

/** A team's entries in the schedules table, by sort key. */
async function scheduleEntriesOf(team: string) {
  const { Items } = await system.runtime.clients.dynamoDb.send(
    new QueryCommand({
      TableName: system.runtime.deployment.tables.schedules,
      KeyConditionExpression: 'team = :t',
      ExpressionAttributeValues: { ':t': { S: team } },
    }),
  );
  return (Items ?? []).map((i) => i.entry!.S);
}

describe('applying the on-call config', () => {
  it('writes the calendar as two schedules of rules, not one item per day', async () => {
    expect(await scheduleEntriesOf('devops')).toEqual(['escalation#rules', 'oncall#rules']);
  });

  it('is idempotent: a second run writes nothing and plans nothing', async () => {
    const result = await apply(TEST_CONFIG);
    expect(result).toMatchObject({ plan: [], written: 0, deleted: 0, generatedSecrets: [] });
    expect(result.unchanged).toBeGreaterThan(5);
  });

  it('plans people, schedules and layers without writing anything, then applies the same plan', async () => {
    const changed = withChanges({
      people: { kenji: { name: 'Kenji', email: 'kenji@example.com' } },
      teams: {
        ...TEST_CONFIG.teams,
        search: {
          ...TEST_CONFIG.teams.search,
          schedules: { primary: { layers: [{ name: 'weekly', rotation: { participants: ['kenji'], turn: '1 week', handoff: '2026-11-20T17:00' } }] } },
        },
      },
    });
    const expected = [
      { action: 'add', what: 'person kenji' },
      { action: 'add', what: 'schedule search/primary' },
    ];
    const planned = await applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, changed, { env: {}, dryRun: true });
    expect(planned.plan).toEqual(expected);
    expect(planLines(planned.plan)).toEqual(['+ person kenji', '+ schedule search/primary']);
    expect(await scheduleEntriesOf('search')).toEqual([]);
    expect((await apply(changed)).plan).toEqual(expected);
    expect(await scheduleEntriesOf('search')).toEqual(['primary#rules']);
    const result = await apply(TEST_CONFIG);
    expect(result.plan).toEqual([
      { action: 'remove', what: 'person kenji' },
      { action: 'remove', what: 'schedule search/primary' },
    ]);
  });

  it('plans, writes and removes webhooks by name', async () => {
    const withHook = withChanges({ webhooks: { chat: { url: 'https://hooks.example.com/inresponse', teams: ['devops'], events: ['created'] } } });
    const planned = await applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, withHook, { env: {}, dryRun: true });
    expect(planLines(planned.plan)).toEqual(['+ webhook chat']);
    expect((await apply(withHook)).written).toBe(1);
    const moved = withChanges({ webhooks: { chat: { url: 'https://hooks.example.com/v2', teams: ['devops'], events: ['created'] } } });
    expect(planLines((await apply(moved)).plan)).toEqual(['~ webhook chat']);
    expect(planLines((await apply(TEST_CONFIG)).plan)).toEqual(['- webhook chat']);
  });

  it('stores keys only as hashes', async () => {
    const { Items } = await system.runtime.clients.dynamoDb.send(new ScanCommand({ TableName: system.runtime.deployment.tables.config }));
    const stored = JSON.stringify(Items);
    expect(Object.keys(system.keys)).toHaveLength(3);
    for (const secret of Object.values(system.keys)) expect(stored).not.toContain(secret);
    expect(stored).toContain('apikey#');
  });

  it('removes what the file no longer has: a removed key stops working once the cache expires', async () => {
    const key = system.keys['argos-prometheus']!;
    const raise = () => system.request('PUT', '/incidents', { key, body: validEvent({ service: 'argos', title: `t${Math.random()}` }) });
    expect((await raise()).status).toBe(201);

    const { apiKeys, ...rest } = structuredClone(TEST_CONFIG);
    const { 'argos-prometheus': _removed, ...kept } = apiKeys;
    const shorter = onCallConfigSchema.parse({
      ...rest,
      apiKeys: kept,
      teams: { ...rest.teams, devops: { ...rest.teams.devops, calendar: [{ day: '2026-11-24', oncall: 'a@example.com', escalation: 'b@example.com' }] } },
    });
    const result = await apply(shorter);
    expect(result.plan).toEqual([
      { action: 'remove', what: 'api key argos-prometheus' },
      { action: 'change', what: 'schedule devops/oncall', detail: 'layer calendar changed' },
      { action: 'change', what: 'schedule devops/escalation', detail: 'layer calendar changed' },
    ]);
    expect(result.deleted).toBe(1);

    expect((await raise()).status).toBe(201); // still cached
    now = new Date(now.getTime() + (LIMITS.directoryCacheSeconds + 1) * 1000);
    expect((await raise()).status).toBe(401);
    await apply(TEST_CONFIG);
  });

  it('takes a secret from the environment variable a key names, and refuses an unset or short one', async () => {
    const config = withChanges({ apiKeys: { ...TEST_CONFIG.apiKeys, 'athens-grafana': { role: 'integration', service: 'athens', secretEnv: 'GRAFANA_KEY' } } });
    const fromEnv = 'grafana-secret-from-the-environment-0123456789';
    await expect(apply(config)).rejects.toThrow(ValidationError);
    await expect(apply(config, { GRAFANA_KEY: 'short' })).rejects.toThrow(/too short/);
    await apply(config, { GRAFANA_KEY: fromEnv });
    const res = await system.request('PUT', '/incidents', { key: fromEnv, body: validEvent({ title: 'from grafana' }) });
    expect(res.status).toBe(201);
    expect(res.body.createdBy).toBe('athens-grafana');
  });

  it('answers 400 naming the service when a key outlives its service', async () => {
    const { tables } = system.runtime.deployment;
    await system.runtime.clients.dynamoDb.send(new DeleteItemCommand({ TableName: tables.services, Key: { serviceId: { S: 'argos' } } }));
    now = new Date(now.getTime() + (LIMITS.directoryCacheSeconds + 1) * 1000);
    const res = await system.request('PUT', '/incidents', { key: system.keys['argos-prometheus']!, body: validEvent({ service: 'argos' }) });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'service', problem: 'is not a configured service' }]);
  });
});
