/**
 * The status page benchmark (`npm run bench:status`): how long after an accepted PUT the page's HTML shows
 * the incident, with the default render timing; how many renders a storm of distinct incidents on one
 * component costs, and how long raising them takes; and the HTML's size for a realistic page.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { configKey } from '../../lambdas/adapters/config-items';
import { documentClient } from '../../lambdas/composition';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { renderStatusPageHtml } from '../../lambdas/domain/status-pages/render-html';
import { buildStatusPageSnapshot } from '../../lambdas/domain/status-pages/snapshot';
import { DEFAULT_RENDER_TIMING } from '../../lambdas/domain/status-pages/page-rendering';
import { startLocalRuntime } from '../../lib/local/runtime';
import { validEvent } from '../support/fixtures';
import { requestJson } from '../support/harness';
import { badQuarterInput } from '../support/status-page-fixtures';
import { measure, checkLine, runSection, type Check } from './measure';

const SAMPLES = Number(process.env.BENCH_STATUS_SAMPLES ?? 20);
const STORM = Number(process.env.BENCH_STATUS_STORM ?? 10_000);
const FLOORS = { p50Ms: 2_000, stormRenders: 10, htmlKb: 50 } as const;

export interface StatusPageResults {
  readonly timing: typeof DEFAULT_RENDER_TIMING;
  readonly putToPage: { readonly samples: number; readonly p50Ms: number; readonly p95Ms: number };
  readonly storm: { readonly incidents: number; readonly raiseSeconds: number; readonly perSecond: number; readonly renders: number; readonly lastRenderMs: number };
  /** Raises per second for a service on no page, the same way. */
  readonly unlistedPerSecond: number;
  readonly htmlBytes: { readonly realistic: number; readonly stormPage: number };
  readonly checks: Check[];
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** A page per latency sample (so that each is the first change after a quiet spell), and one for the storm. */
const benchConfig = () => {
  const services = [...Array.from({ length: SAMPLES }, (_, i) => `svc-${i}`), 'storm', 'unlisted'];
  return onCallConfigSchema.parse({
    teams: { ops: { timeZone: 'UTC', defaultContact: 'lead@example.com', escalation: { levels: [{ delayMinutes: 60, targets: ['email:lead@example.com'] }] } } },
    services: Object.fromEntries(services.map((s) => [s, { team: 'ops' }])),
    apiKeys: Object.fromEntries(services.map((s) => [s, { role: 'integration', service: s }])),
    statusPages: {
      ...Object.fromEntries(
        Array.from({ length: SAMPLES }, (_, i) => [`page-${i}`, { title: `Page ${i}`, visibility: 'public', components: [{ service: `svc-${i}`, name: `Component ${i}` }] }]),
      ),
      storm: { title: 'Storm', visibility: 'public', components: [{ service: 'storm', name: 'Stormy' }] },
    },
  });
};

