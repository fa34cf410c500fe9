/**
 * The CDK app: `npm run synth` (offline) or `npx cdk deploy`. Settings come from CDK context (cdk.json or
 * `-c name=value`): tablePrefix, senderAddress, senderIdentity (default: the sender's domain),
 * sesConfigurationSet (optional), inboundDomain (optional: mail to `<service>@<domain>` becomes incidents),
 * inboundRejectVerdicts (optional: SES checks whose FAIL rejects mail, default spam,virus,dmarc),
 * smsOriginationIdentity (optional: the ARN of the phone number, pool or sender id SMS pages go out from; no SMS
 * without it), smsConfigurationSet (optional), voiceId (optional: the Polly voice, such as JOANNA, of voice calls
 * from the same identity; no calls without it), slack (optional: `true` posts pages to Slack through a Slack app
 * whose bot token and signing secret the operator puts in the secret the stack makes; see the README),
 * tracing (optional: `true` turns on X-Ray active tracing of every function and of the state machine; off by default),
 * existingTables (optional: `true` uses the tables of tablePrefix as they exist, restored from a backup, instead of
 * making them; see the README's restore runbook),
 * alarmEmail and alarmSms (optional: an operator's address and phone number, E.164, that the alarms of InResponse's
 * own health reach through SNS, never through InResponse), canaryAddress (optional: where the canary's pages go,
 * default SES's mailbox simulator success@simulator.amazonses.com), canaryIntervalMinutes (optional: how often the
 * canary runs, default 15), smsMonthlySpendLimit (optional: the account's monthly SMS spending limit in US
 * dollars, default 1, AWS's starting limit; an alarm rings at 80% of it).
 */
import { App } from 'aws-cdk-lib';
import { InResponseStack } from '../lib/inresponse-stack';

const app = new App();
const context = (name: string): string | undefined => app.node.tryGetContext(name) as string | undefined;
const senderAddress = context('senderAddress') ?? 'oncall@example.com';
const configurationSet = context('sesConfigurationSet');
const inboundDomain = context('inboundDomain');
const rejectVerdicts = context('inboundRejectVerdicts');
const smsOriginationIdentity = context('smsOriginationIdentity');
const smsConfigurationSet = context('smsConfigurationSet');
const voiceId = context('voiceId');
// `-c slack=true` gives the string, cdk.json may give the boolean.
const slack = String(context('slack')) === 'true';
const statusPagesDomain = context('statusPagesDomain');
const statusPagesCertificateArn = context('statusPagesCertificateArn');
const alarmEmail = context('alarmEmail');
const alarmSms = context('alarmSms');
const canaryAddress = context('canaryAddress');
const canaryIntervalMinutes = context('canaryIntervalMinutes');
const smsMonthlySpendLimit = context('smsMonthlySpendLimit');
if (Boolean(statusPagesDomain) !== Boolean(statusPagesCertificateArn)) throw new Error('statusPagesDomain and statusPagesCertificateArn go together: give both, or neither');
new InResponseStack(app, 'InResponse', {
  tablePrefix: context('tablePrefix') ?? 'inresponse',
  // `-c existingTables=true`: the tables of the prefix exist (restored from a backup); the stack makes none.
  existingTables: String(context('existingTables')) === 'true',
  ses: {
    senderAddress,
    senderIdentity: context('senderIdentity') ?? senderAddress.split('@')[1]!,
    ...(configurationSet ? { configurationSet } : {}),
  },
  ...(smsOriginationIdentity
    ? {
        sms: {
          originationIdentityArn: smsOriginationIdentity,
          ...(smsConfigurationSet ? { configurationSet: smsConfigurationSet } : {}),
          ...(voiceId ? { voiceId } : {}),
          ...(smsMonthlySpendLimit === undefined ? {} : { monthlySpendLimit: Number(smsMonthlySpendLimit) }),
        },
      }
    : {}),
  ...(slack ? { slack } : {}),
  ...(statusPagesDomain && statusPagesCertificateArn ? { statusPagesDomain: { domainName: statusPagesDomain, certificateArn: statusPagesCertificateArn } } : {}),
  ...(inboundDomain ? { inbound: { domain: inboundDomain, ...(rejectVerdicts === undefined ? {} : { rejectVerdicts }) } } : {}),
  alarms: { ...(alarmEmail ? { email: alarmEmail } : {}), ...(alarmSms ? { sms: alarmSms } : {}) },
  canary: { ...(canaryAddress ? { address: canaryAddress } : {}), ...(canaryIntervalMinutes === undefined ? {} : { intervalMinutes: Number(canaryIntervalMinutes) }) },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
