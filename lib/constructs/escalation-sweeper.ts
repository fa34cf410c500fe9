import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';

/** How often OPEN incidents are checked for an escalation that never started. */
const SWEEP_INTERVAL = Duration.minutes(5);

export interface EscalationSweeperProps {
  /** Every table is named in the environment the shared composition reads; only `incidents` is granted. */
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly escalation: StateMachine;
  /** The announcement state machine: webhooks hear of what the function does. */
  readonly announcement: StateMachine;
}

/** A scheduled function that starts the escalation of any OPEN incident whose escalation never started. */
export class EscalationSweeper extends Construct {
  constructor(scope: Construct, id: string, { tables, escalation, announcement }: EscalationSweeperProps) {
    super(scope, id);
    const fn = inResponseFunction(this, 'escalationSweeper', {
      entry: 'lambdas/handlers/escalation-sweeper.ts',
      timeout: Duration.minutes(1),
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        ...workflowEnvironment(escalation, announcement),
      },
    });
    tables.incidents.grantReadData(fn);
    escalation.grantStartExecution(fn);
    new Rule(this, 'Schedule', { schedule: Schedule.rate(SWEEP_INTERVAL), targets: [new LambdaFunction(fn)] });
  }
}
