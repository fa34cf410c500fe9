/**
 * `npm run bench`: the incident API's and inbound email's throughput and latency on this machine, against
 * the local runtime, with 16 concurrent clients. Absolute rates depend on the machine, so each is also given as a ratio of the
 * bare SDK loop it cannot beat, measured in the same run on the same DynamoDB Local. Prints a table and
 * writes JSON under bench/results/.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN'; // one log line per request would bury the table
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { executionArnOf } from '../../lambdas/adapters/sfn-escalations';
import { tableNames } from '../../lambdas/config/tables';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import type { AwsClients } from '../../lambdas/composition';
import { startLocalRuntime } from '../../lib/local/runtime';
import { TEST_CONFIG, validEvent } from '../support/fixtures';
import { requestJson } from '../support/harness';
import { sentEmails } from '../support/mailbox';
import { benchMessage } from './bench-message';
import { benchBundles, bundleLines, runBundleBench } from './bundles';
import { benchSchedules, runScheduleBench, scheduleLines } from './schedules';
import { benchChannels, channelLines, runChannelBench } from './channels';
import { benchHeartbeats, heartbeatLines, runHeartbeatBench } from './heartbeats';
import { runStatusPageBench } from './status-pages';
import { runHealthBench } from './health';
import type { HttpLoad, LoadRequest } from './load-client';
import { CONCURRENCY, measure, type Phase, checkLine } from './measure';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 2500);
const NEW_INCIDENTS = 2000;
const REPEATS = 6000;
const PAGED_INCIDENTS = 250;
const MAIL_MESSAGES = 1000;
const STORM_EVENTS = 10_000;
const PAGED_MAILS = 100;
const FLOORS = { stormRatio: 0.5, repeatRatio: 0.6, newRatio: 0.5, repeatCalls: 2, repeatWrites: 1, newCalls: 3, newStarts: 1, pageP50Ms: 15, pageP99Ms: 60, transitionsPerLevel: 4 };

/** The test configuration plus a team whose two levels fire at once, to run whole escalations quickly. */
const BENCH_CONFIG = onCallConfigSchema.parse({
  ...TEST_CONFIG,
  teams: {
    ...TEST_CONFIG.teams,
    // The throughput phases raise on this team: its escalations freeze their matrix and wait, so that the
    // notifier's sends (another Lambda in AWS) do not share this machine's cores with the API under test.
    later: {
      timeZone: 'UTC',
      defaultContact: 'later-lead@example.com',
      escalation: { levels: [{ delayMinutes: 60, targets: ['oncall'] }] },
    },
    fast: {
      timeZone: 'UTC',
      defaultContact: 'fast-lead@example.com',
      escalation: { levels: [{ targets: ['oncall'] }, { delayMinutes: 0, targets: ['escalation'] }] },
    },
  },
  services: { ...TEST_CONFIG.services, quick: { team: 'fast' }, bulk: { team: 'later' } },
  apiKeys: { ...TEST_CONFIG.apiKeys, 'quick-key': { role: 'integration', service: 'quick' }, 'bulk-key': { role: 'integration', service: 'bulk' } },
});

/** An Alertmanager notification of one firing alert. */
const stormPayload = (fingerprint: string) => ({
  version: '4',
  status: 'firing',
  receiver: 'inresponse',
  groupKey: `{}:{alertname="Storm"}`,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'Storm', severity: 'critical', instance: 'api-1:9090' },
      annotations: { summary: 'error rate above 5%' },
      startsAt: '2026-11-24T10:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint,
    },
  ],
});

