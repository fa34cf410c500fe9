import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Incident } from '../domain/incident';
import type { EscalationStarter } from '../domain/ports';

/** The execution name of an incident's escalation: one per incident, so a second start cannot run twice. */
export const escalationExecutionName = (number: number) => `incident-${number}`;

/** The escalation machine's input. */
export interface EscalationInput {
  readonly incidentId: number;
  readonly service: string;
  readonly team: string;
  readonly severity: string;
}

/** Starts the escalation state machine through the Step Functions API. */
export class SfnEscalationStarter implements EscalationStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(incident: Incident): Promise<void> {
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
}
