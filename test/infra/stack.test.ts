import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, routeKey } from '../../lambdas/config/routes';
import { LIMITS } from '../../lambdas/config/limits';
import { MAINTENANCE_INDEX, TABLE_ENV, TABLE_IDS, TABLES, tableNames, type TableDefinition } from '../../lambdas/config/tables';
import { readEscalationDefinition } from '../../lib/escalation-definition';
import { readAnnouncementDefinition } from '../../lib/announcement-definition';
import { readStatusPageRenderDefinition } from '../../lib/status-page-render-definition';
import { InResponseStack } from '../../lib/inresponse-stack';
import { InResponseHealth } from '../../lib/constructs/health';
import { type CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';

let template: Template;
let stack: Stack;
const names = tableNames('test');

/**
 * An app that does not bundle the functions: these tests read the template only, and bundle.test.ts drives
 * the real bundles. Extra context (such as `tracing`) on top.
 */
const appWith = (context: Record<string, unknown> = {}) => new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });

const FULL_PROPS = {
  tablePrefix: 'test',
  ses: { senderAddress: 'oncall@pager.example.org', senderIdentity: 'pager.example.org', configurationSet: 'pages' },
  inbound: { domain: 'oncall.example.org' },
  sms: { originationIdentityArn: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef', configurationSet: 'pages-sms', voiceId: 'JOANNA' },
  slack: true,
  alarms: { email: 'ops@example.org', sms: '+33612345678' },
} as const;

/** A stack with the AWS Solutions checks of cdk-nag applied, as its aspects run at synthesis. */
function checkedStack(id: string, context: Record<string, unknown> = {}): Stack {
  const checked = new InResponseStack(appWith(context), id, FULL_PROPS);
  Aspects.of(checked).add(new AwsSolutionsChecks());
  return checked;
}

/** The AWS Solutions findings left unsuppressed, as "path: message" lines for a readable failure. */
const unsuppressed = (checked: Stack, kind: 'findError' | 'findWarning') =>
  Annotations.fromStack(checked)
    [kind]('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((finding) => `${finding.id}: ${String(finding.entry.data).split(':')[0]}`);

beforeAll(() => {
  stack = checkedStack('Test');
  template = Template.fromStack(stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The logical id of the function whose id contains `functionId`, and the function. */
const functionIdOf = (functionId: string) =>
  Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.includes(functionId))!;
const functionNamed = (functionId: string) => template.findResources('AWS::Lambda::Function')[functionIdOf(functionId)]!;

/** The IAM statements attached to the role of the function whose logical id contains `functionId`. */
function statementsOf(functionId: string): Statement[] {
  return statementsOfRole((functionNamed(functionId).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]);
}

function statementsOfRole(roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
/** The actions on data and workflows: every function also writes its own log group (tested apart). */
const dataActionsOf = (statements: Statement[]) => actionsOf(statements).filter((a) => !a.startsWith('logs:'));

/** The table logical id a statement's resources point at. */
const tableIdOf = (tableId: string) =>
  Object.keys(template.findResources('AWS::DynamoDB::Table', { Properties: { TableName: names[tableId as keyof typeof names] } }))[0]!;

const statementsOnTable = (statements: Statement[], tableId: string) =>
  statements.filter((s) => JSON.stringify(s.Resource).includes(tableIdOf(tableId)));

describe('tables', () => {
  it('creates every shared table definition, on demand with point-in-time recovery, kept on delete', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLE_IDS.length);
    for (const id of TABLE_IDS) {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          TableName: names[id],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          KeySchema: Match.arrayWith([{ AttributeName: TABLES[id].partitionKey.name, KeyType: 'HASH' }]),
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it('lets DynamoDB expire the items of the tables that say so', () => {
    for (const id of TABLE_IDS) {
      const ttl = (TABLES[id] as TableDefinition).timeToLiveAttribute;
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: names[id],
        TimeToLiveSpecification: ttl ? { AttributeName: ttl, Enabled: true } : Match.absent(),
      });
    }
  });

  it('keys the tables as seed 001 does', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: names.schedules,
      KeySchema: [
        { AttributeName: 'team', KeyType: 'HASH' },
        { AttributeName: 'entry', KeyType: 'RANGE' },
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: names.incidents,
      KeySchema: [{ AttributeName: 'incidentId', KeyType: 'HASH' }],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'incidentId', AttributeType: 'N' }]),
    });
  });

  it('gives the incidents table its list indexes, projecting only the summary', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: names.incidents,
      GlobalSecondaryIndexes: TABLES.incidents.indexes.map((index) =>
        Match.objectLike({
          IndexName: index.indexName,
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
        }),
      ),
    });
  });

  it('keeps the config table keyed by configkey alone, and gives it the sparse maintenance index, projecting the windows', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: names.config,
      KeySchema: [{ AttributeName: 'configkey', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: MAINTENANCE_INDEX,
          KeySchema: [
            { AttributeName: 'calendar', KeyType: 'HASH' },
            { AttributeName: 'configkey', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TABLES.config.indexes[0].nonKeyAttributes] },
        },
      ],
    });
  });
});

describe('HTTP API', () => {
  it('has exactly the shared routes, each with a payload v2 Lambda integration', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(API_ROUTES.map(routeKey).sort());
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });
});

describe('functions', () => {
  it('runs the three API functions, the console, the notifier, the sweeper, the heartbeat checker, email-to-alert, SMS replies, Slack actions, the announcer, the status page renderer, the delivery feedback and the canary on nodejs22.x, configured by their environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 14);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      // Each function reads every table name at cold start.
      Environment: { Variables: Match.objectLike(Object.fromEntries(TABLE_IDS.map((id) => [TABLE_ENV[id], Match.anyValue()]))) },
    });
    for (const fn of ['incidentProcessor', 'incidentQuery', 'notifier']) {
      expect(functionNamed(fn).Properties.Environment.Variables).toHaveProperty('LINK_SECRET_ARN');
    }
    for (const fn of ['incidentProcessor', 'incidentQuery']) {
      expect(functionNamed(fn).Properties.Environment.Variables).toHaveProperty('ESCALATION_STATE_MACHINE_ARN');
    }
    // Every function that builds the incident use cases finds the announcement state machine.
    for (const fn of ['incidentProcessor', 'integrations', 'escalationSweeper', 'emailToAlert', 'smsReplies', 'notifier']) {
      expect(functionNamed(fn).Properties.Environment.Variables, fn).toHaveProperty('ANNOUNCEMENT_STATE_MACHINE_ARN');
    }
    // And every one that raises or acts on incidents finds the status page render state machine.
    for (const fn of ['incidentProcessor', 'integrations', 'escalationSweeper', 'emailToAlert', 'smsReplies', 'slackActions', 'heartbeatChecker', 'statusPageRenderer', 'Consoleconsole']) {
      expect(functionNamed(fn).Properties.Environment.Variables, fn).toHaveProperty('STATUS_PAGE_RENDER_STATE_MACHINE_ARN');
    }
    expect(functionNamed('notifier').Properties.Environment.Variables).toMatchObject({
      SENDER_ADDRESS: 'oncall@pager.example.org',
      SES_CONFIGURATION_SET: 'pages',
      PUBLIC_API_URL: expect.anything(),
      INBOUND_DOMAIN: 'oncall.example.org',
    });
  });
});

