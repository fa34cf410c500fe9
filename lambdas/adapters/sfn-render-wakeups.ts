import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RenderTask, RenderWakeups } from '../domain/status-pages/ports';

/** What the render state machine is started with: the task, and when it is due for its Wait state. */
export interface RenderExecutionInput extends RenderTask {
  /** ISO instant of `at`. */
  readonly due: string;
}

/**
 * Each task an execution of the status page render state machine, which waits until it is due, then runs
 * the renderer with retries. Named after the task (`r-<page>-<at>`, `t-` for a timed invalidation, 80
 * characters at most), so that the same task started twice runs once.
 */
export class SfnRenderWakeups implements RenderWakeups {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async schedule(task: RenderTask): Promise<void> {
    const input: RenderExecutionInput = { ...task, due: new Date(task.at).toISOString() };
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: `${task.task === 'render' ? 'r' : 't'}-${task.page}-${task.at}`, input: JSON.stringify(input) }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