/** Polls a page's HTML until `shown` says so; the instant it did. */
async function until(url: string, shown: (html: string) => boolean): Promise<number> {
  for (;;) {
    const res = await fetch(url);
    const html = await res.text();
    if (res.status === 200 && shown(html)) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const majorOutage = (name: string) => (html: string) => html.includes(`${name}</h3><p class="st s-x">Major outage`);

export async function benchStatusPages(): Promise<StatusPageResults> {
  const secrets = new Map<string, string>();
  // Each service raises with its own integration key, named after it.
  const runtime = await startLocalRuntime({ config: benchConfig(), secrets, periodicJobs: false });
  try {
    const raise = (service: string, dedupKey: string) =>
      requestJson(runtime.apiUrl, 'PUT', '/incidents', { key: secrets.get(service)!, body: validEvent({ service, title: `${service} down`, dedupKey }) });
    // The pages' first renders, at start, out of the way: each sample is then the first change after a quiet spell.
    await until(`${runtime.statusPagesUrl}/storm/`, (html) => html.includes('Stormy'));
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_RENDER_TIMING.intervalMs));

    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const res = await raise(`svc-${i}`, 'sample');
      if (res.status !== 201) throw new Error(`raise answered ${res.status}`);
      latencies.push((await until(`${runtime.statusPagesUrl}/page-${i}/`, majorOutage(`Component ${i}`))) - started);
    }

    // The same raises for a service on no page, for the rate a page's invalidation is measured against.
    const control = await measure(STORM / 10, async (i) => {
      const res = await raise('unlisted', `control-${i}`);
      if (res.status !== 201) throw new Error(`raise answered ${res.status}`);
    });
    const rendersBefore = runtime.statusPageRenders();
    const phase = await measure(STORM, async (i) => {
      const res = await raise('storm', `storm-${i}`);
      if (res.status !== 201) throw new Error(`raise answered ${res.status}`);
    });
    const stormEnded = performance.now();
    // The storm is rendered once its render state says every change is: the last render may come up to the
    // stretched interval (60 s) after the last change.
    const db = documentClient(runtime.clients.dynamoDb);
    const key = { TableName: runtime.deployment.tables.config, Key: { configkey: configKey.statusPageRender('storm') }, ConsistentRead: true };
    for (;;) {
      const { Item } = await db.send(new GetCommand(key));
      if (Item && Item.renderedChanges >= Item.changes) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lastRender = performance.now();
    if (!majorOutage('Stormy')(await (await fetch(`${runtime.statusPagesUrl}/storm/`)).text())) throw new Error('the storm is not on the page');
    const renders = runtime.statusPageRenders() - rendersBefore;
    const stormPage = Buffer.byteLength(await (await fetch(`${runtime.statusPagesUrl}/storm/`)).text());
    const realistic = Buffer.byteLength(renderStatusPageHtml(buildStatusPageSnapshot(badQuarterInput(new Date()))));

    const p50Ms = percentile(latencies, 50);
    const checks: Check[] = [
      { floor: `PUT to page p50 <= ${FLOORS.p50Ms} ms`, ok: p50Ms <= FLOORS.p50Ms, value: `${p50Ms.toFixed(0)} ms` },
      { floor: `renders for ${STORM.toLocaleString('en')} incidents <= ${FLOORS.stormRenders}`, ok: renders <= FLOORS.stormRenders, value: String(renders) },
      { floor: `realistic page HTML <= ${FLOORS.htmlKb} KB`, ok: realistic <= FLOORS.htmlKb * 1024, value: `${(realistic / 1024).toFixed(1)} KB` },
    ];
    return {
      timing: DEFAULT_RENDER_TIMING,
      putToPage: { samples: SAMPLES, p50Ms, p95Ms: percentile(latencies, 95) },
      storm: { incidents: STORM, raiseSeconds: phase.seconds, perSecond: phase.perSecond, renders, lastRenderMs: lastRender - stormEnded },
      unlistedPerSecond: control.perSecond,
      htmlBytes: { realistic, stormPage },
      checks,
    };
  } finally {
    await runtime.stop();
  }
}

export function statusPageLines(r: StatusPageResults): string[] {
  return [
    '',
    `Status pages (render interval ${r.timing.intervalMs} ms, settle ${r.timing.settleMs} ms)`,
    `  accepted PUT to page HTML showing it   p50 ${r.putToPage.p50Ms.toFixed(0)} ms, p95 ${r.putToPage.p95Ms.toFixed(0)} ms (${r.putToPage.samples} samples)`,
    `  storm: ${r.storm.incidents.toLocaleString('en')} incidents on one component   raised in ${r.storm.raiseSeconds.toFixed(1)} s (${r.storm.perSecond.toFixed(0)}/s), ${r.storm.renders} renders, every change on the page ${(r.storm.lastRenderMs / 1000).toFixed(1)} s after the last PUT`,
    `  raises of a service on no page       ${r.unlistedPerSecond.toFixed(0)}/s (${(r.storm.perSecond / r.unlistedPerSecond).toFixed(2)} of it on the page)`,
    `  HTML size   realistic page (20 components, 90 days) ${(r.htmlBytes.realistic / 1024).toFixed(1)} KB; storm page ${(r.htmlBytes.stormPage / 1024).toFixed(1)} KB`,
    ...r.checks.map(checkLine),
    '',
  ];
}

/** `npm run bench:status`: this benchmark alone. */
export const runStatusPageBench = (): Promise<void> => runSection('status-pages', benchStatusPages, statusPageLines);