/** The SNS topic a function is subscribed to. */
function topicSubscribedBy(functionId: string): string {
  const subscription = Object.values(template.findResources('AWS::SNS::Subscription')).find(
    (s) => JSON.stringify(s.Properties.Endpoint) === JSON.stringify({ 'Fn::GetAtt': [functionIdOf(functionId), 'Arn'] }),
  )!;
  expect(subscription.Properties.Protocol).toBe('lambda');
  return (subscription.Properties.TopicArn as { Ref: string }).Ref;
}

/** The resource policy of a topic. */
const topicPolicyOf = (topicId: string) =>
  Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]))!.Properties.PolicyDocument;

describe('restoring from a backup', () => {
  it('points every function at the restored tables of another prefix, making none, with the same grants on them and their indexes', () => {
    const restored = Template.fromStack(new InResponseStack(appWith(), 'Restored', { ...FULL_PROPS, tablePrefix: 'restored', existingTables: true }));
    restored.resourceCountIs('AWS::DynamoDB::Table', 0);
    restored.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike(Object.fromEntries(TABLE_IDS.map((id) => [TABLE_ENV[id], tableNames('restored')[id]]))) },
    });
    const policies = JSON.stringify(restored.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':table/restored-incidents');
    expect(policies).toContain(':table/restored-incidents/index/byServiceState');
    expect(policies).not.toContain(':table/test-');
    // Their alarms are there as for tables the stack makes.
    const alarms = JSON.stringify(restored.findResources('AWS::CloudWatch::Alarm'));
    for (const id of TABLE_IDS) expect(alarms).toContain(`TableName = '${tableNames('restored')[id]}'`);
  });
});

describe('delivery feedback', () => {
  it('takes SES and SMS events from a TLS-only topic both services may publish to, into a function that may touch the incident, the bad contacts and the escalation only', () => {
    const policy = JSON.stringify(topicPolicyOf(topicSubscribedBy('deliveryFeedback')));
    for (const wanted of ['ses.amazonaws.com', 'sms-voice.amazonaws.com', 'aws:SecureTransport', 'aws:SourceAccount']) expect(policy).toContain(wanted);
    const statements = statementsOf('deliveryFeedback');
    // Beside its dead-letter queue, which the Lambda service writes failed invocations to.
    expect(dataActionsOf(statements).filter((a) => a !== 'sqs:SendMessage').sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'states:StartExecution', 'states:StopExecution']);
    const resourceOf = (action: string) => JSON.stringify(statements.find((st) => [st.Action].flat().includes(action))!.Resource);
    expect(resourceOf('dynamodb:UpdateItem')).toContain('Tablesincidents');
    expect(resourceOf('dynamodb:UpdateItem')).not.toContain('index');
    expect(resourceOf('dynamodb:PutItem')).toContain('Tablesconfig');
    expect(functionNamed('deliveryFeedback').Properties.DeadLetterConfig).toBeDefined();
  });

  it('sends pages with configuration sets of its own whose events go to that topic, unless the operator names theirs', () => {
    const own = Template.fromStack(new InResponseStack(appWith(), 'OwnSets', { ...FULL_PROPS, ses: { ...FULL_PROPS.ses, configurationSet: undefined }, sms: { ...FULL_PROPS.sms, configurationSet: undefined } }));
    own.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'OwnSets-pages' });
    own.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'reject', 'deliveryDelay'], SnsDestination: Match.anyValue() }),
    });
    own.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      ConfigurationSetName: 'OwnSets-sms-pages',
      EventDestinations: [Match.objectLike({ MatchingEventTypes: ['TEXT_ALL', 'VOICE_ALL'], SnsDestination: Match.anyValue() })],
    });
    const notifier = Object.entries(own.findResources('AWS::Lambda::Function')).find(([id]) => id.includes('notifier'))![1];
    expect(notifier.Properties.Environment.Variables).toMatchObject({ SES_CONFIGURATION_SET: { Ref: expect.stringMatching(/^DeliveryEventsPages/) }, SMS_CONFIGURATION_SET: { Ref: expect.stringMatching(/^DeliveryEventsSmsPages/) } });
    // The operator's sets are used as they are: the stack makes none.
    template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    template.resourceCountIs('AWS::SMSVOICE::ConfigurationSet', 0);
  });
});

/** The state machine whose definition has this substitution. */
const machineWith = (substitution: string) =>
  Object.values(template.findResources('AWS::StepFunctions::StateMachine')).find((m) => substitution in m.Properties.DefinitionSubstitutions)!;

describe('state machine', () => {
  const machine = () => machineWith('NotifierFunctionArn');

  it('is the ASL file, inline, with the notifier substituted in', () => {
    expect(Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))).toHaveLength(3);
    expect(JSON.parse(machine().Properties.DefinitionString)).toEqual(JSON.parse(readEscalationDefinition()));
    expect(machine().Properties.DefinitionSubstitutions).toEqual({
      NotifierFunctionArn: { 'Fn::GetAtt': [functionIdOf('notifier'), 'Arn'] },
    });
  });

  it('retries only the notifier\'s retryable errors, with backoff', () => {
    const { Retry } = JSON.parse(machine().Properties.DefinitionString).States.Escalate;
    expect(Retry).toHaveLength(1);
    expect(Retry[0].ErrorEquals).toContain('RetryableNotifyError');
    expect(Retry[0].ErrorEquals).not.toContain('States.ALL');
    expect(Retry[0].BackoffRate).toBeGreaterThan(1);
  });

  it('may invoke the notifier and nothing else', () => {
    const roleId = (machine().Properties.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const statements = statementsOfRole(roleId);
    const invokes = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invokes.flatMap((st) => [st.Action].flat())).toEqual(['lambda:InvokeFunction']);
    // The unqualified function only, as the definition names it: no `<arn>:*` of versions and aliases.
    expect(invokes.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [functionIdOf('notifier'), 'Arn'] }]);
    expect(actionsOf(statements).filter((a) => !/^(lambda:InvokeFunction|logs:)/.test(a))).toEqual([]);
  });
});

