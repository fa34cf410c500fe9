import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDirectory } from './adapters/dynamo-directory';
import { DynamoApiKeyStore } from './adapters/dynamo-api-keys';
import type { ApiKeyStore } from './domain/access/ports';
import { DynamoEventLog } from './adapters/dynamo-event-log';
import { DynamoMaintenanceStore } from './adapters/dynamo-maintenance-store';
import type { MaintenanceUseCaseDeps } from './domain/maintenance/maintenance-use-cases';
import { DynamoInboundMailIndex } from './adapters/dynamo-inbound-mail-index';
import { DynamoIncidentRepository } from './adapters/dynamo-incident-repository';
import { DynamoOnCallDirectory } from './adapters/dynamo-oncall-directory';
import { SmsAnswers, SmsNotifier, type SmsSettings, VoiceNotifier } from './adapters/sms-voice';
import { DynamoSmsOptOuts } from './adapters/dynamo-sms-opt-outs';
import { parseSlackSecret, SlackNotifier, type SlackSecret, SlackSecretNotSetError, SlackWebApi, slackWebClient } from './adapters/slack-web-api';
import type { WebClient } from '@slack/web-api';
import type { SlackActionDeps, SlackChannelPostDeps, SlackRefreshDeps } from './domain/notification/slack-messages';
import type { SmsReplyDeps } from './domain/notification/sms-replies';
import { PinpointSMSVoiceV2Client, type VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { type Channel, ChannelNotifiers } from './domain/notification/notification';
import { DynamoHandoffNoticeLog, DynamoOverrideStore } from './adapters/dynamo-schedule-entries';
import type { HandoffNoticeDeps } from './domain/oncall/handoff-notices';
import { DynamoCalendarFeedStore } from './adapters/dynamo-calendar-feed-store';
import type { OnCallUseCaseDeps } from './domain/oncall/oncall-use-cases';
import { SesEmailNotifier, type SesSettings } from './adapters/ses-email-notifier';
import { S3InboundMailReader } from './adapters/ses-inbound';
import { SfnEscalations } from './adapters/sfn-escalations';
import { SfnAnnouncer } from './adapters/sfn-announcer';
import { DynamoWebhookDirectory } from './adapters/dynamo-webhook-directory';
import { ListenedAnnouncer } from './domain/webhooks/listened-announcer';
import { LIMITS } from './config/limits';
import { FetchWebhookSender } from './adapters/fetch-webhook-sender';
import { SqsDeadLetters } from './adapters/sqs-dead-letters';
import type { AnnouncementDeps } from './domain/webhooks/announcement-use-cases';
import type { IncidentAnnouncer } from './domain/webhooks/ports';
import { ENV, requireEnv, tableNamesFromEnv } from './config/env';
import type { TableNames } from './config/tables';
import { LINK_LIFETIME_SECONDS, signActionLink, type LinkAction } from './domain/access/action-links';
import type { EscalationDeps } from './domain/escalation/escalation-use-case';
import type { EventLog } from './domain/incident/event-record';
import type { IncidentUseCaseDeps } from './domain/incident/incident-use-cases';
import type { IntegrationDeps } from './domain/integrations/integration-use-case';
import { parseRejectVerdicts } from './adapters/ses-inbound';
import type { InboundEmailDeps, InboundEmailSettings } from './domain/inbound-email/inbound-email-use-case';
import { hashApiKey, redactApiKeys } from './domain/access/access';
import { DynamoHeartbeatStore } from './adapters/dynamo-heartbeats';
import type { HeartbeatDeps } from './domain/heartbeats/heartbeats';
import type { Clock } from './domain/shared/clock';
import { DynamoContactProblems } from './adapters/dynamo-contact-problems';
import { versioned } from './adapters/schema-version';
import type { DeliveryFeedbackDeps } from './domain/delivery/delivery-feedback';
import { DynamoPageIncidents, DynamoRenderStates, DynamoStatusPageStore } from './adapters/dynamo-status-pages';
import { S3StatusPagePublisher } from './adapters/s3-status-page-publisher';
import { SfnRenderWakeups } from './adapters/sfn-render-wakeups';
import { CoalescingInvalidator, DEFAULT_RENDER_TIMING, type InvalidationDeps, type RenderTiming, type RendererDeps } from './domain/status-pages/page-rendering';
import type { StatusPageInvalidator } from './domain/status-pages/ports';
import type { StatusPageReadDeps, StatusPageUseCaseDeps } from './domain/status-pages/status-page-use-cases';
import { DynamoUsedSignInLinks } from './adapters/dynamo-used-sign-in-links';
import type { ConsoleDeps } from './http/console-routes';
import { PowertoolsMetrics } from './adapters/powertools-metrics';
import { DEFAULT_METRICS_NAMESPACE, METRICS_NAMESPACE_ENV } from './config/metrics';
import { CANARY_DEFAULTS } from './config/canary';
import type { OperationalMetrics } from './domain/shared/metrics';
import { DynamoCanaryStore } from './adapters/dynamo-canary-store';
import type { CanaryDeps, CanarySettings } from './domain/canary/canary';

/**
 * The composition root: the one place where ports meet their adapters. Lambdas build their dependencies here
 * from the environment; the local runtime and the tests build them from clients of their own.
 */
export interface AwsClients {
  readonly dynamoDb: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly ses: SESv2Client;
  /** AWS End User Messaging SMS and Voice v2, where SMS is set up. */
  readonly sms?: PinpointSMSVoiceV2Client;
  /** Slack's Web API with the bot token, where Slack is set up: not AWS, but built and injected the same way. */
  readonly slack?: WebClient;
}

export interface Deployment {
  readonly tables: TableNames;
  readonly escalationStateMachineArn: string;
  readonly announcementStateMachineArn: string;
  /** The state machine that renders status pages when due. */
  readonly statusPageRenderStateMachineArn: string;
  /** How often status pages may be rendered, and how long after a change: the defaults unless a test or benchmark says. */
  readonly statusPageRenderTiming?: RenderTiming;
  /** Whether pages go to Slack, whose messages a claim or resolve made anywhere updates. */
  readonly slack?: boolean;
}

/** The document client every adapter reads and writes with: each item it writes carries the schema version. */
export function documentClient(dynamoDb: DynamoDBClient): DynamoDBDocumentClient {
  return versioned(DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } }));
}

