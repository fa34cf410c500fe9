import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snsStringToSign, type SnsMessage } from '../../lambdas/adapters/sns-https';
import { sentEmails } from '../support/mailbox';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually } from '../support/time';

const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** SNS's side, which no emulator here provides: its certificate (a test key) and the confirmations it gets. */
const confirmed: string[] = [];
const certificatesFetched: string[] = [];
const sns = {
  certificate: async (url: string) => {
    certificatesFetched.push(url);
    return publicKey.export({ type: 'spki', format: 'pem' }).toString();
  },
  confirmSubscription: async (url: string) => void confirmed.push(url),
};

let system: TestSystem;
let key: string;
let responder: string;

beforeAll(async () => {
  system = await startTestSystem({ sns });
  key = system.keys['athens-nagios']!;
  responder = system.keys.responders!;
});

afterAll(async () => {
  await system?.stop();
});

let sequence = 0;
const unique = (label: string) => `${label}-${++sequence}-${Date.now()}`;

/** An alert as Alertmanager sends it. */
const alert = (fingerprint: string, overrides: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels: { alertname: 'HighErrorRate', severity: 'critical', instance: 'api-1:9090', job: 'api' },
  annotations: { summary: '5xx above 5%', description: 'The 5xx rate of api is 7.2% over 5 minutes.', runbook_url: 'https://runbooks.example.com/5xx' },
  startsAt: '2026-11-24T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=rate%28http_5xx%5B5m%5D%29',
  fingerprint,
  ...overrides,
});

const alertmanagerPayload = (alerts: object[], status = 'firing') => ({
  version: '4',
  groupKey: '{}:{alertname="HighErrorRate"}',
  truncatedAlerts: 0,
  status,
  receiver: 'inresponse',
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});

const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: responder })).body;
const events = async (service = 'athens', limit = 5) => (await system.request('GET', `/events?service=${service}&limit=${limit}`, { key: responder })).body.items;
const pagesOf = async (number: number) => (await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.includes(`#${number} `));
const firstPage = (number: number) => eventually(`the first page of #${number}`, async () => (await pagesOf(number))[0]);

