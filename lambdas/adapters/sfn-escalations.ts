import { ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Incident } from '../domain/incident/incident';
import type { Escalations } from '../domain/incident/ports';

/**
 * The execution name of an incident's escalation: one per incident (and per raise of its urgency by a
 * responder), so a second start cannot run twice.
 */
const escalationExecutionName = (incident: Pick<Incident, 'number' | 'escalationExecution'>) => incident.escalationExecution ?? `incident-${incident.number}`;

/** The escalation machine's input. */
export interface EscalationInput {
  readonly incidentId: number;
  readonly service: string;
  readonly team: string;
  readonly severity: string;
}

/** The ARN of an incident's execution, from the state machine's ARN. */
export const executionArnOf = (stateMachineArn: string, incident: number | Pick<Incident, 'number' | 'escalationExecution'>) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${escalationExecutionName(typeof incident === 'number' ? { number: incident } : incident)}`;

/** Runs escalations as executions of the escalation state machine, through the Step Functions API. */
export class SfnEscalations implements Escalations {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(incident: Pick<Incident, 'number' | 'service' | 'team' | 'severity' | 'escalationExecution'>): Promise<void> {
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
          name: escalationExecutionName(incident),
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // The name is taken only by this incident's own escalation, started before: nothing left to do.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }

  async stop(incident: Pick<Incident, 'number' | 'escalationExecution'>): Promise<void> {
    try {
      await this.sfn.send(
        new StopExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, incident), cause: 'incident acknowledged or taken over' }),
      );
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return;
      throw error;
    }
  }
}
