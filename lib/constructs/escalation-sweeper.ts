import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { scheduledWorkflowFunction, type ScheduledWorkflowProps } from './scheduled-function';

/** How often OPEN incidents are checked for an escalation that never started. */
const SWEEP_INTERVAL = Duration.minutes(5);

/**
 * A scheduled function that starts the escalation of any OPEN incident whose escalation never started; every
 * table is named in its environment (the shared composition reads them), only `incidents` is granted.
 */
export class EscalationSweeper extends Construct {
  constructor(scope: Construct, id: string, props: ScheduledWorkflowProps) {
    super(scope, id);
    const fn = scheduledWorkflowFunction(this, 'escalationSweeper', 'lambdas/handlers/escalation-sweeper.ts', SWEEP_INTERVAL, props);
    props.tables.incidents.grantReadData(fn);
    props.escalation.grantStartExecution(fn);
  }
}
