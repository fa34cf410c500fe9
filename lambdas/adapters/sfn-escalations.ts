import { ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Incident } from '../domain/incident/incident';
import type { Escalations } from '../domain/incident/ports';

/** The execution name of an incident's escalation: one per incident, so a second start cannot run twice. */
const escalationExecutionName = (number: number) => `incident-${number}`;

/** The escalation machine's input. */
export interface EscalationInput {
  readonly incidentId: number;
  readonly service: string;
  readonly team: string;
  readonly severity: string;
}

/** The ARN of an incident's execution, from the state machine's ARN. */
export const executionArnOf = (stateMachineArn: string, number: number) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${escalationExecutionName(number)}`;

/** Runs escalations as executions of the escalation state machine, through the Step Functions API. */
export class SfnEscalations implements Escalations {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(incident: Pick<Incident, 'number' | 'service' | 'team' | 'severity'>): Promise<void> {
    const input: EscalationInput = {
      incidentId: incident.number,
      service: incident.service,
      team: incident.team,
      severity: incident.severity,
    };
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: escalationExecutionName(incident.number),
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // The name is taken only by this incident's own escalation, started before: nothing left to do.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }

  async stop(number: number): Promise<void> {
    try {
      await this.sfn.send(
        new StopExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, number), cause: 'incident acknowledged' }),
      );
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return;
      throw error;
    }
  }
}
