import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod';
import type { Principal } from '../domain/access/access';
import { calendarDays, consoleIncidentQuerySchema, eventExplorerQuerySchema, exploreEvents, listConsoleIncidents } from '../domain/console/console-queries';
import { CSRF_FIELD, messagePage, SECURITY_HEADERS, type Viewer } from '../domain/console/layout';
import { assertSameSiteForm, assertSameSiteRequest, clearedSessionCookie, consoleKeys, csrfTokenOf, sessionCookie, sessionOf, type ConsoleSession } from '../domain/console/session';
import { completeSignIn, previewSignIn, requestSignIn, signInFormSchema, type SignInDeps } from '../domain/console/sign-in';
import * as views from '../domain/console/views';
import type { EventLog } from '../domain/incident/event-record';
import { incidentActionSchema, incidentNumberSchema } from '../domain/incident/incident-input';
import { actOnIncident, answerOf, getIncident, type IncidentUseCaseDeps } from '../domain/incident/incident-use-cases';
import { listHeartbeats, type HeartbeatDeps } from '../domain/heartbeats/heartbeats';
import { maintenanceInputSchema } from '../domain/maintenance/maintenance';
import { listMaintenance, startMaintenance, type MaintenanceUseCaseDeps } from '../domain/maintenance/maintenance-use-cases';
import { overrideInputSchema, schedulePathSchema } from '../domain/oncall/oncall-input';
import { createOverride, scheduleShifts, whoIsOnCallInEveryTeam, type OnCallUseCaseDeps } from '../domain/oncall/oncall-use-cases';
import { readPeriodReport, REPORT_PERIODS_DAYS, type ReportPeriod, type ReportSource } from '../domain/reports/reports';
import { ClientError, NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../domain/shared/errors';
import { componentOverrideSchema } from '../domain/status-pages/component-status';
import {
  listStatusPagesWithUpdates,
  overrideComponent,
  postStatusUpdate,
  removeComponentOverride,
  statusPagePathSchema,
  statusUpdatePostSchema,
  type StatusPageUseCaseDeps,
} from '../domain/status-pages/status-page-use-cases';
import { identifier, parseInput } from '../domain/shared/validation';
import { LIMITS } from '../config/limits';
import { httpEdge, statusOf, type ApiHandler, type HttpResult } from './api';

export interface ConsoleDeps {
  readonly useCases: IncidentUseCaseDeps;
  readonly onCall: OnCallUseCaseDeps;
  readonly maintenance: MaintenanceUseCaseDeps;
  readonly events: Pick<EventLog, 'list'>;
  readonly heartbeats: Pick<HeartbeatDeps, 'heartbeats' | 'clock'>;
  readonly signIn: Omit<SignInDeps, 'key'>;
  readonly reports: ReportSource;
  readonly statusPages: StatusPageUseCaseDeps;
  /** Where the status pages are published (`<url>/<page>/`), when known. */
  readonly statusPagesUrl?: () => string;
  /** The key everything the console signs is derived from. */
  readonly linkSecret: string;
  /** The API's public base URL: sign-in links point there, and cookies are `Secure` when it is HTTPS. */
  readonly publicUrl: () => string;
  readonly logger: Logger;
}

/** What a signed-in route gets: the session, the viewer its pages show, the principal its use cases act as. */
interface SignedIn {
  readonly session: ConsoleSession;
  readonly viewer: Viewer;
  readonly principal: Principal;
  readonly event: APIGatewayProxyEventV2;
}

type Page = (deps: ConsoleDeps, signedIn: SignedIn) => Promise<HttpResult>;
type FormAction = (deps: ConsoleDeps, signedIn: SignedIn, form: Record<string, string>) => Promise<HttpResult>;

const html = (text: string, status = 200): HttpResult => ({ status, body: undefined, html: text });
const seeOther = (location: string, cookies?: readonly string[]): HttpResult => ({ status: 303, body: undefined, html: '', headers: { location }, ...(cookies ? { cookies } : {}) });
const query = <S extends z.ZodType>(schema: S, event: APIGatewayProxyEventV2) => parseInput(schema, event.queryStringParameters ?? {}, 'query');
const path = <S extends z.ZodType>(schema: S, event: APIGatewayProxyEventV2) => parseInput(schema, event.pathParameters ?? {}, 'path');
const reportQuerySchema = z.strictObject({
  days: z.enum(REPORT_PERIODS_DAYS.map(String) as [string, ...string[]], { error: `must be one of ${REPORT_PERIODS_DAYS.join(', ')}` }).default('7').transform((d) => Number(d) as ReportPeriod),
});
const CALENDAR_DAYS = 14;
const DAY_MS = 86_400_000;

/** The views, each a GET of a signed-in person. */
const PAGES: Readonly<Record<string, Page>> = {
  'GET /console': async () => seeOther('/console/incidents'),
  'GET /console/incidents': async (deps, { viewer, principal, event }) => {
    const filter = query(consoleIncidentQuerySchema, event);
    const page = await listConsoleIncidents(deps.useCases, principal, filter);
    if (filter.fragment) return html(views.incidentTable(page, filter));
    return html(views.incidentsPage(viewer, page, filter, await deps.onCall.onCall.listTeams()));
  },
  'GET /console/incidents/{number}': async (deps, { viewer, principal, event }) => {
    const incident = await getIncident(deps.useCases, principal, path(incidentNumberSchema, event).number);
    return { ...html(views.incidentPage(viewer, incident, (await answerOf(deps.useCases, incident)).maintenance)), incidentNumber: incident.number };
  },
  'GET /console/oncall': async (deps, { viewer, principal }) => {
    const { teams } = await whoIsOnCallInEveryTeam(deps.onCall, principal);
    return html(views.onCallPage(viewer, teams));
  },
  'GET /console/schedules/{team}/{schedule}': async (deps, { viewer, principal, event }) => {
    const { team, schedule } = path(schedulePathSchema, event);
    const now = deps.onCall.clock();
    // A day either side: the days are the schedule's zone's, whatever its offset.
    const [from, to] = [new Date(now.getTime() - DAY_MS), new Date(now.getTime() + (CALENDAR_DAYS + 1) * DAY_MS)];
    const found = await scheduleShifts(deps.onCall, principal, team, schedule, from, to);
    const days = calendarDays(found.shifts, found.timeZone, now, CALENDAR_DAYS);
    return html(views.schedulePage(viewer, { team, schedule, timeZone: found.timeZone, from: from.toISOString(), to: to.toISOString(), days }));
  },
  'GET /console/maintenance': async (deps, { viewer, principal }) =>
    html(views.maintenancePage(viewer, await listMaintenance(deps.maintenance, principal, {}), deps.maintenance.clock())),
  'GET /console/heartbeats': async (deps, { viewer }) => html(views.heartbeatsPage(viewer, await listHeartbeats(deps.heartbeats))),
  'GET /console/events': async (deps, { viewer, principal, event }) => {
    const filter = query(eventExplorerQuerySchema, event);
    return html(views.eventsPage(viewer, filter, await exploreEvents({ events: deps.events, incidents: deps.useCases.incidents }, principal, filter)));
  },
  'GET /console/reports': async (deps, { viewer, event }) =>
    html(views.reportsPage(viewer, await readPeriodReport(deps.reports, deps.useCases.clock(), query(reportQuerySchema, event).days))),
  'GET /console/status': async (deps, { viewer, principal }) => {
    const pages = await listStatusPagesWithUpdates(deps.statusPages, principal, views.CONSOLE_STATUS_UPDATES);
    return html(views.statusPage(viewer, pages, deps.statusPagesUrl?.(), randomUUID));
  },
};

/** The forms, each a POST of a signed-in person, answered by a redirect to what it changed. */
const FORMS: Readonly<Record<string, FormAction>> = {
  'POST /console/sign-out': async (deps) => seeOther('/console/sign-in', [clearedSessionCookie(isHttps(deps))]),
  'POST /console/incidents/{number}': async (deps, { session, principal, event }, form) => {
    const { number } = path(incidentNumberSchema, event);
    await actOnIncident(deps.useCases, principal, number, parseInput(incidentActionSchema, { ...form, by: session.email }, 'form'));
    return { ...seeOther(`/console/incidents/${number}`), incidentNumber: number };
  },
  'POST /console/schedules/{team}/{schedule}/overrides': async (deps, { principal, event }, form) => {
    const { team, schedule } = path(schedulePathSchema, event);
    await createOverride(deps.onCall, principal, team, schedule, parseInput(overrideInputSchema, form, 'form'));
    return seeOther(`/console/schedules/${team}/${schedule}`);
  },
  'POST /console/status/{page}/updates': async (deps, { principal, event }, form) => {
    const { page } = path(statusPagePathSchema, event);
    const input = { ...form, ...(form.components === undefined ? {} : { components: list(form.components) }), ...(form.incidentNumber ? { incidentNumber: Number(form.incidentNumber) } : {}) };
    await postStatusUpdate(deps.statusPages, principal, page, parseInput(statusUpdatePostSchema, input, 'form'));
    return seeOther(`/console/status#page-${page}`);
  },
  'POST /console/status/{page}/overrides': async (deps, { principal, event }, { component, ...override }) => {
    const { page } = path(statusPagePathSchema, event);
    await overrideComponent(deps.statusPages, principal, page, parseInput(componentFieldSchema, { component }, 'form').component, parseInput(componentOverrideSchema, override, 'form'));
    return seeOther(`/console/status#page-${page}`);
  },
  'POST /console/status/{page}/overrides/remove': async (deps, { principal, event }, form) => {
    const { page } = path(statusPagePathSchema, event);
    await removeComponentOverride(deps.statusPages, principal, page, parseInput(componentFieldSchema, form, 'form').component);
    return seeOther(`/console/status#page-${page}`);
  },
  'POST /console/maintenance': async (deps, { principal }, form) => {
    const input = { ...form, services: list(form.services), ...(form.durationMinutes ? { durationMinutes: Number(form.durationMinutes) } : {}) };
    await startMaintenance(deps.maintenance, principal, parseInput(maintenanceInputSchema, input, 'form'));
    return seeOther('/console/maintenance');
  },
};

/** A comma-separated field as the list the schema reads. */
const list = (value = '') => value.split(',').map((s) => s.trim()).filter(Boolean);
const componentFieldSchema = z.strictObject({ component: identifier });

const isHttps = (deps: Pick<ConsoleDeps, 'publicUrl'>) => deps.publicUrl().startsWith('https:');

/** The fields of a form body, without the CSRF token and without empty fields (an empty field is an absent one). */
function formOf(event: APIGatewayProxyEventV2): { readonly fields: Record<string, string>; readonly csrf?: string } {
  const mediaType = (event.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw new UnsupportedMediaTypeError('the body must be a form', [{ field: 'content-type', problem: `must be application/x-www-form-urlencoded, not ${mediaType || 'missing'}` }]);
  }
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > LIMITS.maxBodyBytes) throw new PayloadTooLargeError(`the body is ${raw.length} bytes`, [{ field: 'body', problem: `must be at most ${LIMITS.maxBodyBytes} bytes` }]);
  const params = new URLSearchParams(raw.toString('utf8'));
  const csrf = params.get(CSRF_FIELD) ?? undefined;
  params.delete(CSRF_FIELD);
  return { fields: Object.fromEntries([...params].filter(([, value]) => value !== '')), ...(csrf === undefined ? {} : { csrf }) };
}

