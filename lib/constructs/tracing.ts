import type { Construct } from 'constructs';

/** The CDK context key that turns on X-Ray tracing: `-c tracing=true`, or `"tracing": true` in cdk.json. */
export const TRACING_CONTEXT = 'tracing';

/**
 * Whether X-Ray tracing is on: Lambda active tracing on every function and tracing of the state machine.
 * Off by default (traces cost money, and the logs already carry each request's outcome).
 */
export function tracingEnabled(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(TRACING_CONTEXT);
  return value === true || value === 'true';
}
