import { cliProgram } from '../../lib/cli/program';
import type { Terminal } from '../../lib/cli/terminal';

/** What one run of the CLI printed: its results (stdout) and its progress (stderr). */
export interface CliRun {
  readonly out: string[];
  readonly progress: string[];
}

/** A terminal that records what it is given, the outcome of each step prefixed with ok or failed. */
export function recordingTerminal(run: CliRun): Terminal {
  return {
    print: (line) => void run.out.push(line),
    step: (text) => {
      run.progress.push(text);
      return { update: () => undefined, succeed: (done) => void run.progress.push(`ok: ${done}`), fail: (failed) => void run.progress.push(`failed: ${failed}`) };
    },
  };
}

/**
 * Runs the CLI in this process, as `npx inresponse <args>` would with this environment, and answers what it
 * printed; a failed command rejects with its error, as the command line prints it.
 */
export function cliRunner(env: Readonly<Record<string, string | undefined>>): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    const run: CliRun = { out: [], progress: [] };
    // Commander's own messages (an unknown option) are in the error it throws as well.
    await cliProgram({ terminal: recordingTerminal(run), env, writeError: () => undefined }).parseAsync(['node', 'inresponse', ...args]);
    return run;
  };
}
