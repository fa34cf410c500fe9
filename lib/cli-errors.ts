import { ClientError } from '../lambdas/domain/shared/errors';

/** A command could not do what it was asked, for a reason the operator can act on: `fix` says how. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly fix: string | undefined;
  /** Further lines under the message: the fields an API refused, each with its problem. */
  readonly details: readonly string[];

  constructor(message: string, options: ErrorOptions & { readonly fix?: string; readonly details?: readonly string[] } = {}) {
    super(message, options);
    this.fix = options.fix;
    this.details = options.details ?? [];
  }
}

/** Prints why a command failed, as a person reads it: one line, or the message and each bad field, and the fix. */
export function reportCliError(error: unknown): void {
  if (error instanceof CliError) {
    console.error([`error: ${error.message}`, ...error.details.map((d) => `  ${d}`), ...(error.fix ? [`fix: ${error.fix}`] : [])].join('\n'));
  } else if (unreachable(error)) {
    console.error(`error: cannot connect to ${error.address}:${error.port}\nfix: locally, is npm start running? In AWS, check the region and your network`);
  } else if (error instanceof ClientError) {
    console.error(`${error.message}\n${error.details.map((d) => `  ${d.field}: ${d.problem}`).join('\n')}`);
  } else {
    console.error(error);
  }
}

/** A connection refused: the local runtime is not running, or the endpoint is wrong. */
const unreachable = (error: unknown): error is { address: string; port: number } =>
  (error as { code?: unknown } | undefined)?.code === 'ECONNREFUSED';
