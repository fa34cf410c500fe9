import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/local/free-port';
import { sentEmails } from '../support/mailbox';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually } from '../support/time';

/** Debian's package installs `prometheus-alertmanager`; upstream's binary is `alertmanager`. */
const binary = ['prometheus-alertmanager', 'alertmanager'].find((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);
if (!binary) {
  console.warn('Skipping the real Alertmanager test: neither prometheus-alertmanager nor alertmanager is installed (apt-get install prometheus-alertmanager).');
}

describe.skipIf(!binary)('a real Prometheus Alertmanager pointed at InResponse', () => {
  let system: TestSystem;
  let alertmanager: ChildProcess;
  let alertmanagerUrl: string;
  let dir: string;
  let log = '';

  beforeAll(async () => {
    system = await startTestSystem();
    dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
    // As the README shows it: the webhook URL and the integration key as a bearer token.
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: inresponse',
        "  group_by: ['alertname']",
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: inresponse',
        '    webhook_configs:',
        `      - url: ${system.runtime.apiUrl}/integrations/alertmanager`,
        '        send_resolved: true',
        '        max_alerts: 100',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${system.keys['athens-nagios']}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    alertmanagerUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn(binary!, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
    alertmanager.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await eventually('Alertmanager to be ready', async () => (await fetch(`${alertmanagerUrl}/-/ready`).catch(() => undefined))?.ok, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${log.slice(-2000)}`);
    });
  }, 60_000);

  afterAll(async () => {
    // Its data directory can be removed only once it has exited: it writes there until then.
    if (alertmanager && alertmanager.exitCode === null && alertmanager.signalCode === null) {
      const exited = new Promise((resolve) => alertmanager!.once('exit', resolve));
      alertmanager.kill();
      await exited;
    }
    await system?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const postAlert = (endsAt?: string) =>
    fetch(`${alertmanagerUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'RealAlertmanagerCheck', severity: 'critical', instance: 'api-1:9090' },
          annotations: { summary: 'fired through a real Alertmanager' },
          generatorURL: 'http://prometheus.example.com/graph',
          ...(endsAt ? { endsAt } : {}),
        },
      ]),
    });

  it('opens an incident on a fired alert, pages once, and resolves it when the alert resolves', async () => {
    expect((await postAlert()).ok).toBe(true);
    const responder = system.keys.responders!;
    const created = await eventually('the incident', async () => {
      const { body } = await system.request('GET', '/events?service=athens&limit=10', { key: responder });
      return body.items.find((e: { source: string; outcome: string }) => e.source === 'alertmanager' && e.outcome === 'created');
    }, 30_000);
    const incident = async () => (await system.request('GET', `/incidents/${created.incidentNumber}`, { key: responder })).body;
    expect(await incident()).toMatchObject({ state: 'OPEN', severity: 'CRIT', title: 'RealAlertmanagerCheck: fired through a real Alertmanager', source: 'alertmanager' });
    await eventually('the page', async () => (await sentEmails(system.runtime.sesUrl)).some((e) => e.subject.includes(`#${created.incidentNumber} `)));

    expect((await postAlert(new Date(Date.now() - 1000).toISOString())).ok).toBe(true);
    await eventually('the resolution', async () => (await incident()).state === 'RESOLVED', 30_000);
    expect(await incident()).toMatchObject({ state: 'RESOLVED', resolvedBy: 'alertmanager' });
    const pages = (await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.includes(`#${created.incidentNumber} `));
    expect(pages).toHaveLength(1);
  }, 60_000);
});
