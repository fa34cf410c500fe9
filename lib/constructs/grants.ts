import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { MAINTENANCE_INDEX, type TableId } from '../../lambdas/config/tables';

/**
 * The status page render state machine's name, fixed by the stack: every function whose changes show on a
 * page finds it by name, and so does the renderer, which starts its own next tasks (a reference to the state
 * machine that invokes it would be circular).
 */
export const statusPageRenderStateMachineName = (scope: IConstruct) => `${Stack.of(scope).stackName}-status-page-render`;

export const statusPageRenderStateMachineArn = (scope: IConstruct) =>
  Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: statusPageRenderStateMachineName(scope), arnFormat: ArnFormat.COLON_RESOURCE_NAME });

/** Lets a function start status page renders (and timed invalidations). */
export const grantStatusPageRenders = (fn: IFunction) =>
  Grant.addToPrincipal({ grantee: fn, actions: ['states:StartExecution'], resourceArns: [statusPageRenderStateMachineArn(fn)] });

/** The environment through which a function finds the escalation, announcement and status page render state machines. */
export const workflowEnvironment = (escalation: StateMachine, announcement: StateMachine): Record<string, string> => ({
  [ENV.escalationStateMachineArn]: escalation.stateMachineArn,
  [ENV.announcementStateMachineArn]: announcement.stateMachineArn,
  [ENV.statusPageRenderStateMachineArn]: statusPageRenderStateMachineArn(escalation),
});

/** Reading config items: by key, and by kind (teams, people, webhooks, feeds: a Scan of the small table). */
const CONFIG_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const CONFIG_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Access to the config table's items, granted on the table alone: the table's own grants would also cover its
 * indexes (`index/*`) with every action, Scan included. With `maintenance`, a Query of the maintenance index,
 * the one action on it: the windows are read by that Query, never by a Scan.
 */
export function grantConfig(fn: IFunction, config: ITable, access: { readonly write?: boolean; readonly maintenance?: boolean }): void {
  Grant.addToPrincipal({ grantee: fn, actions: [...CONFIG_READ, ...(access.write ? CONFIG_WRITE : [])], resourceArns: [config.tableArn] });
  if (access.maintenance) {
    Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:Query'], resourceArns: [`${config.tableArn}/index/${MAINTENANCE_INDEX}`] });
  }
}

/**
 * What a function that raises and acts on incidents needs, whatever door events come in by: write incidents,
 * their dedup locks, the counter and the event record; read services, keys and maintenance windows; start and
 * stop escalations; announce to the webhooks; invalidate status pages.
 */
export function grantRaiseAndAct(fn: IFunction, tables: Readonly<Record<TableId, ITable>>, escalation: StateMachine, announcement: StateMachine): void {
  tables.incidents.grantReadWriteData(fn);
  tables.dedup.grantReadWriteData(fn);
  grantConfig(fn, tables.config, { write: true, maintenance: true });
  tables.services.grantReadData(fn);
  tables.events.grantWriteData(fn);
  grantEscalations(fn, escalation);
  announcement.grantStartExecution(fn);
  grantStatusPageRenders(fn);
}

/** Lets a function start escalations, and stop them (a claim or a resolve): its executions only. */
export function grantEscalations(fn: IFunction, escalation: StateMachine): void {
  escalation.grantStartExecution(fn);
  escalation.grantExecution(fn, 'states:StopExecution');
  if (fn.role) {
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'StopExecution acts on an execution, whose ARN is execution:<state machine>:<name>: the grant covers the executions of the escalation state machine only (one per incident, named by its number).',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+:\\*$/' }],
        },
      ],
      true,
    );
  }
}
