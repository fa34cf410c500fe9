import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import { documentClient } from '../../lambdas/composition';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually } from '../support/time';

/** `web` and `pay` are on the public page, `shop` on none. */
const config = onCallConfigSchema.parse({
  people: { ana: { name: 'Ana', email: 'ana@example.com' } },
  teams: { ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ana'] }] } } },
  services: { web: { team: 'ops' }, pay: { team: 'ops' }, shop: { team: 'ops' } },
  apiKeys: {
    'web-key': { role: 'integration', service: 'web' },
    'pay-key': { role: 'integration', service: 'pay' },
    'shop-key': { role: 'integration', service: 'shop' },
    responders: { role: 'responder' },
  },
  statusPages: {
    public: { title: 'Acme', visibility: 'public', components: [{ service: 'web', name: 'Website' }, { service: 'pay', name: 'Payments', group: 'Backend' }] },
  },
});

/** Renders at most once a second (every 4 s at most in a long storm): the storm below shows the coalescing. */
const INTERVAL_MS = 1000;

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ config, statusPageRenderTiming: { intervalMs: INTERVAL_MS, maxIntervalMs: 4 * INTERVAL_MS, settleMs: 50, wakeGraceMs: 30_000 } });
});
afterAll(() => system.stop());

const responder = () => system.keys.responders!;
const raise = (service: string, dedupKey: string, severity = 'CRIT') =>
  system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, severity, title: `${service} down`, dedupKey }) });
const act = (number: number, action: 'claim' | 'resolve') => system.request('POST', `/incidents/${number}`, { key: responder(), body: { action, by: 'ana' } });

