import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { grantRaiseAndAct, workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';

/** How often heartbeat deadlines are checked: an overdue monitor opens its incident within this of its deadline. */
const CHECK_INTERVAL = Duration.minutes(1);

export interface HeartbeatCheckerProps {
  readonly tables: Readonly<Record<TableId, Table>>;
  readonly escalation: StateMachine;
  readonly announcement: StateMachine;
}

/**
 * The heartbeat checker: every minute, one query of the heartbeats table's due-time index; each overdue
 * monitor opens its incident (and is marked, so that it fires once).
 */
export class HeartbeatChecker extends Construct {
  constructor(scope: Construct, id: string, { tables, escalation, announcement }: HeartbeatCheckerProps) {
    super(scope, id);
    const fn = inResponseFunction(this, 'heartbeatChecker', {
      entry: 'lambdas/handlers/heartbeat-checker.ts',
      timeout: Duration.minutes(1),
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        ...workflowEnvironment(escalation, announcement),
      },
    });
    grantRaiseAndAct(fn, tables, escalation, announcement);
    tables.heartbeats.grantReadWriteData(fn);
    new Rule(this, 'Schedule', { schedule: Schedule.rate(CHECK_INTERVAL), targets: [new LambdaFunction(fn)] });
  }
}
