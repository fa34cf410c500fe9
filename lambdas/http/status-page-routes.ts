import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../domain/access/access';
import { componentOverrideSchema } from '../domain/status-pages/component-status';
import {
  componentPathSchema,
  listStatusPages,
  listStatusUpdates,
  overrideComponent,
  postStatusUpdate,
  removeComponentOverride,
  type StatusPageReadDeps,
  type StatusPageUseCaseDeps,
  statusPagePathSchema,
  statusUpdatePostSchema,
} from '../domain/status-pages/status-page-use-cases';
import { parseInput } from '../domain/shared/validation';
import { ok, parseJsonBody, type HttpResult } from './api';

type Route<D> = (deps: D, principal: Principal, event: APIGatewayProxyEventV2) => Promise<HttpResult>;

const pageOf = (event: APIGatewayProxyEventV2) => parseInput(statusPagePathSchema, event.pathParameters ?? {}, 'path').page;
const componentOf = (event: APIGatewayProxyEventV2) => parseInput(componentPathSchema, event.pathParameters ?? {}, 'path');

/** The status page reads: pages with their components' statuses now, a page's updates. */
export const STATUS_PAGE_READ_ROUTES: Readonly<Record<string, Route<StatusPageReadDeps>>> = {
  'GET /status-pages': async (deps, principal) => ok({ items: await listStatusPages(deps, principal) }),
  'GET /status-pages/{page}/updates': async (deps, principal, event) => ok({ items: await listStatusUpdates(deps, principal, pageOf(event)) }),
};

/** The status page writes: an update posted, a component's override set and removed. */
export const STATUS_PAGE_WRITE_ROUTES: Readonly<Record<string, Route<StatusPageUseCaseDeps>>> = {
  'POST /status-pages/{page}/updates': async (deps, principal, event) => {
    const page = pageOf(event);
    const update = await postStatusUpdate(deps, principal, page, parseJsonBody(event, statusUpdatePostSchema));
    return { status: 201, body: update, headers: { location: `/status-pages/${page}/updates/${update.id}` } };
  },
  'POST /status-pages/{page}/components/{component}/override': async (deps, principal, event) => {
    const { page, component } = componentOf(event);
    return ok(await overrideComponent(deps, principal, page, component, parseJsonBody(event, componentOverrideSchema)));
  },
  'DELETE /status-pages/{page}/components/{component}/override': async (deps, principal, event) => {
    const { page, component } = componentOf(event);
    await removeComponentOverride(deps, principal, page, component);
    return { status: 204, body: undefined };
  },
};
