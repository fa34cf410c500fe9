import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { TableId } from '../../lambdas/config/tables';

/**
 * What a function that raises and acts on incidents needs, whatever door events come in by: write incidents,
 * their dedup locks, the counter and the event record; read services and keys; start and stop escalations.
 */
export function grantRaiseAndAct(grantee: IGrantable, tables: Readonly<Record<TableId, Table>>, escalation: StateMachine): void {
  tables.incidents.grantReadWriteData(grantee);
  tables.dedup.grantReadWriteData(grantee);
  tables.config.grantReadWriteData(grantee);
  tables.services.grantReadData(grantee);
  tables.events.grantWriteData(grantee);
  escalation.grantStartExecution(grantee);
  escalation.grantExecution(grantee, 'states:StopExecution');
}
