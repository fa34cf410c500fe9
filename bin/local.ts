/**
 * `npm start`: the whole system on this machine, with the on-call config applied, until Ctrl-C.
 * Data persists under .local/ (git-ignored), so a second start finds its incidents again.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnCallConfig, SecretsFile } from '../lambdas/adapters/config-file';
import { reportCliError } from '../lib/cli-errors';
import { startLocalRuntime } from '../lib/local/runtime';
import { CANARY_DEFAULTS } from '../lambdas/config/canary';

// Metrics are EMF lines on stdout, which would bury the logs here: `POWERTOOLS_METRICS_DISABLED=false npm start` shows them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const DATA_DIR = process.env.INRESPONSE_DATA_DIR ?? '.local';
const LINK_SECRET_NAME = 'action-links';
const SLACK_SIGNING_SECRET_NAME = 'slack-signing-secret';
const WEBHOOK_SECRET_NAME = 'webhook-signing';
const configPath = process.env.INRESPONSE_CONFIG ?? 'inresponse.config.yaml';
const gatewayPort = Number(process.env.INRESPONSE_PORT ?? 3000);
const sesPort = Number(process.env.INRESPONSE_SES_PORT ?? 8005);
const smtpPort = Number(process.env.INRESPONSE_SMTP_PORT ?? 2525);
const outboxPort = Number(process.env.INRESPONSE_OUTBOX_PORT ?? 8006);
const slackPort = Number(process.env.INRESPONSE_SLACK_PORT ?? 8007);
/** The example config's webhook posts here. */
const webhookPort = Number(process.env.INRESPONSE_WEBHOOK_PORT ?? 8008);
const canaryIntervalMinutes = Number(process.env.INRESPONSE_CANARY_INTERVAL_MINUTES ?? CANARY_DEFAULTS.intervalMinutes);

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const config = loadOnCallConfig(configPath);
  const secrets = new SecretsFile(join(DATA_DIR, 'api-keys.json'));
  // The key of the links in pages, kept so that links sent before a restart still work after it.
  // The keys of the links in pages and of webhook signatures, and the local Slack app's signing secret, kept so
  // that they, and a signed curl, still hold after a restart.
  for (const name of [LINK_SECRET_NAME, WEBHOOK_SECRET_NAME]) if (!secrets.get(name)) secrets.set(name, randomBytes(32).toString('base64url'));
  if (!secrets.get(SLACK_SIGNING_SECRET_NAME)) secrets.set(SLACK_SIGNING_SECRET_NAME, randomBytes(32).toString('hex'));
  const runtime = await startLocalRuntime({
    dataDir: join(DATA_DIR, 'dynamodb'),
    mailDir: join(DATA_DIR, 'mail'),
    sentMailFile: join(DATA_DIR, 'sent-mail.jsonl'),
    gatewayPort,
    sesPort,
    smtpPort,
    outboxPort,
    slackPort,
    webhookPort,
    config,
    // Every page gets what SES or the SMS service made of it on its timeline, as in AWS.
    deliveryReports: true,
    secrets,
    linkSecret: secrets.get(LINK_SECRET_NAME)!,
    slackSigningSecret: secrets.get(SLACK_SIGNING_SECRET_NAME)!,
    webhookSecret: secrets.get(WEBHOOK_SECRET_NAME)!,
    canaryIntervalMinutes,
  });

  const keys = Object.entries(config.apiKeys).map(([name, key]) => ({
    name,
    key,
    secret: key.secretEnv ? `(from $${key.secretEnv})` : secrets.get(name)!,
  }));
  const integration = keys.find((k) => k.key.role === 'integration');
  const responder = keys.find((k) => k.key.role === 'responder');
  const envFile = join(DATA_DIR, 'env');
  writeFileSync(
    envFile,
    `${[
      `export INRESPONSE_URL=${runtime.apiUrl}`,
      `export SMS_URL=${runtime.smsUrl}`,
      `export SLACK_URL=${runtime.slackUrl}`,
      `export SLACK_SIGNING_SECRET=${runtime.slackSigningSecret}`,
      ...(integration ? [`export INTEGRATION_KEY=${integration.secret}`] : []),
      ...(responder ? [`export RESPONDER_KEY=${responder.secret}`] : []),
    ].join('\n')}\n`,
    { mode: 0o600 },
  );
  // What `npx inresponse` reads to find this runtime, as it reads a deployed stack's outputs.
  writeFileSync(join(DATA_DIR, 'outputs.json'), `${JSON.stringify(runtime.outputs, null, 2)}\n`, { mode: 0o600 });
  const service = integration?.key.role === 'integration' ? integration.key.service : 'athens';
  const lines = [
    '',
    'InResponse is running locally.',
    `  Incident API          ${runtime.apiUrl}/incidents   (event record: ${runtime.apiUrl}/events?service=<service>)`,
    `  Console               ${runtime.apiUrl}/console   (sign in with a person's address of the config; the link arrives in the outbox below)`,
    `  Integrations          ${runtime.apiUrl}/integrations/alertmanager, /integrations/grafana, /integrations/cloudwatch/<key>, /v2/enqueue`,
    `  Everything sent       ${runtime.outboxUrl}/  (email, SMS, voice calls, Slack, webhook deliveries, newest first)`,
    `  Webhook receiver      ${runtime.webhookReceiverUrl}/<any path>   (stand-in: GET ${runtime.webhookReceiverUrl}/messages lists what it took)`,
    `  Webhook signing key   ${secrets.get(WEBHOOK_SECRET_NAME)}   (X-InResponse-Signature; see the README's Webhooks)`,
    `  Webhook dead letters  ${runtime.webhookDeadLetterQueueUrl}   (SQS stand-in)`,
    `  SES mail viewer       ${runtime.sesUrl}/  (sent mail kept in ${DATA_DIR}/sent-mail.jsonl)`,
    `  Inbound SMTP          127.0.0.1:${runtime.smtpPort}   mail to <service>[+crit|+err|+warn]@${runtime.inboundDomain}   (raw mail in ${DATA_DIR}/mail)`,
    `  SMS and Voice API     ${runtime.smsUrl}   (stand-in: GET ${runtime.smsUrl}/messages lists what it sent)`,
    `  Slack Web API         ${runtime.slackUrl}   (stand-in: GET ${runtime.slackUrl}/messages lists what it took; buttons: POST ${runtime.apiUrl}/slack/actions, signed)`,
    `  Step Functions API    ${runtime.sfnEndpoint}`,
    `  DynamoDB Local        ${runtime.dynamoDbEndpoint}   (data in ${DATA_DIR}/dynamodb)`,
    `  Config applied        ${configPath}: ${runtime.applied!.written} written, ${runtime.applied!.deleted} removed, ${runtime.applied!.unchanged} unchanged`,
    `  On call               ${runtime.apiUrl}/oncall?team=<team>   (schedules, overrides, iCal feeds: see the README)`,
    `  Status pages          ${runtime.statusPagesUrl}/<page>/   (${Object.keys(config.statusPages ?? {}).map((page) => `${runtime.statusPagesUrl}/${page}/`).join(', ') || 'none in the config: see the README\'s Status pages'}; kept in ${DATA_DIR}/mail)`,
    `  Escalations resumed   ${runtime.resumed} OPEN incident(s)`,
    `  Canary                every ${canaryIntervalMinutes} min (INRESPONSE_CANARY_INTERVAL_MINUTES): raises, pages ${CANARY_DEFAULTS.address}, resolves; its incidents stay out of lists (?service=inresponse-canary shows a red one's)`,
    '',
    'API keys (x-api-key header):',
    ...keys.map(({ name, key, secret }) =>
      `  ${name.padEnd(22)}${(key.role === 'integration' ? `integration (${key.service})` : 'responder').padEnd(26)}${secret}`,
    ),
    ...(Object.keys(config.heartbeats).length ? ['', 'Heartbeats (ping from a cron job; GET, POST or HEAD):'] : []),
    ...Object.entries(config.heartbeats).map(([name, monitor]) =>
      monitor.tokenEnv
        ? `  ${name.padEnd(22)}curl -fsS ${runtime.apiUrl}/heartbeats/${name}.$${monitor.tokenEnv}`
        : `  ${name.padEnd(22)}curl -fsS ${runtime.apiUrl}/heartbeats/${name}.${secrets.get(`heartbeat:${name}`)}`,
    ),
    '',
    `In another shell, load the URL and two keys with:  . ${envFile}`,
    'Or operate it from the command line:  npx inresponse incidents list   (npx inresponse --help)',
    'See who is on call:',
    `  curl -s "$INRESPONSE_URL/oncall?team=${Object.keys(config.teams)[0] ?? 'devops'}" -H "x-api-key: $RESPONDER_KEY"`,
    'Raise an incident:',
    `  curl -s -X PUT "$INRESPONSE_URL/incidents" -H "x-api-key: $INTEGRATION_KEY" -H 'content-type: application/json' \\`,
    `    -d '{"service":"${service}","severity":"CRIT","title":"5xx Error Spike","message":"5xx rate above 5%","detectedAt":"${new Date().toISOString()}","source":"nagios"}'`,
    'Or email one (curl speaks SMTP):',
    `  printf 'Subject: Checkout is down\\r\\n\\r\\nOrders fail since 10:02.\\r\\n' | curl -s smtp://127.0.0.1:${runtime.smtpPort} \\`,
    `    --mail-from cto@customer.example --mail-rcpt ${service}+crit@${runtime.inboundDomain} -T -`,
    '',
    `Its pages appear in the SES mail viewer: ${runtime.sesUrl}/`,
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping InResponse...\n');
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGHUP', () => void shutdown());
}

main().catch((error: unknown) => {
  reportCliError(error);
  process.exit(1);
});
