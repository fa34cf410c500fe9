import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../lambdas/config/limits';
import { INCIDENT_FIELDS } from '../../lambdas/domain/incident/incident';
import { validEvent, withoutEscalation } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';

let system: TestSystem;
let integration: string;
let otherIntegration: string;
let responder: string;

beforeAll(async () => {
  system = await startTestSystem();
  integration = system.keys['athens-nagios']!;
  otherIntegration = system.keys['argos-prometheus']!;
  responder = system.keys.responders!;
});
afterAll(() => system.stop());

const raise = (overrides: Record<string, unknown> = {}, key = integration) =>
  system.request('PUT', '/incidents', { key, body: validEvent(overrides) });
const act = (number: number, body: Record<string, unknown>, key = responder) =>
  system.request('POST', `/incidents/${number}`, { key, body });
const unique = () => `title ${Math.random().toString(36).slice(2)}`;

/** Every item of the incidents and dedup tables: a rejected request must leave both as they were. */
async function storedItems(): Promise<number> {
  const { tables } = system.runtime.deployment;
  let count = 0;
  for (const table of [tables.incidents, tables.dedup]) {
    const { Count } = await system.runtime.clients.dynamoDb.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    count += Count ?? 0;
  }
  return count;
}

describe('PUT /incidents', () => {
  it('creates an OPEN incident with a number from the counter and a created timeline entry', async () => {
    const res = await raise({ title: unique() });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/incidents/${res.body.number}`);
    expect(res.body).toMatchObject({
      service: 'athens',
      team: 'devops',
      severity: 'CRIT',
      state: 'OPEN',
      source: 'nagios',
      detectedAt: '2026-11-24T10:00:00.000Z',
      occurrences: 1,
      createdBy: 'athens-nagios',
    });
    expect(res.body.number).toBeGreaterThan(100000);
    expect(res.body.timeline).toEqual([{ at: res.body.createdAt, type: 'created', by: 'athens-nagios' }]);
  });

  it('starts the escalation execution named after the incident', async () => {
    const { body } = await raise({ title: unique() });
    const arn = `${system.runtime.deployment.escalationStateMachineArn.replace(':stateMachine:', ':execution:')}:incident-${body.number}`;
    const execution = await system.runtime.clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(execution.name).toBe(`incident-${body.number}`);
    expect(JSON.parse(execution.input!)).toEqual({ incidentId: body.number, service: 'athens', team: 'devops', severity: 'CRIT' });
  });

  it('answers with the incident fields in a fixed order, and no storage attributes', async () => {
    const { body } = await raise({ title: unique() });
    await act(body.number, { action: 'claim', by: 'safeer' });
    const { body: claimed } = await system.request('GET', `/incidents/${body.number}`, { key: responder });
    expect(Object.keys(claimed)).toEqual(INCIDENT_FIELDS.filter((field) => field in claimed));
    expect(Object.keys(claimed)[0]).toBe('number');
    for (const internal of ['incidentId', 'serviceState', 'dedupId']) expect(claimed).not.toHaveProperty(internal);
    expect(claimed.updatedAt).toBe(claimed.claimedAt);
  });

  it('normalises detectedAt to UTC', async () => {
    const res = await raise({ title: unique(), detectedAt: '2026-11-24T11:30:00+01:00' });
    expect(res.body.detectedAt).toBe('2026-11-24T10:30:00.000Z');
  });

  it('joins the open incident of the same dedup key and counts the repeat', async () => {
    const dedupKey = unique();
    const first = await raise({ dedupKey, title: 'disk full' });
    const second = await raise({ dedupKey, title: 'disk full again' });
    const third = await raise({ dedupKey, title: 'disk full again' });
    expect(first.status).toBe(201);
    expect([second.status, third.status]).toEqual([200, 200]);
    expect(third.body.number).toBe(first.body.number);
    expect(third.body).toMatchObject({ occurrences: 3, title: 'disk full', lastSeenBy: 'athens-nagios' });
    const timeline = withoutEscalation(third.body).timeline;
    expect(timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'repeated']);
    expect(timeline[1]).toMatchObject({ type: 'repeated', count: 2, by: 'athens-nagios', at: third.body.lastSeenAt });
  });

  it('derives the dedup key from the title when none is given, ignoring case and spacing', async () => {
    const title = unique();
    const first = await raise({ title });
    const second = await raise({ title: `  ${title.toUpperCase()}  ` });
    expect(second.status).toBe(200);
    expect(second.body.number).toBe(first.body.number);
    expect(first.body.dedupKey).toBe(`title:${title}`);
  });

  it('keeps the same dedup key of two services apart', async () => {
    const dedupKey = unique();
    const athens = await raise({ dedupKey });
    const argos = await raise({ dedupKey, service: 'argos' }, otherIntegration);
    expect([athens.status, argos.status]).toEqual([201, 201]);
    expect(argos.body.number).not.toBe(athens.body.number);
  });

  it('still joins a CLAIMED incident, and opens a new one after it is resolved', async () => {
    const dedupKey = unique();
    const first = await raise({ dedupKey });
    await act(first.body.number, { action: 'claim', by: 'safeer' });
    expect((await raise({ dedupKey })).body.number).toBe(first.body.number);
    await act(first.body.number, { action: 'resolve', by: 'safeer' });
    const after = await raise({ dedupKey });
    expect(after.status).toBe(201);
    expect(after.body.number).toBeGreaterThan(first.body.number);
    const old = await system.request('GET', `/incidents/${first.body.number}`, { key: responder });
    expect(old.body).toMatchObject({ state: 'RESOLVED', occurrences: 2 });
  });

  it('gives 200 concurrent new incidents 200 distinct, increasing numbers', async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, () => raise({ title: unique() })));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(201));
    const numbers = responses.map((r) => r.body.number as number);
    expect(new Set(numbers).size).toBe(200);
    const later = await raise({ title: unique() });
    expect(later.body.number).toBeGreaterThan(Math.max(...numbers));
  });

  it('turns 50 concurrent copies of one event into one incident counting 50', async () => {
    const dedupKey = unique();
    const responses = await Promise.all(Array.from({ length: 50 }, () => raise({ dedupKey })));
    const numbers = new Set(responses.map((r) => r.body.number));
    expect(numbers.size).toBe(1);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const [number] = numbers;
    const stored = await system.request('GET', `/incidents/${number}`, { key: responder });
    expect(stored.body.occurrences).toBe(50);
  });
});

describe('validation', () => {
  const cases: [string, unknown, string[]][] = [
    ['a missing field', { ...validEvent(), title: undefined }, ['title']],
    ['every missing field at once', {}, ['service', 'severity', 'title', 'message', 'detectedAt']],
    ['an unknown severity', validEvent({ severity: 'CRITICAL' }), ['severity']],
    ['a date without a time zone', validEvent({ detectedAt: '2026-11-24 10:00' }), ['detectedAt']],
    ['an empty title', validEvent({ title: '   ' }), ['title']],
    ['a title over the limit', validEvent({ title: 'x'.repeat(LIMITS.maxTitleBytes + 1) }), ['title']],
    ['a message over the limit', validEvent({ message: 'é'.repeat(LIMITS.maxMessageBytes / 2 + 1) }), ['message']],
    ['a field of the wrong type', validEvent({ source: 42 }), ['source']],
    ['an unknown field', validEvent({ sevrity: 'CRIT' }), ['sevrity']],
    ['a body that is not an object', [1, 2], ['body']],
  ];
  it.each(cases)('rejects %s with 400 naming the field, writing nothing', async (_, body, fields) => {
    const before = await storedItems();
    const res = await system.request('PUT', '/incidents', { key: integration, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort());
    for (const detail of res.body.details) expect(detail.problem).toEqual(expect.any(String));
    expect(await storedItems()).toBe(before);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await system.request('PUT', '/incidents', { key: integration, body: '{"service": ' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'body', problem: 'is not valid JSON' }]);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await system.request('PUT', '/incidents', {
      key: integration,
      body: 'service=athens',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'unsupported_media_type', details: [{ field: 'content-type' }] });
  });

  it('rejects a body above the size limit with 413, writing nothing', async () => {
    const before = await storedItems();
    const res = await system.request('PUT', '/incidents', {
      key: integration,
      body: validEvent({ message: 'x'.repeat(LIMITS.maxBodyBytes) }),
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large', details: [{ field: 'body' }] });
    expect(await storedItems()).toBe(before);
  });

  it('rejects a bad incident number, action, and a comment without a note, naming each field', async () => {
    const { body } = await raise({ title: unique() });
    expect((await act(0, { action: 'claim', by: 'x' })).body.details).toEqual([{ field: 'number', problem: expect.any(String) }]);
    expect((await act(body.number, { action: 'ack', by: 'x' })).body.details).toEqual([{ field: 'action', problem: expect.any(String) }]);
    const comment = await act(body.number, { action: 'comment', by: 'x' });
    expect(comment.status).toBe(400);
    expect(comment.body.details).toEqual([{ field: 'note', problem: 'is required for a comment' }]);
    expect((await act(body.number, { action: 'claim' })).body.details).toEqual([{ field: 'by', problem: 'is required' }]);
  });

  it('rejects bad list parameters, naming each', async () => {
    const res = await system.request('GET', '/incidents?state=DONE&limit=1000&cursor=zzz&colour=red', { key: responder });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'cursor', 'limit', 'state']);
  });
});

describe('POST /incidents/{number}', () => {
  it('claims, comments and resolves, recording each on the timeline', async () => {
    const { body: created } = await raise({ title: unique() });
    const claimed = await act(created.number, { action: 'claim', by: 'safeer', note: 'looking' });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ state: 'CLAIMED', claimedBy: 'safeer' });
    const commented = await act(created.number, { action: 'comment', by: 'manoj', note: 'db failover in progress' });
    expect(commented.body.state).toBe('CLAIMED');
    const resolved = await act(created.number, { action: 'resolve', by: 'safeer' });
    expect(resolved.body).toMatchObject({ state: 'RESOLVED', resolvedBy: 'safeer' });
    expect(withoutEscalation(resolved.body).timeline.map((e: { type: string; by: string }) => [e.type, e.by])).toEqual([
      ['created', 'athens-nagios'],
      ['claimed', 'safeer'],
      ['comment', 'manoj'],
      ['resolved', 'safeer'],
    ]);
    expect(withoutEscalation(resolved.body).timeline[1]).toMatchObject({ type: 'claimed', note: 'looking' });
  });

  it('resolves an OPEN incident directly', async () => {
    const { body } = await raise({ title: unique() });
    expect((await act(body.number, { action: 'resolve', by: 'safeer' })).body.state).toBe('RESOLVED');
  });

  it('answers 409 naming the current state for any action out of RESOLVED, and changes nothing', async () => {
    const { body } = await raise({ title: unique() });
    await act(body.number, { action: 'resolve', by: 'safeer' });
    for (const action of ['claim', 'resolve']) {
      const res = await act(body.number, { action, by: 'manoj' });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('conflict');
      expect(res.body.message).toContain('RESOLVED by safeer');
    }
    const after = await system.request('GET', `/incidents/${body.number}`, { key: responder });
    expect(withoutEscalation(after.body).timeline).toHaveLength(2);
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const { body } = await raise({ title: unique() });
    const [a, b] = await Promise.all([
      act(body.number, { action: 'claim', by: 'safeer' }),
      act(body.number, { action: 'claim', by: 'manoj' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'safeer' : 'manoj';
    const loser = a.status === 200 ? b : a;
    expect(loser.body.message).toContain(`CLAIMED by ${winner}`);
    const stored = await system.request('GET', `/incidents/${body.number}`, { key: responder });
    expect(stored.body.timeline.filter((e: { type: string }) => e.type === 'claimed')).toHaveLength(1);
  });

  it('treats the same person repeating a claim or resolve as a success that changes nothing', async () => {
    const { body } = await raise({ title: unique() });
    await act(body.number, { action: 'claim', by: 'safeer' });
    const again = await act(body.number, { action: 'claim', by: 'safeer' });
    expect(again.status).toBe(200);
    await act(body.number, { action: 'resolve', by: 'safeer' });
    const resolvedAgain = await act(body.number, { action: 'resolve', by: 'safeer' });
    expect(resolvedAgain.status).toBe(200);
    expect(withoutEscalation(resolvedAgain.body).timeline).toHaveLength(3);
  });

  it('answers 404 for an incident that does not exist', async () => {
    const res = await act(999999999, { action: 'claim', by: 'safeer' });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found', details: [{ field: 'number' }] });
  });

  it('allows comments on a resolved incident until the timeline is full', async () => {
    const { body } = await raise({ title: unique() });
    await act(body.number, { action: 'resolve', by: 'safeer' });
    expect((await act(body.number, { action: 'comment', by: 'safeer', note: 'postmortem: PM-12' })).status).toBe(200);
    for (let i = 3; i < LIMITS.maxTimelineEntries; i++) await act(body.number, { action: 'comment', by: 'bot', note: `n${i}` });
    const full = await act(body.number, { action: 'comment', by: 'bot', note: 'one too many' });
    expect(full.status).toBe(409);
    expect(full.body.details).toEqual([{ field: 'note', problem: expect.stringContaining('timeline is full') }]);
  });
});

describe('GET /incidents', () => {
  it('gets one incident by number', async () => {
    const { body } = await raise({ title: unique() });
    const res = await system.request('GET', `/incidents/${body.number}`, { key: responder });
    expect(res.status).toBe(200);
    expect(withoutEscalation(res.body)).toEqual(withoutEscalation(body));
  });

  it('lists newest first, page by page, filtered by service and state', async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await raise({ title: unique(), service: 'argos' }, otherIntegration)).body.number);
    await act(mine[1], { action: 'claim', by: 'x' });
    await act(mine[3], { action: 'resolve', by: 'x' });

    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const res = await system.request('GET', `/incidents?service=argos&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: responder });
      expect(res.status).toBe(200);
      pages.push(res.body.items.map((i: { number: number }) => i.number));
      cursor = res.body.nextCursor;
    } while (cursor);
    // Older argos incidents of other tests follow on the last page.
    expect(pages.slice(0, 2)).toEqual([[mine[4], mine[3]], [mine[2], mine[1]]]);
    expect(pages[2]![0]).toBe(mine[0]);
    expect(pages.flat()).toEqual([...pages.flat()].sort((x, y) => y - x));

    const open = await system.request('GET', '/incidents?service=argos&state=OPEN', { key: responder });
    expect(open.body.items.map((i: { number: number }) => i.number).slice(0, 3)).toEqual([mine[4], mine[2], mine[0]]);
    expect(open.body.items.every((i: { state: string }) => i.state === 'OPEN')).toBe(true);
    const claimed = await system.request('GET', '/incidents?state=CLAIMED', { key: responder });
    expect(claimed.body.items.map((i: { number: number }) => i.number)).toContain(mine[1]);
    expect(claimed.body.items.every((i: { state: string }) => i.state === 'CLAIMED')).toBe(true);
    expect(open.body.items[0]).toEqual({
      number: mine[4],
      service: 'argos',
      team: 'search',
      severity: 'CRIT',
      state: 'OPEN',
      title: expect.any(String),
      source: 'nagios',
      detectedAt: '2026-11-24T10:00:00.000Z',
      createdAt: expect.any(String),
    });
  });

  it('lists across all services newest first', async () => {
    const a = (await raise({ title: unique() })).body.number;
    const b = (await raise({ title: unique(), service: 'argos' }, otherIntegration)).body.number;
    const res = await system.request('GET', '/incidents?limit=2', { key: responder });
    expect(res.body.items.map((i: { number: number }) => i.number)).toEqual([b, a]);
    expect(res.body.nextCursor).toEqual(expect.any(String));
  });
});