/** Latency percentiles of a list of milliseconds. */
function percentiles(values: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Runs one phase of HTTP load in the sender process. */
function sendLoad(sender: ChildProcess, request: LoadRequest): Promise<Phase> {
  return new Promise((resolve, reject) => {
    sender.once('message', (reply: { phase?: Phase; error?: string }) => (reply.phase ? resolve(reply.phase) : reject(new Error(reply.error))));
    sender.send(request);
  });
}

/**
 * Counts SDK calls by client and command with a middleware, as the SDK sends them (retries not counted).
 * Reads of the services and config tables are the cached directory lookups (service, API key, the webhooks):
 * counted apart, as refreshes of those caches.
 */
function countCalls(clients: AwsClients, directoryTables: readonly string[]) {
  const counts = { dynamoDb: new Map<string, number>(), sfn: new Map<string, number>() };
  const counting =
    (map: Map<string, number>) =>
    <I, O>(next: (args: I) => Promise<O>, context: { commandName?: string }) =>
    (args: I) => {
      const table = (args as { input?: { TableName?: string } }).input?.TableName ?? '';
      const cached = (context.commandName === 'GetItemCommand' || context.commandName === 'ScanCommand') && directoryTables.includes(table);
      const name = cached ? 'directory refresh' : context.commandName!;
      map.set(name, (map.get(name) ?? 0) + 1);
      return next(args);
    };
  const options = { step: 'initialize', name: 'benchCallCounter' } as const;
  clients.dynamoDb.middlewareStack.add(counting(counts.dynamoDb), options);
  clients.sfn.middlewareStack.add(counting(counts.sfn), options);
  const total = (map: Map<string, number>, filter: (command: string) => boolean = () => true) =>
    [...map].filter(([command]) => filter(command)).reduce((sum, [, n]) => sum + n, 0);
  return {
    reset: () => {
      counts.dynamoDb.clear();
      counts.sfn.clear();
    },
    dynamoDbCalls: () => total(counts.dynamoDb, (c) => c !== 'directory refresh'),
    dynamoDbWrites: () => total(counts.dynamoDb, (c) => /Put|Update|Delete|TransactWrite|BatchWrite/.test(c)),
    starts: () => total(counts.sfn, (c) => c === 'StartExecutionCommand'),
    byCommand: () => Object.fromEntries(counts.dynamoDb),
  };
}

/** The bare loop a repeat cannot beat: one conditional UpdateItem on one item. */
function bareRepeat(db: DynamoDBClient, table: string) {
  return () =>
    db.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { incidentId: { N: '1' } },
        UpdateExpression: 'SET occurrences = if_not_exists(occurrences, :zero) + :one',
        ConditionExpression: 'attribute_not_exists(incidentId) OR occurrences >= :zero',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':zero': { N: '0' } },
      }),
    );
}

/** The next number of a bench-only counter, offset clear of the numbers of real incidents. */
async function bareNumber(db: DynamoDBClient, table: string, counter: string, offset: number): Promise<string> {
  const { Attributes } = await db.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { configkey: { S: counter } },
      UpdateExpression: 'ADD currentId :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return String(Number(Attributes!.currentId!.N) + offset);
}

/** An incident item with the indexed attributes and the size of a real one. */
function bareIncidentItem(number: string) {
  const event = validEvent();
  return {
    incidentId: { N: number },
    service: { S: 'bare' },
    state: { S: 'BARE' },
    serviceState: { S: 'bare#BARE' },
    title: { S: event.title },
    message: { S: event.message },
    detectedAt: { S: event.detectedAt },
  };
}

/** The bare loop a new incident cannot beat: the counter update plus the incident write. */
function bareNew(db: DynamoDBClient, tables: { config: string; incidents: string }) {
  return async () => {
    const number = await bareNumber(db, tables.config, 'bareCounter', 900_000_000);
    await db.send(new PutItemCommand({ TableName: tables.incidents, Item: bareIncidentItem(number) }));
  };
}

/**
 * Not a floor, for understanding: the bare calls of a duplicate-free create, as the API makes them: the
 * dedup lock read, the counter update, and the incident with its lock in one TransactWriteItems.
 */
function bareAtomicNew(db: DynamoDBClient, tables: { config: string; incidents: string; dedup: string }) {
  return async () => {
    const number = await bareNumber(db, tables.config, 'bareAtomicCounter', 800_000_000);
    const lock = { dedupId: { S: `bare#${number}` } };
    await db.send(new GetItemCommand({ TableName: tables.dedup, Key: lock, ConsistentRead: true }));
    await db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: tables.dedup, Item: { ...lock, incidentId: { N: number } }, ConditionExpression: 'attribute_not_exists(dedupId)' } },
          { Put: { TableName: tables.incidents, Item: bareIncidentItem(number), ConditionExpression: 'attribute_not_exists(incidentId)' } },
        ],
      }),
    );
  };
}