describe('notifier', () => {
  it('sends email only as the sender identity, reads the schedules, records handoff notices and updates incidents', () => {
    const statements = statementsOf('notifier');
    const ses = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Action).toBe('ses:SendEmail');
    const resources = JSON.stringify(ses[0]!.Resource);
    expect(resources).toContain(':identity/pager.example.org');
    expect(resources).toContain(':configuration-set/pages');
    expect((ses[0] as Statement & { Condition: unknown }).Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'oncall@pager.example.org' } });
    expect(actionsOf(statementsOnTable(statements, 'incidents'))).toContain('dynamodb:UpdateItem');
    expect(actionsOf(statementsOnTable(statements, 'schedules'))).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem']));
    expect(statementsOnTable(statements, 'dedup')).toEqual([]);
  });

  it('sends SMS and voice calls from the one origination identity and configuration set only', () => {
    const sms = statementsOf('notifier').filter((st) => [st.Action].flat().some((a) => a.startsWith('sms-voice:')));
    expect(sms).toEqual([
      {
        Effect: 'Allow',
        Action: ['sms-voice:SendTextMessage', 'sms-voice:SendVoiceMessage'],
        Resource: [
          FULL_PROPS.sms.originationIdentityArn,
          { 'Fn::Join': ['', ['arn:aws:sms-voice:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':configuration-set/pages-sms']] },
        ],
      },
    ]);
    for (const fn of ['notifier', 'incidentQuery']) {
      expect((functionNamed(fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        SMS_ORIGINATION_IDENTITY: FULL_PROPS.sms.originationIdentityArn,
        VOICE_ID: 'JOANNA',
      });
    }
    for (const fn of ['incidentProcessor', 'incidentQuery', 'integrations', 'emailToAlert', 'escalationSweeper']) {
      expect(actionsOf(statementsOf(fn)).filter((a) => a.startsWith('sms-voice:'))).toEqual([]);
    }
  });

  it('takes SMS replies from a TLS-only topic the SMS service may publish to, into a function that may send from the identity only', () => {
    const topicId = topicSubscribedBy('smsReplies');
    const policy = JSON.stringify(topicPolicyOf(topicId));
    expect(policy).toContain('sms-voice.amazonaws.com');
    expect(policy).toContain('aws:SecureTransport');
    const sms = statementsOf('smsReplies').filter((st) => [st.Action].flat().some((a) => a.startsWith('sms-voice:')));
    expect(sms.map((st) => [st.Action, (st.Resource as unknown[])[0]])).toEqual([['sms-voice:SendTextMessage', FULL_PROPS.sms.originationIdentityArn]]);
    expect(functionNamed('smsReplies').Properties.DeadLetterConfig).toBeDefined();
  });

  it('refuses an SMS origination identity that is not an ARN, which IAM could not scope', () => {
    expect(
      () => new InResponseStack(appWith(), 'BadSms', { ...FULL_PROPS, sms: { originationIdentityArn: '+33612345678' } }),
    ).toThrow(/must be the ARN of a phone number, pool or sender id/);
  });

  it('runs every 5 minutes to send the handoff notices that are due', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIdOf('notifier'), 'Arn'] } })],
    });
  });
});

describe('escalation sweeper', () => {
  it('runs every 5 minutes, reads incidents and may only start escalations', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIdOf('escalationSweeper'), 'Arn'] } })],
    });
    const statements = statementsOf('escalationSweeper');
    expect(actionsOf(statements)).toContain('states:StartExecution');
    expect(dataActionsOf(statements).filter((a) => /Put|Update|Delete|Write|StopExecution/.test(a))).toEqual([]);
    for (const table of ['dedup', 'services', 'schedules', 'config']) expect(statementsOnTable(statements, table)).toEqual([]);
  });
});

describe('heartbeats', () => {
  it('keep their state in a table whose sparse due-time index the checker queries every minute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'monitor', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byDeadline', KeySchema: [{ AttributeName: 'due', KeyType: 'HASH' }, { AttributeName: 'deadline', KeyType: 'RANGE' }] })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIdOf('heartbeatChecker'), 'Arn'] } })],
    });
    expect(actionsOf(statementsOf('heartbeatChecker'))).toContain('states:StartExecution');
  });

  it('take pings on GET, POST and HEAD /heartbeats/{token} with no API Gateway authoriser (the token is checked in the function)', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes).toEqual(expect.arrayContaining(['GET /heartbeats/{token}', 'POST /heartbeats/{token}', 'HEAD /heartbeats/{token}', 'GET /heartbeats']));
  });
});

describe('inbound email', () => {
  const bucketId = () => Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('InboundEmail'))!;

  it('has one receipt rule for the domain: store the raw message in the bucket, then invoke email-to-alert', () => {
    template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1);
    template.resourceCountIs('AWS::SES::ReceiptRule', 1);
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Enabled: true,
        Recipients: ['oncall.example.org'],
        ScanEnabled: true,
        Actions: [
          { S3Action: { BucketName: { Ref: bucketId() }, ObjectKeyPrefix: 'inbound/' } },
          { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [functionIdOf('emailToAlert'), 'Arn'] }, InvocationType: 'Event' } },
        ],
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'ses.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionIdOf('emailToAlert'), 'Arn'] },
      SourceAccount: Match.anyValue(),
    });
  });

  it('keeps raw mail encrypted, private, over TLS only, and for the retention time', () => {
    // The raw mail bucket, beside the status pages'.
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: LIMITS.inboundRetentionDays, Status: 'Enabled' })] },
      }),
      DeletionPolicy: 'Retain',
    });
    const statements = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === bucketId())!.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // SES may write raw mail under the prefix, on behalf of this account only.
    const sesWrites = statements.filter((st: { Principal?: { Service?: string } }) => st.Principal?.Service === 'ses.amazonaws.com');
    expect(sesWrites).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 's3:PutObject', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
    expect(JSON.stringify(sesWrites[0].Resource)).toContain('/inbound/*');
  });

  it('lets email-to-alert only read raw mail, write incidents and the event record, and start and stop escalations', () => {
    const statements = statementsOf('emailToAlert');
    const onBucket = statements.filter((st) => JSON.stringify(st.Resource).includes(bucketId()));
    expect(onBucket.length).toBeGreaterThan(0);
    // GetObject under the prefix, ListBucket (so that a missing object is NoSuchKey) on the bucket: nothing else.
    expect(onBucket.map((st) => [st.Action, JSON.stringify(st.Resource).includes('/inbound/*')])).toEqual([
      ['s3:GetObject', true],
      ['s3:ListBucket', false],
    ]);
    expect(actionsOf(statementsOnTable(statements, 'events'))).toContain('dynamodb:PutItem');
    expect(actionsOf(statementsOnTable(statements, 'inboundMail'))).toContain('dynamodb:PutItem');
    expect(actionsOf(statementsOnTable(statements, 'schedules'))).toEqual([]);
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['states:StartExecution', 'states:StopExecution']));
    expect(actionsOf(statements).filter((a) => a.startsWith('ses:'))).toEqual([]);
  });

  it('keeps events that failed every retry in a dead-letter queue', () => {
    const deadLetter = functionNamed('emailToAlert').Properties.DeadLetterConfig;
    expect(JSON.stringify(deadLetter)).toContain('Queue');
    // email-to-alert's, the SMS replies function's and the delivery feedback's, one each, and the webhooks'.
    template.resourceCountIs('AWS::SQS::Queue', 4);
  });

  it('is left out without an inbound domain', () => {
    const plain = Template.fromStack(
      new InResponseStack(appWith(), 'Plain', { tablePrefix: 'plain', ses: { senderAddress: 'a@b.example', senderIdentity: 'b.example' } }),
    );
    plain.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
    // The status pages' only.
    expect(Object.keys(plain.findResources('AWS::S3::Bucket'))).toEqual([expect.stringMatching(/^StatusPages/)]);
  });

  it('refuses a misspelt verdict check at synth time', () => {
    expect(
      () =>
        new InResponseStack(appWith(), 'Typo', {
          tablePrefix: 'typo',
          ses: { senderAddress: 'a@b.example', senderIdentity: 'b.example' },
          inbound: { domain: 'in.b.example', rejectVerdicts: 'spam,dkmi' },
        }),
    ).toThrow(/dkmi/);
  });
});

