import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ENV, RAW_MAIL_KEY_PREFIX } from '../../lambdas/config/env';
import type { EmailToAlertHandler } from '../../lambdas/handlers/email-to-alert';
import { LOCAL_MAIL_BUCKET } from '../../lib/local/runtime';
import { LOCAL_VERDICTS, sesReceiptEvent } from '../../lib/local/ses-receipt-event';
import { API_ROUTES } from '../../lambdas/config/routes';
import { TABLE_ENV, TABLE_IDS } from '../../lambdas/config/tables';
import type { ApiHandler } from '../../lambdas/http/api';
import { HttpGateway } from '../../lib/local/http-gateway';
import { DynamoIncidentRepository } from '../../lambdas/adapters/dynamo-incident-repository';
import { documentClient } from '../../lambdas/composition';
import { openIncident } from '../../lambdas/domain/incident/incident';
import { validEvent, withoutEscalation } from '../support/fixtures';
import { sentEmails } from '../support/mailbox';
import { requestJson, startTestSystem, type TestSystem } from '../support/harness';

const outdir = mkdtempSync(join(tmpdir(), 'inresponse-synth-'));
type SynthesisedTemplate = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
let template: SynthesisedTemplate;
let system: TestSystem;
let gateway: HttpGateway;
let url: string;

/** Node's own import() (see native-import.cjs), not the test runner's, which would transform the bundle. */
const nativeImport = createRequire(import.meta.url)('./native-import.cjs') as (specifier: string) => Promise<unknown>;