describe('API keys', () => {
  it('answers 401 for a missing or unknown key, on every route', async () => {
    for (const key of [undefined, 'irk_not-a-key']) {
      for (const [method, path] of [['PUT', '/incidents'], ['POST', '/incidents/100001'], ['GET', '/incidents'], ['GET', '/incidents/100001']] as const) {
        const res = await system.request(method, path, { ...(key ? { key } : {}), ...(method === 'GET' ? {} : { body: validEvent() }) });
        expect(res.status, `${method} ${path} with ${key ?? 'no key'}`).toBe(401);
        expect(res.body).toMatchObject({ error: 'unauthorized', details: [{ field: 'x-api-key' }] });
      }
    }
  });

  it('answers 403 when an integration key raises for another service, writing nothing', async () => {
    const before = await storedItems();
    const res = await raise({ service: 'argos' });
    expect(res.status).toBe(403);
    expect(res.body.details).toEqual([{ field: 'service', problem: expect.stringContaining('athens') }]);
    expect(await storedItems()).toBe(before);
  });

  it('lets an integration key act on its own service only, and read nothing', async () => {
    const { body } = await raise({ title: unique() });
    expect((await act(body.number, { action: 'resolve', by: 'argos-prometheus' }, otherIntegration)).status).toBe(403);
    expect((await act(body.number, { action: 'resolve', by: 'nagios' }, integration)).status).toBe(200);
    expect((await system.request('GET', `/incidents/${body.number}`, { key: integration })).status).toBe(403);
    expect((await system.request('GET', '/incidents', { key: integration })).status).toBe(403);
  });

  it('does not let a responder key raise incidents', async () => {
    expect((await raise({ title: unique() }, responder)).status).toBe(403);
  });
});

describe('routes', () => {
  it('answers 404 for a route the API does not have, as API Gateway does', async () => {
    const res = await system.request('DELETE', '/incidents/1', { key: responder });
    expect(res.status).toBe(404);
  });
});