describe('status pages', () => {
  const pagesBucketId = () => Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('StatusPages'))!;

  it('are kept in a private, encrypted, TLS-only bucket that CloudFront alone reads, through Origin Access Control', () => {
    expect(template.findResources('AWS::S3::Bucket')[pagesBucketId()]!.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const statements = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === pagesBucketId())!.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const reads = statements.filter((st: { Effect: string }) => st.Effect === 'Allow');
    expect(reads).toEqual([expect.objectContaining({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } })]);
    expect(JSON.stringify(reads[0].Condition)).toContain('AWS:SourceArn');
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const { DistributionConfig } = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties;
    expect(DistributionConfig.Origins[0].OriginAccessControlId).toBeDefined();
    expect(DistributionConfig.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', FunctionAssociations: [{ EventType: 'viewer-request' }] });
    expect(DistributionConfig.Aliases).toBeUndefined();
  });

  it('serve a page\'s folder as its index.html, as the local gateway does', () => {
    const code = Object.values(template.findResources('AWS::CloudFront::Function'))[0]!.Properties.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
    expect(['/public/', '/public', '/public/history.atom', '/public/api/v2/summary.json'].map((uri) => handler({ request: { uri } }).uri)).toEqual([
      '/public/index.html',
      '/public/index.html',
      '/public/history.atom',
      '/public/api/v2/summary.json',
    ]);
  });

  it('are rendered by a function that may read what a page shows, write and delete under the bucket and start its own renders, and nothing more', () => {
    const statements = statementsOf('statusPageRenderer');
    expect(dataActionsOf(statements).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 's3:DeleteObject', 's3:PutObject', 'states:StartExecution']);
    const put = statements.find((st) => [st.Action].flat().includes('s3:PutObject'))!;
    expect(JSON.stringify(put.Resource)).toContain(pagesBucketId());
    expect(JSON.stringify(put.Resource)).toContain('/*');
    const query = statements.find((st) => st.Action === 'dynamodb:Query')!;
    expect(JSON.stringify(query.Resource)).toContain(`/index/${MAINTENANCE_INDEX}`);
    expect(JSON.stringify(query.Resource)).toContain('/index/byServiceState');
    expect(functionNamed('statusPageRenderer').Properties.Environment.Variables).toMatchObject({ STATUS_PAGE_BUCKET: { Ref: pagesBucketId() }, STATUS_PAGE_BASE_URL: expect.anything() });
  });

  it('render through a state machine of the ASL file, named by the stack, that invokes the renderer only', () => {
    const machine = machineWith('StatusPageRendererFunctionArn');
    expect(JSON.parse(machine.Properties.DefinitionString)).toEqual(JSON.parse(readStatusPageRenderDefinition()));
    expect(machine.Properties.StateMachineName).toBe('Test-status-page-render');
    const invoke = statementsOfRole(machine.Properties.RoleArn['Fn::GetAtt'][0]).filter((st) => actionsOf([st]).includes('lambda:InvokeFunction'));
    expect(invoke.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [functionIdOf('statusPageRenderer'), 'Arn'] }]);
    // Functions whose changes show on a page may start renders of it.
    expect(JSON.stringify(statementsOf('incidentProcessor'))).toContain('stateMachine:Test-status-page-render');
  });

  it('take a custom domain and its certificate', () => {
    const custom = Template.fromStack(
      new InResponseStack(appWith(), 'Custom', { ...FULL_PROPS, statusPagesDomain: { domainName: 'status.example.org', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' } }),
    );
    const { DistributionConfig } = Object.values(custom.findResources('AWS::CloudFront::Distribution'))[0]!.Properties;
    expect(DistributionConfig).toMatchObject({
      Aliases: ['status.example.org'],
      ViewerCertificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
    });
    custom.hasOutput('StatusPagesUrl', { Value: 'https://status.example.org' });
  });
});

describe('console', () => {
  const consoleRoutes = () =>
    Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .map((r) => r.Properties.RouteKey as string)
      .filter((key) => key.includes(' /console'));

  it('serves every console route from its own function, with no API Gateway authoriser (the session cookie is checked in the function)', () => {
    expect(consoleRoutes().sort()).toEqual(API_ROUTES.filter((r) => r.function === 'console').map(routeKey).sort());
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => String(r.Properties.RouteKey).includes(' /console'))) {
      expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    expect(functionNamed('Consoleconsole').Properties.Environment.Variables).toMatchObject({
      SENDER_ADDRESS: 'oncall@pager.example.org',
      SES_CONFIGURATION_SET: 'pages',
      PUBLIC_API_URL: expect.anything(),
      LINK_SECRET_ARN: expect.anything(),
      ESCALATION_STATE_MACHINE_ARN: expect.anything(),
      ANNOUNCEMENT_STATE_MACHINE_ARN: expect.anything(),
    });
  });

  it('mails sign-in links as the sender only, acts on incidents as the processor does, and only reads the event record and heartbeats', () => {
    const statements = statementsOf('Consoleconsole');
    const ses = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('ses:')));
    expect(ses.map((st) => st.Action)).toEqual(['ses:SendEmail']);
    expect((ses[0] as Statement & { Condition: unknown }).Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'oncall@pager.example.org' } });
    expect(actionsOf(statementsOnTable(statements, 'incidents'))).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']));
    // Reads a sign-in link's record to show it as used, and writes it on use.
    expect(actionsOf(statementsOnTable(statements, 'config'))).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
    expect(actionsOf(statementsOnTable(statements, 'schedules'))).toContain('dynamodb:PutItem');
    for (const table of ['events', 'heartbeats']) {
      expect(actionsOf(statementsOnTable(statements, table)).filter((a) => /Put|Update|Delete|Write/.test(a)), table).toEqual(
        table === 'events' ? expect.arrayContaining(['dynamodb:PutItem']) : [],
      );
    }
    expect(dataActionsOf(statements).filter((a) => a.startsWith('sms-voice:') || a.startsWith('sqs:') || a.startsWith('s3:'))).toEqual([]);
  });
});

describe('link secret', () => {
  it('is generated, and readable by the processor, the notifier and the console only', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('LinkSecret'))!;
    expect(template.findResources('AWS::SecretsManager::Secret')[secretId]!.Properties.GenerateSecretString).toBeDefined();
    const readers = ['incidentProcessor', 'incidentQuery', 'notifier', 'Consoleconsole'].filter((fn) =>
      statementsOf(fn).some((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource).includes(secretId)),
    );
    expect(readers).toEqual(['incidentProcessor', 'notifier', 'Consoleconsole']);
  });
});

