import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../lib/local/runtime';
import { TEST_CONFIG } from './fixtures';

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of any shape: each test asserts the part it is about
  readonly body: any;
}

export interface TestSystem {
  readonly runtime: LocalRuntime;
  /** The secrets of TEST_CONFIG's API keys, by key name. */
  readonly keys: Readonly<Record<string, string>>;
  request(method: string, path: string, init?: RequestOptions): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  readonly key?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * The whole local system (the real handlers behind the local gateway, the Step Functions API, the SES
 * emulator) on the run's shared DynamoDB Local, with tables of its own and TEST_CONFIG applied.
 */
export async function startTestSystem(options: Partial<LocalRuntimeOptions> = {}): Promise<TestSystem> {
  const secrets = options.secrets ?? new Map<string, string>();
  const config = options.config ?? TEST_CONFIG;
  const runtime = await startLocalRuntime({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tablePrefix: `t${randomUUID().slice(0, 8)}`,
    // Tests run the heartbeat checker and the notifier's schedule themselves, at the instants they choose.
    periodicJobs: false,
    ...options,
    config,
    secrets,
  });
  return {
    runtime,
    keys: Object.fromEntries(Object.keys(config.apiKeys).map((name) => [name, secrets.get(name)!])),
    request: (method, path, init = {}) => requestJson(runtime.apiUrl, method, path, init),
    stop: () => runtime.stop(),
  };
}

/** One HTTP request with an optional API key and JSON body; the answer's body parsed as JSON. */
export async function requestJson(baseUrl: string, method: string, path: string, init: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers['x-api-key'] = init.key;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