/** The stored API keys, for an operator's key rotation (`npx inresponse keys rotate`). */
export const apiKeyStore = (dynamoDb: DynamoDBClient, tables: Pick<TableNames, 'config'>): ApiKeyStore => new DynamoApiKeyStore(documentClient(dynamoDb), tables.config);

/** The event record: what each source sent and what became of it. */
export const eventLog = (dynamoDb: DynamoDBClient, tables: TableNames): EventLog => new DynamoEventLog(documentClient(dynamoDb), tables);

/**
 * What reading incidents needs: the incident store, the directory of services and keys, and the maintenance
 * windows, read fresh (listed, and said of each incident answered).
 */
export function incidentReadDeps(
  dynamoDb: DynamoDBClient,
  tables: TableNames,
  clock: Clock = () => new Date(),
): Pick<IncidentUseCaseDeps, 'incidents' | 'directory' | 'maintenance' | 'clock'> {
  const db = documentClient(dynamoDb);
  return {
    incidents: new DynamoIncidentRepository(db, tables),
    directory: new DynamoDirectory(db, tables, () => clock().getTime()),
    maintenance: new DynamoMaintenanceStore(db, tables),
    clock,
  };
}

/**
 * What the maintenance routes need: the windows read fresh (ending one wakes the escalations it held), and
 * the incidents and escalations of its services.
 */
export function maintenanceUseCaseDeps(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, deployment: Deployment, clock: Clock = () => new Date()): MaintenanceUseCaseDeps {
  const db = documentClient(clients.dynamoDb);
  return {
    maintenance: new DynamoMaintenanceStore(db, deployment.tables),
    directory: new DynamoDirectory(db, deployment.tables, () => clock().getTime()),
    incidents: new DynamoIncidentRepository(db, deployment.tables),
    escalation: new SfnEscalations(clients.sfn, deployment.escalationStateMachineArn),
    statusPages: statusPageInvalidator(clients, deployment, clock),
    clock,
  };
}

/** What recording the providers' delivery reports needs: the incidents, their escalations, the bad contacts. */
export function deliveryFeedbackDeps(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, tables: TableNames, escalationStateMachineArn: string): DeliveryFeedbackDeps {
  const db = documentClient(clients.dynamoDb);
  return {
    incidents: new DynamoIncidentRepository(db, tables),
    escalation: new SfnEscalations(clients.sfn, escalationStateMachineArn),
    contactProblems: new DynamoContactProblems(db, tables),
  };
}

/** The delivery feedback function's. */
export const deliveryFeedbackDepsFromEnv = (): DeliveryFeedbackDeps =>
  deliveryFeedbackDeps({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) }, tableNamesFromEnv(), requireEnv(ENV.escalationStateMachineArn));

const renderInvalidationDeps = (clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, deployment: Deployment, clock: Clock): InvalidationDeps => ({
  states: new DynamoRenderStates(documentClient(clients.dynamoDb), deployment.tables),
  wakeups: new SfnRenderWakeups(clients.sfn, deployment.statusPageRenderStateMachineArn),
  timing: deployment.statusPageRenderTiming ?? DEFAULT_RENDER_TIMING,
  now: () => clock().getTime(),
});

