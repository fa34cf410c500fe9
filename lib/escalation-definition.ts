import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one escalation state machine definition: deployed by the CDK stack, run by the local interpreter. */
export const ESCALATION_ASL_PATH = fileURLToPath(new URL('../statemachines/escalation.asl.json', import.meta.url));

export const readEscalationDefinition = (): string => readFileSync(ESCALATION_ASL_PATH, 'utf8');