describe('Slack', () => {
  const slackSecretId = () => Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('Slack'))!;
  const allFunctionIds = () => Object.keys(template.findResources('AWS::Lambda::Function'));
  const readsSlackSecret = (fnId: string) =>
    statementsOfRole((template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]).some(
      (st) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource).includes(slackSecretId()),
    );

  it('keeps the bot token and signing secret in one secret, readable by the notifier, the Slack actions function and the announcer only', () => {
    const readers = ['notifier', 'slackActions', 'announcer'];
    expect(slackSecretId()).toBeDefined();
    expect(allFunctionIds().filter(readsSlackSecret).sort()).toEqual(readers.map(functionIdOf).sort());
    for (const fn of readers) {
      expect(functionNamed(fn).Properties.Environment.Variables.SLACK_SECRET_ARN).toEqual({ Ref: slackSecretId() });
    }
    const others = allFunctionIds().filter((id) => !readers.map(functionIdOf).includes(id));
    for (const id of others) expect(template.findResources('AWS::Lambda::Function')[id]!.Properties.Environment.Variables).not.toHaveProperty('SLACK_SECRET_ARN');
    template.hasOutput('SlackSecretArn', { Value: { Ref: slackSecretId() } });
  });

  it('tells the query and processor functions that Slack is on, for the escalation preview, without the secret', () => {
    for (const fn of ['incidentQuery', 'incidentProcessor']) {
      expect(functionNamed(fn).Properties.Environment.Variables).toMatchObject({ SLACK_ENABLED: 'true' });
      expect(readsSlackSecret(functionIdOf(fn))).toBe(false);
    }
  });

  it('takes button clicks at POST /slack/actions without an API Gateway authoriser (the signature is checked in the function)', () => {
    const [route] = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: 'POST /slack/actions' } }));
    expect(route!.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    const integrationId = (route!.Properties.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => JSON.stringify(p)).join('');
    const integration = Object.entries(template.findResources('AWS::ApiGatewayV2::Integration')).find(([id]) => integrationId.includes(id))![1];
    expect(JSON.stringify(integration.Properties.IntegrationUri)).toContain(functionIdOf('slackActions'));
  });

  it('lets the Slack actions function claim and resolve as the incident processor does, and send nothing by SES or SMS', () => {
    const actions = dataActionsOf(statementsOf('slackActions'));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:GetItem', 'states:StopExecution', 'secretsmanager:GetSecretValue']));
    expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('sms-voice:'))).toEqual([]);
    expect(statementsOnTable(statementsOf('slackActions'), 'schedules')).toEqual([]);
  });

  it('is left out unless enabled: no secret, function or route', () => {
    const { slack: _slack, ...withoutSlack } = FULL_PROPS;
    const plain = Template.fromStack(new InResponseStack(appWith(), 'NoSlack', withoutSlack));
    // The link secret and the webhook signing secret.
    expect(Object.keys(plain.findResources('AWS::SecretsManager::Secret'))).toHaveLength(2);
    plain.resourceCountIs('AWS::Lambda::Function', 13);
    const routes = Object.values(plain.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routes).not.toContain('POST /slack/actions');
    for (const variable of ['SLACK_SECRET_ARN', 'SLACK_ENABLED']) {
      plain.allResourcesProperties('AWS::Lambda::Function', { Environment: { Variables: Match.not(Match.objectLike({ [variable]: Match.anyValue() })) } });
    }
  });
});

describe('IAM', () => {
  it('lets every function that raises, escalates or answers incidents read the maintenance windows by a Query of their index, never a Scan, and only the processor write them', () => {
    const onIndexes = (statements: Statement[]) => statements.filter((s) => JSON.stringify(s.Resource).includes('/index/'));
    for (const fn of ['incidentProcessor', 'incidentQuery', 'integrations', 'emailToAlert', 'notifier', 'heartbeatChecker', 'slackActions', 'smsReplies']) {
      const config = statementsOnTable(statementsOf(fn), 'config');
      // One statement on the config table's indexes: the maintenance index, by name, Query alone.
      expect(onIndexes(config).map((s) => [JSON.stringify(s.Resource).includes(`/index/${MAINTENANCE_INDEX}`), s.Action])).toEqual([[true, 'dynamodb:Query']]);
      expect(JSON.stringify(config.map((s) => s.Resource))).not.toContain('/index/*');
    }
    // The announcer reads webhooks, not windows: nothing on the index.
    expect(onIndexes(statementsOnTable(statementsOf('announcer'), 'config'))).toEqual([]);
    expect(actionsOf(statementsOnTable(statementsOf('incidentProcessor'), 'config'))).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(actionsOf(statementsOnTable(statementsOf('incidentQuery'), 'config')).filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  it('lets the processor write incidents, locks and the counter, start escalations, and only read services', () => {
    const statements = statementsOf('incidentProcessor');
    expect(actionsOf(statementsOnTable(statements, 'incidents'))).toContain('dynamodb:UpdateItem');
    expect(actionsOf(statementsOnTable(statements, 'dedup'))).toContain('dynamodb:PutItem');
    expect(actionsOf(statementsOnTable(statements, 'config'))).toContain('dynamodb:UpdateItem');
    const serviceActions = actionsOf(statementsOnTable(statements, 'services'));
    expect(serviceActions).toContain('dynamodb:GetItem');
    expect(serviceActions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(actionsOf(statements)).toContain('states:StartExecution');
    expect(actionsOf(statements)).toContain('states:StopExecution');
    // Overrides made through the API.
    expect(actionsOf(statementsOnTable(statements, 'schedules'))).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query']));
  });

  it('lets every function that creates incidents write the event record, which the create transaction writes to', () => {
    for (const fn of ['incidentProcessor', 'integrations', 'emailToAlert']) {
      expect(actionsOf(statementsOnTable(statementsOf(fn), 'events'))).toContain('dynamodb:PutItem');
    }
  });

  it('lets the integrations function raise, resolve and acknowledge, and write the event record, without the link secret', () => {
    const statements = statementsOf('integrations');
    expect(actionsOf(statementsOnTable(statements, 'incidents'))).toContain('dynamodb:UpdateItem');
    expect(actionsOf(statementsOnTable(statements, 'dedup'))).toContain('dynamodb:PutItem');
    expect(actionsOf(statementsOnTable(statements, 'events'))).toContain('dynamodb:PutItem');
    expect(actionsOf(statementsOnTable(statements, 'events')).filter((a) => /Get|Query|Scan/.test(a))).toEqual([]);
    expect(actionsOf(statementsOnTable(statements, 'services')).filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['states:StartExecution', 'states:StopExecution']));
    expect(actionsOf(statements)).not.toContain('secretsmanager:GetSecretValue');
    for (const table of ['schedules', 'inboundMail']) expect(statementsOnTable(statements, table)).toEqual([]);
  });

  it('gives the query function read-only access to incidents, keys and schedules, and nothing else', () => {
    const statements = statementsOf('incidentQuery');
    const actions = dataActionsOf(statements);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /Put|Update|Delete|Write|states:/.test(a))).toEqual([]);
    expect(actionsOf(statementsOnTable(statements, 'schedules'))).toContain('dynamodb:Query');
    for (const table of ['dedup', 'services', 'inboundMail']) expect(statementsOnTable(statements, table)).toEqual([]);
  });

  it('grants no action on every resource', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        expect([statement.Action].flat()).not.toContain('*');
        // X-Ray and log delivery actions are the only ones AWS allows only on "*".
        if (statement.Resource === '*') {
          expect([statement.Action].flat().every((a) => /^(xray|logs):/.test(a))).toBe(true);
        }
      }
    }
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it('leave no unsuppressed error', () => {
    expect(unsuppressed(stack, 'findError')).toEqual([]);
  });

  it('leave no unsuppressed error with tracing on either', () => {
    expect(unsuppressed(checkedStack('Traced', { tracing: true }), 'findError')).toEqual([]);
  });

  it('suppress only with a reason, and IAM5 only for named findings', () => {
    type Suppression = { id: string; reason: string; applies_to?: unknown[] };
    const suppressions = Object.values(template.toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }>)
      .flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(new Set(suppressions.map((s) => s.id))).toEqual(
      new Set([
        'AwsSolutions-L1',
        'AwsSolutions-IAM5',
        'AwsSolutions-APIG4',
        'AwsSolutions-SF1',
        'AwsSolutions-SF2',
        'AwsSolutions-SMG4',
        'AwsSolutions-S1',
        'AwsSolutions-SNS2',
        'AwsSolutions-SQS3',
        // The status pages' CDN: no geographic restriction, WAF or access logs; CloudFront's default certificate without a custom domain.
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR3',
        'AwsSolutions-CFR4',
      ]),
    );
    for (const suppression of suppressions) expect(suppression.reason.length).toBeGreaterThan(40);
    for (const suppression of suppressions.filter((s) => s.id === 'AwsSolutions-IAM5')) expect(suppression.applies_to?.length).toBeGreaterThan(0);
  });
});

