import { describe, expect, it } from 'vitest';
import { CliError } from '../../lib/cli-errors';
import { decodeDeadLetter, describeEvent } from '../../lib/cli/dead-letters';
import {
  alarmStatesVerdict,
  alarmsVerdict,
  canaryVerdict,
  deadLetterVerdict,
  originationOf,
  receiptRuleSetVerdict,
  sesAccountVerdict,
  sesIdentityVerdict,
  smsIdentityVerdict,
} from '../../lib/cli/doctor-checks';
import { csvCell, csvHeader, csvRows } from '../../lib/cli/export-formats';
import { type IncidentAnswer, timelineLine } from '../../lib/cli/incidents-command';
import { stackTarget } from '../../lib/cli/target';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:InResponse-Alarms';

describe('reading a deployed stack', () => {
  // As DescribeStacks answers them, by output key.
  const outputs = {
    ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
    TablePrefix: 'inresponse',
    SenderIdentity: 'pager.example.org',
    ReceiptRuleSetName: 'InResponse-InboundEmailRuleSet1B2C3D',
    DeadLetterQueues: JSON.stringify([
      { name: 'webhook-deliveries', url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/InResponse-DeadLetters', kind: 'webhook-deliveries', functionName: 'InResponse-announcer7F3A' },
    ]),
  };

  it('takes its API, tables, identities and queues from the outputs, and its region from the environment', () => {
    const target = stackTarget('InResponse', outputs, { env: { AWS_REGION: 'eu-west-1', INRESPONSE_API_KEY: 'irk_key' } });
    expect(target).toMatchObject({
      description: 'stack InResponse (eu-west-1)',
      stackName: 'InResponse',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      tablePrefix: 'inresponse',
      senderIdentity: 'pager.example.org',
      receiptRuleSetName: 'InResponse-InboundEmailRuleSet1B2C3D',
      apiKey: 'irk_key',
      deadLetterQueues: [{ name: 'webhook-deliveries', kind: 'webhook-deliveries', functionName: 'InResponse-announcer7F3A' }],
    });
    expect(target.smsOriginationIdentity).toBeUndefined();
    expect(target.clientSettings('cloudWatch')).toEqual({ region: 'eu-west-1' });
  });

  it('refuses a stack deployed before the outputs, saying to deploy it', () => {
    const { ApiUrl: _api, ...older } = outputs;
    expect(() => stackTarget('InResponse', older, { env: {} })).toThrow('stack InResponse has no output ApiUrl');
    expect(() => stackTarget('InResponse', older, { env: {} })).toThrow(CliError);
  });
});

describe('decoding dead letters', () => {
  const delivery = {
    deliveryId: 'incident-12-created.chat',
    webhook: 'chat',
    url: 'https://hooks.example.com/inresponse',
    type: 'created',
    incidentNumber: 12,
    service: 'athens',
    body: '{"id":"incident-12-created.chat"}',
  };

  it('reads a webhook delivery and its reason, and sends it again as the announcer\'s deliver task', () => {
    const letter = decodeDeadLetter('webhook-deliveries', {
      MessageId: 'b6f1',
      Body: JSON.stringify({ delivery, reason: 'HTTP 404' }),
      Attributes: { SentTimestamp: '1764669600000', ApproximateReceiveCount: '2' },
    });
    expect(letter).toEqual({
      messageId: 'b6f1',
      sentAt: '2025-12-02T10:00:00.000Z',
      receiveCount: 2,
      what: 'created of incident 12 to webhook chat (https://hooks.example.com/inresponse)',
      reason: 'HTTP 404',
      event: { task: 'deliver', delivery },
    });
  });

  it('reads the event a function failed on, with the error Lambda put in its attributes', () => {
    // An asynchronous invocation's dead letter, as Lambda sends it: the SES receipt event, the error beside it.
    const sesEvent = {
      Records: [
        {
          eventSource: 'aws:ses',
          ses: {
            mail: { commonHeaders: { from: ['cto@customer.example'], subject: 'Checkout is down' } },
            receipt: { recipients: ['athens+crit@oncall.example.org'] },
          },
        },
      ],
    };
    const letter = decodeDeadLetter('lambda-events', {
      MessageId: 'c0de',
      Body: JSON.stringify(sesEvent),
      MessageAttributes: { RequestID: { StringValue: 'a1b2' }, ErrorCode: { StringValue: '200' }, ErrorMessage: { StringValue: 'Task timed out after 30.03 seconds' } },
    });
    expect(letter).toEqual({
      messageId: 'c0de',
      what: 'mail from cto@customer.example to athens+crit@oncall.example.org: "Checkout is down"',
      reason: 'Task timed out after 30.03 seconds (code 200)',
      event: sesEvent,
    });
  });

  it('says what an SNS event or any other event was, and never sends again a body it cannot read', () => {
    expect(describeEvent({ Records: [{ Sns: { TopicArn: 'arn:aws:sns:eu-west-1:1:InResponse-TwoWay', Message: '{"messageBody":"ACK 12"}' } }] })).toBe(
      'SNS message of InResponse-TwoWay: {"messageBody":"ACK 12"}',
    );
    expect(describeEvent({ detail: 'x'.repeat(200) })).toMatch(/^event \{"detail":"x+…$/);
    expect(decodeDeadLetter('webhook-deliveries', { Body: 'not json' })).toEqual({ messageId: '?', what: 'an unreadable delivery', reason: 'its body is not a dead-lettered delivery' });
    expect(decodeDeadLetter('lambda-events', { Body: '{' }).event).toBeUndefined();
  });
});

describe("doctor's verdicts on AWS answers", () => {
  it('SES identity: verified, pending, or not there at all', () => {
    expect(sesIdentityVerdict('pager.example.org', { VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' }).status).toBe('ok');
    expect(sesIdentityVerdict('pager.example.org', { VerifiedForSendingStatus: false, VerificationStatus: 'PENDING' })).toMatchObject({
      status: 'fail',
      detail: 'pager.example.org is not verified for sending (PENDING)',
      fix: expect.stringContaining('DKIM records'),
    });
    expect(sesIdentityVerdict('oncall@example.org', undefined)).toMatchObject({ status: 'fail', fix: expect.stringMatching(/^aws sesv2 create-email-identity --email-identity oncall@example.org, then click the link/) });
  });

  it('SES account: in the sandbox, paused, or sending', () => {
    expect(sesAccountVerdict({ ProductionAccessEnabled: false, SendingEnabled: true })).toMatchObject({ status: 'fail', detail: expect.stringContaining('sandbox'), fix: expect.stringContaining('--production-access-enabled') });
    expect(sesAccountVerdict({ ProductionAccessEnabled: true, SendingEnabled: false, EnforcementStatus: 'SHUTDOWN' })).toMatchObject({ status: 'fail', detail: expect.stringContaining('paused') });
    expect(sesAccountVerdict({ ProductionAccessEnabled: true, SendingEnabled: true, SendQuota: { Max24HourSend: 50000, SentLast24Hours: 12 } })).toEqual({
      status: 'ok',
      check: 'SES account',
      detail: 'out of the sandbox, 12 of 50000 sent in 24 h',
    });
  });

  it('receipt rule set: ours active, none, another, or no inbound mail', () => {
    expect(receiptRuleSetVerdict('ours', 'ours').status).toBe('ok');
    expect(receiptRuleSetVerdict('ours', undefined)).toMatchObject({ status: 'fail', fix: 'aws ses set-active-receipt-rule-set --rule-set-name ours' });
    expect(receiptRuleSetVerdict('ours', 'theirs')).toMatchObject({ status: 'fail', detail: expect.stringContaining('another rule set, theirs') });
    expect(receiptRuleSetVerdict(undefined, 'theirs').status).toBe('skip');
  });

  it('SMS origination identity: its kind from the ARN, then present and active', () => {
    expect(originationOf('arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123')).toEqual({ kind: 'pool', id: 'pool-0123' });
    expect(originationOf('arn:aws:sms-voice:eu-west-1:123456789012:sender-id/INRESP/FR')).toEqual({ kind: 'sender-id', id: 'INRESP', country: 'FR' });
    expect(originationOf('+15555550100')).toBeUndefined();
    const arn = 'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0abc';
    expect(smsIdentityVerdict(arn, { status: 'ACTIVE' }).status).toBe('ok');
    expect(smsIdentityVerdict(arn, { status: 'PENDING' })).toMatchObject({ status: 'fail', detail: `${arn} is PENDING, not ACTIVE` });
    expect(smsIdentityVerdict(arn, undefined).status).toBe('fail');
    expect(smsIdentityVerdict(undefined, undefined).status).toBe('skip');
  });

  it('alarms: none, one notifying nobody, a topic without a confirmed subscriber, all reaching someone', () => {
    const alarm = { AlarmName: 'InResponse-NotifierErrors', AlarmActions: [TOPIC] };
    expect(alarmsVerdict('InResponse', [], new Map())).toMatchObject({ status: 'fail', detail: "no alarm's name starts with InResponse" });
    expect(alarmsVerdict('InResponse', [alarm, { AlarmName: 'InResponse-Quiet', AlarmActions: [] }], new Map()).detail).toBe('1 alarm(s) notify no topic: InResponse-Quiet');
    const pending = new Map([[TOPIC, [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email' }]]]);
    expect(alarmsVerdict('InResponse', [alarm], pending)).toMatchObject({ status: 'fail', detail: `no confirmed subscriber on ${TOPIC} (1 awaiting confirmation): alarms reach no one` });
    const confirmed = new Map([[TOPIC, [{ SubscriptionArn: `${TOPIC}:5f1e`, Protocol: 'email' }, { SubscriptionArn: `${TOPIC}:77aa`, Protocol: 'sms' }]]]);
    expect(alarmsVerdict('InResponse', [alarm], confirmed)).toEqual({ status: 'ok', check: 'alarms subscribed', detail: '1 alarm(s), notifying 1 topic(s) with confirmed subscribers (email, sms)' });
    expect(alarmStatesVerdict([{ ...alarm, StateValue: 'ALARM' }, { AlarmName: 'InResponse-Ok', StateValue: 'OK' }])).toMatchObject({ status: 'warn', detail: 'in ALARM now: InResponse-NotifierErrors' });
  });

  it('canary: green, red, or silent for three intervals', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
    expect(canaryVerdict([{ at: at(20), value: 0 }, { at: at(5), value: 1 }], now)).toEqual({ status: 'ok', check: 'canary', detail: `green at ${at(5).toISOString()}` });
    expect(canaryVerdict([{ at: at(5), value: 0 }, { at: at(20), value: 1 }], now)).toMatchObject({ status: 'fail', detail: `red: the run of ${at(5).toISOString()} failed` });
    expect(canaryVerdict([{ at: at(50), value: 1 }], now)).toMatchObject({ status: 'fail', detail: `no result since ${at(50).toISOString()} (more than 45 min)` });
    expect(canaryVerdict([], now).detail).toBe('no result of CanarySuccess in the last hour');
  });

  it('dead letters: empty, or how many with the commands to see and redrive them', () => {
    expect(deadLetterVerdict('webhook-deliveries', 0).status).toBe('ok');
    expect(deadLetterVerdict('webhook-deliveries', 3)).toMatchObject({ status: 'fail', fix: 'npx inresponse dlq list webhook-deliveries, fix the cause, then npx inresponse dlq redrive webhook-deliveries' });
  });
});

describe('export formats', () => {
  const incident = {
    number: 12, service: 'athens', team: 'devops', severity: 'CRIT', urgency: 'high', state: 'RESOLVED', title: '=HYPERLINK("http://evil")', message: 'm',
    dedupKey: 'k', detectedAt: '2026-11-24T10:00:00.000Z', createdAt: '2026-11-24T10:00:01.000Z', createdBy: 'athens-nagios', occurrences: 3,
    lastSeenAt: '2026-11-24T10:02:00.000Z', resolvedBy: 'safeer', resolvedAt: '2026-11-24T10:05:00.000Z',
    timeline: [
      { at: '2026-11-24T10:00:01.000Z', type: 'created', by: 'athens-nagios' },
      { at: '2026-11-24T10:00:02.000Z', type: 'notified', by: 'inresponse', to: '+33600000000', channel: 'sms', level: 1, round: 0 },
      { at: '2026-11-24T10:02:00.000Z', type: 'repeated', by: 'athens-nagios', count: 2, firstAt: '2026-11-24T10:01:00.000Z' },
      { at: '2026-11-24T10:05:00.000Z', type: 'resolved', by: 'safeer', note: 'disk grown, "for now"\nsee runbook' },
    ],
  } as IncidentAnswer;

  it('CSV: one row per timeline entry, quoted where needed, formulas defused', () => {
    const head = '12,athens,devops,CRIT,high,RESOLVED,"\'=HYPERLINK(""http://evil"")",2026-11-24T10:00:01.000Z,athens-nagios,3,,,safeer,2026-11-24T10:05:00.000Z';
    expect([csvHeader(), ...csvRows(incident)]).toEqual([
      'number,service,team,severity,urgency,state,title,createdAt,createdBy,occurrences,claimedBy,claimedAt,resolvedBy,resolvedAt,entryAt,entryType,entryBy,entryTo,entryChannel,entryLevel,entryNote',
      `${head},2026-11-24T10:00:01.000Z,created,athens-nagios,,,,`,
      `${head},2026-11-24T10:00:02.000Z,notified,inresponse,+33600000000,sms,1,`,
      `${head},2026-11-24T10:02:00.000Z,repeated,athens-nagios,,,,2 repeat(s) since 2026-11-24T10:01:00.000Z`,
      `${head},2026-11-24T10:05:00.000Z,resolved,safeer,,,,"disk grown, ""for now""\nsee runbook"`,
    ]);
    expect(['-1', '-1+1', '@sum', 'plain', 'a,b'].map(csvCell)).toEqual(['-1', "'-1+1", "'@sum", 'plain', '"a,b"']);
  });

  it('timeline lines say when, what, who and the page', () => {
    expect(incident.timeline.map(timelineLine)).toEqual([
      '2026-11-24 10:00:01Z  created       athens-nagios',
      '2026-11-24 10:00:02Z  notified      inresponse  to +33600000000  level 1',
      '2026-11-24 10:02:00Z  repeated      athens-nagios  2 repeat(s) since 2026-11-24 10:01:00Z',
      '2026-11-24 10:05:00Z  resolved      safeer  disk grown, "for now" / see runbook',
    ]);
  });
});