/** Invalidates status pages: one atomic count per change, and a render started only when one is due; a failure is logged only. */
function statusPageInvalidator(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, deployment: Deployment, clock: Clock): StatusPageInvalidator {
  const logger = createLogger('status-pages');
  return new CoalescingInvalidator(renderInvalidationDeps(clients, deployment, clock), (error, page) =>
    logger.error('status page not invalidated: the next change or wake-up renders it', { error: error as Error, page }),
  );
}

/** What the status page reads need: the pages and what responders wrote, the incidents and windows shown. */
export function statusPageReadDeps(dynamoDb: DynamoDBClient, tables: TableNames, clock: Clock = () => new Date()): StatusPageReadDeps {
  const db = documentClient(dynamoDb);
  return { store: new DynamoStatusPageStore(db, tables), incidents: new DynamoPageIncidents(db, tables), maintenance: new DynamoMaintenanceStore(db, tables), clock };
}

/** What the status page writes need: the reads' dependencies and the invalidator. */
export const statusPageUseCaseDeps = (clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, deployment: Deployment, clock: Clock = () => new Date()): StatusPageUseCaseDeps => ({
  ...statusPageReadDeps(clients.dynamoDb, deployment.tables, clock),
  invalidator: statusPageInvalidator(clients, deployment, clock),
});

/** Where the renderer publishes: the bucket, and the pages' public base URL (`<base>/<page>`). */
export interface StatusPageSite {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly baseUrl: string;
}

/** What the renderer needs: to read a page's data and publish it, and to schedule its next tasks. */
export function statusPageRendererDeps(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, deployment: Deployment, site: StatusPageSite, clock: Clock = () => new Date()): RendererDeps {
  const invalidation = renderInvalidationDeps(clients, deployment, clock);
  return {
    invalidation,
    render: {
      ...statusPageReadDeps(clients.dynamoDb, deployment.tables, clock),
      publisher: new S3StatusPagePublisher(site.s3, site.bucket),
      states: invalidation.states,
      urlOf: (page) => `${site.baseUrl.replace(/\/+$/, '')}/${page}`,
    },
  };
}

/** The renderer's, from its environment. */
export const statusPageRendererDepsFromEnv = (): RendererDeps =>
  statusPageRendererDeps({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) }, deploymentFromEnv(), {
    s3: new S3Client({}),
    bucket: requireEnv(ENV.statusPageBucket),
    baseUrl: requireEnv(ENV.statusPageBaseUrl),
  });

export function incidentUseCaseDeps(
  clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>,
  deployment: Deployment,
  clock: Clock = () => new Date(),
): IncidentUseCaseDeps {
  return {
    ...incidentReadDeps(clients.dynamoDb, deployment.tables, clock),
    // A raise reads the windows from a brief cache: a window started or ended elsewhere applies to new events within seconds.
    maintenance: new DynamoMaintenanceStore(documentClient(clients.dynamoDb), deployment.tables, LIMITS.maintenanceCacheSeconds * 1000, () => clock().getTime()),
    escalation: new SfnEscalations(clients.sfn, deployment.escalationStateMachineArn),
    announcer: incidentAnnouncer(clients, deployment.tables, deployment.announcementStateMachineArn, deployment.slack === true, clock),
    statusPages: statusPageInvalidator(clients, deployment, clock),
    metrics: operationalMetrics(),
    clock,
  };
}

/** The metrics, as EMF lines in the function's log, in the stack's namespace. */
export const operationalMetrics = (): OperationalMetrics => new PowertoolsMetrics(process.env[METRICS_NAMESPACE_ENV] ?? DEFAULT_METRICS_NAMESPACE);

