import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one escalation state machine definition: deployed by the CDK stack, run by the local interpreter. */
const ESCALATION_ASL_PATH = fileURLToPath(new URL('../statemachines/escalation.asl.json', import.meta.url));

/** The `${...}` placeholders of the definition, filled by CDK's definitionSubstitutions or locally. */
export interface EscalationSubstitutions {
  readonly NotifierFunctionArn: string;
}

/** The states whose task is the notifier, the first step and each wake's: the local interpreter binds its handler by name. */
export const FIRST_STEP_STATE = 'Escalate';
export const WAKE_STEP_STATE = 'Notify due';

/** The Wait state before each wake's step. */
export const WAKE_WAIT_STATE = 'Wait until due';

export const readEscalationDefinition = (): string => readFileSync(ESCALATION_ASL_PATH, 'utf8');

/** The definition with its placeholders filled, as Step Functions sees it after substitution. */
export const substitutedEscalationDefinition = (substitutions: EscalationSubstitutions): string =>
  substitute(readEscalationDefinition(), { ...substitutions });

/** A definition's `${name}` placeholders filled, as CDK's definitionSubstitutions fill them. */
export function substitute(definition: string, substitutions: Readonly<Record<string, string>>): string {
  return definition.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`no substitution for ${placeholder}`);
    return value;
  });
}