/** The log group a `Fn::GetAtt [id, Arn]` points at. */
const logGroupAt = (arn: unknown) => template.findResources('AWS::Logs::LogGroup')[(arn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]]!;

describe('logging', () => {
  it('writes the HTTP API access log as JSON lines to a log group kept a month, without paths that carry keys', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const { StageName, AutoDeploy, AccessLogSettings } = stages[0]!.Properties;
    expect({ StageName, AutoDeploy }).toEqual({ StageName: '$default', AutoDeploy: true });
    expect(logGroupAt(AccessLogSettings.DestinationArn).Properties.RetentionInDays).toBe(30);
    const format = JSON.parse(AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(Object.values(format)).not.toContain('$context.path');
  });

  it('logs the state machine\'s errors only, without execution data, to a log group kept a month', () => {
    const { LoggingConfiguration } = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!.Properties;
    expect(LoggingConfiguration).toMatchObject({ Level: 'ERROR', IncludeExecutionData: false });
    expect(logGroupAt(LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn).Properties.RetentionInDays).toBe(30);
  });

  it('lets each function write its own log group only, with no managed policy', () => {
    for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const logGroupId = (fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
      expect(logGroupAt({ 'Fn::GetAtt': [logGroupId] }).Properties.RetentionInDays).toBe(30);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      expect(template.findResources('AWS::IAM::Role')[roleId]!.Properties.ManagedPolicyArns, id).toBeUndefined();
      const logs = statementsOfRole(roleId).filter((st) => [st.Action].flat().some((a) => a.startsWith('logs:')));
      expect(logs.map((st) => st.Resource), id).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
    }
  });
});

describe('announcements (outbound webhooks)', () => {
  const machine = () => machineWith('AnnouncerFunctionArn');
  const queueId = () => Object.keys(template.findResources('AWS::SQS::Queue')).find((id) => id.startsWith('AnnouncementsDeadLetters'))!;

  it('is the announcement ASL file, inline, with the announcer substituted in', () => {
    expect(JSON.parse(machine().Properties.DefinitionString)).toEqual(JSON.parse(readAnnouncementDefinition()));
    expect(machine().Properties.DefinitionSubstitutions).toEqual({ AnnouncerFunctionArn: { 'Fn::GetAtt': [functionIdOf('announcer'), 'Arn'] } });
  });

  it('retries a delivery on the retryable error with backoff, and dead-letters whatever still fails', () => {
    const { Deliver } = JSON.parse(machine().Properties.DefinitionString).States['Deliver each'].ItemProcessor.States;
    expect(Deliver.Retry).toEqual([expect.objectContaining({ IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 5 })]);
    expect(Deliver.Retry[0].ErrorEquals).toContain('RetryableDeliveryError');
    expect(Deliver.Retry[0].ErrorEquals).not.toContain('PermanentDeliveryError');
    expect(Deliver.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Dead-letter' })]);
  });

  it('may invoke the announcer and nothing else', () => {
    const roleId = (machine().Properties.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    const invokes = statementsOfRole(roleId).filter((st) => [st.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invokes.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [functionIdOf('announcer'), 'Arn'] }]);
  });

  it('keeps dead letters in an encrypted queue for 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(queueId()).toBeDefined();
  });

  it('gives the webhook secret to the announcer only', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('AnnouncementsWebhookSecret'))!;
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const readers = functions.filter((fnId) => {
      const roleId = (template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      return statementsOfRole(roleId).some((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource).includes(secretId));
    });
    expect(readers).toEqual([functionIdOf('announcer')]);
    expect(functionNamed('announcer').Properties.Environment.Variables).toMatchObject({
      WEBHOOK_SECRET_ARN: { Ref: secretId },
      WEBHOOK_DEAD_LETTER_QUEUE_URL: { Ref: queueId() },
      PUBLIC_API_URL: expect.anything(),
    });
  });

  it('lets the announcer read the config, write the event record, append to an incident and send dead letters, and nothing else', () => {
    const statements = statementsOf('announcer');
    expect(actionsOf(statementsOnTable(statements, 'config')).filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(actionsOf(statementsOnTable(statements, 'events'))).toContain('dynamodb:PutItem');
    expect(actionsOf(statementsOnTable(statements, 'events')).filter((a) => /Get|Query|Scan/.test(a))).toEqual([]);
    for (const table of ['dedup', 'services', 'schedules', 'inboundMail']) expect(statementsOnTable(statements, table)).toEqual([]);
    // A delivery given up goes on its incident's timeline: one update by key, nothing on the indexes.
    expect(actionsOf(statementsOnTable(statements, 'incidents'))).toEqual(['dynamodb:UpdateItem']);
    expect(JSON.stringify(statementsOnTable(statements, 'incidents'))).not.toContain('index');
    expect(actionsOf(statements.filter((st) => JSON.stringify(st.Resource).includes(queueId())))).toContain('sqs:SendMessage');
    expect(dataActionsOf(statements).filter((a) => a.startsWith('states:') || a.startsWith('ses:') || a.startsWith('sqs:Receive'))).toEqual([]);
  });

  it('lets the functions that create, act on or escalate incidents start announcements', () => {
    const announcementId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.startsWith('Announcements'))!;
    for (const fn of ['incidentProcessor', 'integrations', 'emailToAlert', 'smsReplies', 'notifier']) {
      const starts = statementsOf(fn).filter((st) => [st.Action].flat().includes('states:StartExecution') && JSON.stringify(st.Resource).includes(announcementId));
      expect(starts, fn).toHaveLength(1);
    }
  });
});