/** What the canary needs: the incident use cases a PUT and a resolve go through, its own items, the metrics. */
export function canaryDeps(
  clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>,
  deployment: Deployment,
  settings: CanarySettings,
  clock: Clock = () => new Date(),
): CanaryDeps {
  return {
    incidents: incidentUseCaseDeps(clients, deployment, clock),
    store: new DynamoCanaryStore(documentClient(clients.dynamoDb), deployment.tables),
    metrics: operationalMetrics(),
    settings,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

/** The canary function's. */
export const canaryDepsFromEnv = (): CanaryDeps =>
  canaryDeps({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) }, deploymentFromEnv(), { ...CANARY_DEFAULTS, address: requireEnv(ENV.canaryAddress) });

/**
 * Announces through the announcement state machine what a webhook (or Slack) listens for; a failure to start
 * one is logged only.
 */
function incidentAnnouncer(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, tables: TableNames, stateMachineArn: string, slack: boolean, clock: Clock): IncidentAnnouncer {
  const logger = createLogger('announcements');
  const started = new SfnAnnouncer(clients.sfn, stateMachineArn, (error, announcement) =>
    logger.error('announcement not started: its webhooks miss it', { error: error as Error, type: announcement.type, incidentNumber: announcement.incident.number }),
  );
  const webhooks = new DynamoWebhookDirectory(documentClient(clients.dynamoDb), tables, LIMITS.directoryCacheSeconds * 1000, () => clock().getTime());
  return new ListenedAnnouncer(started, webhooks, slack);
}

/** What the on-call routes need: schedules, people, overrides, and services for the preview. */
export function onCallUseCaseDeps(
  dynamoDb: DynamoDBClient,
  tables: TableNames,
  clock: Clock = () => new Date(),
  channels: ReadonlySet<Channel> = channelsFromEnv(),
): OnCallUseCaseDeps {
  const db = documentClient(dynamoDb);
  return {
    onCall: new DynamoOnCallDirectory(db, tables),
    overrides: new DynamoOverrideStore(db, tables),
    feeds: new DynamoCalendarFeedStore(db, tables),
    services: new DynamoDirectory(db, tables, () => clock().getTime()),
    contactProblems: new DynamoContactProblems(db, tables),
    channels,
    clock,
  };
}

/** What reading heartbeat monitors needs: their config and state. */
export const heartbeatReadDeps = (dynamoDb: DynamoDBClient, tables: TableNames, clock: Clock = () => new Date()): Pick<HeartbeatDeps, 'heartbeats' | 'clock'> => ({
  heartbeats: new DynamoHeartbeatStore(documentClient(dynamoDb), tables, () => clock().getTime()),
  clock,
});

/** What pings and the checker need: the monitors, and the incident use cases to open and end their incidents. */
export function heartbeatDeps(useCases: IncidentUseCaseDeps, dynamoDb: DynamoDBClient, tables: TableNames, clock: Clock = () => new Date()): HeartbeatDeps {
  return { ...heartbeatReadDeps(dynamoDb, tables, clock), incidents: useCases, hashSecret: hashApiKey };
}

/** The channels set up beside email, as the stack describes them to a Lambda. */
export const channelsFromEnv = (): ReadonlySet<Channel> => {
  const sms = smsSettingsFromEnv();
  const slack = process.env[ENV.slackEnabled] === 'true';
  return new Set<Channel>([...(sms ? ['sms' as const] : []), ...(sms?.voiceId ? ['voice' as const] : []), ...(slack ? ['slack' as const] : [])]);
};

/** The deployment as the CDK stack describes it to a Lambda, through environment variables. */
export function deploymentFromEnv(): Deployment {
  return {
    tables: tableNamesFromEnv(),
    escalationStateMachineArn: requireEnv(ENV.escalationStateMachineArn),
    announcementStateMachineArn: requireEnv(ENV.announcementStateMachineArn),
    statusPageRenderStateMachineArn: requireEnv(ENV.statusPageRenderStateMachineArn),
    slack: channelsFromEnv().has('slack'),
  };
}

/** What the integrations use case needs: the incident use cases and the event record. */
export const integrationDeps = (clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>, deployment: Deployment, clock: Clock = () => new Date()): IntegrationDeps => ({
  incidents: incidentUseCaseDeps(clients, deployment, clock),
  events: eventLog(clients.dynamoDb, deployment.tables),
});

/*
 * Each function's dependencies from its environment, building only the SDK clients it uses, so that its
 * bundle holds no other client.
 */

/** The incident processor's: incident use cases, the event record, the link secret. */
export async function incidentProcessorDepsFromEnv() {
  const deployment = deploymentFromEnv();
  const clients = { dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) };
  const useCases = incidentUseCaseDeps(clients, deployment);
  return {
    useCases,
    heartbeats: heartbeatDeps(useCases, clients.dynamoDb, deployment.tables),
    onCall: onCallUseCaseDeps(clients.dynamoDb, deployment.tables),
    maintenance: maintenanceUseCaseDeps(clients, deployment),
    statusPages: statusPageUseCaseDeps(clients, deployment),
    events: eventLog(clients.dynamoDb, deployment.tables),
    linkSecret: await linkSecretFromEnv(),
  };
}

/** The incident query function's: reads only. */
export function incidentQueryDepsFromEnv() {
  const dynamoDb = new DynamoDBClient({});
  const tables = tableNamesFromEnv();
  return {
    useCases: incidentReadDeps(dynamoDb, tables),
    onCall: onCallUseCaseDeps(dynamoDb, tables),
    events: eventLog(dynamoDb, tables),
    heartbeats: heartbeatReadDeps(dynamoDb, tables),
    statusPages: statusPageReadDeps(dynamoDb, tables),
  };
}

