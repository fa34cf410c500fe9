import { ValidationError } from '../../lambdas/domain/shared/errors';

/** The fields a validation rejects, or none if it passes. */
export function rejectedFields(validate: () => unknown): string[] {
  try {
    validate();
  } catch (error) {
    if (error instanceof ValidationError) return error.details.map((d) => d.field);
    throw error;
  }
  return [];
}