describe('dead-letter queue', () => {
  it('refuses requests that are not over TLS', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(policies.flatMap((p) => p.Properties.Queues)).toEqual(expect.arrayContaining(queues.map((id) => ({ Ref: id }))));
    expect(policies).toHaveLength(queues.length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('X-Ray tracing', () => {
  it('is off by default', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: Match.absent() });
  });

  it('is on for every function and the state machine with the tracing context', () => {
    const traced = Template.fromStack(new InResponseStack(appWith({ tracing: 'true' }), 'TracedByFlag', FULL_PROPS));
    traced.resourceCountIs('AWS::Lambda::Function', 14);
    traced.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
    traced.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
  });
});

type Dimension = { Name: string; Value: unknown };
type AlarmProperties = {
  AlarmName: string;
  /** A single-metric alarm without a label names its metric at the top. */
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
  Metrics?: { Id: string; Expression?: unknown; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Dimension[] }; Stat: string; Period: number } }[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
};
const alarmsOf = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as AlarmProperties);
/** The metrics an alarm reads, as `Namespace MetricName Dimension=Value` with each value as JSON. */
const metricsOf = (alarm: AlarmProperties) => {
  const named = (m: { Namespace: string; MetricName: string; Dimensions?: Dimension[] }) =>
    `${m.Namespace} ${m.MetricName} ${(m.Dimensions ?? []).map((d) => `${d.Name}=${JSON.stringify(d.Value)}`).join(' ')}`.trim();
  if (alarm.MetricName) return [named({ Namespace: alarm.Namespace!, MetricName: alarm.MetricName, ...(alarm.Dimensions ? { Dimensions: alarm.Dimensions } : {}) })];
  return (alarm.Metrics ?? []).flatMap((m) => (m.MetricStat ? [named(m.MetricStat.Metric)] : []));
};
/** The alarms reading a metric of `namespace metricName` whose dimension is `value`. */
const alarmsOn = (t: Template, namespaceAndName: string, value: unknown) =>
  alarmsOf(t).filter((alarm) => metricsOf(alarm).some((m) => m.startsWith(`${namespaceAndName} `) && m.endsWith(`=${JSON.stringify(value)}`)));
/** The alarms on a Metrics Insights query. */
const queryAlarms = (t: Template) => alarmsOf(t).filter((alarm) => alarm.Metrics?.some((m) => JSON.stringify(m.Expression ?? '').includes('SELECT')));
const topicId = () => Object.keys(template.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('HealthAlarms'))!;

