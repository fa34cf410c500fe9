import type { Logger } from '@aws-lambda-powertools/logger';
import type { SNSEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sesEmulatorModule from 'aws-ses-v2-local';
import S3rver from 's3rver';
import { S3InboundMailReader } from '../../lambdas/adapters/ses-inbound';
import { applyOnCallConfig, type ApplyResult, type SecretStore } from '../../lambdas/adapters/dynamo-config-writer';
import { migrateTables } from '../../lambdas/adapters/dynamo-migrations';
import {
  announcerDeps,
  canaryDeps,
  consoleDeps,
  deliveryFeedbackDeps,
  createLogger,
  documentClient,
  eventLog,
  notifierDeps,
  inboundEmailDeps,
  incidentUseCaseDeps,
  maintenanceUseCaseDeps,
  onCallUseCaseDeps,
  heartbeatDeps,
  slackActionDeps,
  smsRepliesDeps,
  statusPageReadDeps,
  statusPageRendererDeps,
  statusPageUseCaseDeps,
  type AwsClients,
  type Deployment,
  type NotifierSettings,
} from '../../lambdas/composition';
import { RAW_MAIL_KEY_PREFIX } from '../../lambdas/config/env';
import { CANARY_DEFAULTS } from '../../lambdas/config/canary';
import { API_ROUTES } from '../../lambdas/config/routes';
import { tableNames } from '../../lambdas/config/tables';
import { resumeEscalations } from '../../lambdas/domain/incident/incident-use-cases';
import { parseRejectVerdicts } from '../../lambdas/adapters/ses-inbound';
import { routeRecipient, type Verdicts } from '../../lambdas/domain/inbound-email/inbound-email';
import type { OnCallConfig } from '../../lambdas/domain/oncall/oncall-config';
import type { Channel } from '../../lambdas/domain/notification/notification';
import type { Clock } from '../../lambdas/domain/shared/clock';
import { createHandler as createIncidentProcessor } from '../../lambdas/handlers/incident-processor';
import { createHandler as createIncidentQuery } from '../../lambdas/handlers/incident-query';
import { createHandler as createNotifier, type NotifierEvent } from '../../lambdas/handlers/notifier';
import { createHandler as createAnnouncer } from '../../lambdas/handlers/announcer';
import type { AnnouncerTask } from '../../lambdas/domain/webhooks/webhook';
import { createHandler as createEmailToAlert } from '../../lambdas/handlers/email-to-alert';
import { createHandler as createIntegrations } from '../../lambdas/handlers/integrations';
import { createHandler as createSmsReplies } from '../../lambdas/handlers/sms-replies';
import { createHandler as createHeartbeatChecker } from '../../lambdas/handlers/heartbeat-checker';
import { createHandler as createSlackActions } from '../../lambdas/handlers/slack-actions';
import { createHandler as createStatusPageRenderer } from '../../lambdas/handlers/status-page-renderer';
import { createHandler as createCanary } from '../../lambdas/handlers/canary';
import type { CanaryResult, CanarySettings } from '../../lambdas/domain/canary/canary';
import type { RenderTiming } from '../../lambdas/domain/status-pages/page-rendering';
import type { RenderTask } from '../../lambdas/domain/status-pages/ports';
import { RENDER_TASK_STATE, substitutedStatusPageRenderDefinition } from '../status-page-render-definition';
import { createHandler as createConsole } from '../../lambdas/handlers/console';
import { createHandler as createDeliveryFeedback } from '../../lambdas/handlers/delivery-feedback';
import { slackWebClient } from '../../lambdas/adapters/slack-web-api';
import { FetchSnsHttps } from '../../lambdas/adapters/sns-https';
import type { SnsHttps } from '../../lambdas/adapters/sns-https';
import { FIRST_STEP_STATE, substitutedEscalationDefinition, WAKE_STEP_STATE, WAKE_WAIT_STATE } from '../escalation-definition';
import type { Wake } from '../../lambdas/domain/escalation/escalation-use-case';
import { ANNOUNCER_STATES, substitutedAnnouncementDefinition } from '../announcement-definition';
import { ensureTables, startDynamoDbLocal } from './dynamodb-local';
import { LOCAL_AWS } from './local-aws';
import { HttpGateway, type StaticObject } from './http-gateway';
import { LOCAL_VERDICTS, sesMessageId, sesReceiptEvent } from './ses-receipt-event';
import { closeServer, DEFAULT_SERVER_LIMITS, guardHttpServer, type ServerLimits } from './server-guard';
import { archiveSentMail } from './ses-mail-archive';
import { OutboxViewer } from './outbox-viewer';
import { SlackApiServer } from './slack-api-server';
import { SmsVoiceServer } from './sms-voice-server';
import { LocalDeliveryReports } from './delivery-reports';
import { SqsServer } from './sqs-server';
import { LambdaServer } from './lambda-server';
import { LOCAL_OUTPUT, OUTPUT } from '../stack-outputs';
import { WebhookReceiver } from './webhook-receiver';
import { SmtpListener, type SmtpEnvelope } from './smtp-listener';
import { StepFunctionsServer, stateMachineArn } from './stepfunctions-server';

export interface LocalRuntimeOptions {
  /** Persist DynamoDB Local's data here; in memory when absent. */
  readonly dataDir?: string;
  /** Use a DynamoDB Local already running (tests share one) instead of starting one. */
  readonly dynamoDbEndpoint?: string;
  readonly gatewayPort?: number;
  readonly gatewayHost?: string;
  readonly sesPort?: number;
  readonly smtpPort?: number;
  readonly smsPort?: number;
  readonly slackPort?: number;
  readonly outboxPort?: number;
  /** The webhook receiver stand-in's port. */
  readonly webhookPort?: number;
  /** The domain whose addresses the SMTP listener takes mail for: `<service>[+severity]@<domain>`. */
  readonly inboundDomain?: string;
  /** Where the SES emulator's sent mail is kept across restarts; in memory only when absent. */
  readonly sentMailFile?: string;
  /** Where the local S3 keeps raw mail; a temporary directory, removed at stop, when absent. */
  readonly mailDir?: string;
  /** The SES verdicts of a message; none is checked locally ({@link LOCAL_VERDICTS}) unless given. */
  readonly verdictsOf?: (envelope: SmtpEnvelope, raw: Buffer) => Verdicts;
  /** SNS's HTTPS endpoints (certificates, subscription confirmations); the real ones when absent. */
  readonly sns?: SnsHttps;
  /** Called when a message's SMTP DATA has ended (the benchmark times from here). */
  readonly onSmtpDataEnd?: (envelope: SmtpEnvelope) => void;
  /** Prefix of the table names, so that several runtimes can share one DynamoDB Local. */
  readonly tablePrefix?: string;
  /** Applied at start, as `npm run config:apply` would. */
  readonly config?: OnCallConfig;
  readonly secrets?: SecretStore;
  /** Signs webhook deliveries; random when absent. */
  readonly webhookSecret?: string;
  /** Signs the action links in pages; random when absent (links then die with the runtime). */
  readonly linkSecret?: string;
  /** The Slack app's signing secret, which `POST /slack/actions` checks requests against; random when absent. */
  readonly slackSigningSecret?: string;
  readonly senderAddress?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** How long the local servers let a client stay silent, and how large its headers may be. */
  readonly serverLimits?: ServerLimits;
  /**
   * Called with each SDK client before use, and the DynamoDB clients of the functions that have their own (the
   * benchmarks count calls with middleware).
   */
  readonly instrument?: (
    clients: AwsClients,
    own: { readonly notifier: Pick<AwsClients, 'dynamoDb'>; readonly heartbeatChecker: Pick<AwsClients, 'dynamoDb'>; readonly canary: Pick<AwsClients, 'dynamoDb'> },
  ) => void;
  /**
   * Benchmarks only: the escalation's waits take no real time, and each wake first calls this with its instant,
   * so that the benchmark's virtual clock (`clock`) moves there. Whole escalations then run in moments.
   */
  readonly onWake?: (at: string) => void;
  /**
   * Whether the heartbeat checker and the notifier's schedule tick on timers (default true). Tests on a virtual
   * clock run them themselves (`checkHeartbeats`); the checker still runs once at start.
   */
  readonly periodicJobs?: boolean;
  /**
   * Whether the SES emulator and the SMS and voice stand-in report what became of each message, as SES's event
   * publishing and End User Messaging's event destinations do: every page then gets its `delivered` (or
   * `bounced`...) on the timeline a moment later. `npm start` turns them on; tests and benches that are not
   * about them leave them off (default), so that their timelines and timings are the pages' alone.
   */
  readonly deliveryReports?: boolean;
  /** How often status pages may be rendered, and how long after a change; the defaults when absent. */
  readonly statusPageRenderTiming?: RenderTiming;
  /** Where the canary pages and how long it waits for the page; {@link CANARY_DEFAULTS} for what is not given. */
  readonly canary?: Partial<CanarySettings>;
  /** How often the canary runs with the periodic jobs, as in AWS (default 15). */
  readonly canaryIntervalMinutes?: number;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly sesUrl: string;
  /** The SMS and Voice v2 stand-in; `GET /messages` lists what it took. */
  readonly smsUrl: string;
  /** The Slack Web API stand-in; `GET /messages` lists what it took. */
  readonly slackUrl: string;
  /** What `POST /slack/actions` checks signatures against. */
  readonly slackSigningSecret: string;
  /** The viewer of everything every channel sent, webhook deliveries included. */
  readonly outboxUrl: string;
  /** The webhook receiver stand-in: point webhooks here; `GET /messages` lists what it took. */
  readonly webhookReceiverUrl: string;
  /** The SQS stand-in, holding the webhook dead-letter queue. */
  readonly sqsEndpoint: string;
  readonly webhookDeadLetterQueueUrl: string;
  /** The Lambda Invoke API stand-in, over the announcer (which takes the webhook dead letters again). */
  readonly lambdaEndpoint: string;
  /**
   * The stack's outputs as this runtime answers them (see lib/stack-outputs.ts), with its stand-ins' endpoints:
   * what `npx inresponse` reads from `.local/outputs.json`.
   */
  readonly outputs: Readonly<Record<string, string>>;
  readonly smtpPort: number;
  readonly inboundDomain: string;
  readonly s3Endpoint: string;
  readonly sfnEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly deployment: Deployment;
  readonly clients: AwsClients;
  readonly applied?: ApplyResult;
  /** How many OPEN incidents' escalations were resumed at start. */
  readonly resumed: number;
  /** Runs the heartbeat checker now, as its minute timer does (tests on a fake clock call it). */
  checkHeartbeats(): Promise<{ overdue: number; opened: number }>;
  /** Runs the canary now, as its timer does: raises, checks, resolves and measures one canary incident. */
  runCanary(): Promise<CanaryResult>;
  /** What the local providers report of the pages: which addresses bounce, which numbers fail. */
  readonly deliveries: Pick<LocalDeliveryReports, 'email' | 'phone' | 'pending'>;
  /** How many state machine tasks (Lambda invocations) run now. */
  runningTasks(): number;
  /** Where the status pages are served, as the CDN serves them: `<url>/<page>/`. */
  readonly statusPagesUrl: string;
  /** How many times status pages were rendered (published) since start. */
  statusPageRenders(): number;
  stop(): Promise<void>;
}

const ESCALATION_MACHINE_NAME = 'inresponse-escalation';
const ANNOUNCEMENT_MACHINE_NAME = 'inresponse-announcement';
const STATUS_PAGE_RENDER_MACHINE_NAME = 'inresponse-status-page-render';
const WEBHOOK_DEAD_LETTER_QUEUE = 'inresponse-webhook-dead-letters';
/** The announcer's name at the local Lambda API, as the stack's is at Lambda's. */
const ANNOUNCER_FUNCTION_NAME = 'announcer';
/** How often the notifier's schedule ticks, here as in AWS. */
const HANDOFF_SWEEP_MS = 5 * 60_000;
/** How often heartbeat deadlines are checked, here as in AWS. */
const HEARTBEAT_CHECK_MS = 60_000;

const SCHEDULED_EVENT = { 'detail-type': 'Scheduled Event' } as const;
const LOCAL_FUNCTION_ARN_PREFIX = `arn:aws:lambda:${LOCAL_AWS.region}:000000000000:function:`;
const LOCAL_SENDER_ADDRESS = 'oncall@inresponse.local';
/** The pool SMS pages go out from locally; the stand-in takes any. */
const LOCAL_SMS_POOL = 'pool-inresponse-local';
/** Locally every channel is set up. */
const LOCAL_CHANNELS: ReadonlySet<Channel> = new Set(['sms', 'voice', 'slack']);
/** The bot token the Slack stand-in is called with; it takes any. */
const LOCAL_SLACK_BOT_TOKEN = 'xoxb-inresponse-local';
const LOCAL_INBOUND_DOMAIN = 'oncall.inresponse.local';
/** The local mail bucket, where raw messages are kept as the receipt rule's S3 action keeps them. */
export const LOCAL_MAIL_BUCKET = 'inresponse-inbound-mail';
/** The local status page bucket, which the gateway serves under {@link STATUS_PAGES_PATH} as the CDN would. */
const LOCAL_STATUS_PAGE_BUCKET = 'inresponse-status-pages';
const STATUS_PAGES_PATH = '/status';
/** s3rver checks request signatures against its own fixed credentials. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The package is CommonJS with `exports.default`: under Node's ESM loader, the default import is `exports`. */
const startSesEmulator =
  (sesEmulatorModule as unknown as { default?: typeof sesEmulatorModule }).default ?? sesEmulatorModule;

/**
 * The whole system on this machine: DynamoDB Local, the Step Functions API over the ASL interpreter running
 * the same ASL files (their tasks bound to the same notifier and announcer handlers), the SES v2 API
 * emulator, stand-ins for SMS and Voice, Slack's Web API, SQS and a webhook receiver, and the HTTP gateway in
 * front of the same Lambda handlers.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    let dynamoDbEndpoint = options.dynamoDbEndpoint;
    if (!dynamoDbEndpoint) {
      const dynamo = await startDynamoDbLocal(options.dataDir ? { dataDir: options.dataDir } : {});
      stops.push(dynamo.stop);
      dynamoDbEndpoint = dynamo.endpoint;
    }

    const serverLimits = options.serverLimits ?? DEFAULT_SERVER_LIMITS;
    const ses: Server = guardHttpServer(await startSesEmulator({ host: '127.0.0.1', port: options.sesPort ?? 0 }), serverLimits);
    stops.push(() => closeServer(ses));
    if (options.sentMailFile) archiveSentMail(ses, options.sentMailFile);
    const sesUrl = `http://127.0.0.1:${(ses.address() as { port: number }).port}`;

    const dynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    // The notifier is a Lambda of its own in AWS, with its own clients; so here.
    const notifierDynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    // The heartbeat checker and the canary too: their calls are not the API's.
    const checkerDynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    const canaryDynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    const sesClient = new SESv2Client({ ...LOCAL_AWS, endpoint: sesUrl, maxAttempts: 1 });
    // Replies reach the SMS replies handler as SNS delivers them: the two-way topic's message in an SNS event.
    let smsReplies: ((event: SNSEvent) => Promise<void>) | undefined;
    // What SES and End User Messaging report of the pages reaches the delivery feedback handler as SNS delivers it.
    let deliveryFeedback: ((event: SNSEvent) => Promise<void>) | undefined;
    const deliveries = new LocalDeliveryReports(
      (message) => deliveryFeedback!(snsEventOf(message, 'inresponse-delivery-events')),
      (error) => (options.logger ?? createLogger('delivery-feedback')).error('delivery report given up', { error: error as Error }),
    );
    if (options.deliveryReports) deliveries.watchSes(ses);
    stops.push(async () => deliveries.close());
    const smsServer = new SmsVoiceServer(
      (message) => smsReplies!(snsEventOf(message, 'inresponse-sms-replies')),
      options.deliveryReports ? (sms) => deliveries.reportPhone(sms) : undefined,
    );
    const smsUrl = await smsServer.listen(options.smsPort ?? 0, serverLimits);
    stops.push(() => smsServer.close());
    const smsClient = new PinpointSMSVoiceV2Client({ ...LOCAL_AWS, endpoint: smsUrl, maxAttempts: 1 });
    const slackServer = new SlackApiServer();
    const slackUrl = await slackServer.listen(options.slackPort ?? 0, serverLimits);
    stops.push(() => slackServer.close());
    // The real client, as in AWS, pointed at the stand-in.
    const slackClient = slackWebClient(LOCAL_SLACK_BOT_TOKEN, `${slackUrl}/api/`);
    const receiver = new WebhookReceiver();
    const webhookReceiverUrl = await receiver.listen(options.webhookPort ?? 0, serverLimits);
    stops.push(() => receiver.close());
    const sqsServer = new SqsServer([WEBHOOK_DEAD_LETTER_QUEUE]);
    const sqsEndpoint = await sqsServer.listen(0, serverLimits);
    stops.push(() => sqsServer.close());
    const sqsClient = new SQSClient({ ...LOCAL_AWS, endpoint: sqsEndpoint });
    const outbox = new OutboxViewer(smsServer, slackServer, receiver);
    const outboxUrl = await outbox.listen(options.outboxPort ?? 0, serverLimits);
    stops.push(() => outbox.close());
    stops.push(async () => {
      for (const client of [dynamoDb, notifierDynamoDb, checkerDynamoDb, canaryDynamoDb, sesClient, smsClient, sqsClient]) client.destroy();
    });

    const deployment: Deployment = {
      tables: tableNames(options.tablePrefix ?? 'inresponse'),
      escalationStateMachineArn: stateMachineArn(ESCALATION_MACHINE_NAME),
      announcementStateMachineArn: stateMachineArn(ANNOUNCEMENT_MACHINE_NAME),
      statusPageRenderStateMachineArn: stateMachineArn(STATUS_PAGE_RENDER_MACHINE_NAME),
      ...(options.statusPageRenderTiming ? { statusPageRenderTiming: options.statusPageRenderTiming } : {}),
      // Locally every channel is set up, Slack's stand-in included.
      slack: true,
    };
    await ensureTables(dynamoDb, deployment.tables);
    // Data kept from an earlier release is brought to the current shape, as `config apply` does in AWS.
    await migrateTables(documentClient(dynamoDb), deployment.tables);
    const applied = options.config
      ? await applyOnCallConfig(documentClient(dynamoDb), deployment.tables, options.config, {
          env: process.env,
          ...(options.secrets ? { secrets: options.secrets } : {}),
        })
      : undefined;

    const linkSecret = options.linkSecret ?? randomBytes(32).toString('base64url');
    const slackSigningSecret = options.slackSigningSecret ?? randomBytes(32).toString('hex');
    // Links point at the gateway, whose URL is known once it listens.
    const inboundDomain = options.inboundDomain ?? LOCAL_INBOUND_DOMAIN;
    const notifierSettings: { -readonly [K in keyof NotifierSettings]: NotifierSettings[K] } = {
      from: options.senderAddress ?? LOCAL_SENDER_ADDRESS,
      publicApiUrl: '',
      linkSecret,
      inboundDomain,
      sms: { originationIdentity: LOCAL_SMS_POOL, voiceId: 'JOANNA' },
      announcementStateMachineArn: deployment.announcementStateMachineArn,
    };
    const announcerSettings = {
      webhookSecret: options.webhookSecret ?? randomBytes(32).toString('base64url'),
      publicApiUrl: '',
      deadLetterQueueUrl: sqsServer.queueUrl(WEBHOOK_DEAD_LETTER_QUEUE),
    };
    const logger = (name: string) => options.logger ?? createLogger(name);
    // The announcer too is a Lambda of its own, with its own DynamoDB client.
    const announcerDynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    stops.push(async () => announcerDynamoDb.destroy());
    const announcer = createAnnouncer({
      announcements: announcerDeps({ dynamoDb: announcerDynamoDb, sqs: sqsClient, slack: slackClient }, deployment.tables, announcerSettings, options.clock),
      logger: logger('announcer'),
    });
    const lambdaServer = new LambdaServer({ [ANNOUNCER_FUNCTION_NAME]: (task) => announcer(task as AnnouncerTask) });
    const lambdaEndpoint = await lambdaServer.listen(0, serverLimits);
    stops.push(() => lambdaServer.close());
    // The notifier announces escalations through the Step Functions API, whose URL is known once it listens.
    let notifier: ReturnType<typeof createNotifier> | undefined;
    // The renderer links pages to the gateway, whose URL is known once it listens.
    let statusPageRenderer: ReturnType<typeof createStatusPageRenderer> | undefined;
    const onWake = options.onWake;
    const sfnServer = new StepFunctionsServer([
      {
        name: ESCALATION_MACHINE_NAME,
        definition: JSON.parse(substitutedEscalationDefinition({ NotifierFunctionArn: `${LOCAL_FUNCTION_ARN_PREFIX}notifier` })),
        taskHandlers: {
          [FIRST_STEP_STATE]: (event: NotifierEvent) => notifier!(event),
          [WAKE_STEP_STATE]: (wake: Wake) => {
            onWake?.(wake.at);
            return notifier!(wake);
          },
        },
        ...(onWake ? { waitTimeOverrides: { [WAKE_WAIT_STATE]: 0 } } : {}),
      },
      {
        name: ANNOUNCEMENT_MACHINE_NAME,
        definition: JSON.parse(substitutedAnnouncementDefinition({ AnnouncerFunctionArn: `${LOCAL_FUNCTION_ARN_PREFIX}announcer` })),
        taskHandlers: Object.fromEntries(ANNOUNCER_STATES.map((state) => [state, (task: AnnouncerTask) => announcer(task)])),
      },
      {
        name: STATUS_PAGE_RENDER_MACHINE_NAME,
        definition: JSON.parse(substitutedStatusPageRenderDefinition({ StatusPageRendererFunctionArn: `${LOCAL_FUNCTION_ARN_PREFIX}status-page-renderer` })),
        taskHandlers: { [RENDER_TASK_STATE]: (task: RenderTask) => statusPageRenderer!(task) },
      },
    ]);
    const sfnEndpoint = await sfnServer.listen(0, serverLimits);
    stops.push(() => sfnServer.close());
    const clients: AwsClients = { dynamoDb, sfn: new SFNClient({ ...LOCAL_AWS, endpoint: sfnEndpoint }), ses: sesClient, sms: smsClient, slack: slackClient };
    stops.push(async () => clients.sfn.destroy());
    options.instrument?.(clients, { notifier: { dynamoDb: notifierDynamoDb }, heartbeatChecker: { dynamoDb: checkerDynamoDb }, canary: { dynamoDb: canaryDynamoDb } });
    const notifierSfn = new SFNClient({ ...LOCAL_AWS, endpoint: sfnEndpoint });
    stops.push(async () => notifierSfn.destroy());
    const notify = createNotifier({
      ...notifierDeps({ dynamoDb: notifierDynamoDb, sfn: notifierSfn, ses: sesClient, sms: smsClient, slack: slackClient }, deployment.tables, notifierSettings, options.clock),
      logger: logger('notifier'),
    });
    notifier = notify;
    // The notifier's schedule (an EventBridge rule in AWS): the same handler, with the event the rule sends.
    const periodicJobs = options.periodicJobs ?? true;
    if (periodicJobs) every(HANDOFF_SWEEP_MS, () => notify(SCHEDULED_EVENT), stops);

    const useCases = incidentUseCaseDeps(clients, deployment, options.clock);
    deliveryFeedback = createDeliveryFeedback({
      feedback: deliveryFeedbackDeps({ dynamoDb: notifierDynamoDb, sfn: notifierSfn }, deployment.tables, deployment.escalationStateMachineArn),
      logger: logger('delivery-feedback'),
    });
    smsReplies = createSmsReplies({
      replies: smsRepliesDeps({ ...clients, sms: smsClient }, deployment, notifierSettings.sms!, options.clock),
      logger: logger('sms-replies'),
    });
    const events = eventLog(dynamoDb, deployment.tables);
    const onCall = onCallUseCaseDeps(dynamoDb, deployment.tables, options.clock, LOCAL_CHANNELS);
    const s3 = await startLocalS3(options);
    stops.push(s3.stop);
    const heartbeats = heartbeatDeps(useCases, dynamoDb, deployment.tables, options.clock);
    const gateway = new HttpGateway(API_ROUTES, {
      incidentProcessor: createIncidentProcessor({
        useCases,
        onCall,
        maintenance: maintenanceUseCaseDeps(clients, deployment, options.clock),
        statusPages: statusPageUseCaseDeps(clients, deployment, options.clock),
        events,
        logger: logger('incident-processor'),
        linkSecret,
        heartbeats,
      }),
      incidentQuery: createIncidentQuery({ useCases, onCall, events, heartbeats, statusPages: statusPageReadDeps(dynamoDb, deployment.tables, options.clock), logger: logger('incident-query') }),
      integrations: createIntegrations({ integrations: { incidents: useCases, events }, sns: options.sns ?? new FetchSnsHttps(), logger: logger('integrations') }),
      slackActions: createSlackActions({ actions: slackActionDeps({ ...clients, slack: slackClient }, deployment, options.clock), signingSecret: slackSigningSecret, logger: logger('slack-actions') }),
      console: createConsole({
        ...consoleDeps(
          clients,
          deployment,
          { from: notifierSettings.from, publicUrl: () => notifierSettings.publicApiUrl, statusPagesUrl: () => notifierSettings.publicApiUrl + STATUS_PAGES_PATH, linkSecret },
          options.clock,
          LOCAL_CHANNELS,
        ),
        logger: logger('console'),
      }),
    }, serverLimits, { prefix: STATUS_PAGES_PATH, read: (key) => readStaticObject(s3.client, LOCAL_STATUS_PAGE_BUCKET, key) });
    const apiUrl = await gateway.listen(options.gatewayPort ?? 0, options.gatewayHost);
    notifierSettings.publicApiUrl = apiUrl;
    announcerSettings.publicApiUrl = apiUrl;
    stops.push(() => gateway.close());

    // The renderer is a Lambda of its own in AWS, with its own clients; so here. Its renders are counted for the tests.
    const statusPagesUrl = apiUrl + STATUS_PAGES_PATH;
    const rendererDynamoDb = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoDbEndpoint });
    stops.push(async () => rendererDynamoDb.destroy());
    const rendererDeps = statusPageRendererDeps({ dynamoDb: rendererDynamoDb, sfn: clients.sfn }, deployment, { s3: s3.client, bucket: LOCAL_STATUS_PAGE_BUCKET, baseUrl: statusPagesUrl }, options.clock);
    let renders = 0;
    const publisher = rendererDeps.render.publisher;
    statusPageRenderer = createStatusPageRenderer({
      renderer: {
        ...rendererDeps,
        render: {
          ...rendererDeps.render,
          publisher: {
            publish: async (path, files) => {
              await publisher.publish(path, files);
              renders++;
            },
            withdraw: (path, files) => publisher.withdraw(path, files),
          },
        },
      },
      logger: logger('status-page-renderer'),
    });
    // Pages as the file now describes them: rendered once at start, whatever changed while the runtime was down.
    if (options.config?.statusPages) await statusPageUseCaseDeps(clients, deployment, options.clock).invalidator.invalidate(Object.keys(options.config.statusPages));

    const mail = await startInboundMail({ options, deployment, clients, inboundDomain, from: notifierSettings.from, s3: s3.client, logger: logger('email-to-alert') });
    stops.push(mail.stop);

    // Executions lived in the previous run's memory: start every OPEN incident's escalation again.
    const resumed = await resumeEscalations(useCases);

    // The heartbeat checker's schedule (an EventBridge rule every minute in AWS): the same handler, run once at
    // start too, so that a deadline that passed while the runtime was down fires now, once.
    const checkerUseCases = incidentUseCaseDeps({ dynamoDb: checkerDynamoDb, sfn: clients.sfn }, deployment, options.clock);
    const checkHeartbeatsNow = createHeartbeatChecker({
      heartbeats: heartbeatDeps(checkerUseCases, checkerDynamoDb, deployment.tables, options.clock),
      logger: logger('heartbeat-checker'),
    });
    await checkHeartbeatsNow().catch(() => undefined);
    if (periodicJobs) every(HEARTBEAT_CHECK_MS, checkHeartbeatsNow, stops);

    // The canary's schedule (an EventBridge rule in AWS): the same handler, every interval.
    const runCanaryNow = createCanary({
      canary: canaryDeps({ dynamoDb: canaryDynamoDb, sfn: clients.sfn }, deployment, { ...CANARY_DEFAULTS, ...options.canary }, options.clock),
      logger: logger('canary'),
    });
    if (periodicJobs) every((options.canaryIntervalMinutes ?? CANARY_DEFAULTS.intervalMinutes) * 60_000, runCanaryNow, stops);

    const outputs = {
      [OUTPUT.apiUrl]: apiUrl,
      [OUTPUT.tablePrefix]: options.tablePrefix ?? 'inresponse',
      [OUTPUT.senderIdentity]: notifierSettings.from,
      [OUTPUT.deadLetterQueues]: JSON.stringify([
        { name: 'webhook-deliveries', url: announcerSettings.deadLetterQueueUrl, kind: 'webhook-deliveries', functionName: ANNOUNCER_FUNCTION_NAME },
      ]),
      [LOCAL_OUTPUT.dynamoDbEndpoint]: dynamoDbEndpoint,
      [LOCAL_OUTPUT.sqsEndpoint]: sqsEndpoint,
      [LOCAL_OUTPUT.lambdaEndpoint]: lambdaEndpoint,
    };
    return { apiUrl, sesUrl, smsUrl, slackUrl, slackSigningSecret, outboxUrl, webhookReceiverUrl, sqsEndpoint, webhookDeadLetterQueueUrl: announcerSettings.deadLetterQueueUrl, lambdaEndpoint, outputs, smtpPort: mail.smtpPort, inboundDomain, s3Endpoint: s3.endpoint, sfnEndpoint, dynamoDbEndpoint, deployment, clients, ...(applied ? { applied } : {}), resumed, checkHeartbeats: checkHeartbeatsNow, runCanary: runCanaryNow, deliveries, runningTasks: () => sfnServer.runningTasks, statusPagesUrl, statusPageRenders: () => renders, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Inbound mail as SES takes it in: a local S3 API holding raw messages as the receipt rule's S3 action does,
 * and an SMTP listener that stores each message there, then invokes the same email-to-alert handler with
 * the event the rule's Lambda action would send.
 */
/** Runs `job` every `ms` until the runtime stops; a failed run is the job's to log. */
function every(ms: number, job: () => Promise<unknown>, stops: (() => Promise<void>)[]): void {
  const tick = setInterval(() => void job().catch(() => undefined), ms);
  tick.unref();
  stops.push(async () => clearInterval(tick));
}

/**
 * The local S3 API (s3rver), holding the raw mail bucket and the status page bucket, in `mailDir` (kept
 * across restarts) or in a temporary directory removed at stop.
 */
async function startLocalS3(options: LocalRuntimeOptions): Promise<{ client: S3Client; endpoint: string; stop: () => Promise<void> }> {
  const directory = options.mailDir ?? mkdtempSync(join(tmpdir(), 'inresponse-mail-'));
  mkdirSync(directory, { recursive: true });
  const buckets = [LOCAL_MAIL_BUCKET, LOCAL_STATUS_PAGE_BUCKET].map((name) => ({ name, configs: [] }));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: buckets });
  const { port } = (await s3rver.run()) as { port: number };
  // s3rver keeps its HTTP server on the instance; its typings do not say so.
  guardHttpServer((s3rver as unknown as { httpServer: Server }).httpServer, options.serverLimits ?? DEFAULT_SERVER_LIMITS);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region: LOCAL_AWS.region, credentials: S3RVER_CREDENTIALS, endpoint, forcePathStyle: true });
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await s3rver.close();
      if (!options.mailDir) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** How often a read of a page being rewritten is tried again: s3rver writes an object in place, not atomically as S3 does. */