/** The bundled handler of a function, as Lambda loads it: the ES module index.mjs of its asset, imported. */
async function loadBundle(template: SynthesisedTemplate, functionId: string): Promise<ApiHandler> {
  const [, fn] = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.includes(functionId))!;
  const assetHash = ((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
  const bundle = join(outdir, `asset.${assetHash}`, 'index.mjs');
  return ((await nativeImport(pathToFileURL(bundle).href)) as { handler: ApiHandler }).handler;
}

/**
 * Secrets Manager has no emulator here: this answers the one call the bundles make, GetSecretValue of the
 * link secret, in the AWS JSON 1.1 protocol.
 */
async function startSecretsManagerStub(secrets: Record<string, string>): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: secrets[SecretId] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

let secretsManager: { url: string; close: () => void };
let emailToAlert: EmailToAlertHandler;
/** An SMS pool, so that the synthesis builds every function, SMS replies included. */
const SMS_POOL_ARN = 'arn:aws:sms-voice:us-east-1:123456789012:pool/pool-bundle';
const BUNDLE_INBOUND_DOMAIN = 'oncall.bundle.example.com';
let notifier: (step: { incidentId: number; team?: string }) => Promise<{ incidentId: number; done: boolean; waitUntil?: string }>;

beforeAll(async () => {
  // `npm run synth` does the same: the cdk CLI with cdk.json's app, no AWS account or network needed.
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-c', `inboundDomain=${BUNDLE_INBOUND_DOMAIN}`, '-c', `smsOriginationIdentity=${SMS_POOL_ARN}`, '-o', outdir], {
    stdio: 'pipe',
    timeout: 120_000,
  });
  template = JSON.parse(readFileSync(join(outdir, 'InResponse.template.json'), 'utf8')) as SynthesisedTemplate;

  system = await startTestSystem();
  secretsManager = await startSecretsManagerStub({ 'link-secret': 'bundle-test-link-secret' });
  const { tables, escalationStateMachineArn, announcementStateMachineArn, statusPageRenderStateMachineArn } = system.runtime.deployment;
  Object.assign(process.env, {
    ...Object.fromEntries(TABLE_IDS.map((id) => [TABLE_ENV[id], tables[id]])),
    [ENV.escalationStateMachineArn]: escalationStateMachineArn,
    [ENV.announcementStateMachineArn]: announcementStateMachineArn,
    [ENV.statusPageRenderStateMachineArn]: statusPageRenderStateMachineArn,
    AWS_ENDPOINT_URL_DYNAMODB: system.runtime.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SFN: system.runtime.sfnEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
    [ENV.linkSecretArn]: 'link-secret',
    AWS_ENDPOINT_URL_SESV2: system.runtime.sesUrl,
    [ENV.senderAddress]: 'oncall@bundle.example.com',
    [ENV.publicApiUrl]: 'https://incidents.example.com',
    [ENV.inboundDomain]: BUNDLE_INBOUND_DOMAIN,
    [ENV.inboundBucket]: LOCAL_MAIL_BUCKET,
    [ENV.inboundKeyPrefix]: RAW_MAIL_KEY_PREFIX,
    // An IP address as endpoint: the SDK addresses the bucket in the path, as the local S3 wants.
    AWS_ENDPOINT_URL_S3: system.runtime.s3Endpoint,
    AWS_REGION: 'us-east-1',
    // The local S3 checks signatures against its own key; DynamoDB Local (shared) and the rest take any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  gateway = new HttpGateway(API_ROUTES, {
    incidentProcessor: await loadBundle(template, 'incidentProcessor'),
    incidentQuery: await loadBundle(template, 'incidentQuery'),
    integrations: await loadBundle(template, 'integrations'),
  });
  url = await gateway.listen();
  notifier = (await loadBundle(template, 'notifier')) as unknown as typeof notifier;
  emailToAlert = (await loadBundle(template, 'emailToAlert')) as unknown as EmailToAlertHandler;
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  secretsManager?.close();
  await system?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

describe('the synthesised Lambda bundles', () => {
  it('page the on-call from the notifier bundle, with links to the public API', async () => {
    // Stored directly, so that no local execution escalates it beside the bundle.
    const incident = openIncident({ ...validEvent(), severity: 'CRIT', title: 'bundled page' }, 990001, 'devops', 'test', new Date());
    await new DynamoIncidentRepository(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables).create(incident, 'bundle#lock');
    const step = await notifier({ incidentId: 990001, team: 'devops' });
    expect(step).toMatchObject({ incidentId: 990001, done: false, waitUntil: expect.any(String) });
    const [page] = (await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.includes('#990001 '));
    // Today's on-call of the test calendar (November 2026), or the default contact on any other day.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    expect(page!.to).toEqual([today.startsWith('2026-11-') ? 'safeer@example.com' : 'devops-lead@example.com']);
    expect(page!.text).toContain('https://incidents.example.com/actions/');
  });

  it('raise, read and resolve incidents against the emulators, configured only by their environment', async () => {
    const created = await requestJson(url, 'PUT', '/incidents', { key: system.keys['athens-nagios']!, body: validEvent() });
    expect(created.status).toBe(201);
    const read = await requestJson(url, 'GET', `/incidents/${created.body.number}`, { key: system.keys.responders! });
    expect(withoutEscalation(read.body)).toEqual(withoutEscalation(created.body));
    const resolved = await requestJson(url, 'POST', `/incidents/${created.body.number}`, {
      key: system.keys.responders!,
      body: { action: 'resolve', by: 'safeer' },
    });
    expect(resolved.body.state).toBe('RESOLVED');
  });

  it('turn raw mail in the bucket into an incident from the email-to-alert bundle (MIME decoding bundled)', async () => {
    const raw = Buffer.from(
      [
        'From: =?ISO-8859-1?Q?Andr=E9?= <andre@customer.example>',
        `To: athens+crit@${BUNDLE_INBOUND_DOMAIN}`,
        'Subject: =?ISO-8859-1?Q?Caf=E9_en_panne?=',
        'Message-ID: <bundle-1@customer.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'La caf=E9t=E9ria ne r=E9pond plus.',
      ].join('\r\n'),
    );
    const s3 = new S3Client({ endpoint: system.runtime.s3Endpoint, region: 'us-east-1' });
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: `${RAW_MAIL_KEY_PREFIX}bundle-ses-1`, Body: raw }));
    s3.destroy();
    const envelope = { mailFrom: 'andre@customer.example', recipients: [`athens+crit@${BUNDLE_INBOUND_DOMAIN}`] };
    const event = sesReceiptEvent({ raw, envelope, messageId: 'bundle-ses-1', receivedAt: new Date(), verdicts: LOCAL_VERDICTS, functionArn: 'email-to-alert' });
    const [outcome] = await emailToAlert(event);
    expect(outcome).toMatchObject({ outcome: 'created', service: 'athens' });
    const read = await requestJson(url, 'GET', `/incidents/${outcome!.incidentNumber}`, { key: system.keys.responders! });
    expect(read.body).toMatchObject({ severity: 'CRIT', title: 'Café en panne', message: 'La cafétéria ne répond plus.' });
  });

  it('take a PagerDuty event through the integrations bundle', async () => {
    const trigger = await requestJson(url, 'POST', '/v2/enqueue', {
      body: { routing_key: system.keys['athens-nagios']!, event_action: 'trigger', payload: { summary: 'bundled PD event', source: 'db-1', severity: 'critical' } },
    });
    expect(trigger).toMatchObject({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: expect.any(String) } });
  });

  it('are minified ES modules, each with its source map beside it, without the sources, not loaded at run time', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(13);
    for (const fn of functions) {
      const dir = join(outdir, `asset.${(fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`);
      expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      // Minified: long lines (line breaks are left only inside template literals).
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources.length).toBeGreaterThan(0);
      expect(map.sourcesContent).toBeUndefined();
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('hold only what their function uses: the mail parser in email-to-alert only, no credential chain but the environment', () => {
    // The API path's floor (the functions that open incidents carry the schedule engine, ~10 KB, for support
    // hours); the notifier carries a client per channel (SES, SMS, Slack's Web API ~50 KB); the mail parser
    // (~1,250 KB) in email-to-alert only. The processor also carries the maintenance and status page routes,
    // use cases and stores (~5 KB and ~10 KB); the console carries the processor's use cases, the SES client for
    // sign-in links, and its pages (~30 KB); the renderers of the pages are in the renderer's bundle only,
    // beside the S3 client and its checksums (~120 KB). Every function that creates incidents or pages carries
    // Powertools Metrics (~10 KB beside the logger it shares code with). Every function that reads or writes the
    // tables carries the schema version's stamping (~2 KB).
    const budgetsKb: Record<string, number> = { statusPageRenderer: 560, incidentProcessor: 460, incidentQuery: 410, integrations: 430, notifier: 620, emailToAlert: 2500, Consoleconsole: 580 };
    // 500 KB for the others: above the sweeper (350 KB), below any bundle with the SDK's whole credential chain
    // (~135 KB more) or the mail parser.
    const sizes: Record<string, number> = {};
    for (const [id, fn] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      const dir = join(outdir, `asset.${(fn.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`);
      const kb = statSync(join(dir, 'index.mjs')).size / 1024;
      sizes[id] = Math.round(kb);
    }
    expect(Object.entries(sizes).filter(([id, kb]) => kb >= (budgetsKb[Object.keys(budgetsKb).find((name) => id.includes(name)) ?? ''] ?? 500)), JSON.stringify(sizes)).toEqual([]);
  });
});
