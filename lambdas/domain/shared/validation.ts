import * as z from 'zod';
import { LIMITS } from '../../config/limits';
import { ValidationError, type FieldProblem } from './errors';
import { byteLength, withoutControlCharacters } from './text';

/** The field name of a zod path: `levels.0.delayMinutes`, or `body` for the document as a whole. */
const fieldOf = (path: readonly PropertyKey[]): string => (path.length ? path.map(String).join('.') : 'body');

/** Turns zod's issues into one problem per field, worded for the client. */
function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldOf([...issue.path, key]), problem: 'is not a known field' }));
    }
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return [{ field: fieldOf(issue.path), problem: missing ? 'is required' : issue.message }];
  });
}

/** Parses untrusted input with a schema, or throws a {@link ValidationError} naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = problemsOf(result.error);
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  throw new ValidationError(`invalid ${what}: ${fields}`, details, { cause: result.error });
}

/** A trimmed, non-empty string of at most `maxBytes` UTF-8 bytes, without control characters. */
export const boundedText = (maxBytes: number) =>
  z
    .string()
    .overwrite(withoutControlCharacters)
    .trim()
    .min(1, 'must not be empty')
    .refine((s) => byteLength(s) <= maxBytes, `must be at most ${maxBytes} bytes`);

/** A short name or identifier: letters, digits and `._-`, starting with a letter or digit. */
export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores');

/** The `limit` of a list query: a whole number of items per page, within the page size limits. */
export const pageLimit = z
  .string()
  .regex(/^[0-9]+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(LIMITS.maxPageSize, `must be at most ${LIMITS.maxPageSize}`))
  .default(LIMITS.defaultPageSize);