/** The integrations function's. */
export const integrationDepsFromEnv = (): IntegrationDeps => integrationDeps({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) }, deploymentFromEnv());

/** The heartbeat checker's: the monitors and the incident use cases. */
export function heartbeatCheckerDepsFromEnv(): HeartbeatDeps {
  const deployment = deploymentFromEnv();
  const clients = { dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) };
  return heartbeatDeps(incidentUseCaseDeps(clients, deployment), clients.dynamoDb, deployment.tables);
}

/** The escalation sweeper's. */
export const sweeperDepsFromEnv = () => ({ useCases: incidentUseCaseDeps({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) }, deploymentFromEnv()) });

/** The email-to-alert function's: the inbound email use case and the reader of raw mail in S3. */
export function emailToAlertDepsFromEnv() {
  return {
    inbound: inboundEmailDeps({ dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}) }, deploymentFromEnv(), inboundEmailSettingsFromEnv()),
    reader: new S3InboundMailReader(new S3Client({}), { bucket: requireEnv(ENV.inboundBucket), keyPrefix: process.env[ENV.inboundKeyPrefix] ?? '' }),
  };
}

/** What answering SMS replies needs: the incident use cases, people by phone, and SMS to answer. */
export function smsRepliesDeps(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'> & { sms: PinpointSMSVoiceV2Client }, deployment: Deployment, sms: SmsSettings, clock: Clock = () => new Date()): SmsReplyDeps {
  const directory = new DynamoOnCallDirectory(documentClient(clients.dynamoDb), deployment.tables);
  return {
    useCases: incidentUseCaseDeps(clients, deployment, clock),
    personByPhone: (phone) => directory.findPersonBy('phone', phone),
    answerer: new SmsAnswers(clients.sms, sms),
  };
}

/** The SMS replies function's. */
export const smsRepliesDepsFromEnv = (): SmsReplyDeps =>
  smsRepliesDeps(
    { dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}), sms: new PinpointSMSVoiceV2Client({}) },
    deploymentFromEnv(),
    smsSettingsFromEnv() ?? { originationIdentity: requireEnv(ENV.smsOriginationIdentity) },
  );

/** Where SMS goes out from, as the stack describes it; undefined when SMS is not set up. */
function smsSettingsFromEnv(): SmsSettings | undefined {
  const originationIdentity = process.env[ENV.smsOriginationIdentity];
  if (!originationIdentity) return undefined;
  const configurationSetName = process.env[ENV.smsConfigurationSet];
  const voiceId = process.env[ENV.voiceId] as VoiceId | undefined;
  return { originationIdentity, ...(configurationSetName ? { configurationSetName } : {}), ...(voiceId ? { voiceId } : {}) };
}

/** The notifier's: SES, SMS and Slack where set up, and the stores, with its settings and link secret. */
export async function notifierDepsFromEnv() {
  const slack = await slackClientFromEnv('notifier');
  return notifierDeps({ ...awsClientsFromEnv(), ...(slack ? { slack } : {}) }, tableNamesFromEnv(), await notifierSettingsFromEnv());
}

/**
 * The Slack client of the notifier or the announcer, where Slack is set up. While the operator has not filled
 * the Slack secret, Slack stays off (each Slack page is recorded as failed, the channel not set up) and the
 * error is logged: email and SMS pages must not wait for it. A failure to read the secret throws, to be tried again.
 */
async function slackClientFromEnv(functionName: string): Promise<WebClient | undefined> {
  if (!process.env[ENV.slackSecretArn]) return undefined;
  try {
    return slackWebClient((await slackSecretFromEnv()).botToken);
  } catch (error) {
    if (!(error instanceof SlackSecretNotSetError)) throw error;
    createLogger(functionName).error('Slack is off until its secret is filled', { error });
    return undefined;
  }
}

/** What a click on a page's Slack button needs: the incident use cases, people by Slack id, and Slack. */
export function slackActionDeps(clients: Pick<AwsClients, 'dynamoDb' | 'sfn'> & { slack: WebClient }, deployment: Deployment, clock: Clock = () => new Date()): SlackActionDeps {
  const directory = new DynamoOnCallDirectory(documentClient(clients.dynamoDb), deployment.tables);
  return {
    useCases: incidentUseCaseDeps(clients, deployment, clock),
    personBySlackUser: (user) => directory.findPersonBy('slack', user),
    messages: new SlackWebApi(clients.slack),
  };
}

