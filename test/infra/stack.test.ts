import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, routeKey } from '../../lambdas/config/routes';
import { TABLE_IDS, TABLES, tableNames } from '../../lambdas/config/tables';
import { readEscalationDefinition } from '../../lib/escalation-definition';
import { InResponseStack } from '../../lib/inresponse-stack';

let template: Template;
const names = tableNames('test');

beforeAll(() => {
  template = Template.fromStack(
    new InResponseStack(new App(), 'Test', {
      tablePrefix: 'test',
      ses: { senderAddress: 'oncall@pager.example.org', senderIdentity: 'pager.example.org', configurationSet: 'pages' },
    }),
  );
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

  it('keys the tables as seed 001 does', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: names.calendar,
      KeySchema: [
        { AttributeName: 'teamname', KeyType: 'HASH' },
        { AttributeName: 'day', KeyType: 'RANGE' },
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
  it('runs the two API functions, the notifier and the sweeper on nodejs22.x, configured by their environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ INCIDENTS_TABLE: Match.anyValue() }) },
    });
    for (const fn of ['incidentProcessor', 'incidentQuery', 'notifier']) {
      expect(functionNamed(fn).Properties.Environment.Variables).toHaveProperty('LINK_SECRET_ARN');
    }
    for (const fn of ['incidentProcessor', 'incidentQuery']) {
      expect(functionNamed(fn).Properties.Environment.Variables).toHaveProperty('ESCALATION_STATE_MACHINE_ARN');
    }
    expect(functionNamed('notifier').Properties.Environment.Variables).toMatchObject({
      SENDER_ADDRESS: 'oncall@pager.example.org',
      SES_CONFIGURATION_SET: 'pages',
      PUBLIC_API_URL: expect.anything(),
    });
  });
});

describe('state machine', () => {
  const machine = () => Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;

  it('is the ASL file, inline, with the notifier substituted in', () => {
    expect(Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))).toHaveLength(1);
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
    for (const st of invokes) expect(JSON.stringify(st.Resource)).toContain(functionIdOf('notifier'));
    expect(actionsOf(statements).filter((a) => !/^(lambda:InvokeFunction|logs:)/.test(a))).toEqual([]);
  });
});

describe('notifier', () => {
  it('sends email only as the sender identity, reads the calendar and updates incidents', () => {
    const statements = statementsOf('notifier');
    const ses = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Action).toBe('ses:SendEmail');
    const resources = JSON.stringify(ses[0]!.Resource);
    expect(resources).toContain(':identity/pager.example.org');
    expect(resources).toContain(':configuration-set/pages');
    expect((ses[0] as Statement & { Condition: unknown }).Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'oncall@pager.example.org' } });
    expect(actionsOf(statementsOnTable(statements, 'incidents'))).toContain('dynamodb:UpdateItem');
    expect(actionsOf(statementsOnTable(statements, 'calendar')).filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(statementsOnTable(statements, 'dedup')).toEqual([]);
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
    expect(actionsOf(statements).filter((a) => /Put|Update|Delete|Write|StopExecution/.test(a))).toEqual([]);
    for (const table of ['dedup', 'services', 'calendar', 'config']) expect(statementsOnTable(statements, table)).toEqual([]);
  });
});

describe('link secret', () => {
  it('is generated, and readable by the processor and the notifier only', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0]!;
    const readers = ['incidentProcessor', 'incidentQuery', 'notifier'].filter((fn) =>
      statementsOf(fn).some((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource).includes(secretId)),
    );
    expect(readers).toEqual(['incidentProcessor', 'notifier']);
  });
});

describe('IAM', () => {
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
    expect(statementsOnTable(statements, 'calendar')).toEqual([]);
  });

  it('gives the query function read-only access to incidents and keys, and nothing else', () => {
    const statements = statementsOf('incidentQuery');
    const actions = actionsOf(statements);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => /Put|Update|Delete|Write|states:/.test(a))).toEqual([]);
    for (const table of ['dedup', 'services', 'calendar']) expect(statementsOnTable(statements, table)).toEqual([]);
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
