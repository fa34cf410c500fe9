import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, eventLog as eventLogOf, heartbeatDeps, incidentUseCaseDeps, maintenanceUseCaseDeps, onCallUseCaseDeps, statusPageUseCaseDeps } from '../../lambdas/composition';
import { API_ROUTES } from '../../lambdas/config/routes';
import type { Escalations } from '../../lambdas/domain/incident/ports';
import { createHandler as createIncidentProcessor } from '../../lambdas/handlers/incident-processor';
import { createHandler as createIncidentQuery } from '../../lambdas/handlers/incident-query';
import { createHandler as createIntegrations } from '../../lambdas/handlers/integrations';
import { FetchSnsHttps } from '../../lambdas/adapters/sns-https';
import { HttpGateway } from '../../lib/local/http-gateway';
import { validEvent, withoutEscalation } from '../support/fixtures';
import { requestJson, startTestSystem, type TestSystem } from '../support/harness';

/** The event record of the test system's tables. */
const eventLog = () => eventLogOf(system.runtime.clients.dynamoDb, system.runtime.deployment.tables);
const onCall = () => onCallUseCaseDeps(system.runtime.clients.dynamoDb, system.runtime.deployment.tables);
const heartbeats = (useCases: ReturnType<typeof incidentUseCaseDeps>) => heartbeatDeps(useCases, system.runtime.clients.dynamoDb, system.runtime.deployment.tables);
const maintenance = () => maintenanceUseCaseDeps(system.runtime.clients, system.runtime.deployment);
const statusPages = () => statusPageUseCaseDeps(system.runtime.clients, system.runtime.deployment);

let system: TestSystem;
let gateway: HttpGateway;
let url: string;
/** Failures to inject into the next escalation starts, one per start. */
const startFailures: Error[] = [];
/** Silent but while a test reads its lines (see logLinesOf). */
const logger = createLogger('test');

/**
 * The real handlers, adapters and emulators, composed here with one fault the emulator cannot produce on
 * demand: a Step Functions API that fails a start.
 */
beforeAll(async () => {
  system = await startTestSystem();
  const real = incidentUseCaseDeps(system.runtime.clients, system.runtime.deployment);
  const escalation: Escalations = {
    start: async (incident) => {
      const failure = startFailures.shift();
      if (failure) throw failure;
      return real.escalation.start(incident);
    },
    stop: (number) => real.escalation.stop(number),
  };
  const useCases = { ...real, escalation };
  gateway = new HttpGateway(API_ROUTES, {
    incidentProcessor: createIncidentProcessor({ useCases, onCall: onCall(), maintenance: maintenance(), statusPages: statusPages(), events: eventLog(), logger, linkSecret: 'test-link-secret', heartbeats: heartbeats(useCases) }),
    incidentQuery: createIncidentQuery({ useCases, onCall: onCall(), events: eventLog(), heartbeats: heartbeats(useCases), statusPages: statusPages(), logger }),
    integrations: createIntegrations({ integrations: { incidents: useCases, events: eventLog() }, sns: new FetchSnsHttps(), logger }),
  });
  url = await gateway.listen();
});
afterAll(async () => {
  await gateway.close();
  await system.stop();
});
afterEach(() => vi.restoreAllMocks());

const executionOf = (number: number) =>
  system.runtime.clients.sfn.send(
    new DescribeExecutionCommand({
      executionArn: `${system.runtime.deployment.escalationStateMachineArn.replace(':stateMachine:', ':execution:')}:incident-${number}`,
    }),
  );

describe('when the escalation cannot be started', () => {
  it('answers 503 with Retry-After, keeps the incident, and the retry starts its escalation once', async () => {
    startFailures.push(Object.assign(new Error('connect ECONNREFUSED'), { name: 'ServiceUnavailable' }));
    const body = validEvent({ title: 'escalation start fails once' });
    const first = await requestJson(url, 'PUT', '/incidents', { key: system.keys['athens-nagios']!, body });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(first.body.error).toBe('temporarily_unavailable');
    const number = Number(/#(\d+)/.exec(first.body.message)![1]);
    await expect(executionOf(number)).rejects.toThrow(/does not exist/);

    const retry = await requestJson(url, 'PUT', '/incidents', { key: system.keys['athens-nagios']!, body });
    expect(retry.status).toBe(200);
    expect(retry.body.number).toBe(number);
    expect(retry.body.escalationStartFailedAt).toBeUndefined();
    expect(withoutEscalation(retry.body).timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'escalation_start_failed', 'repeated']);
    expect((await executionOf(number)).name).toBe(`incident-${number}`);

    const third = await requestJson(url, 'PUT', '/incidents', { key: system.keys['athens-nagios']!, body });
    expect(third.body).toMatchObject({ number, occurrences: 3 });
  });

  it('lets a webhook retry start it too: the lean repeat of a storm still notices the failed start', async () => {
    startFailures.push(Object.assign(new Error('connect ECONNREFUSED'), { name: 'ServiceUnavailable' }));
    const body = {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'StartFails', severity: 'critical' }, annotations: {}, fingerprint: `start-fails-${Date.now()}` }],
    };
    const path = `/integrations/alertmanager/${system.keys['athens-nagios']!}`;
    const first = await requestJson(url, 'POST', path, { body });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    const number = Number(/#(\d+)/.exec(first.body.message)![1]);
    await expect(executionOf(number)).rejects.toThrow(/does not exist/);

    const retry = await requestJson(url, 'POST', path, { body });
    expect(retry.body.results).toEqual([expect.objectContaining({ outcome: 'joined', incidentNumber: number })]);
    expect((await executionOf(number)).name).toBe(`incident-${number}`);
    const again = await requestJson(url, 'POST', path, { body });
    expect(again.body.results[0]).toMatchObject({ outcome: 'joined', incidentNumber: number });
    const incident = await requestJson(url, 'GET', `/incidents/${number}`, { key: system.keys.responders! });
    expect(incident.body).toMatchObject({ occurrences: 3 });
    expect(incident.body.escalationStartFailedAt).toBeUndefined();
  });
});