/** The Slack actions function's: the click's dependencies and the signing secret, from the Slack secret. */
export async function slackActionDepsFromEnv() {
  const secret = await slackSecretFromEnv();
  const clients = { dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}), slack: slackWebClient(secret.botToken) };
  return { actions: slackActionDeps(clients, deploymentFromEnv()), signingSecret: secret.signingSecret };
}

/**
 * What keeps an incident's Slack messages current ({@link refreshSlackMessages}) and posts its page in the
 * channel of its service or team ({@link postPageToSlackChannel}), for whichever function claims, resolves or
 * escalates.
 */
export function slackPageDeps(
  clients: Pick<AwsClients, 'dynamoDb'> & { slack: WebClient },
  tables: TableNames,
  clock: Clock = () => new Date(),
): { readonly refresh: SlackRefreshDeps; readonly channelPost: SlackChannelPostDeps } {
  const db = documentClient(clients.dynamoDb);
  const incidents = new DynamoIncidentRepository(db, tables);
  const messages = new SlackWebApi(clients.slack);
  const directory = new DynamoDirectory(db, tables, () => clock().getTime());
  const onCall = new DynamoOnCallDirectory(db, tables);
  return {
    refresh: { incidents, messages, personByEmail: (email) => onCall.findPersonBy('email', email) },
    channelPost: { incidents, messages, findService: (id) => directory.findService(id), findTeam: (name) => onCall.findTeam(name), clock },
  };
}

/** What the notifier needs for its two jobs, escalation steps and handoff notices, over one SES channel. */
export function notifierDeps(clients: Pick<AwsClients, 'dynamoDb' | 'sfn' | 'ses' | 'sms' | 'slack'>, tables: TableNames, settings: NotifierSettings, clock: Clock = () => new Date()) {
  const escalation = escalationDeps(clients, tables, settings, clock);
  const db = documentClient(clients.dynamoDb);
  const handoffs: HandoffNoticeDeps = {
    onCall: new DynamoOnCallDirectory(db, tables),
    incidents: new DynamoIncidentRepository(db, tables),
    notifier: escalation.notifier,
    notices: new DynamoHandoffNoticeLog(db, tables),
    clock,
  };
  return { escalation, handoffs };
}

/** SDK clients with the region and credentials of the Lambda's environment. */
export const awsClientsFromEnv = (): AwsClients => ({
  dynamoDb: new DynamoDBClient({}),
  sfn: new SFNClient({}),
  // One SDK attempt: the state machine retries retryable failures, visibly and with backoff.
  ses: new SESv2Client({ maxAttempts: 1 }),
  ...(process.env[ENV.smsOriginationIdentity] ? { sms: new PinpointSMSVoiceV2Client({ maxAttempts: 1 }) } : {}),
});

/**
 * Structured JSON logs; the level comes from POWERTOOLS_LOG_LEVEL (or the Lambda's log level setting) unless
 * given. Headers are never logged; as a second line of defence, anything shaped like an API key is
 * redacted from every logged value, error messages and stacks included.
 */