/** The routes anyone may reach: the sign-in form, the mailed link and its confirmation. */
async function signInRoute(deps: ConsoleDeps, event: APIGatewayProxyEventV2, signInKey: string, sessionKey: string): Promise<HttpResult | undefined> {
  const signIn = { ...deps.signIn, key: signInKey };
  switch (event.routeKey) {
    case 'GET /console/sign-in':
      return html(views.signInPage());
    case 'POST /console/sign-in': {
      const { email } = parseInput(signInFormSchema, formOf(event).fields, 'form');
      await requestSignIn(signIn, email, (token) => `${deps.publicUrl()}/console/auth/${token}`);
      return html(views.checkMailPage());
    }
    case 'GET /console/auth/{token}':
    case 'POST /console/auth/{token}':
      return signInLinkRoute(deps, event, signIn, sessionKey);
    default:
      return undefined;
  }
}

/**
 * `GET` of a mailed link shows who it signs in, with a button; only the button's `POST` uses the link up, sets
 * the session cookie and goes to the console. The token in the path is what no other site knows, so it is the
 * form's CSRF token; the browser's `Origin` and `Sec-Fetch-Site` are checked where sent. A link that cannot be
 * used answers a page saying why, with the way to a new one.
 */
async function signInLinkRoute(deps: ConsoleDeps, event: APIGatewayProxyEventV2, signIn: SignInDeps, sessionKey: string): Promise<HttpResult> {
  const token = event.pathParameters?.token ?? '';
  try {
    if (event.requestContext.http.method === 'GET') return html(views.confirmSignInPage((await previewSignIn(signIn, token)).name, token));
    assertSameSiteRequest(originOf(event));
    const session = await completeSignIn(signIn, token);
    return seeOther('/console', [sessionCookie(session, sessionKey, isHttps(deps))]);
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    return html(views.signInLinkRefusedPage(error.message), statusOf(error));
  }
}