describe('two instances of the incident processor', () => {
  it('do not count a repeat into an incident the other instance resolved (stale dedup hint)', async () => {
    const useCases = incidentUseCaseDeps(system.runtime.clients, system.runtime.deployment);
    const other = new HttpGateway(API_ROUTES, {
      incidentProcessor: createIncidentProcessor({ useCases, onCall: onCall(), maintenance: maintenance(), statusPages: statusPages(), events: eventLog(), logger, linkSecret: 'test-link-secret', heartbeats: heartbeats(useCases) }),
      incidentQuery: createIncidentQuery({ useCases, onCall: onCall(), events: eventLog(), heartbeats: heartbeats(useCases), statusPages: statusPages(), logger }),
    });
    const otherUrl = await other.listen();
    try {
      const key = system.keys['athens-nagios']!;
      const body = validEvent({ title: 'two instances' });
      const first = await requestJson(url, 'PUT', '/incidents', { key, body });
      expect((await requestJson(url, 'PUT', '/incidents', { key, body })).body.number).toBe(first.body.number);
      await requestJson(otherUrl, 'POST', `/incidents/${first.body.number}`, { key: system.keys.responders!, body: { action: 'resolve', by: 'safeer' } });

      const after = await requestJson(url, 'PUT', '/incidents', { key, body });
      expect(after.status).toBe(201);
      expect(after.body.number).toBeGreaterThan(first.body.number);
      const resolved = await requestJson(otherUrl, 'GET', `/incidents/${first.body.number}`, { key: system.keys.responders! });
      expect(resolved.body).toMatchObject({ state: 'RESOLVED', occurrences: 2 });
      // The other instance, which never saw the new incident, joins it too.
      expect((await requestJson(otherUrl, 'PUT', '/incidents', { key, body })).body).toMatchObject({ number: after.body.number, occurrences: 2 });
    } finally {
      await other.close();
    }
  });
});

describe('logs', () => {
  /** Runs requests and returns every log line written meanwhile to stdout or stderr, parsed. */
  async function logLinesOf(requests: () => Promise<unknown>): Promise<{ lines: Record<string, unknown>[]; raw: string }> {
    let raw = '';
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        raw += chunk.toString();
        return true;
      });
    }
    logger.setLogLevel('INFO');
    try {
      await requests();
    } finally {
      logger.setLogLevel('SILENT');
      vi.restoreAllMocks();
    }
    return { raw, lines: raw.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  it('writes one JSON line per request with its request id, route, status and incident number, and never a key', async () => {
    const key = system.keys['athens-nagios']!;
    const wrongKey = 'irk_this-is-a-wrong-key-that-must-not-be-logged';
    const { lines, raw } = await logLinesOf(async () => {
      await requestJson(url, 'PUT', '/incidents', { key, body: validEvent({ title: 'logged incident' }) });
      await requestJson(url, 'PUT', '/incidents', { key: wrongKey, body: validEvent() });
      startFailures.push(new Error(`failure quoting the key ${key}`));
      await requestJson(url, 'PUT', '/incidents', { key, body: validEvent({ title: 'failing start is logged' }) });
    });
    const handled = lines.filter((l) => l.message === 'request handled');
    expect(handled.map((l) => l.status)).toEqual([201, 401, 503]);
    expect(handled[0]).toMatchObject({ level: 'INFO', route: 'PUT /incidents', incidentNumber: expect.any(Number) });
    expect(handled[0]!.requestId).toEqual(expect.any(String));
    expect(handled[0]!.function_request_id).toBe(handled[0]!.requestId);
    expect(lines.some((l) => l.level === 'ERROR' && l.message === 'request failed')).toBe(true);
    for (const secret of Object.values(system.keys)) expect(raw).not.toContain(secret);
    expect(raw).not.toContain(wrongKey);
  });
});
