import { SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsDeadLetters } from '../../lambdas/adapters/sqs-dead-letters';
import type { Delivery } from '../../lambdas/domain/webhooks/webhook';
import { CliError } from '../../lib/cli-errors';
import { LOCAL_AWS } from '../../lib/local/local-aws';
import { cliRunner } from '../support/cli';
import { TEST_CONFIG_SOURCE, validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';

let system: TestSystem;
let dataDir: string;
let cli: ReturnType<typeof cliRunner>;

/** A config file holding TEST_CONFIG's source, with changes. */
function configFile(name: string, changes: Record<string, unknown> = {}): string {
  const file = join(dataDir, name);
  writeFileSync(file, JSON.stringify({ ...TEST_CONFIG_SOURCE, ...changes }));
  return file;
}

const raise = async (title: string) => (await system.request('PUT', '/incidents', { key: system.keys['athens-nagios']!, body: validEvent({ title }) })).body.number as number;

beforeAll(async () => {
  system = await startTestSystem();
  // What npm start leaves in its folder: the outputs, the env file, the generated secrets.
  dataDir = mkdtempSync(join(tmpdir(), 'inresponse-cli-'));
  writeFileSync(join(dataDir, 'outputs.json'), JSON.stringify(system.runtime.outputs));
  writeFileSync(join(dataDir, 'env'), `export INRESPONSE_URL=${system.runtime.apiUrl}\nexport RESPONDER_KEY=${system.keys.responders}\n`);
  writeFileSync(join(dataDir, 'api-keys.json'), JSON.stringify(system.keys));
  cli = cliRunner({ INRESPONSE_DATA_DIR: dataDir, INRESPONSE_BY: 'safeer@example.com' });
});
afterAll(async () => {
  await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npx inresponse against the local runtime', () => {
  it('config plan prints what the file would change and writes nothing; config apply writes it', async () => {
    const withKenji = configFile('kenji.json', { people: { kenji: { name: 'Kenji', email: 'kenji@example.com' } } });
    expect((await cli('config', 'plan', '--file', withKenji)).out).toEqual(['+ person kenji']);
    // As npm run config:plan took them before the CLI: the tables' prefix and a DynamoDB endpoint.
    const direct = ['--prefix', system.runtime.outputs.TablePrefix!, '--endpoint', system.runtime.dynamoDbEndpoint];
    expect((await cli('config', 'plan', '--file', withKenji, ...direct)).out).toEqual(['+ person kenji']);
    const applied = await cli('config', 'apply', '--file', withKenji);
    expect(applied.out).toEqual(['+ person kenji']);
    expect(applied.progress).toContainEqual(expect.stringMatching(/^ok: .*kenji\.json: 1 items written, 0 removed, \d+ unchanged$/));
    // Nothing of an earlier release to upgrade: the tables were written by this one.
    expect(applied.progress.at(-1)).toBe('ok: 0 item(s) of earlier releases upgraded');
    expect((await cli('config', 'apply', '--file', configFile('plain.json'))).out).toEqual(['- person kenji']);
  });

  it('incidents list, show, claim and resolve work through the API, and a refusal is an error naming its cause', async () => {
    const number = await raise('Disk full on db-1');
    const list = await cli('incidents', 'list', '--state', 'open');
    expect(list.out[0]).toMatch(/^#\s+STATE\s+SEV\s+SERVICE\s+TEAM\s+CREATED\s+TITLE$/);
    expect(list.out.find((line) => line.startsWith(`${number} `))).toMatch(/OPEN\s+CRIT\s+athens\s+devops\s+.*Disk full on db-1$/);
    const shown = await cli('incidents', 'show', String(number));
    expect(shown.out[0]).toBe(`#${number} OPEN CRIT high urgency: Disk full on db-1`);
    expect(shown.out).toContain('timeline:');
    expect(shown.out.some((line) => /^ {2}\S+ \S+Z {2}created {7}athens-nagios$/.test(line))).toBe(true);
    expect((await cli('incidents', 'claim', String(number))).out).toEqual([`#${number} CLAIMED, by safeer@example.com: Disk full on db-1`]);
    expect((await cli('incidents', 'resolve', String(number), '--by', 'manoj@example.com', '--note', 'disk grown')).out).toEqual([`#${number} RESOLVED, by manoj@example.com: Disk full on db-1`]);
    const refused = await cli('incidents', 'claim', String(number)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).message).toMatch(new RegExp(`^POST /incidents/${number}: 409 conflict .*RESOLVED`));
    expect(await cliRunner({ INRESPONSE_DATA_DIR: join(dataDir, 'nowhere') })('incidents', 'list').catch((error: CliError) => error.fix)).toMatch(/npm start/);
  });

  it('oncall shows the team, or every team, at an instant', async () => {
    const devops = await cli('oncall', 'devops', '--at', '2026-11-15T10:00:00Z');
    expect(devops.out[0]).toBe('on call at 2026-11-15 10:00:00Z');
    expect(devops.out.find((line) => /^devops {2}oncall /.test(line))).toMatch(/^devops {2}oncall {6}safeer@example\.com {2}2026-10-31 23:00:00Z to 2026-11-30 23:00:00Z {2}layer calendar$/);
    const everyone = await cli('oncall', '--at', '2026-11-15T10:00:00Z', '--json');
    expect(JSON.parse(everyone.out[0]!).teams.map((t: { team: string }) => t.team).sort()).toEqual(['devops', 'search']);
  });

  it('dlq list decodes each dead letter with its reason; dlq redrive sends it again and keeps what fails again', async () => {
    const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: system.runtime.sqsEndpoint });
    const deadLetters = new SqsDeadLetters(sqs, system.runtime.webhookDeadLetterQueueUrl);
    const delivery = (n: number, path: string): Delivery => ({
      deliveryId: `incident-${n}-created.chat`,
      webhook: 'chat',
      url: `${system.runtime.webhookReceiverUrl}${path}`,
      type: 'created',
      incidentNumber: n,
      service: 'athens',
      body: JSON.stringify({ id: `incident-${n}-created.chat` }),
    });
    await deadLetters.send(delivery(7, '/hooks/fixed'), 'HTTP 404');
    await deadLetters.send(delivery(8, '/hooks/gone'), 'HTTP 410');
    sqs.destroy();
    const listed = await cli('dlq', 'list');
    expect(listed.out[0]).toBe('webhook-deliveries: 2 message(s)   (webhook-deliveries, sent again to announcer)');
    expect(listed.out.slice(1).map((line) => line.replace(/^ {2}\S+ {2}\S+ \S+Z {2}/, ''))).toEqual([
      `created of incident 7 to webhook chat (${system.runtime.webhookReceiverUrl}/hooks/fixed)  reason: HTTP 404`,
      `created of incident 8 to webhook chat (${system.runtime.webhookReceiverUrl}/hooks/gone)  reason: HTTP 410`,
    ]);

    await fetch(`${system.runtime.webhookReceiverUrl}/control/answers`, { method: 'POST', body: JSON.stringify({ path: '/hooks/gone', status: 410, times: 1 }) });
    const redrive = await cli('dlq', 'redrive').catch((error: unknown) => error);
    expect((redrive as CliError).message).toBe('1 message(s) failed again and stay in their queue');
    expect((await cli('dlq', 'list')).out).toEqual([
      'webhook-deliveries: 1 message(s)   (webhook-deliveries, sent again to announcer)',
      expect.stringMatching(/created of incident 8 .* reason: HTTP 410$/),
    ]);
    const { messages } = (await (await fetch(`${system.runtime.webhookReceiverUrl}/messages`)).json()) as { messages: { path: string }[] };
    expect(messages.map((m) => m.path).sort()).toEqual(['/hooks/fixed', '/hooks/gone']);
    expect((await cli('dlq', 'redrive')).out).toEqual([expect.stringMatching(/^sent {2}webhook-deliveries {2}created of incident 8 /)]);
  });

  it('keys rotate prints a new secret once, which works at once, and keeps it in the local files', async () => {
    const old = system.keys['argos-prometheus']!;
    const rotated = await cli('keys', 'rotate', 'argos-prometheus', '--file', configFile('keys.json'));
    const secret = /^API key argos-prometheus \(integration, service argos\): (irk_\S+)$/.exec(rotated.out[0]!)?.[1];
    expect(secret).toBeDefined();
    const argos = (key: string) => system.request('PUT', '/incidents', { key, body: validEvent({ service: 'argos', title: `rotated ${key.slice(0, 8)}` }) });
    expect((await argos(secret!)).status).toBe(201);
    expect((await argos(old)).status).toBe(401);
    expect(JSON.parse(readFileSync(join(dataDir, 'api-keys.json'), 'utf8'))['argos-prometheus']).toBe(secret);
    const fromEnv = configFile('secret-env.json', { apiKeys: { ...TEST_CONFIG_SOURCE.apiKeys, 'argos-prometheus': { role: 'integration', service: 'argos', secretEnv: 'ARGOS_KEY' } } });
    const refused = (await cli('keys', 'rotate', 'argos-prometheus', '--file', fromEnv).catch((error: unknown) => error)) as CliError;
    expect([refused.message, refused.fix]).toEqual([`API key argos-prometheus takes its secret from $ARGOS_KEY (${fromEnv})`, 'put a new secret of 32 characters or more in ARGOS_KEY, then run npx inresponse config apply']);
  });

  it('export writes the incidents created in the range with their timelines, as JSON Lines or CSV', async () => {
    const from = new Date().toISOString();
    const numbers = [await raise('Export one'), await raise('Export, "two"')];
    const to = new Date(Date.now() + 1000).toISOString();
    const file = join(dataDir, 'incidents.jsonl');
    const written = await cli('export', '--from', from, '--to', to, '--out', file);
    expect(written.progress.at(-1)).toBe(`ok: 2 incident(s) exported as jsonl to ${file}`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((i) => [i.number, i.title, i.timeline[0].type])).toEqual([
      [numbers[0], 'Export one', 'created'],
      [numbers[1], 'Export, "two"', 'created'],
    ]);
    const csv = (await cli('export', '--from', from, '--to', to, '--format', 'csv')).out;
    expect(csv[0]).toBe('number,service,team,severity,urgency,state,title,createdAt,createdBy,occurrences,claimedBy,claimedAt,resolvedBy,resolvedAt,entryAt,entryType,entryBy,entryTo,entryChannel,entryLevel,entryNote');
    expect(csv.find((row) => row.startsWith(`${numbers[1]},`))).toMatch(new RegExp(`^${numbers[1]},athens,devops,CRIT,high,OPEN,"Export, ""two""",.*,created,athens-nagios,,,,$`));
  });

  it('doctor checks what the local runtime has and says which checks need AWS', async () => {
    const report = (await cli('doctor')).out;
    expect(report[0]).toBe(`InResponse doctor: local runtime (${dataDir})`);
    expect(report.slice(1, 4)).toEqual([
      expect.stringMatching(/^ok {4}API answers {15}http:\/\/127\.0\.0\.1:\d+\/incidents answers the responder key$/),
      expect.stringMatching(/^ok {4}tables {20}8 tables t\w+-\* active$/),
      'ok    dead letters: webhook-deliveries  empty',
    ]);
    expect(report.slice(4)).toEqual(expect.arrayContaining([expect.stringMatching(/^skip {2}SES sending identity +needs AWS: npx inresponse doctor --stack <name>$/), expect.stringMatching(/^skip {2}canary +needs AWS/)]));
  });

  it('runs as npx inresponse, from the package.json bin', async () => {
    const { stdout } = await promisify(execFile)('npx', ['inresponse', 'oncall', 'devops', '--at', '2026-11-15T10:00:00Z'], {
      env: { ...process.env, INRESPONSE_DATA_DIR: dataDir, npm_config_update_notifier: 'false' },
    });
    expect(stdout.split('\n')[0]).toBe('on call at 2026-11-15 10:00:00Z');
  });
});