describe('Alertmanager webhook', () => {
  it('opens an incident per firing alert, mapped from labels and annotations, and pages once', async () => {
    const fingerprint = unique('fp');
    const res = await system.request('POST', '/integrations/alertmanager', { headers: { authorization: `Bearer ${key}` }, body: alertmanagerPayload([alert(fingerprint)]) });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([{ outcome: 'created', dedupKey: `alertmanager:${fingerprint}`, incidentNumber: expect.any(Number) }]);
    const number = res.body.results[0].incidentNumber;
    expect(await incident(number)).toMatchObject({
      service: 'athens',
      severity: 'CRIT',
      title: 'HighErrorRate: 5xx above 5%',
      source: 'alertmanager',
      detectedAt: '2026-11-24T10:00:00.000Z',
      createdBy: 'athens-nagios',
      links: [
        { href: 'http://prometheus:9090/graph?g0.expr=rate%28http_5xx%5B5m%5D%29', text: 'Source' },
        { href: 'https://runbooks.example.com/5xx', text: 'Runbook' },
      ],
    });
    const { message } = await incident(number);
    expect(message).toContain('description: The 5xx rate of api is 7.2% over 5 minutes.');
    expect(message).toContain('instance: api-1:9090');
    const page = await firstPage(number);
    expect(page.text).toContain('Runbook: https://runbooks.example.com/5xx');
    expect(await events()).toContainEqual(expect.objectContaining({ source: 'alertmanager', outcome: 'created', incidentNumber: number }));
  });

  it('changes nothing on the same notification twice (an HA pair) but the exact count; resolves with the resolved alert', async () => {
    const fingerprint = unique('ha');
    const body = alertmanagerPayload([alert(fingerprint, { labels: { alertname: 'DiskFull', severity: 'warning' } })]);
    const first = await system.request('POST', `/integrations/alertmanager/${key}`, { body });
    const second = await system.request('POST', `/integrations/alertmanager/${key}`, { body });
    const number = first.body.results[0].incidentNumber;
    expect(second.body.results).toEqual([{ outcome: 'joined', dedupKey: `alertmanager:${fingerprint}`, incidentNumber: number }]);
    await firstPage(number);
    expect(await incident(number)).toMatchObject({ state: 'OPEN', severity: 'WARN', occurrences: 2 });

    const resolved = await system.request('POST', `/integrations/alertmanager/${key}`, {
      body: alertmanagerPayload([alert(fingerprint, { status: 'resolved', endsAt: '2026-11-24T10:20:00Z' })], 'resolved'),
    });
    expect(resolved.body.results).toEqual([{ outcome: 'resolved', dedupKey: `alertmanager:${fingerprint}`, incidentNumber: number }]);
    expect(await incident(number)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'alertmanager' });
    // The resolved notification again: nothing open to resolve, nothing changes.
    const again = await system.request('POST', `/integrations/alertmanager/${key}`, {
      body: alertmanagerPayload([alert(fingerprint, { status: 'resolved' })], 'resolved'),
    });
    expect(again.body.results[0]).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/no open incident/) });
    expect(await pagesOf(number)).toHaveLength(1);
    const listed = await events('athens', 10);
    expect(listed).toContainEqual(expect.objectContaining({ outcome: 'created', incidentNumber: number, incident: expect.objectContaining({ state: 'RESOLVED', occurrences: 2 }) }));
    expect(listed).toContainEqual(expect.objectContaining({ outcome: 'resolved', incidentNumber: number }));
  });

  it.each(['alertmanager', 'grafana'])('takes a batch of 50 alerts from %s, then their 50 resolutions', async (source) => {
    const fingerprints = Array.from({ length: 50 }, () => unique('batch'));
    const fired = await system.request('POST', `/integrations/${source}`, {
      headers: { 'x-api-key': key },
      body: alertmanagerPayload(fingerprints.map((fp, i) => alert(fp, { labels: { alertname: `Batch${i}`, severity: i % 2 ? 'error' : 'critical' } }))),
    });
    expect(fired.status).toBe(200);
    expect(fired.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(Array(50).fill('created'));
    const numbers: number[] = fired.body.results.map((r: { incidentNumber: number }) => r.incidentNumber);
    expect(new Set(numbers).size).toBe(50);
    expect((await incident(numbers[1]!)).severity).toBe('ERR');
    await firstPage(numbers[49]!);
    const resolved = await system.request('POST', `/integrations/${source}`, {
      headers: { 'x-api-key': key },
      body: alertmanagerPayload(fingerprints.map((fp) => alert(fp, { status: 'resolved' })), 'resolved'),
    });
    expect(resolved.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(Array(50).fill('resolved'));
    expect(await incident(numbers[49]!)).toMatchObject({ state: 'RESOLVED', resolvedBy: source });
    const listed = await events('athens', 100);
    expect(listed.filter((e: { source: string; outcome: string }) => e.source === source && e.outcome === 'resolved').length).toBeGreaterThanOrEqual(50);
  });

  it('makes one incident and one page of a storm of one alert, and counts every notification', async () => {
    const body = alertmanagerPayload([alert(unique('storm'))]);
    const answers = await Promise.all(Array.from({ length: 300 }, () => system.request('POST', `/integrations/alertmanager/${key}`, { body })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const numbers = new Set(answers.map((a) => a.body.results[0].incidentNumber));
    expect(numbers.size).toBe(1);
    const [number] = [...numbers] as number[];
    expect(answers.filter((a) => a.body.results[0].outcome === 'created')).toHaveLength(1);
    expect((await incident(number!)).occurrences).toBe(300);
    await firstPage(number!);
    expect(await pagesOf(number!)).toHaveLength(1);
  });

  it('refuses malformed payloads with a 400 naming the problem, and records the refusal', async () => {
    const wrongVersion = await system.request('POST', '/integrations/alertmanager', { headers: { 'x-api-key': key }, body: { ...alertmanagerPayload([alert('x')]), version: '3' } });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.body.details).toContainEqual({ field: 'version', problem: expect.stringMatching(/must be "4"/) });
    const noFingerprint = await system.request('POST', '/integrations/alertmanager', { headers: { 'x-api-key': key }, body: alertmanagerPayload([{ ...alert('x'), fingerprint: undefined }]) });
    expect(noFingerprint.body.details).toContainEqual({ field: 'alerts.0.fingerprint', problem: 'is required' });
    const notJson = await system.request('POST', '/integrations/alertmanager', { headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"version":' });
    expect(notJson.status).toBe(400);
    expect((await events('athens', 1))[0]).toMatchObject({ source: 'alertmanager', outcome: 'rejected', reason: 'the body is not valid JSON' });
    const noKey = await system.request('POST', '/integrations/alertmanager', { body: alertmanagerPayload([alert('x')]) });
    expect(noKey.status).toBe(401);
    expect((await events('_unrouted', 1))[0]).toMatchObject({ source: 'alertmanager', outcome: 'rejected', reason: expect.stringMatching(/missing API key/) });
    const responderKey = await system.request('POST', `/integrations/alertmanager/${responder}`, { body: alertmanagerPayload([alert('x')]) });
    expect(responderKey.status).toBe(403);
  });
});

describe('Grafana webhook', () => {
  it('maps a Grafana alert with its dashboard and panel, then resolves it', async () => {
    const fingerprint = unique('grafana');
    const grafanaAlert = {
      ...alert(fingerprint, { labels: { alertname: 'CheckoutLatency', severity: 'error', grafana_folder: 'Shop' }, annotations: { summary: 'p99 above 2 s' } }),
      dashboardURL: 'https://grafana.example.com/d/abc',
      panelURL: 'https://grafana.example.com/d/abc?viewPanel=4',
      silenceURL: 'https://grafana.example.com/alerting/silence/new',
      valueString: "[ var='B' labels={} value=2.4 ]",
    };
    const body = { receiver: 'inresponse', status: 'firing', orgId: 1, alerts: [grafanaAlert], groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'https://grafana.example.com/', version: '1', groupKey: 'k', truncatedAlerts: 0, title: '[FIRING:1] CheckoutLatency', state: 'alerting', message: '**Firing**' };
    const res = await system.request('POST', `/integrations/grafana/${key}`, { body });
    const number = res.body.results[0].incidentNumber;
    expect(await incident(number)).toMatchObject({
      severity: 'ERR',
      title: 'CheckoutLatency: p99 above 2 s',
      source: 'grafana',
      links: expect.arrayContaining([{ href: 'https://grafana.example.com/d/abc', text: 'Dashboard' }, { href: 'https://grafana.example.com/d/abc?viewPanel=4', text: 'Panel' }]),
    });
    expect((await incident(number)).message).toContain("values: [ var='B' labels={} value=2.4 ]");
    const resolved = await system.request('POST', `/integrations/grafana/${key}`, { body: { ...body, status: 'resolved', alerts: [{ ...grafanaAlert, status: 'resolved' }] } });
    expect(resolved.body.results[0].outcome).toBe('resolved');
    expect(await incident(number)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'grafana' });
  });

  it('refuses a Grafana payload without alerts, naming the field, and records it', async () => {
    const res = await system.request('POST', `/integrations/grafana/${key}`, { body: { status: 'firing', title: 'x', alerts: [] } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'alerts', problem: 'must hold at least one alert' }]);
    expect((await events('athens', 1))[0]).toMatchObject({ source: 'grafana', outcome: 'rejected', reason: 'invalid request body: alerts' });
  });
});

describe('PagerDuty Events API v2', () => {
  const enqueue = (body: unknown) => system.request('POST', '/v2/enqueue', { body });
  const trigger = (extra: Record<string, unknown> = {}) => ({
    routing_key: key,
    event_action: 'trigger',
    payload: { summary: 'DB replica lag above 30 s', source: 'db-2.example.com', severity: 'error', component: 'postgres', custom_details: { lag_seconds: 42 } },
    links: [{ href: 'https://grafana.example.com/d/db', text: 'DB dashboard' }],
    images: [{ src: 'https://grafana.example.com/render/lag.png', alt: 'lag graph' }],
    client: 'Zabbix',
    ...extra,
  });

  it('triggers with a generated dedup key, then acknowledges and resolves by it, answering as PagerDuty does', async () => {
    const triggered = await enqueue(trigger());
    expect(triggered.status).toBe(202);
    expect(triggered.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const dedupKey = triggered.body.dedup_key;
    const [created] = await events('athens', 1);
    expect(created).toMatchObject({ source: 'pagerduty-events-v2', outcome: 'created' });
    expect(await incident(created.incidentNumber)).toMatchObject({
      severity: 'ERR',
      title: 'DB replica lag above 30 s',
      source: 'pagerduty-events-v2',
      dedupKey,
      links: [{ href: 'https://grafana.example.com/d/db', text: 'DB dashboard' }, { href: 'https://grafana.example.com/render/lag.png', text: 'lag graph' }],
    });
    expect((await incident(created.incidentNumber)).message).toContain('"lag_seconds": 42');
    expect((await incident(created.incidentNumber)).message).toContain('client: Zabbix');
    expect((await firstPage(created.incidentNumber)).text).toContain('DB dashboard: https://grafana.example.com/d/db');

    expect((await enqueue(trigger({ dedup_key: dedupKey }))).body.dedup_key).toBe(dedupKey);
    expect((await incident(created.incidentNumber)).occurrences).toBe(2);
    expect((await enqueue({ routing_key: key, event_action: 'acknowledge', dedup_key: dedupKey })).status).toBe(202);
    expect(await incident(created.incidentNumber)).toMatchObject({ state: 'CLAIMED', claimedBy: 'pagerduty-events-v2' });
    expect((await enqueue({ routing_key: key, event_action: 'resolve', dedup_key: dedupKey })).body).toEqual({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
    expect(await incident(created.incidentNumber)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'pagerduty-events-v2' });
  });

  it('answers an invalid event with 400 and its errors, and an unknown routing key too', async () => {
    const invalid = await enqueue({ routing_key: key, event_action: 'trigger', payload: { summary: '', severity: 'urgent' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: expect.arrayContaining(['payload.summary must not be empty', 'payload.source is required', 'payload.severity must be critical, error, warning or info']),
    });
    expect((await events('athens', 1))[0]).toMatchObject({ source: 'pagerduty-events-v2', outcome: 'rejected', reason: expect.stringMatching(/payload\.summary/) });
    expect((await enqueue({ routing_key: key, event_action: 'resolve' })).body.errors).toEqual(['dedup_key is required for resolve']);
    const unknownKey = await enqueue(trigger({ routing_key: 'irk_not-a-key-of-ours-0000000000' }));
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body).toMatchObject({ status: 'invalid event', errors: ['x-api-key must be a valid API key'] });
  });
});

describe('CloudWatch alarms through SNS', () => {
  type Unsigned = Pick<SnsMessage, 'Type' | 'MessageId' | 'TopicArn' | 'Message' | 'Timestamp' | 'Subject' | 'SubscribeURL' | 'Token'>;
  const signed = (fields: Unsigned, certUrl = CERT_URL): SnsMessage => {
    const message = { ...fields, SignatureVersion: '2' as const, SigningCertURL: certUrl, Signature: '' };
    return { ...message, Signature: sign('RSA-SHA256', Buffer.from(snsStringToSign(message)), privateKey).toString('base64') };
  };
  const post = (message: SnsMessage, query = '') =>
    system.request('POST', `/integrations/cloudwatch/${key}${query}`, { headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(message) });
  const alarmNotification = (state: string, name: string) =>
    signed({
      Type: 'Notification',
      MessageId: unique('msg'),
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:inresponse-athens',
      Subject: `${state}: "${name}" in EU (Ireland)`,
      Message: JSON.stringify({
        AlarmName: name,
        AlarmDescription: 'Checkout 5xx above 1%',
        AWSAccountId: '123456789012',
        AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
        NewStateValue: state,
        NewStateReason: 'Threshold Crossed: 1 datapoint [3.2] was greater than the threshold (1.0).',
        StateChangeTime: '2026-11-24T10:05:00.000+0000',
        Region: 'EU (Ireland)',
        OldStateValue: 'OK',
      }),
      Timestamp: '2026-11-24T10:05:01.000Z',
    });

  it('confirms the subscription at SNS after checking its signature', async () => {
    const subscribeUrl = 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:123456789012:t&Token=abc';
    const res = await post(signed({ Type: 'SubscriptionConfirmation', MessageId: unique('sub'), TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: 'You have chosen to subscribe', SubscribeURL: subscribeUrl, Token: 'abc', Timestamp: '2026-11-24T10:00:00.000Z' }));
    expect(res.status).toBe(200);
    expect(confirmed).toEqual([subscribeUrl]);
  });

  it('opens an incident on ALARM and resolves it on OK, by alarm ARN', async () => {
    const name = unique('checkout-5xx');
    const alarm = await post(alarmNotification('ALARM', name), '?severity=err');
    expect(alarm.body.results[0]).toMatchObject({ outcome: 'created', dedupKey: `cloudwatch:arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}` });
    const number = alarm.body.results[0].incidentNumber;
    expect(await incident(number)).toMatchObject({ severity: 'ERR', title: `${name} (EU (Ireland))`, source: 'cloudwatch', detectedAt: '2026-11-24T10:05:00.000Z' });
    expect((await incident(number)).message).toContain('Threshold Crossed');
    await firstPage(number);
    expect((await post(alarmNotification('ALARM', name))).body.results[0].outcome).toBe('joined');
    expect((await post(alarmNotification('INSUFFICIENT_DATA', name))).body.results).toEqual([]);
    expect((await events('athens', 1))[0]).toMatchObject({ outcome: 'ignored', reason: `alarm ${name} is INSUFFICIENT_DATA` });
    expect((await post(alarmNotification('OK', name))).body.results[0]).toMatchObject({ outcome: 'resolved', incidentNumber: number });
    expect(await incident(number)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'cloudwatch' });
  });

  it('refuses a notification whose Message is not an alarm, naming the field', async () => {
    const res = await post(signed({ Type: 'Notification', MessageId: unique('bad'), TopicArn: 't', Message: '{"AlarmName": 42}', Timestamp: '2026-11-24T10:00:00.000Z' }));
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['AlarmName', 'NewStateValue']));
    expect((await events('athens', 1))[0]).toMatchObject({ source: 'cloudwatch', outcome: 'rejected' });
  });

  it('refuses a forged signature, and a certificate from anywhere but SNS without fetching it', async () => {
    const genuine = alarmNotification('ALARM', unique('forged'));
    const forged = await post({ ...genuine, Message: genuine.Message.replace('"ALARM"', '"OK"') });
    expect(forged.status).toBe(403);
    expect(forged.body.details).toEqual([{ field: 'Signature', problem: 'does not verify with the signing certificate' }]);
    const before = certificatesFetched.length;
    for (const certUrl of ['https://attacker.example.com/sns.pem', 'http://sns.eu-west-1.amazonaws.com/cert.pem', 'https://sns.eu-west-1.amazonaws.com.attacker.example/cert.pem']) {
      const res = await post(signed({ ...genuine, MessageId: unique('m') }, certUrl));
      expect(res.status).toBe(403);
      expect(res.body.details[0].field).toBe('SigningCertURL');
    }
    expect(certificatesFetched.length).toBe(before);
    expect((await events('athens', 1))[0]).toMatchObject({ source: 'cloudwatch', outcome: 'rejected' });
  });
});

