import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { substitute } from './escalation-definition';

/** The one status page render state machine definition: deployed by CDK, run locally. */
const STATUS_PAGE_RENDER_ASL_PATH = fileURLToPath(new URL('../statemachines/status-page-render.asl.json', import.meta.url));

export interface StatusPageRenderSubstitutions {
  readonly StatusPageRendererFunctionArn: string;
}

/** The state whose task is the renderer: the local interpreter binds its handler by this name. */
export const RENDER_TASK_STATE = 'Run task';

export const readStatusPageRenderDefinition = (): string => readFileSync(STATUS_PAGE_RENDER_ASL_PATH, 'utf8');

export const substitutedStatusPageRenderDefinition = (substitutions: StatusPageRenderSubstitutions): string =>
  substitute(readStatusPageRenderDefinition(), { ...substitutions });