/** The headers a POST's same-site check reads: the browser's own, which no page can forge. */
const originOf = (event: APIGatewayProxyEventV2) => ({
  ...(event.headers.host ? { host: event.headers.host } : {}),
  ...(event.headers.origin ? { origin: event.headers.origin } : {}),
  ...(event.headers['sec-fetch-site'] ? { secFetchSite: event.headers['sec-fetch-site'] } : {}),
});

/**
 * The console: server-rendered pages over the same use cases as the JSON API, for people signed in by a mailed
 * link. A client's mistake is answered with a page that names it; a request without a session is sent to sign in.
 */
export function createConsoleRoutes(deps: ConsoleDeps): ApiHandler {
  const keys = consoleKeys(deps.linkSecret);
  return httpEdge(deps.logger, async (event) => {
    try {
      const result = (await signInRoute(deps, event, keys.signIn, keys.session)) ?? (await signedInRoute(deps, event, keys));
      return { ...result, headers: { ...SECURITY_HEADERS, ...result.headers } };
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      const details = error.details.map((d) => `${d.field} ${d.problem}`).join('\n');
      return { ...html(messagePage('Nothing was changed', `${error.message}${details ? `\n${details}` : ''}`), statusOf(error)), headers: SECURITY_HEADERS };
    }
  });
}

async function signedInRoute(deps: ConsoleDeps, event: APIGatewayProxyEventV2, keys: ReturnType<typeof consoleKeys>): Promise<HttpResult> {
  const page = PAGES[event.routeKey];
  const form = FORMS[event.routeKey];
  if (!page && !form) throw new NotFoundError(`no route ${event.routeKey}`);
  const session = sessionOf(event.cookies, keys.session, deps.useCases.clock());
  if (!session) return seeOther('/console/sign-in');
  const signedIn: SignedIn = {
    session,
    viewer: { name: session.name, email: session.email, csrf: csrfTokenOf(session, keys.csrf) },
    principal: { name: session.email, role: 'responder' },
    event,
  };
  if (page) return page(deps, signedIn);
  const { fields, csrf } = formOf(event);
  assertSameSiteForm(session, keys.csrf, csrf, originOf(event));
  return form!(deps, signedIn, fields);
}
