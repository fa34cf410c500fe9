import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { isTransientAwsError } from '../../lambdas/adapters/aws-errors';
import { RetryableNotifyError, type EscalationDeps } from '../../lambdas/domain/escalation/escalation-use-case';
import type { HandoffNoticeDeps } from '../../lambdas/domain/oncall/handoff-notices';
import { createHandler } from '../../lambdas/handlers/notifier';

const awsError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: status === undefined ? { attempts: 3 } : { httpStatusCode: status } });

describe('transient AWS errors', () => {
  it('are throttling, 5xx and requests that got no answer; not refusals, not bugs', () => {
    expect(isTransientAwsError(awsError('ProvisionedThroughputExceededException', 400))).toBe(true);
    expect(isTransientAwsError(awsError('TooManyRequestsException', 429))).toBe(true);
    expect(isTransientAwsError(awsError('InternalServerError', 500))).toBe(true);
    expect(isTransientAwsError(awsError('ECONNREFUSED'))).toBe(true);
    expect(isTransientAwsError(awsError('MessageRejected', 400))).toBe(false);
    expect(isTransientAwsError(awsError('ValidationException', 400))).toBe(false);
    expect(isTransientAwsError(new TypeError('x is undefined'))).toBe(false);
  });
});

describe('the notifier handler', () => {
  const handlerFailingWith = (error: unknown) =>
    createHandler({
      escalation: { incidents: { get: async () => Promise.reject(error) }, maintenance: { windows: async () => [] } } as unknown as EscalationDeps,
      handoffs: {} as HandoffNoticeDeps,
      logger: new Logger({ logLevel: 'SILENT' }),
    });

  it('reports a store that is briefly unavailable as retryable, so the escalation does not end', async () => {
    const error = awsError('ProvisionedThroughputExceededException', 400);
    await expect(handlerFailingWith(error)({ incidentId: 1 })).rejects.toMatchObject({ name: 'RetryableNotifyError', cause: error });
  });

  it('lets a bug or a refused request fail the step as it is', async () => {
    await expect(handlerFailingWith(new TypeError('boom'))({ incidentId: 1 })).rejects.toBeInstanceOf(TypeError);
    await expect(handlerFailingWith(awsError('ValidationException', 400))({ incidentId: 1 })).rejects.not.toBeInstanceOf(RetryableNotifyError);
  });
});
