import { ValidationError } from '../lambdas/domain/shared/errors';
import { JavaMissingError } from './local/dynamodb-local';

/** Prints why a command failed, as a person reads it: one line, or the message and each bad field. */
export function reportCliError(error: unknown): void {
  if (error instanceof JavaMissingError) {
    console.error(error.message);
  } else if (error instanceof ValidationError) {
    console.error(`${error.message}\n${error.details.map((d) => `  ${d.field}: ${d.problem}`).join('\n')}`);
  } else {
    console.error(error);
  }
}