export const createLogger = (serviceName: string, logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR') =>
  new Logger({
    serviceName,
    ...(logLevel ? { logLevel } : {}),
    jsonReplacerFn: (_key, value) => (typeof value === 'string' ? redactApiKeys(value) : value),
  });

/**
 * A handler whose dependencies are built once, on its first invocation (the cold start), so that importing
 * the module (in a test, say) needs no environment. A failed build is tried again on the next invocation.
 */
export function builtOnFirstCall<A extends unknown[], R>(
  build: () => Promise<(...args: A) => Promise<R>> | ((...args: A) => Promise<R>),
): (...args: A) => Promise<R> {
  let built: Promise<(...args: A) => Promise<R>> | undefined;
  return async (...args) => {
    built ??= Promise.resolve(build()).catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return (await built)(...args);
  };
}

/** Where pages come from and where their links point. */
export interface NotifierSettings extends SesSettings {
  /** Where SMS pages go out from; no SMS without it. */
  readonly sms?: SmsSettings;
  /** The incident API's base URL, which action links point at. */
  readonly publicApiUrl: string;
  readonly linkSecret: string;
  /** The inbound mail domain: pages then ask for replies at `<service>@<domain>`. */
  readonly inboundDomain?: string;
  /** Where escalations beyond the first level are announced to the webhooks; not announced without it. */
  readonly announcementStateMachineArn?: string;
}

/** The URL of a signed action link, valid for {@link LINK_LIFETIME_SECONDS} from now. */
function actionLinkBuilder(settings: Pick<NotifierSettings, 'publicApiUrl' | 'linkSecret'>, clock: Clock) {
  return (incident: number, action: LinkAction, by: string) => {
    const expiresAt = Math.floor(clock().getTime() / 1000) + LINK_LIFETIME_SECONDS;
    return `${settings.publicApiUrl}/actions/${signActionLink({ incident, action, by, expiresAt }, settings.linkSecret)}`;
  };
}

export function escalationDeps(
  clients: Pick<AwsClients, 'dynamoDb' | 'sfn' | 'ses' | 'sms' | 'slack'>,
  tables: TableNames,
  settings: NotifierSettings,
  clock: Clock = () => new Date(),
): EscalationDeps {
  const db = documentClient(clients.dynamoDb);
  const byChannel = {
    email: new SesEmailNotifier(clients.ses, settings),
    ...(clients.sms && settings.sms ? { sms: new SmsNotifier(clients.sms, settings.sms, new DynamoSmsOptOuts(db, tables), clock) } : {}),
    ...(clients.sms && settings.sms?.voiceId ? { voice: new VoiceNotifier(clients.sms, { ...settings.sms, voiceId: settings.sms.voiceId }) } : {}),
    ...(clients.slack ? { slack: new SlackNotifier(new SlackWebApi(clients.slack)) } : {}),
  };
  const notifier = new ChannelNotifiers(byChannel);
  return {
    incidents: new DynamoIncidentRepository(db, tables),
    onCall: new DynamoOnCallDirectory(db, tables),
    notifier,
    channels: new Set(Object.keys(byChannel).filter((c) => c !== 'email') as Channel[]),
    linkTo: actionLinkBuilder(settings, clock),
    ...(settings.inboundDomain ? { replyTo: (service: string) => `${service}@${settings.inboundDomain}` } : {}),
    threads: new DynamoInboundMailIndex(db, tables, clock),
    ...(clients.slack ? { slackChannelPost: slackPageDeps({ dynamoDb: clients.dynamoDb, slack: clients.slack }, tables, clock).channelPost } : {}),
    ...(settings.announcementStateMachineArn ? { announcer: incidentAnnouncer(clients, tables, settings.announcementStateMachineArn, false, clock) } : {}),
    maintenance: new DynamoMaintenanceStore(db, tables),
    metrics: operationalMetrics(),
    clock,
  };
}

/** A secret's text from Secrets Manager, named by the ARN in `envName` (read once per cold start). */
async function secretFromEnv(envName: string, what: string): Promise<string> {
  const client = new SecretsManagerClient({});
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: requireEnv(envName) }));
  client.destroy();
  if (!SecretString) throw new Error(`the ${what} is empty`);
  return SecretString;
}

/** The link secret: from Secrets Manager in AWS. */
export const linkSecretFromEnv = (): Promise<string> => secretFromEnv(ENV.linkSecretArn, 'link secret');

/** The Slack secret, which the operator fills with the app's bot token and signing secret; a clear error until then. */
export const slackSecretFromEnv = async (): Promise<SlackSecret> => parseSlackSecret(await secretFromEnv(ENV.slackSecretArn, 'Slack secret'));

