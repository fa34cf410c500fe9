import type { Logger } from '@aws-lambda-powertools/logger';
import { builtOnFirstCall, createLogger, statusPageRendererDepsFromEnv } from '../composition';
import { type RendererDeps, runRenderTask } from '../domain/status-pages/page-rendering';
import { renderTaskSchema } from '../domain/status-pages/ports';
import { parseInput } from '../domain/shared/validation';

/**
 * The function that serves the status page render state machine: renders a page at a wake-up, or counts a
 * timed change. A failure propagates, for the state machine to retry.
 */
export function createHandler({ renderer, logger }: { renderer: RendererDeps; logger: Logger }) {
  return async (event: unknown): Promise<void> => {
    const task = parseInput(renderTaskSchema, event, 'render task');
    try {
      await runRenderTask(renderer, task);
    } catch (error) {
      logger.error('status page task failed', { error: error as Error, page: task.page, task: task.task });
      throw error;
    }
  };
}

export const handler = builtOnFirstCall(() => createHandler({ renderer: statusPageRendererDepsFromEnv(), logger: createLogger('status-page-renderer') }));