const TORN_READ_ATTEMPTS = 20;
/**
 * How long one read may take: a page of at most 50 KB from a local disk takes milliseconds, but a read that
 * meets the rewrite can be answered shorter than its Content-Length, and would wait seconds for the rest.
 */
const STATIC_READ_TIMEOUT_MS = 500;

/**
 * An object of the local bucket as the CDN answers it; undefined if there is none. A read that overlaps a
 * rewrite of the object (its bytes are not those its ETag, their MD5, names) is tried again, so that readers
 * see one version or the other, as S3 gives them.
 */
async function readStaticObject(s3: S3Client, bucket: string, key: string): Promise<StaticObject | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const abortSignal = AbortSignal.timeout(STATIC_READ_TIMEOUT_MS);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
      const body = Buffer.from(await object.Body!.transformToByteArray());
      if (`"${createHash('md5').update(body).digest('hex')}"` === object.ETag) {
        return { body, contentType: object.ContentType ?? 'application/octet-stream', ...(object.CacheControl ? { cacheControl: object.CacheControl } : {}) };
      }
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (attempt >= TORN_READ_ATTEMPTS) throw error;
    }
    if (attempt >= TORN_READ_ATTEMPTS) throw new Error(`${key} keeps changing while read`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function startInboundMail(args: {
  options: LocalRuntimeOptions;
  deployment: Deployment;
  clients: AwsClients;
  inboundDomain: string;
  from: string;
  s3: S3Client;
  logger: Logger;
}): Promise<{ smtpPort: number; stop: () => Promise<void> }> {
  const { options, deployment, clients, inboundDomain, s3 } = args;

  const inbound = inboundEmailDeps(clients, deployment, {
    inboundDomain,
    ownAddresses: [args.from],
    rejectVerdicts: parseRejectVerdicts(process.env.INRESPONSE_REJECT_VERDICTS),
  }, options.clock);
  const emailToAlert = createEmailToAlert({
    inbound,
    reader: new S3InboundMailReader(s3, { bucket: LOCAL_MAIL_BUCKET, keyPrefix: RAW_MAIL_KEY_PREFIX }),
    logger: args.logger,
  });
  const listener = new SmtpListener({
    async refuseRecipient(address) {
      const route = routeRecipient(address, inboundDomain);
      if (!route.ok) return route.reason;
      return (await inbound.incidents.directory.findService(route.service)) ? undefined : `no service ${route.service}`;
    },
    async deliver(raw, envelope) {
      const messageId = sesMessageId();
      const receivedAt = options.clock?.() ?? new Date();
      await s3.send(new PutObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: RAW_MAIL_KEY_PREFIX + messageId, Body: raw }));
      const verdicts = options.verdictsOf?.(envelope, raw) ?? LOCAL_VERDICTS;
      await emailToAlert(sesReceiptEvent({ raw, envelope, messageId, receivedAt, verdicts, functionArn: `${LOCAL_FUNCTION_ARN_PREFIX}email-to-alert` }));
    },
    ...(options.onSmtpDataEnd ? { onDataEnd: options.onSmtpDataEnd } : {}),
  }, options.serverLimits);
  const smtpPort = await listener.listen(options.smtpPort ?? 0, options.gatewayHost);
  return { smtpPort, stop: () => listener.close() };
}

/** The SNS event a topic's Lambda subscription delivers for one message. */
function snsEventOf(message: string, topic: string): SNSEvent {
  const topicArn = `arn:aws:sns:${LOCAL_AWS.region}:000000000000:${topic}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:local`,
        Sns: {
          Type: 'Notification',
          MessageId: randomBytes(16).toString('hex'),
          TopicArn: topicArn,
          Subject: '',
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}
