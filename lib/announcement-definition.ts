import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { substitute } from './escalation-definition';

/** The one announcement state machine definition (webhook deliveries): deployed by CDK, run locally. */
const ANNOUNCEMENT_ASL_PATH = fileURLToPath(new URL('../statemachines/announcement.asl.json', import.meta.url));

export interface AnnouncementSubstitutions {
  readonly AnnouncerFunctionArn: string;
}

/** The states whose task is the announcer: the local interpreter binds its handler by these names. */
export const ANNOUNCER_STATES = ['Plan deliveries', 'Deliver', 'Dead-letter'] as const;

export const readAnnouncementDefinition = (): string => readFileSync(ANNOUNCEMENT_ASL_PATH, 'utf8');

export const substitutedAnnouncementDefinition = (substitutions: AnnouncementSubstitutions): string =>
  substitute(readAnnouncementDefinition(), { ...substitutions });
