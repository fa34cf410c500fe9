import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { routeKey, type ApiFunctionId, type ApiRoute } from '../../lambdas/config/routes';
import type { ApiHandler } from '../../lambdas/http/api';
import { closeServer, createGuardedServer, DEFAULT_SERVER_LIMITS, listenOn, readBoundedBody, type ServerLimits } from './server-guard';

/** API Gateway's own payload limit: larger requests never reach the function. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

const TEXT_MEDIA_TYPE = /^(text\/|application\/(?:[\w.+-]+\+)?(?:json|xml)$|application\/x-www-form-urlencoded$)/i;

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    parameterNames.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

/** An object served as a static file. */
export interface StaticObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl?: string;
}

/** Static files under a path, as a CDN in front of a bucket serves them: `<prefix>/<key>`, `index.html` for a folder. */
export interface StaticSite {
  readonly prefix: string;
  read(key: string): Promise<StaticObject | undefined>;
}

/**
 * The object key of a path under a static site, as the CDN's viewer-request function maps it: a folder
 * (`/page/`) or a path without an extension (`/page`) is its `index.html`.
 */
export function staticKeyOf(path: string): string {
  const key = path.replace(/^\/+/, '');
  if (key === '' || key.endsWith('/')) return `${key}index.html`;
  return /\.[^/]*$/.test(key) ? key : `${key}/index.html`;
}

/**
 * A local stand-in for the API Gateway HTTP API: it matches the same routes, builds the payload v2 event
 * (route key, raw and parsed query, path parameters, cookies, text or base64 body) and maps the handler's
 * result back, so the Lambda handlers run unchanged.
 */
export class HttpGateway {
  private readonly routes: readonly CompiledRoute[];
  private server: Server | undefined;

  constructor(
    routes: readonly ApiRoute[],
    /** The functions behind the routes; a route whose function is not given is not served (404). */
    private readonly functions: Readonly<Partial<Record<ApiFunctionId, ApiHandler>>>,
    /** How long a connection may stay silent, and how large a request's headers may be. */
    private readonly limits: ServerLimits = DEFAULT_SERVER_LIMITS,
    /** Static files served beside the API, as the CDN serves the status pages. */
    private readonly site?: StaticSite,
  ) {
    this.routes = routes.filter((route) => functions[route.function]).map(compile);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    // No client may stop the runtime: bounded headers and idle time, and every stream error handled.
    const server = createGuardedServer(this.limits, (req, res) => this.handle(req, res));
    this.server = server;
    return listenOn(server, port, host);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (this.site && (req.method === 'GET' || req.method === 'HEAD') && url.pathname.startsWith(`${this.site.prefix}/`)) return this.serveStatic(this.site, req, res, url.pathname);
    const match = this.match(req.method ?? 'GET', url.pathname);
    if (!match) return send(res, 404, { message: 'Not Found' });
    const body = await readBoundedBody(req, API_GATEWAY_MAX_BODY_BYTES);
    if (body === 'too large') return send(res, 413, { message: 'Request Entity Too Large' });
    const requestId = randomUUID();
    const event = buildEvent(req, url, match.route, match.pathParameters, body, requestId);
    try {
      const result = await this.functions[match.route.function]!(event, lambdaContext(match.route.function, requestId));
      const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
      if (result.cookies?.length) headers['set-cookie'] = result.cookies;
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
    } catch {
      // What API Gateway answers when the function itself fails.
      send(res, 500, { message: 'Internal Server Error' });
    }
  }

  private async serveStatic(site: StaticSite, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    let object: StaticObject | undefined;
    try {
      object = await site.read(staticKeyOf(decodeURIComponent(path.slice(site.prefix.length))));
    } catch {
      return send(res, 502, { message: 'Bad Gateway' });
    }
    if (!object) return send(res, 404, { message: 'Not Found' });
    res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length, ...(object.cacheControl ? { 'cache-control': object.cacheControl } : {}) });
    res.end(req.method === 'HEAD' ? undefined : object.body);
  }

  private match(method: string, path: string) {
    for (const { route, pattern, parameterNames } of this.routes) {
      const found = route.method === method ? pattern.exec(path) : null;
      if (found) {
        const pathParameters = Object.fromEntries(parameterNames.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]));
        return { route, pathParameters };
      }
    }
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function buildEvent(
  req: IncomingMessage,
  url: URL,
  route: ApiRoute,
  pathParameters: Record<string, string>,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  const isText = TEXT_MEDIA_TYPE.test((headers['content-type'] ?? '').split(';')[0]!.trim());
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies?.length ? { cookies } : {}),
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body.length ? { body: body.toString(isText ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

function lambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
