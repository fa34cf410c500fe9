import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../lambdas/domain/shared/errors';
import { httpEdge } from '../../lambdas/http/api';

const event = { routeKey: 'PUT /incidents', requestContext: { requestId: 'req-1' } } as unknown as APIGatewayProxyEventV2;
const context = { awsRequestId: 'req-1', functionName: 'f' } as unknown as Context;
const answerTo = (error: unknown) =>
  httpEdge(new Logger({ logLevel: 'SILENT' }), () => Promise.reject(error))(event, context);
const awsError = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: status === undefined ? { attempts: 3 } : { httpStatusCode: status } });

describe('the HTTP edge', () => {
  it('answers a store that is busy or briefly unavailable with 503 and Retry-After', async () => {
    for (const error of [awsError('ProvisionedThroughputExceededException', 400), awsError('InternalServerError', 500), awsError('ECONNRESET')]) {
      const res = await answerTo(error);
      expect(res.statusCode).toBe(503);
      expect(res.headers!['retry-after']).toBe('1');
      expect(JSON.parse(res.body!)).toMatchObject({ error: 'temporarily_unavailable', details: [] });
    }
  });

  it('answers a bug with 500 naming the request id, and a client error with its own status', async () => {
    const bug = await answerTo(new TypeError('x is undefined'));
    expect(bug.statusCode).toBe(500);
    expect(JSON.parse(bug.body!).message).toContain('req-1');
    expect((await answerTo(new ConflictError('taken', [{ field: 'action', problem: 'is taken' }]))).statusCode).toBe(409);
  });
});
