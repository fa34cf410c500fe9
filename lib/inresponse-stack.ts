import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EscalationWorkflow } from './constructs/escalation';
import { IncidentApi } from './constructs/incident-api';
import { InResponseTables } from './constructs/tables';

export interface InResponseStackProps extends StackProps {
  /** Prefix of the table names, which `npm run config:apply -- --prefix` writes to. */
  readonly tablePrefix: string;
}

/** InResponse: the tables, the escalation state machine, and the incident API in front of them. */
export class InResponseStack extends Stack {
  constructor(scope: Construct, id: string, props: InResponseStackProps) {
    super(scope, id, props);
    const tables = new InResponseTables(this, 'Tables', { prefix: props.tablePrefix });
    const escalation = new EscalationWorkflow(this, 'Escalation');
    new IncidentApi(this, 'IncidentApi', { tables: tables.byId, escalation: escalation.stateMachine });
    new CfnOutput(this, 'TablePrefix', { value: props.tablePrefix });
  }
}