describe('health: alarms on every resource, found by walking the stack', () => {
  it('watches every function for errors, and throttles once for the region, whose concurrency they share', () => {
    for (const [fnId, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      // None reserves concurrency: each is throttled only from the region's pool, which the region's Throttles counts.
      expect(fn.Properties.ReservedConcurrentExecutions, fnId).toBeUndefined();
      const alarms = alarmsOn(template, 'AWS/Lambda Errors', { Ref: fnId });
      expect(alarms.map(metricsOf), fnId).toEqual([[`AWS/Lambda Errors FunctionName={"Ref":"${fnId}"}`]]);
      expect(alarms[0], fnId).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
    expect(alarmsOf(template).filter((a) => metricsOf(a).includes('AWS/Lambda Throttles')).map((a) => [a.Threshold, a.ComparisonOperator])).toEqual([[1, 'GreaterThanOrEqualToThreshold']]);
  });

  it("sums a function's own throttles into its alarm where it reserves concurrency", () => {
    const reserved = new Stack(appWith(), 'Reserved');
    const fn = new LambdaFunction(reserved, 'Capped', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}'), reservedConcurrentExecutions: 10 });
    new InResponseHealth(reserved, 'Health', { recipients: {}, canaryInterval: Duration.minutes(15) });
    const fnId = reserved.getLogicalId(fn.node.defaultChild as CfnFunction);
    const [alarm, ...more] = alarmsOn(Template.fromStack(reserved), 'AWS/Lambda Errors', { Ref: fnId });
    expect(more).toEqual([]);
    expect(metricsOf(alarm!)).toEqual([`AWS/Lambda Errors FunctionName={"Ref":"${fnId}"}`, `AWS/Lambda Throttles FunctionName={"Ref":"${fnId}"}`]);
  });

  it('watches every dead-letter queue for any message', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues.length).toBeGreaterThan(0);
    for (const queueId of queues) {
      const alarms = alarmsOn(template, 'AWS/SQS ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [queueId, 'QueueName'] });
      expect(alarms.map((a) => [a.Threshold, a.ComparisonOperator, a.Metrics![0]!.MetricStat!.Stat]), queueId).toEqual([[1, 'GreaterThanOrEqualToThreshold', 'Maximum']]);
    }
  });

  it('watches every state machine for failed executions, and timed-out ones where its definition bounds them', () => {
    for (const [machineId, machine] of Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))) {
      const [alarm, ...more] = alarmsOn(template, 'AWS/States ExecutionsFailed', { Ref: machineId });
      expect(more, machineId).toEqual([]);
      const bounded = JSON.parse(machine.Properties.DefinitionString).TimeoutSeconds !== undefined;
      expect(metricsOf(alarm!).map((m) => m.split(' ')[1]), machineId).toEqual(bounded ? ['ExecutionsFailed', 'ExecutionsTimedOut'] : ['ExecutionsFailed']);
    }
  });

  it('watches the HTTP API for a 5xx rate above 5%', () => {
    const apiId = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    const [alarm] = alarmsOn(template, 'AWS/ApiGateway 5xx', { Ref: apiId });
    expect(metricsOf(alarm!)).toEqual([`AWS/ApiGateway 5xx ApiId={"Ref":"${apiId}"}`, `AWS/ApiGateway Count ApiId={"Ref":"${apiId}"}`]);
    expect(alarm!.Metrics!.find((m) => m.Expression)?.Expression).toBe('IF(requests > 0, errors / requests, 0)');
    expect(alarm).toMatchObject({ Threshold: 0.05, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('watches every table for throttled requests and system errors, over all its operations', () => {
    const queries = queryAlarms(template).map((alarm) => JSON.stringify(alarm.Metrics![0]!.Expression));
    for (const tableId of Object.keys(template.findResources('AWS::DynamoDB::Table'))) {
      for (const metric of ['ThrottledRequests', 'SystemErrors']) {
        const query = JSON.stringify({
          'Fn::Join': ['', [`SELECT SUM(${metric}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) WHERE TableName = '`, { Ref: tableId }, "'"]],
        });
        expect(queries.filter((q) => q === query), `${tableId} ${metric}`).toHaveLength(1);
      }
    }
  });

  it('watches SES bounces (well before the 10% at which SES pauses sending) and complaints', () => {
    const bySesMetric = (name: string) => alarmsOf(template).filter((a) => metricsOf(a).includes(`AWS/SES ${name}`));
    expect(bySesMetric('Reputation.BounceRate').map((a) => [a.Threshold, a.ComparisonOperator])).toEqual([[0.05, 'GreaterThanThreshold']]);
    expect(bySesMetric('Reputation.ComplaintRate').map((a) => [a.Threshold, a.ComparisonOperator])).toEqual([[0.001, 'GreaterThanThreshold']]);
  });

  it('watches SMS spend against 80% of the monthly limit, only where SMS is set up', () => {
    const spend = (t: Template) => alarmsOf(t).filter((a) => metricsOf(a).includes('AWS/SMSVoice TextMessageMonthlySpend'));
    expect(spend(template).map((a) => a.Threshold)).toEqual([0.8]);
    const limited = Template.fromStack(new InResponseStack(appWith(), 'SmsLimit', { ...FULL_PROPS, sms: { ...FULL_PROPS.sms, monthlySpendLimit: 250 } }));
    expect(spend(limited).map((a) => a.Threshold)).toEqual([200]);
    const plain = Template.fromStack(new InResponseStack(appWith(), 'NoSms', { tablePrefix: 'x', ses: FULL_PROPS.ses }));
    expect(spend(plain)).toEqual([]);
  });

  it('raises the canary alarm after three runs missed or red in a row, missing runs counting as red', () => {
    const [alarm] = alarmsOf(template).filter((a) => metricsOf(a).some((m) => m.startsWith('InResponse/Test CanarySuccess')));
    expect(metricsOf(alarm!)).toEqual(['InResponse/Test CanarySuccess service="inresponse"']);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'breaching' });
    expect(alarm!.Metrics![0]!.MetricStat).toMatchObject({ Stat: 'Maximum', Period: 15 * 60 });
  });

  it('fails the synth when a function is made after the health construct and so has no alarm', () => {
    const late = new InResponseStack(appWith(), 'Late', { tablePrefix: 'late', ses: FULL_PROPS.ses });
    new LambdaFunction(late, 'Unwatched', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
    expect(() => Template.fromStack(late)).toThrow(/Late\/Unwatched\/Resource has no alarm/);
  });
});

describe('health: out of band', () => {
  it('sends every alarm, both ways, to its own topic and nowhere else', () => {
    for (const alarm of alarmsOf(template)) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topicId() }]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([{ Ref: topicId() }]);
    }
  });

  it("lets the topic reach the operator's email and phone only, never InResponse's functions or API", () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).filter((s) => JSON.stringify(s.Properties.TopicArn).includes(topicId()));
    expect(subscriptions.map((s) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([
      ['email', 'ops@example.org'],
      ['sms', '+33612345678'],
    ]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    const silent = Template.fromStack(new InResponseStack(appWith(), 'Silent', { tablePrefix: 'x', ses: FULL_PROPS.ses }));
    const silentTopic = Object.keys(silent.findResources('AWS::SNS::Topic')).find((id) => id.startsWith('HealthAlarms'))!;
    expect(Object.values(silent.findResources('AWS::SNS::Subscription')).filter((s) => JSON.stringify(s.Properties.TopicArn).includes(silentTopic))).toEqual([]);
  });

  it('refuses an alarm phone number or address it could not reach', () => {
    expect(() => new InResponseStack(appWith(), 'BadSms', { ...FULL_PROPS, alarms: { sms: '0612345678' } })).toThrow(/alarmSms must be a phone number in E.164 form/);
    expect(() => new InResponseStack(appWith(), 'BadEmail', { ...FULL_PROPS, alarms: { email: 'ops' } })).toThrow(/alarmEmail must be an email address/);
  });

  it('shows the same figures on a dashboard of its own', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const figure of ['CanarySuccess', 'IncidentsCreated', 'PagesSent', 'PagesFailed', 'TimeToFirstPage', 'TimeToAcknowledge', 'Reputation.BounceRate', 'TextMessageMonthlySpend', 'ThrottledRequests', 'SystemErrors', 'ExecutionsFailed', 'ApproximateNumberOfMessagesVisible']) {
      expect(body, figure).toContain(figure);
    }
    expect(dashboard!.Properties.DashboardName).toBe('Test-health');
  });
});

describe('canary', () => {
  it('runs every 15 minutes unless told, with the canary address, two minutes to run, and the stack metrics namespace', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIdOf('Canarycanary'), 'Arn'] } })],
    });
    expect(functionNamed('Canarycanary').Properties).toMatchObject({
      Timeout: 120,
      Environment: { Variables: { CANARY_ADDRESS: 'success@simulator.amazonses.com', POWERTOOLS_METRICS_NAMESPACE: 'InResponse/Test' } },
    });
    const every5 = Template.fromStack(new InResponseStack(appWith(), 'Every5', { ...FULL_PROPS, canary: { intervalMinutes: 5, address: 'canary@pager.example.org' } }));
    every5.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    expect(() => new InResponseStack(appWith(), 'Slow', { ...FULL_PROPS, canary: { intervalMinutes: 600 } })).toThrow(/from 1 to 480/);
  });

  it('may write its own service and team, number, create, resolve and delete incidents, and start and stop escalations: no more', () => {
    const statements = statementsOf('Canarycanary').filter((st) => ![st.Action].flat().some((a) => a.startsWith('logs:')));
    const table = (tableId: string) => ({ 'Fn::GetAtt': [tableIdOf(tableId), 'Arn'] });
    const onKeys = (keys: string[]) => ({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': keys } });
    const escalationId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((id) => id.startsWith('Escalation'))!;
    const summary = statements.map((st) => ({ actions: [st.Action].flat().sort(), resource: st.Resource, ...(('Condition' in st) ? { condition: (st as { Condition: unknown }).Condition } : {}) }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resource: table('services'), condition: onKeys(['inresponse-canary']) },
        { actions: ['dynamodb:PutItem'], resource: table('config'), condition: onKeys(['team#inresponse-canary']) },
        { actions: ['dynamodb:UpdateItem'], resource: table('config'), condition: onKeys(['incidentId']) },
        { actions: ['dynamodb:Query'], resource: { 'Fn::Join': ['', [table('config'), `/index/${MAINTENANCE_INDEX}`]] } },
        { actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resource: table('incidents') },
        { actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'], resource: table('dedup') },
        { actions: ['dynamodb:PutItem'], resource: table('events') },
        { actions: ['states:StartExecution'], resource: { Ref: escalationId } },
      ]),
    );
    expect(summary).toHaveLength(9);
    const stop = summary.find((st) => st.actions.includes('states:StopExecution'));
    expect(JSON.stringify(stop?.resource)).toContain(':execution:');
    for (const other of ['schedules', 'inboundMail', 'heartbeats']) expect(statementsOnTable(statements, other)).toEqual([]);
  });
});