/** How the announcer signs, links and dead-letters. */
export interface AnnouncerSettings {
  readonly webhookSecret: string;
  /** The incident API's base URL: payloads link to the incident there. */
  readonly publicApiUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** What the announcer needs: the webhooks, a sender, the dead-letter queue, the event record, and Slack where set up. */
export function announcerDeps(
  clients: Pick<AwsClients, 'dynamoDb' | 'slack'> & { readonly sqs: SQSClient },
  tables: TableNames,
  settings: AnnouncerSettings,
  clock: Clock = () => new Date(),
): AnnouncementDeps {
  return {
    webhooks: new DynamoWebhookDirectory(documentClient(clients.dynamoDb), tables),
    sender: new FetchWebhookSender(),
    deadLetters: new SqsDeadLetters(clients.sqs, settings.deadLetterQueueUrl),
    events: eventLog(clients.dynamoDb, tables),
    incidents: new DynamoIncidentRepository(documentClient(clients.dynamoDb), tables),
    secret: settings.webhookSecret,
    incidentUrl: (number) => `${settings.publicApiUrl}/incidents/${number}`,
    ...(clients.slack ? { slack: slackPageDeps({ dynamoDb: clients.dynamoDb, slack: clients.slack }, tables, clock).refresh } : {}),
    clock,
  };
}

/** The announcer's. */
export const announcerDepsFromEnv = async (): Promise<AnnouncementDeps> => {
  const slack = await slackClientFromEnv('announcer');
  return announcerDeps({ dynamoDb: new DynamoDBClient({}), sqs: new SQSClient({}), ...(slack ? { slack } : {}) }, tableNamesFromEnv(), {
    webhookSecret: await secretFromEnv(ENV.webhookSecretArn, 'webhook secret'),
    publicApiUrl: requireEnv(ENV.publicApiUrl),
    deadLetterQueueUrl: requireEnv(ENV.webhookDeadLetterQueueUrl),
  });
};

export async function notifierSettingsFromEnv(): Promise<NotifierSettings> {
  const sms = smsSettingsFromEnv();
  return {
    from: requireEnv(ENV.senderAddress),
    ...(process.env[ENV.sesConfigurationSet] ? { configurationSetName: process.env[ENV.sesConfigurationSet] } : {}),
    publicApiUrl: requireEnv(ENV.publicApiUrl),
    linkSecret: await linkSecretFromEnv(),
    ...(process.env[ENV.inboundDomain] ? { inboundDomain: process.env[ENV.inboundDomain] } : {}),
    ...(sms ? { sms } : {}),
    announcementStateMachineArn: requireEnv(ENV.announcementStateMachineArn),
  };
}

export function inboundEmailDeps(
  clients: Pick<AwsClients, 'dynamoDb' | 'sfn'>,
  deployment: Deployment,
  settings: InboundEmailSettings,
  clock: Clock = () => new Date(),
): InboundEmailDeps {
  const db = documentClient(clients.dynamoDb);
  return {
    incidents: incidentUseCaseDeps(clients, deployment, clock),
    mail: new DynamoInboundMailIndex(db, deployment.tables, clock),
    events: eventLog(clients.dynamoDb, deployment.tables),
    settings,
  };
}

export function inboundEmailSettingsFromEnv(): InboundEmailSettings {
  return {
    inboundDomain: requireEnv(ENV.inboundDomain),
    ownAddresses: [requireEnv(ENV.senderAddress)],
    rejectVerdicts: parseRejectVerdicts(process.env[ENV.inboundRejectVerdicts]),
  };
}

/** Where the console's mail goes out from and its links point, and the secret it signs with. */
export interface ConsoleSettings extends SesSettings {
  /** The API's public base URL, read when a link is made (the local gateway's is known once it listens). */
  readonly publicUrl: () => string;
  readonly linkSecret: string;
  /** Where the status pages are published, for the console to link to them. */
  readonly statusPagesUrl?: () => string;
}

/** What the console needs: the use cases of the JSON API, the sign-in links' store and mail, and reports. */
export function consoleDeps(
  clients: Pick<AwsClients, 'dynamoDb' | 'sfn' | 'ses'>,
  deployment: Deployment,
  settings: ConsoleSettings,
  clock: Clock = () => new Date(),
  channels: ReadonlySet<Channel> = channelsFromEnv(),
): Omit<ConsoleDeps, 'logger'> {
  const db = documentClient(clients.dynamoDb);
  const useCases = incidentUseCaseDeps(clients, deployment, clock);
  const people = new DynamoOnCallDirectory(db, deployment.tables);
  const mail = new SesEmailNotifier(clients.ses, settings);
  const incidents = new DynamoIncidentRepository(db, deployment.tables);
  return {
    useCases,
    onCall: onCallUseCaseDeps(clients.dynamoDb, deployment.tables, clock, channels),
    maintenance: maintenanceUseCaseDeps(clients, deployment, clock),
    events: eventLog(clients.dynamoDb, deployment.tables),
    heartbeats: heartbeatReadDeps(clients.dynamoDb, deployment.tables, clock),
    signIn: { people, used: new DynamoUsedSignInLinks(db, deployment.tables), mailer: { send: async (message) => void (await mail.send(message)) }, clock },
    reports: { createdSince: (since, max) => incidents.createdSince(since, max), listPeople: () => people.listPeople() },
    statusPages: statusPageUseCaseDeps(clients, deployment, clock),
    ...(settings.statusPagesUrl ? { statusPagesUrl: settings.statusPagesUrl } : {}),
    linkSecret: settings.linkSecret,
    publicUrl: settings.publicUrl,
  };
}

/** The console function's. */
export async function consoleDepsFromEnv(): Promise<Omit<ConsoleDeps, 'logger'>> {
  const publicUrl = requireEnv(ENV.publicApiUrl);
  const statusPagesUrl = process.env[ENV.statusPageBaseUrl];
  const settings: ConsoleSettings = {
    from: requireEnv(ENV.senderAddress),
    ...(process.env[ENV.sesConfigurationSet] ? { configurationSetName: process.env[ENV.sesConfigurationSet] } : {}),
    publicUrl: () => publicUrl,
    linkSecret: await linkSecretFromEnv(),
    ...(statusPagesUrl ? { statusPagesUrl: () => statusPagesUrl } : {}),
  };
  const clients = { dynamoDb: new DynamoDBClient({}), sfn: new SFNClient({}), ses: new SESv2Client({}) };
  return consoleDeps(clients, deploymentFromEnv(), settings);
}
