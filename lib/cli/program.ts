import { Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { CliError } from '../cli-errors';
import { LOCAL_AWS } from '../local/local-aws';
import { EXPORT_FORMATS, type ExportFormat } from './export-formats';
import type { Target } from './target';
import type { Terminal } from './terminal';

export interface CliDeps {
  readonly terminal: Terminal;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where commander writes its own errors (an unknown option, a missing argument). */
  readonly writeError: (text: string) => void;
}

interface GlobalOptions {
  readonly stack?: string;
  readonly region?: string;
  readonly dataDir: string;
}

const positiveInteger = (value: string): number => {
  if (!/^[1-9]\d{0,14}$/.test(value)) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
};

/**
 * `npx inresponse <command>`: the operator's commands, against the local runtime of `npm start` (its
 * `.local/outputs.json`) or a deployed stack (`--stack`, its CloudFormation outputs). Commands print their
 * results on stdout and their progress on stderr, and fail with a message and its fix. Each command loads its
 * module when it runs: the whole SDK and the composition root take seconds to load, and `--help` needs none.
 */
export function cliProgram({ terminal, env, writeError }: CliDeps): Command {
  const program = new Command('inresponse')
    .description('Operate InResponse: the local runtime of npm start, or a deployed stack (--stack).')
    .option('--stack <name>', 'a deployed stack, found through CloudFormation (default: $INRESPONSE_STACK; without one, the local runtime)', env.INRESPONSE_STACK)
    .option('--region <region>', "the stack's region (default: $AWS_REGION)")
    .option('--data-dir <dir>', "the local runtime's folder", env.INRESPONSE_DATA_DIR ?? '.local')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => terminal.print(text.trimEnd()), writeErr: writeError });
  const globals = () => program.opts<GlobalOptions>();
  const target = async (): Promise<Target> => (await import('./target')).resolveTarget({ ...globals(), env });
  const api = async () => (await import('./api-client')).ApiClient.of(await target());
  /** Subcommands inherit the program's settings: exit override, output, help after errors. */
  const group = (name: string, description: string) => program.command(name).description(description).copyInheritedSettings(program);

  const config = group('config', 'the on-call configuration file: plan or apply it');
  for (const action of ['plan', 'apply'] as const) {
    config
      .command(action)
      .description(action === 'plan' ? 'print what applying the file would change; write nothing' : 'print the plan, then make the tables equal to the file')
      .option('--file <path>', 'the on-call configuration file', env.INRESPONSE_CONFIG ?? 'inresponse.config.yaml')
      .option('--prefix <prefix>', 'write to the tables <prefix>-* in AWS instead of a target (as before the CLI)')
      .option('--endpoint <url>', 'a DynamoDB endpoint (DynamoDB Local) for --prefix')
      .option('--secrets-file <path>', 'keep generated secrets in this file (locally: the runtime\'s api-keys.json)')
      .action(async (options: { file: string; prefix?: string; endpoint?: string; secretsFile?: string }) => {
        const { region } = globals();
        const direct = options.prefix !== undefined || options.endpoint !== undefined;
        const resolved = direct ? undefined : await target();
        const secretsFile = options.secretsFile ?? (resolved?.localDataDir ? join(resolved.localDataDir, 'api-keys.json') : undefined);
        const [{ configCommand }, { SecretsFile }] = await Promise.all([import('./config-command'), import('../../lambdas/adapters/config-file')]);
        await configCommand(terminal, {
          file: options.file,
          tablePrefix: options.prefix ?? resolved?.tablePrefix ?? 'inresponse',
          dynamoDb: resolved ? resolved.clientSettings('dynamoDb') : options.endpoint ? { ...LOCAL_AWS, endpoint: options.endpoint } : region ? { region } : {},
          plan: action === 'plan',
          ...(secretsFile ? { secrets: new SecretsFile(secretsFile) } : {}),
          env,
        });
      });
  }

  const incidents = group('incidents', 'list, show, claim and resolve incidents, through the API');
  incidents
    .command('list')
    .description('the newest incidents')
    .addOption(new Option('--state <state>', 'only this state').choices(['open', 'claimed', 'resolved', 'OPEN', 'CLAIMED', 'RESOLVED']))
    .option('--service <service>', 'only this service')
    .option('--limit <n>', 'how many, up to 100', positiveInteger, 25)
    .option('--json', "the API's answer as JSON", false)
    .action(async (options: { state?: string; service?: string; limit: number; json: boolean }) => (await import('./incidents-command')).listIncidentsCommand(await api(), terminal, options));
  incidents
    .command('show')
    .description('one incident, with its timeline')
    .argument('<number>', 'the incident number', positiveInteger)
    .option('--json', "the API's answer as JSON", false)
    .action(async (number: number, options: { json: boolean }) => (await import('./incidents-command')).showIncidentCommand(await api(), terminal, number, options));
  for (const action of ['claim', 'resolve'] as const) {
    incidents
      .command(action)
      .description(`${action} an incident, as --by`)
      .argument('<number>', 'the incident number', positiveInteger)
      .option('--by <who>', 'who acts: a person id or an address (default: $INRESPONSE_BY)', env.INRESPONSE_BY)
      .option('--note <text>', 'a note on the timeline')
      .action(async (number: number, options: { by?: string; note?: string }) => {
        await (await import('./incidents-command')).actOnIncidentCommand(await api(), terminal, number, action, options);
      });
  }

  group('oncall', 'who is on call in a team, or in every team')
    .argument('[team]', 'the team (default: every team)')
    .option('--at <instant>', 'when (ISO 8601; default: now)')
    .option('--json', "the API's answer as JSON", false)
    .action(async (team: string | undefined, options: { at?: string; json: boolean }) => (await import('./oncall-command')).onCallCommand(await api(), terminal, team, options));

  const dlq = group('dlq', 'the dead-letter queues: what failed for good, and sending it again');
  dlq
    .command('list')
    .description('each queue with its messages, decoded, and why each failed')
    .argument('[queue]', 'one queue (default: all)')
    .option('--limit <n>', 'messages shown per queue', positiveInteger, 10)
    .action(async (queue: string | undefined, options: { limit: number }) => {
      await (await import('./dlq-command')).listDeadLettersCommand(await target(), terminal, queue, options);
    });
  dlq
    .command('redrive')
    .description('send each message again to the function that failed it; what fails again stays')
    .argument('[queue]', 'one queue (default: all)')
    .option('--limit <n>', 'messages sent again per queue', positiveInteger, 100)
    .action(async (queue: string | undefined, options: { limit: number }) => {
      const results = await (await import('./dlq-command')).redriveDeadLettersCommand(await target(), terminal, queue, options);
      const kept = results.reduce((sum, r) => sum + r.kept, 0);
      if (kept) throw new CliError(`${kept} message(s) failed again and stay in their queue`, { fix: 'see each reason above; fix the cause, then redrive again' });
    });

  group('keys', 'API keys')
    .command('rotate')
    .description('a new secret for an API key, printed once; the old one stops working')
    .argument('<name>', 'the key, as the config file names it')
    .option('--file <path>', 'the on-call configuration file (a key whose secret comes from secretEnv is rotated there)', env.INRESPONSE_CONFIG ?? 'inresponse.config.yaml')
    .action(async (name: string, options: { file: string }) => {
      await (await import('./keys-command')).rotateKeyCommand(await target(), terminal, name, options);
    });

  group('export', 'the incidents created in a range, with their timelines, as JSON Lines or CSV')
    .requiredOption('--from <date>', 'from this instant (ISO 8601: 2026-11-01, 2026-11-24T10:00:00Z)')
    .option('--to <date>', 'up to this instant, excluded (default: now)')
    .addOption(new Option('--format <format>', 'jsonl: one incident a line; csv: one timeline entry a row').choices(EXPORT_FORMATS).default('jsonl'))
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (options: { from: string; to?: string; format: ExportFormat; out?: string }) => {
      await (await import('./export-command')).exportCommand(await api(), terminal, options);
    });

  group('doctor', 'check a deployment; each failed check says how to fix it').action(async () => {
    const failed = (await (await import('./doctor')).doctorCommand(await target(), terminal)).filter((v) => v.status === 'fail').length;
    if (failed) throw new CliError(`${failed} check(s) failed`);
  });
  return program;
}
