import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantRaiseAndAct } from './grants';
import { scheduledWorkflowFunction, type ScheduledWorkflowProps } from './scheduled-function';

/** How often heartbeat deadlines are checked: an overdue monitor opens its incident within this of its deadline. */
const CHECK_INTERVAL = Duration.minutes(1);

/**
 * The heartbeat checker: every minute, one query of the heartbeats table's due-time index; each overdue
 * monitor opens its incident (and is marked, so that it fires once).
 */
export class HeartbeatChecker extends Construct {
  constructor(scope: Construct, id: string, props: ScheduledWorkflowProps) {
    super(scope, id);
    const fn = scheduledWorkflowFunction(this, 'heartbeatChecker', 'lambdas/handlers/heartbeat-checker.ts', CHECK_INTERVAL, props);
    grantRaiseAndAct(fn, props.tables, props.escalation, props.announcement);
    props.tables.heartbeats.grantReadWriteData(fn);
  }
}