async function main(): Promise<void> {
  // The bundles first, while nothing else runs on the machine.
  process.stdout.write('synthesising and loading the Lambda bundles...\n');
  const bundles = benchBundles();
  process.stdout.write('measuring schedules...\n');
  const schedules = await benchSchedules();
  const channels = await benchChannels();
  const heartbeats = await benchHeartbeats();
  const secrets = new Map<string, string>();
  let counter: ReturnType<typeof countCalls> | undefined;
  /** When the SES API accepted each incident's first page (performance.now()), by incident number. */
  const firstPageAt = new Map<number, number>();
  /** When the SMTP listener saw the end of the latest message's DATA (performance.now()). */
  let dataEndedAt = 0;
  const runtime = await startLocalRuntime({
    config: BENCH_CONFIG,
    secrets,
    onSmtpDataEnd: () => (dataEndedAt = performance.now()),
    instrument: (clients) => {
      const tables = tableNames('inresponse');
      counter = countCalls(clients, [tables.services, tables.config]);
      clients.ses.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const subject = (args.input as { Content?: { Simple?: { Subject?: { Data?: string } } } }).Content?.Simple?.Subject?.Data ?? '';
          const number = Number(/#(\d+) /.exec(subject)?.[1]);
          if (!firstPageAt.has(number)) firstPageAt.set(number, performance.now());
          return result;
        },
        { step: 'initialize', name: 'benchPageClock' },
      );
    },
  });
  const calls = counter!;
  const key = secrets.get('athens-nagios')!;
  const bulkKey = secrets.get('bulk-key')!;
  const db = runtime.clients.dynamoDb;
  const sender = fork(new URL('./load-client.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
  const load = (operations: number, titles: HttpLoad['titles'], label: string) =>
    sendLoad(sender, { kind: 'http', url: runtime.apiUrl, key: bulkKey, service: 'bulk', operations, titles, label, expectStatus: titles === 'unique' ? 201 : 200 });
  try {
    // Warm up the JIT of both sides, and the per-instance caches of service and key, as a warm Lambda has.
    process.stdout.write('warming up...\n');
    await load(WARMUP, 'unique', 'warm-up');
    await load(WARMUP, 'repeated', 'warm-up 0');
    await measure(WARMUP, bareRepeat(db, runtime.deployment.tables.incidents));
    await measure(WARMUP, bareNew(db, runtime.deployment.tables));
    await measure(WARMUP, bareAtomicNew(db, runtime.deployment.tables));

    process.stdout.write('measuring...\n');
    const bareRepeatPhase = await measure(REPEATS, bareRepeat(db, runtime.deployment.tables.incidents));
    const bareNewPhase = await measure(NEW_INCIDENTS, bareNew(db, runtime.deployment.tables));
    const bareAtomicNewPhase = await measure(NEW_INCIDENTS, bareAtomicNew(db, runtime.deployment.tables));

    calls.reset();
    const newPhase = await load(NEW_INCIDENTS, 'unique', 'bench');
    const newCalls = { dynamoDb: calls.dynamoDbCalls() / NEW_INCIDENTS, writes: calls.dynamoDbWrites() / NEW_INCIDENTS, starts: calls.starts() / NEW_INCIDENTS, byCommand: calls.byCommand() };

    const first = await requestJson(runtime.apiUrl, 'PUT', '/incidents', { key: bulkKey, body: validEvent({ service: 'bulk', title: 'the repeated event' }) });
    calls.reset();
    const repeatPhase = await load(REPEATS, 'repeated', 'the repeated event');
    const repeatCalls = { dynamoDb: calls.dynamoDbCalls() / REPEATS, writes: calls.dynamoDbWrites() / REPEATS, starts: calls.starts() / REPEATS, byCommand: calls.byCommand() };
    const counted = await requestJson(runtime.apiUrl, 'GET', `/incidents/${first.body.number}`, { key: secrets.get('responders')! });
    const exact = counted.body.occurrences === REPEATS + 1;

    // Escalation: one incident at a time, to its first page held by the SES API; from the moment the API
    // accepted the incident (its createdAt, stamped just before it is stored), and from the PUT being sent.
    const fromAccepted: number[] = [];
    const fromSent: number[] = [];
    for (let i = 0; i < PAGED_INCIDENTS; i++) {
      const sentAt = Date.now();
      const sent = performance.now();
      const res = await requestJson(runtime.apiUrl, 'PUT', '/incidents', { key, body: validEvent({ title: `paged ${i}` }) });
      while (!firstPageAt.has(res.body.number)) await new Promise((resolve) => setImmediate(resolve));
      const pagedAt = firstPageAt.get(res.body.number)!;
      fromSent.push(pagedAt - sent);
      // Wall-clock time of the page: the performance clock's reading mapped onto Date's, via the send.
      fromAccepted.push(sentAt + (pagedAt - sent) - Date.parse(res.body.createdAt));
    }
    const page = percentiles(fromAccepted);
    const pageFromSent = percentiles(fromSent);

    // Whole escalations of the two-level team, counted in state transitions as Step Functions bills them.
    const quick = secrets.get('quick-key')!;
    const escalated: number[] = [];
    for (let i = 0; i < 20; i++) {
      escalated.push((await requestJson(runtime.apiUrl, 'PUT', '/incidents', { key: quick, body: validEvent({ service: 'quick', title: `whole ${i}` }) })).body.number);
    }
    const transitions: number[] = [];
    for (const number of escalated) {
      const executionArn = executionArnOf(runtime.deployment.escalationStateMachineArn, number);
      while ((await runtime.clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { events } = await runtime.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      transitions.push(events!.length);
    }
    const levels = BENCH_CONFIG.teams.fast!.escalation.levels.length;
    const transitionsPerLevel = Math.max(...transitions) / levels;

    // Email: messages through SMTP to incidents, on the team whose escalations wait (as for the API phases).
    const responders = secrets.get('responders')!;
    const newestNumber = async (service: string) =>
      (await requestJson(runtime.apiUrl, 'GET', `/incidents?service=${service}&limit=1`, { key: responders })).body.items[0]?.number as number;
    const mailLoad = (operations: number, label: string) =>
      sendLoad(sender, { kind: 'smtp', port: runtime.smtpPort, to: `bulk@${runtime.inboundDomain}`, operations, label });
    await mailLoad(Math.ceil(WARMUP / 5), 'mail warm-up');
    const beforeMail = await newestNumber('bulk');
    const mailPhase = await mailLoad(MAIL_MESSAGES, 'mail bench');
    const mailIncidents = (await newestNumber('bulk')) - beforeMail;

    // Email to first page, one message at a time: from the end of its SMTP DATA to the page held by the SES API.
    const mailer = (await import('nodemailer')).default.createTransport({ host: '127.0.0.1', port: runtime.smtpPort, secure: false, ignoreTLS: true });
    const fromDataEnd: number[] = [];
    for (let i = 0; i < PAGED_MAILS; i++) {
      const to = `athens+crit@${runtime.inboundDomain}`;
      await mailer.sendMail({ envelope: { from: 'cto@customer.example', to }, raw: benchMessage(to, `mail paged ${i}`, `bench-paged-${Date.now()}-${i}`) });
      const number = await newestNumber('athens');
      while (!firstPageAt.has(number)) await new Promise((resolve) => setImmediate(resolve));
      fromDataEnd.push(firstPageAt.get(number)! - dataEndedAt);
    }
    mailer.close();
    const mailPage = percentiles(fromDataEnd);

    // A storm: one Alertmanager alert POSTed 10,000 times by 16 concurrent senders, to a team that pages at once.
    const stormUrl = (fingerprint: string) => ({
      url: `${runtime.apiUrl}/integrations/alertmanager/${key}`,
      body: JSON.stringify(stormPayload(fingerprint)),
    });
    await sendLoad(sender, { kind: 'webhook', ...stormUrl('storm-warm-up'), operations: WARMUP, expectStatus: 200 });
    const beforeStorm = await newestNumber('athens');
    const stormPhase = await sendLoad(sender, { kind: 'webhook', ...stormUrl('storm'), operations: STORM_EVENTS, expectStatus: 200 });
    // Numbers are not gap-free (a create that loses the race leaves its number unused): count the incidents.
    const { items: afterStorm } = (await requestJson(runtime.apiUrl, 'GET', '/incidents?service=athens&limit=100', { key: responders })).body as { items: { number: number }[] };
    const stormIncidents = afterStorm.filter((i) => i.number > beforeStorm).length;
    const stormNumber = afterStorm[0]!.number;
    while (!firstPageAt.has(stormNumber)) await new Promise((resolve) => setTimeout(resolve, 10));
    const stormPages = (await sentEmails(runtime.sesUrl)).filter((e) => e.subject.includes(`#${stormNumber} `)).length;
    const stormOccurrences = (await requestJson(runtime.apiUrl, 'GET', `/incidents/${stormNumber}`, { key: responders })).body.occurrences as number;
    const stormRatio = stormPhase.perSecond / bareRepeatPhase.perSecond;

    const ratios = {
      repeat: repeatPhase.perSecond / bareRepeatPhase.perSecond,
      new: newPhase.perSecond / bareNewPhase.perSecond,
      newVsAtomic: newPhase.perSecond / bareAtomicNewPhase.perSecond,
    };
    const checks = [
      { floor: `repeats >= ${FLOORS.repeatRatio} of bare loop`, ok: ratios.repeat >= FLOORS.repeatRatio, value: ratios.repeat.toFixed(2) },
      { floor: `new incidents >= ${FLOORS.newRatio} of bare loop`, ok: ratios.new >= FLOORS.newRatio, value: ratios.new.toFixed(2) },
      { floor: `DynamoDB calls per repeat <= ${FLOORS.repeatCalls}`, ok: repeatCalls.dynamoDb <= FLOORS.repeatCalls, value: repeatCalls.dynamoDb.toFixed(2) },
      { floor: `DynamoDB writes per repeat <= ${FLOORS.repeatWrites}`, ok: repeatCalls.writes <= FLOORS.repeatWrites, value: repeatCalls.writes.toFixed(2) },
      { floor: `DynamoDB calls per new incident <= ${FLOORS.newCalls}`, ok: newCalls.dynamoDb <= FLOORS.newCalls, value: newCalls.dynamoDb.toFixed(2) },
      { floor: `StartExecution per new incident <= ${FLOORS.newStarts}`, ok: newCalls.starts <= FLOORS.newStarts, value: newCalls.starts.toFixed(2) },
      { floor: `every repeat counted (occurrences = ${REPEATS + 1})`, ok: exact, value: String(counted.body.occurrences) },
      { floor: `PUT accepted to first page p50 <= ${FLOORS.pageP50Ms} ms`, ok: page.p50Ms <= FLOORS.pageP50Ms, value: page.p50Ms.toFixed(2) },
      { floor: `PUT accepted to first page p99 <= ${FLOORS.pageP99Ms} ms`, ok: page.p99Ms <= FLOORS.pageP99Ms, value: page.p99Ms.toFixed(2) },
      { floor: `state transitions per level <= ${FLOORS.transitionsPerLevel}`, ok: transitionsPerLevel <= FLOORS.transitionsPerLevel, value: transitionsPerLevel.toFixed(2) },
      { floor: `one incident per message (${MAIL_MESSAGES})`, ok: mailIncidents === MAIL_MESSAGES, value: String(mailIncidents) },
      { floor: `storm events >= ${FLOORS.stormRatio} of bare loop`, ok: stormRatio >= FLOORS.stormRatio, value: stormRatio.toFixed(2) },
      { floor: 'storm: one incident', ok: stormIncidents === 1, value: String(stormIncidents) },
      { floor: 'storm: one page', ok: stormPages === 1, value: String(stormPages) },
      { floor: `storm: occurrences = ${STORM_EVENTS}`, ok: stormOccurrences === STORM_EVENTS, value: String(stormOccurrences) },
    ];

    const row = (name: string, p: Phase) =>
      `${name.padEnd(34)}${p.perSecond.toFixed(0).padStart(9)}${p.p50Ms.toFixed(2).padStart(10)}${p.p99Ms.toFixed(2).padStart(10)}${String(p.operations).padStart(8)}`;
    const lines = [
      '',
      `InResponse incident API, local runtime, ${CONCURRENCY} concurrent clients in a separate sender process (node ${process.version})`,
      '',
      `${'operation'.padEnd(34)}${'ops/s'.padStart(9)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'ops'.padStart(8)}`,
      row('PUT new incident', newPhase),
      row('  bare: counter update + put', bareNewPhase),
      row('  bare: read + counter + transact', bareAtomicNewPhase),
      row('PUT repeated event (dedup)', repeatPhase),
      row('  bare: one conditional update', bareRepeatPhase),
      row('SMTP message to incident', mailPhase),
      row('Alertmanager storm (one alert)', stormPhase),
      '',
      `per new incident: ${newCalls.dynamoDb.toFixed(3)} DynamoDB calls (${newCalls.writes.toFixed(2)} writes), ${newCalls.starts.toFixed(2)} StartExecution  ${JSON.stringify(newCalls.byCommand)}`,
      `first page held by the SES API, one incident at a time (${PAGED_INCIDENTS}): from accepted p50 ${page.p50Ms.toFixed(2)} ms, p99 ${page.p99Ms.toFixed(2)} ms; from PUT sent p50 ${pageFromSent.p50Ms.toFixed(2)} ms, p99 ${pageFromSent.p99Ms.toFixed(2)} ms`,
      `state transitions per whole ${levels}-level escalation: ${Math.max(...transitions)} (${transitionsPerLevel.toFixed(2)} per level)`,
      `email: ${mailPhase.perSecond.toFixed(0)} messages/s through SMTP to incidents (${mailIncidents} incidents for ${MAIL_MESSAGES} messages); end of DATA to first page held by the SES API, one at a time (${PAGED_MAILS}): p50 ${mailPage.p50Ms.toFixed(2)} ms, p99 ${mailPage.p99Ms.toFixed(2)} ms`,
      `per repeat:       ${repeatCalls.dynamoDb.toFixed(3)} DynamoDB calls (${repeatCalls.writes.toFixed(2)} writes), ${repeatCalls.starts.toFixed(2)} StartExecution  ${JSON.stringify(repeatCalls.byCommand)}`,
      '',
      ...checks.map(checkLine),
      `info  new incidents / bare read + counter + transact      ${ratios.newVsAtomic.toFixed(2)}`,
      `info  bare read + counter + transact / bare counter + put ${(bareAtomicNewPhase.perSecond / bareNewPhase.perSecond).toFixed(2)}`,
      '',
    ];
    process.stdout.write([...lines, ...bundleLines(bundles), ...scheduleLines(schedules), ...channelLines(channels), ...heartbeatLines(heartbeats)].join('\n'));

    const results = {
      at: new Date().toISOString(),
      node: process.version,
      concurrency: CONCURRENCY,
      phases: { newIncident: newPhase, bareNew: bareNewPhase, bareAtomicNew: bareAtomicNewPhase, repeat: repeatPhase, bareRepeat: bareRepeatPhase },
      ratios,
      callsPerNewIncident: newCalls,
      callsPerRepeat: repeatCalls,
      firstPage: { incidents: PAGED_INCIDENTS, fromAccepted: page, fromSent: pageFromSent },
      storm: { phase: stormPhase, ratio: stormRatio, incidents: stormIncidents, pages: stormPages, occurrences: stormOccurrences },
      email: { phase: mailPhase, incidents: mailIncidents, firstPageFromDataEnd: { messages: PAGED_MAILS, ...mailPage } },
      transitionsPerLevel,
      checks,
      bundles,
      schedules,
      channels,
      heartbeats,
    };
    mkdirSync('bench/results', { recursive: true });
    const file = `bench/results/incident-api-${results.at.replace(/[:.]/g, '-')}.json`;
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`written to ${file}\n`);
    if ([...checks, ...bundles.checks, ...schedules.checks, ...channels.checks, ...heartbeats.checks].some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    sender.kill();
    await runtime.stop();
  }
}

const sections: Readonly<Record<string, () => void | Promise<void>>> = { bundles: runBundleBench, schedules: runScheduleBench, channels: runChannelBench, heartbeats: runHeartbeatBench, status: runStatusPageBench, health: runHealthBench };
// Metrics are EMF lines on stdout, as under npm start: they would bury the tables and cost the runs time.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
Promise.resolve().then(sections[process.argv[2] ?? ''] ?? main).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
