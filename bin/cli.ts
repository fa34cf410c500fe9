/**
 * `npx inresponse <command>` (or `npm run inresponse -- <command>`): the operator's CLI; see lib/cli/program.ts
 * and the README's "Operating it from the command line". `npm run config:plan` and `config:apply` run it too.
 */
import { CommanderError } from 'commander';
import { reportCliError } from '../lib/cli-errors';
import { cliProgram } from '../lib/cli/program';
import { processTerminal } from '../lib/cli/terminal';

const program = cliProgram({ terminal: processTerminal(), env: process.env, writeError: (text) => void process.stderr.write(text) });
program.parseAsync(process.argv).catch((error: unknown) => {
  // Commander has printed its own message (an unknown option, --help) before throwing.
  if (error instanceof CommanderError) process.exit(error.exitCode);
  reportCliError(error);
  process.exit(1);
});
