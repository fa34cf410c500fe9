import { TABLE_ENV, TABLE_IDS, type TableNames } from './tables';

/** Environment variable names shared by the CDK stack (which sets them) and the Lambdas (which read them). */
export const ENV = {
  escalationStateMachineArn: 'ESCALATION_STATE_MACHINE_ARN',
  /** The state machine that delivers webhooks: started by every function that creates, acts on or escalates incidents. */
  announcementStateMachineArn: 'ANNOUNCEMENT_STATE_MACHINE_ARN',
  /** The state machine that renders status pages when due: started by every function whose changes show on a page. */
  statusPageRenderStateMachineArn: 'STATUS_PAGE_RENDER_STATE_MACHINE_ARN',
  /** The bucket status pages are rendered into, and the address they are served at (`<url>/<page>/`): the renderer's. */
  statusPageBucket: 'STATUS_PAGE_BUCKET',
  statusPageBaseUrl: 'STATUS_PAGE_BASE_URL',
  /** The webhook signing secret (Secrets Manager), read by the announcer only. */
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  webhookDeadLetterQueueUrl: 'WEBHOOK_DEAD_LETTER_QUEUE_URL',
  senderAddress: 'SENDER_ADDRESS',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  publicApiUrl: 'PUBLIC_API_URL',
  linkSecretArn: 'LINK_SECRET_ARN',
  /** The domain whose mail becomes incidents; pages say to reply to `<service>@<domain>`. */
  inboundDomain: 'INBOUND_DOMAIN',
  inboundBucket: 'INBOUND_BUCKET',
  inboundKeyPrefix: 'INBOUND_KEY_PREFIX',
  /** Comma-separated SES verdicts whose FAIL rejects a message: spam, virus, spf, dkim, dmarc. */
  inboundRejectVerdicts: 'INBOUND_REJECT_VERDICTS',
  /** The phone number, sender id or pool (ARN) pages go out from by SMS; SMS is off when unset. */
  smsOriginationIdentity: 'SMS_ORIGINATION_IDENTITY',
  smsConfigurationSet: 'SMS_CONFIGURATION_SET',
  /** The Polly voice of voice calls from the same identity; no voice calls when unset. */
  voiceId: 'VOICE_ID',
  /** The Slack secret (JSON: botToken, signingSecret), for the functions that post or take clicks; Slack is off when unset. */
  slackSecretArn: 'SLACK_SECRET_ARN',
  /** `true` where pages go to Slack, for the functions that need to know it but not the secret (the escalation preview). */
  slackEnabled: 'SLACK_ENABLED',
  /** Where the canary's pages go: the one address its team pages. */
  canaryAddress: 'CANARY_ADDRESS',
} as const;

/** Where the receipt rule's S3 action stores raw messages in the mail bucket: `<prefix><SES message id>`. */
export const RAW_MAIL_KEY_PREFIX = 'inbound/';

/** Reads a required environment variable, failing at cold start rather than on the first request. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function tableNamesFromEnv(): TableNames {
  return Object.fromEntries(TABLE_IDS.map((id) => [id, requireEnv(TABLE_ENV[id])])) as unknown as TableNames;
}