const served = async (path: string) => {
  const res = await fetch(`${system.runtime.statusPagesUrl}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
};
type Summary = { page: { updated_at: string }; status: { indicator: string }; components: { id: string; status: string }[]; incidents: { name: string; status: string }[]; scheduled_maintenances: { name: string; status: string }[] };
const summary = async () => JSON.parse((await served('/public/api/v2/summary.json')).text) as Summary;
const statusOf = async (component: string) => (await summary()).components.find((c) => c.id === component)?.status;
/** Waits until the page says so, its HTML and JSON of the same render (the HTML is written last). */
const shows = (component: string, status: string) =>
  eventually(`${component} ${status} on the page`, async () => {
    const [json, html] = await Promise.all([served('/public/api/v2/summary.json'), served('/public/')]);
    if (json.status !== 200 || html.status !== 200) return false;
    const rendered = JSON.parse(json.text) as Summary;
    return rendered.components.find((c) => c.id === component)?.status === status && html.text.includes(`Last updated <time datetime="${rendered.page.updated_at}"`);
  });

describe('status pages', () => {
  it('are rendered at start, served as the CDN serves them: HTML, Statuspage JSON and Atom', async () => {
    await shows('web', 'operational');
    const html = await served('/public/');
    expect(html).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(html.cache).toMatch(/max-age=\d+/);
    expect(html.text).toContain('All Systems Operational');
    expect((await served('/public/api/v2/status.json')).type).toBe('application/json; charset=utf-8');
    expect((await served('/public/history.atom')).type).toBe('application/atom+xml; charset=utf-8');
    expect((await served('/nowhere/')).status).toBe(404);
  });

  it('show an incident of a service as its severity says, while open or claimed, and operational once resolved', async () => {
    const raised = await raise('web', 'outage');
    expect(raised.status).toBe(201);
    await shows('web', 'major_outage');
    expect((await served('/public/')).text).toContain('Major outage');
    expect((await summary()).status.indicator).toBe('critical');
    await act(raised.body.number, 'claim');
    expect(await statusOf('web')).toBe('major_outage');
    await act(raised.body.number, 'resolve');
    await shows('web', 'operational');

    const degraded = await raise('pay', 'slow', 'WARN');
    await shows('pay', 'degraded_performance');
    await act(degraded.body.number, 'resolve');
    await shows('pay', 'operational');
  });

  it('show responders’ updates on the page and in the feed, once each however often posted, attributed to the key', async () => {
    const body = { id: 'upd-1', status: 'identified', text: 'Card payments fail for some customers.', components: ['pay'] };
    const posted = await system.request('POST', '/status-pages/public/updates', { key: responder(), body });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ ...body, createdBy: 'responders' });
    expect((await system.request('POST', '/status-pages/public/updates', { key: responder(), body: { ...body, text: 'a retry' } })).body.text).toBe(body.text);
    const listed = await system.request('GET', '/status-pages/public/updates', { key: responder() });
    expect(listed.body.items.map((u: { id: string }) => u.id)).toEqual(['upd-1']);

    await eventually('the update on the page', async () => (await served('/public/')).text.includes('Card payments fail for some customers.'));
    expect((await summary()).incidents).toMatchObject([{ name: 'Notice: Payments', status: 'identified' }]);
    expect((await served('/public/history.atom')).text).toContain('<title type="text">Identified: Notice: Payments</title>');

    await system.request('POST', '/status-pages/public/updates', { key: responder(), body: { id: 'upd-2', status: 'resolved', text: 'Fixed.', components: ['pay'] } });
    await eventually('the incident resolved', async () => (await summary()).incidents.length === 0);
  });

  it('let an override win over the incidents until removed', async () => {
    const path = '/status-pages/public/components/pay/override';
    const set = await system.request('POST', path, { key: responder(), body: { status: 'partial_outage', note: 'Card payments slow' } });
    expect(set).toMatchObject({ status: 200, body: { status: 'partial_outage', setBy: 'responders' } });
    await shows('pay', 'partial_outage');
    const listed = await system.request('GET', '/status-pages', { key: responder() });
    expect(listed.body.items).toMatchObject([{ id: 'public', components: [{ id: 'web', status: 'operational' }, { id: 'pay', status: 'partial_outage', override: { note: 'Card payments slow' } }] }]);
    expect((await system.request('DELETE', path, { key: responder() })).status).toBe(204);
    await shows('pay', 'operational');
    expect((await system.request('DELETE', path, { key: responder() })).status).toBe(404);
  });

  it('show a maintenance window over a service', async () => {
    const started = await system.request('POST', '/maintenance', { key: responder(), body: { services: ['web'], reason: 'database upgrade', durationMinutes: 60 } });
    expect(started.status).toBe(201);
    await shows('web', 'under_maintenance');
    expect((await summary()).scheduled_maintenances).toMatchObject([{ name: 'database upgrade', status: 'in_progress' }]);
    expect((await system.request('POST', `/maintenance/${started.body.id}/end`, { key: responder() })).status).toBe(200);
    await shows('web', 'operational');
  });

  it('refuse bad input with 400 naming the field, and unknown pages and components with 404, changing nothing', async () => {
    const post = (page: string, body: unknown) => system.request('POST', `/status-pages/${page}/updates`, { key: responder(), body });
    const bad = await post('public', { status: 'fixed', text: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['status', 'text']);
    expect((await post('public', { status: 'monitoring', text: 'x', components: ['shop'] })).body.details).toEqual([{ field: 'components.0', problem: 'shop is not a component of public' }]);
    expect((await post('nowhere', { status: 'monitoring', text: 'x' })).status).toBe(404);
    const override = await system.request('POST', '/status-pages/public/components/pay/override', { key: responder(), body: { status: 'down', until: 'tomorrow' } });
    expect(override.status).toBe(400);
    expect(override.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['status', 'until']);
    expect((await system.request('POST', '/status-pages/public/components/shop/override', { key: responder(), body: { status: 'major_outage' } })).status).toBe(404);
    expect((await system.request('GET', '/status-pages/public/updates', { key: responder() })).body.items).toHaveLength(2);
    expect((await system.request('GET', '/status-pages/public/updates', { key: system.keys['web-key']! })).status).toBe(403);
  });

  it('publish a private page at its secret address only, kept by every apply, and withdraw it from its public one', async () => {
    const apply = (visibility: 'public' | 'private') =>
      applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, { ...config, statusPages: { ...config.statusPages, internal: { title: 'Internal', visibility, timeZone: 'UTC', components: [{ service: 'shop', name: 'Shop' }] } } }, { env: {} });
    const touch = (id: string) => system.request('POST', '/status-pages/internal/updates', { key: responder(), body: { id, status: 'monitoring', text: `check ${id}`, components: ['shop'] } });
    const pathOf = async () => ((await system.request('GET', '/status-pages', { key: responder() })).body.items as { id: string; path?: string }[]).find((p) => p.id === 'internal')?.path;

    await apply('public');
    expect(await pathOf()).toBe('internal');
    await touch('a');
    await eventually('the public page', async () => (await served('/internal/')).text.includes('check a'));

    await apply('private');
    const path = await pathOf();
    expect(path).toMatch(/^internal\/[\w-]{24}$/);
    await touch('b');
    await eventually('the private page', async () => (await served(`/${path}/`)).text.includes('check b'));
    const page = await served(`/${path}/`);
    expect(page.text).toContain('<meta name=robots content="noindex,nofollow">');
    expect(page.text).toContain(`${system.runtime.statusPagesUrl}/${path}/history.atom`);
    for (const file of ['/internal/', '/internal/api/v2/summary.json', '/internal/history.atom']) expect((await served(file)).status, file).toBe(404);

    await apply('private');
    expect(await pathOf()).toBe(path);
    await apply('public');
  });

  it('render a storm of incidents a few times, the last state always', async () => {
    await shows('web', 'operational');
    const before = system.runtime.statusPageRenders();
    const started = performance.now();
    const numbers: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const raised = await Promise.all(Array.from({ length: 20 }, (_, i) => raise('web', `storm-${batch}-${i}`, 'ERR')));
      numbers.push(...raised.map((r) => r.body.number as number));
    }
    // The last one is a major outage: the page must end there.
    await raise('web', 'storm-last');
    const stormMs = performance.now() - started;
    await shows('web', 'major_outage');
    await eventually('the renders to settle', async () => system.runtime.runningTasks() === 0);
    const renders = system.runtime.statusPageRenders() - before;
    expect(numbers).toHaveLength(200);
    expect(renders).toBeGreaterThan(0);
    expect(renders).toBeLessThanOrEqual(Math.floor(stormMs / INTERVAL_MS) + 3);
    // Services on no page never touch the render state.
    expect((await raise('shop', 'elsewhere')).status).toBe(201);
  });

  it('are still served when the tables are gone', async () => {
    const { dynamoDb } = system.runtime.clients;
    for (const table of Object.values(system.runtime.deployment.tables)) await dynamoDb.send(new DeleteTableCommand({ TableName: table }));
    expect((await system.request('GET', '/status-pages', { key: responder() })).status).toBe(500);
    const page = await served('/public/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Major outage');
  });
});
