import type { Logger } from '@aws-lambda-powertools/logger';
import { builtOnFirstCall, createLogger, sweeperDepsFromEnv } from '../composition';
import { resumeEscalations, type IncidentUseCaseDeps } from '../domain/incident/incident-use-cases';

export interface EscalationSweeperDeps {
  readonly useCases: Pick<IncidentUseCaseDeps, 'incidents' | 'escalation'>;
  readonly logger: Logger;
}

/**
 * Runs on a schedule: starts the escalation of every OPEN incident. Starting is idempotent by execution
 * name, so this only starts what never started: an incident stored by a processor that died before its
 * StartExecution, and whose sender never retried.
 */
export function createHandler({ useCases, logger }: EscalationSweeperDeps): () => Promise<{ open: number }> {
  return async () => {
    const open = await resumeEscalations(useCases);
    logger.info('escalations swept', { open });
    return { open };
  };
}

export const handler = builtOnFirstCall(() => createHandler({ ...sweeperDepsFromEnv(), logger: createLogger('escalation-sweeper') }));
