import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import { assertMayRead, type Principal } from '../domain/access/access';
import { type HeartbeatDeps, listHeartbeats, MAX_PING_NOTE_BYTES, pingHeartbeat, pingTokenSchema } from '../domain/heartbeats/heartbeats';
import { withoutControlCharacters } from '../domain/shared/text';
import { identifier, parseInput } from '../domain/shared/validation';
import { ok, type HttpResult } from './api';

const heartbeatListQuerySchema = z.strictObject({ service: identifier.optional() });

/** The note a ping's body leaves: its first {@link MAX_PING_NOTE_BYTES} bytes, as text; none for an empty body. */
function noteOf(event: APIGatewayProxyEventV2): string | undefined {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').subarray(0, MAX_PING_NOTE_BYTES);
  const text = withoutControlCharacters(raw.toString('utf8')).trim();
  return text || undefined;
}

/** `GET`, `POST` or `HEAD /heartbeats/{token}`: a ping, authorised by the token in the path, as cron jobs send it. */
export async function heartbeatPingRoute(deps: HeartbeatDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const { token } = parseInput(pingTokenSchema, event.pathParameters ?? {}, 'path');
  return ok(await pingHeartbeat(deps, token, noteOf(event)));
}

/** `GET /heartbeats?service=`: every monitor with its last ping and status (responder key). */
export async function heartbeatListRoute(deps: Pick<HeartbeatDeps, 'heartbeats' | 'clock'>, principal: Principal, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const { service } = parseInput(heartbeatListQuerySchema, event.queryStringParameters ?? {}, 'query');
  assertMayRead(principal);
  return ok({ items: await listHeartbeats(deps, service) });
}
