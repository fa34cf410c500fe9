import ora from 'ora';

/** A step that takes a while: shown while it runs, then ended with its outcome. */
export interface Step {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

/**
 * Where a command writes. Results go to standard output, one line at a time, so that they can be piped or
 * redirected (`export > incidents.jsonl`); progress goes to standard error.
 */
export interface Terminal {
  print(line: string): void;
  step(text: string): Step;
}

/**
 * The real terminal: results on stdout, progress as an ora spinner on stderr (a plain `- text` line and the
 * outcome line where stderr is not a terminal). stdin is left alone, so Ctrl-C keeps working.
 */
export function processTerminal(): Terminal {
  return {
    print: (line) => void process.stdout.write(`${line}\n`),
    step: (text) => {
      const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
      return {
        update: (next) => {
          spinner.text = next;
        },
        succeed: (done) => void spinner.succeed(done),
        fail: (failed) => void spinner.fail(failed),
      };
    },
  };
}

/** Runs `work` as a step: succeeds with what `done` says of its result, or fails with the error's message. */
export async function inStep<T>(terminal: Terminal, text: string, work: (step: Step) => Promise<T>, done: (result: T) => string): Promise<T> {
  const step = terminal.step(text);
  try {
    const result = await work(step);
    step.succeed(done(result));
    return result;
  } catch (error) {
    step.fail(`${text}: failed`);
    throw error;
  }
}
