import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { workflowEnvironment } from './grants';
import { inResponseFunction } from './inresponse-function';

/** What a scheduled function of the incident workflow is told: every table's name, and the two state machines. */
export interface ScheduledWorkflowProps {
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly escalation: StateMachine;
  readonly announcement: StateMachine;
}

/**
 * A function of the incident workflow run by an EventBridge rule every `interval`; the caller grants what it
 * needs. A minute to run unless `options` says, with the environment of `options` on top of the workflow's.
 */
export function scheduledWorkflowFunction(
  scope: Construct,
  id: string,
  entry: string,
  interval: Duration,
  props: ScheduledWorkflowProps,
  options: { readonly timeout?: Duration; readonly environment?: Readonly<Record<string, string>> } = {},
): NodejsFunction {
  const fn = inResponseFunction(scope, id, {
    entry,
    timeout: options.timeout ?? Duration.minutes(1),
    environment: {
      ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], props.tables[tableId].tableName])),
      ...workflowEnvironment(props.escalation, props.announcement),
      ...options.environment,
    },
  });
  new Rule(scope, 'Schedule', { schedule: Schedule.rate(interval), targets: [new LambdaFunction(fn)] });
  return fn;
}
