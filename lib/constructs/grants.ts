import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { ENV } from '../../lambdas/config/env';
import type { TableId } from '../../lambdas/config/tables';

/** The environment through which a function finds the escalation and announcement state machines. */
export const workflowEnvironment = (escalation: StateMachine, announcement: StateMachine): Record<string, string> => ({
  [ENV.escalationStateMachineArn]: escalation.stateMachineArn,
  [ENV.announcementStateMachineArn]: announcement.stateMachineArn,
});

/**
 * What a function that raises and acts on incidents needs, whatever door events come in by: write incidents,
 * their dedup locks, the counter and the event record; read services and keys; start and stop escalations;
 * announce to the webhooks.
 */
export function grantRaiseAndAct(fn: IFunction, tables: Readonly<Record<TableId, Table>>, escalation: StateMachine, announcement: StateMachine): void {
  tables.incidents.grantReadWriteData(fn);
  tables.dedup.grantReadWriteData(fn);
  tables.config.grantReadWriteData(fn);
  tables.services.grantReadData(fn);
  tables.events.grantWriteData(fn);
  escalation.grantStartExecution(fn);
  escalation.grantExecution(fn, 'states:StopExecution');
  announcement.grantStartExecution(fn);
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
