import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../domain/access/access';
import {
  overrideInputSchema,
  overridePathSchema,
  onCallQuerySchema,
  previewPathSchema,
  previewQuerySchema,
  schedulePathSchema,
  shiftsQuerySchema,
} from '../domain/oncall/oncall-input';
import {
  createOverride,
  deleteOverride,
  escalationPreview,
  listOverrides,
  scheduleShifts,
  whoIsOnCall,
  whoIsOnCallInEveryTeam,
  type OnCallUseCaseDeps,
} from '../domain/oncall/oncall-use-cases';
import {
  calendarFeedInputSchema,
  calendarFeedPathSchema,
  calendarTokenSchema,
  createCalendarFeed,
  listCalendarFeeds,
  renderCalendarFeed,
  revokeCalendarFeed,
} from '../domain/oncall/calendar-feeds';
import { parseInput } from '../domain/shared/validation';
import { ok, parseJsonBody, type HttpResult } from './api';

type OnCallRoute = (deps: OnCallUseCaseDeps, principal: Principal, event: APIGatewayProxyEventV2) => Promise<HttpResult>;

const path = <S extends Parameters<typeof parseInput>[0]>(schema: S, event: APIGatewayProxyEventV2) => parseInput(schema, event.pathParameters ?? {}, 'path');
const query = <S extends Parameters<typeof parseInput>[0]>(schema: S, event: APIGatewayProxyEventV2) => parseInput(schema, event.queryStringParameters ?? {}, 'query');

/** The on-call reads, by route key: who is on call, shifts, overrides, the escalation preview. */
export const ONCALL_READ_ROUTES: Readonly<Record<string, OnCallRoute>> = {
  'GET /oncall': async (deps, principal, event) => {
    const { team, at } = query(onCallQuerySchema, event);
    return ok(team === undefined ? await whoIsOnCallInEveryTeam(deps, principal, at) : await whoIsOnCall(deps, principal, team, at));
  },
  'GET /schedules/{team}/{schedule}/shifts': async (deps, principal, event) => {
    const { team, schedule } = path(schedulePathSchema, event);
    const { from, to } = query(shiftsQuerySchema, event);
    return ok(await scheduleShifts(deps, principal, team, schedule, from, to));
  },
  'GET /schedules/{team}/{schedule}/overrides': async (deps, principal, event) => {
    const { team, schedule } = path(schedulePathSchema, event);
    return ok({ items: await listOverrides(deps, principal, team, schedule) });
  },
  'GET /services/{service}/escalation-preview': async (deps, principal, event) => {
    const { service } = path(previewPathSchema, event);
    const { at } = query(previewQuerySchema, event);
    return ok(await escalationPreview(deps, principal, service, at));
  },
  'GET /ical-feeds': async (deps, principal) => ok({ items: await listCalendarFeeds(deps, principal) }),
};

/** A calendar feed, by the token in its URL: no API key, since calendar apps send none. */
export async function calendarFeedRoute(deps: OnCallUseCaseDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const { token } = path(calendarTokenSchema, event);
  return { status: 200, body: undefined, document: { contentType: 'text/calendar; charset=utf-8', text: await renderCalendarFeed(deps, token) } };
}

/** The on-call writes, by route key: overrides made and deleted. Apart from the reads, so each bundle holds only its own. */
export const ONCALL_WRITE_ROUTES: Readonly<Record<string, OnCallRoute>> = {
  'POST /schedules/{team}/{schedule}/overrides': async (deps, principal, event) => {
    const { team, schedule } = path(schedulePathSchema, event);
    const override = await createOverride(deps, principal, team, schedule, parseJsonBody(event, overrideInputSchema));
    return { status: 201, body: override, headers: { location: `/schedules/${team}/${schedule}/overrides/${override.id}` } };
  },
  'DELETE /schedules/{team}/{schedule}/overrides/{id}': async (deps, principal, event) => {
    const { team, schedule, id } = path(overridePathSchema, event);
    await deleteOverride(deps, principal, team, schedule, id);
    return { status: 204, body: undefined };
  },
  'POST /ical-feeds': async (deps, principal, event) => ({
    status: 201,
    body: await createCalendarFeed(deps, principal, parseJsonBody(event, calendarFeedInputSchema)),
  }),
  'DELETE /ical-feeds/{id}': async (deps, principal, event) => {
    await revokeCalendarFeed(deps, principal, path(calendarFeedPathSchema, event).id);
    return { status: 204, body: undefined };
  },
};