describe('control characters', () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test checks that control characters are gone
  const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;
  const dirty = (label: string) => `${label}\u0000 with\u0007 bell,\u001b[31m escape\u007f and\r\nCRLF\tTab`;

  it('are removed from what every source sends, in the incident and both parts of its page', async () => {
    const put = await system.request('PUT', '/incidents', {
      key,
      body: { service: 'athens', severity: 'WARN', title: dirty('put title'), message: dirty('put message'), detectedAt: '2026-11-24T10:00:00Z', dedupKey: unique('ctl') },
    });
    const webhook = await system.request('POST', '/integrations/alertmanager', {
      headers: { authorization: `Bearer ${key}` },
      body: alertmanagerPayload([alert(unique('ctl'), { annotations: { summary: dirty('am summary'), description: dirty('am description') } })]),
    });
    const pagerDuty = await system.request('POST', '/v2/enqueue', {
      body: { routing_key: key, event_action: 'trigger', dedup_key: unique('ctl'), payload: { summary: dirty('pd summary'), source: 'db-2', severity: 'warning' } },
    });
    const numbers = [put.body.number, webhook.body.results[0].incidentNumber, (await events('athens', 1))[0].incidentNumber];
    expect(pagerDuty.status).toBe(202);
    for (const number of numbers) {
      const { title, message } = await incident(number);
      expect(`${title}\n${message}`).not.toMatch(CONTROL);
      expect(title).toContain(' with bell,[31m escape and');
      // A page's CR LF line ends are the mail format's, not the sender's.
      const page = await firstPage(number);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the test checks that no control character reaches the page
      expect(`${page.subject}${page.text}${page.html}`).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    }
  });
});
