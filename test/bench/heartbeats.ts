/**
 * The heartbeat benchmark (`npm run bench:heartbeats`, and part of `npm run bench`): pings per second through the
 * local API against the bare conditional write they cannot beat, measured in the same run; and the DynamoDB
 * calls the checker makes per minute with 10,000 monitors, counted.
 */
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { startLocalRuntime } from '../../lib/local/runtime';
import { measure, type Phase, checkLine, runSection, type Check } from './measure';

const MONITORS = 10_000;
const PINGS = 4_000;
const WARMUP = 1_000;
const FLOORS = { pingRatio: 0.5, checkerCallsPerMinute: 1 } as const;

export interface HeartbeatResults {
  readonly monitors: number;
  readonly ping: Phase;
  readonly bareConditionalWrite: Phase;
  readonly ratio: number;
  /** DynamoDB calls of one check with every monitor pinged and none overdue. */
  readonly checkerCallsPerMinute: number;
  readonly checks: Check[];
}

const name = (i: number) => `job-${i}`;

/** The write a ping cannot beat: one conditional UpdateItem of one small item. */
const bareWrite = (db: DynamoDBClient, table: string) => (i: number) =>
  db.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { monitor: { S: `bare-${i % 100}` } },
      UpdateExpression: 'SET lastPingAt = :at, deadline = :deadline',
      ConditionExpression: 'attribute_not_exists(retired)',
      ExpressionAttributeValues: { ':at': { S: new Date().toISOString() }, ':deadline': { N: String(Date.now() + 300_000) } },
    }),
  );

export async function benchHeartbeats(): Promise<HeartbeatResults> {
  const config = onCallConfigSchema.parse({
    teams: { ops: { timeZone: 'UTC', defaultContact: 'lead@example.com' } },
    services: { jobs: { team: 'ops' } },
    heartbeats: Object.fromEntries(Array.from({ length: MONITORS }, (_, i) => [name(i), { service: 'jobs', intervalMinutes: 60 }])),
  });
  const secrets = new Map<string, string>();
  let calls = 0;
  const runtime = await startLocalRuntime({
    config,
    secrets,
    instrument: (_clients, { heartbeatChecker }) => {
      heartbeatChecker.dynamoDb.middlewareStack.add(
        (next) => async (args) => {
          calls++;
          return next(args);
        },
        { step: 'initialize', name: 'benchHeartbeatCalls' },
      );
    },
  });
  try {
    const url = (i: number) => `${runtime.apiUrl}/heartbeats/${name(i)}.${secrets.get(`heartbeat:${name(i)}`)}`;
    const ping = async (i: number) => {
      const res = await fetch(url(i % MONITORS));
      if (res.status !== 200) throw new Error(`ping answered ${res.status}`);
      await res.arrayBuffer();
    };
    const bare = bareWrite(runtime.clients.dynamoDb, runtime.deployment.tables.heartbeats);
    // Every monitor pinged once (so that each is in the due-time index), then both loops warmed up.
    await measure(MONITORS, ping);
    await measure(WARMUP, bare);
    const pingPhase = await measure(PINGS, ping);
    const barePhase = await measure(PINGS, bare);
    calls = 0;
    await runtime.checkHeartbeats();
    const checkerCalls = calls;
    const ratio = pingPhase.perSecond / barePhase.perSecond;
    const checks = [
      { floor: `pings >= ${FLOORS.pingRatio} of the bare conditional write`, ok: ratio >= FLOORS.pingRatio, value: ratio.toFixed(2) },
      { floor: `checker DynamoDB calls per minute <= ${FLOORS.checkerCallsPerMinute}`, ok: checkerCalls <= FLOORS.checkerCallsPerMinute, value: String(checkerCalls) },
    ];
    return { monitors: MONITORS, ping: pingPhase, bareConditionalWrite: barePhase, ratio, checkerCallsPerMinute: checkerCalls, checks };
  } finally {
    await runtime.stop();
  }
}

export function heartbeatLines(r: HeartbeatResults): string[] {
  return [
    '',
    `Heartbeats (${r.monitors.toLocaleString('en')} monitors, 16 clients)`,
    `  ping GET /heartbeats/<token>        ${r.ping.perSecond.toFixed(0)}/s, p50 ${r.ping.p50Ms.toFixed(2)} ms, p99 ${r.ping.p99Ms.toFixed(2)} ms`,
    `  bare conditional UpdateItem         ${r.bareConditionalWrite.perSecond.toFixed(0)}/s, p50 ${r.bareConditionalWrite.p50Ms.toFixed(2)} ms, p99 ${r.bareConditionalWrite.p99Ms.toFixed(2)} ms`,
    `  checker: ${r.checkerCallsPerMinute} DynamoDB call(s) per minute with every monitor pinged and none overdue`,
    ...r.checks.map(checkLine),
    '',
  ];
}

/** `npm run bench:heartbeats`: this benchmark alone. */
export const runHeartbeatBench = (): Promise<void> => runSection('heartbeats', benchHeartbeats, heartbeatLines);
