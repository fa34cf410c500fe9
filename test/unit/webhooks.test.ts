import { createHmac } from 'node:crypto';
import { ExecutionAlreadyExists, type SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { SfnAnnouncer } from '../../lambdas/adapters/sfn-announcer';
import { ListenedAnnouncer } from '../../lambdas/domain/webhooks/listened-announcer';
import { causeMessage } from '../../lambdas/adapters/aws-errors';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { parseInput } from '../../lambdas/domain/shared/validation';
import {
  deadLetter,
  deliver,
  PermanentDeliveryError,
  RetryableDeliveryError,
  type AnnouncementDeps,
} from '../../lambdas/domain/webhooks/announcement-use-cases';
import {
  announcementId,
  announcementOf,
  type Delivery,
  outcomeOf,
  planDeliveries,
  signatureOf,
  type Webhook,
} from '../../lambdas/domain/webhooks/webhook';
import type { EventRecord } from '../../lambdas/domain/incident/event-record';
import type { TimelineEntry } from '../../lambdas/domain/incident/incident';
import type { PostResult } from '../../lambdas/domain/webhooks/webhook';
import { rejectedFields } from '../support/rejected-fields';

const at = new Date('2026-11-24T10:00:00Z');
const incident = { number: 7, title: 'Disk full', service: 'athens', team: 'devops', severity: 'CRIT', state: 'OPEN' } as const;
const hook = (name: string, w: Partial<Webhook> = {}): Webhook => ({
  name,
  url: `https://hooks.example.com/${name}`,
  services: [],
  teams: [],
  events: ['created', 'claimed', 'resolved', 'escalated'],
  ...w,
});
const incidentUrl = (n: number) => `https://api.example.com/incidents/${n}`;

describe('webhook signatures', () => {
  it('signs "<unix seconds>.<raw body>" with HMAC-SHA256 of the secret, Stripe-style', () => {
    const body = '{"id":"x"}';
    const expected = createHmac('sha256', 'secret').update(`1795514400.${body}`).digest('hex');
    expect(signatureOf('secret', body, at)).toBe(`t=1795514400,v1=${expected}`);
  });

  it('changes with the body, the time and the secret', () => {
    const base = signatureOf('secret', 'a', at);
    expect(signatureOf('secret', 'b', at)).not.toBe(base);
    expect(signatureOf('secret', 'a', new Date(at.getTime() + 1000))).not.toBe(base);
    expect(signatureOf('other', 'a', at)).not.toBe(base);
  });
});

describe('planning deliveries', () => {
  const created = announcementOf('created', incident, at, { by: 'nagios' });

  it('goes to the webhooks of the service or of the team that want the event', () => {
    const webhooks = [
      hook('by-service', { services: ['athens'] }),
      hook('by-team', { teams: ['devops'] }),
      hook('other-service', { services: ['argos'] }),
      hook('resolved-only', { services: ['athens'], events: ['resolved'] }),
    ];
    expect(planDeliveries(webhooks, created, incidentUrl).map((d) => d.webhook)).toEqual(['by-service', 'by-team']);
  });

  it('builds the body once, with the incident, its link and a delivery id derived from the announcement', () => {
    const [delivery] = planDeliveries([hook('chat', { services: ['athens'] })], created, incidentUrl);
    expect(delivery).toMatchObject({ deliveryId: 'incident-7-created.chat', url: 'https://hooks.example.com/chat', incidentNumber: 7, service: 'athens' });
    expect(JSON.parse(delivery!.body)).toEqual({
      id: 'incident-7-created.chat',
      type: 'created',
      at: '2026-11-24T10:00:00.000Z',
      by: 'nagios',
      incident: { ...incident, url: 'https://api.example.com/incidents/7' },
    });
  });

  it('names an escalation by its level and round, so each level is delivered once', () => {
    const escalated = announcementOf('escalated', incident, at, { level: 2, round: 1 });
    expect(announcementId(escalated)).toBe('incident-7-escalated-l2-r1');
    expect(JSON.parse(planDeliveries([hook('chat', { teams: ['devops'] })], escalated, incidentUrl)[0]!.body)).toMatchObject({ level: 2, round: 1 });
  });
});

describe('delivery outcomes', () => {
  it('retries 5xx, 408, 429 and no answer; gives up at once on other 4xx', () => {
    expect(outcomeOf({ status: 204 })).toEqual({ outcome: 'delivered', status: 204 });
    for (const status of [500, 503, 408, 429]) expect(outcomeOf({ status }).outcome).toBe('retryable');
    expect(outcomeOf({ error: 'connect ECONNREFUSED' })).toEqual({ outcome: 'retryable', reason: 'connect ECONNREFUSED' });
    for (const status of [400, 401, 404, 410, 301]) expect(outcomeOf({ status }).outcome).toBe('permanent');
  });
});

describe('deliver', () => {
  const [delivery] = planDeliveries([hook('chat', { services: ['athens'] })], announcementOf('claimed', incident, at, { by: 'ana' }), incidentUrl) as [Delivery];
  const fakes = (answer: PostResult) => {
    const posted: { url: string; headers: Readonly<Record<string, string>>; body: string }[] = [];
    const recorded: EventRecord[] = [];
    const deadLettered: string[] = [];
    const timeline: { number: number; entries: readonly TimelineEntry[] }[] = [];
    const deps: AnnouncementDeps = {
      webhooks: { list: async () => [] },
      sender: {
        post: async (url, headers, body) => {
          posted.push({ url, headers, body });
          return answer;
        },
      },
      deadLetters: { send: async (d, reason) => void deadLettered.push(`${d.deliveryId}: ${reason}`) },
      events: { record: async (e) => void recorded.push(e) },
      incidents: { appendTimeline: async (number, entries) => void timeline.push({ number, entries }) },
      secret: 'secret',
      incidentUrl,
      clock: () => at,
    };
    return { deps, posted, recorded, deadLettered, timeline };
  };

  it('POSTs the planned body with its signature and delivery id, and records the delivery', async () => {
    const { deps, posted, recorded } = fakes({ status: 200 });
    expect(await deliver(deps, delivery)).toEqual({ status: 200 });
    expect(posted).toEqual([
      {
        url: delivery.url,
        body: delivery.body,
        headers: { 'content-type': 'application/json', 'x-inresponse-signature': signatureOf('secret', delivery.body, at), 'x-inresponse-delivery': 'incident-7-claimed.chat' },
      },
    ]);
    expect(recorded).toEqual([
      { at: at.toISOString(), service: 'athens', source: 'webhook:chat', outcome: 'delivered', incidentNumber: 7, reason: 'HTTP 200', summary: 'claimed (delivery incident-7-claimed.chat)' },
    ]);
  });

  it('records a failed attempt and throws the error the state machine retries or dead-letters by name', async () => {
    const retryable = fakes({ status: 502 });
    await expect(deliver(retryable.deps, delivery)).rejects.toThrow(RetryableDeliveryError);
    expect(retryable.recorded).toEqual([expect.objectContaining({ outcome: 'delivery_failed', reason: 'HTTP 502' })]);
    const permanent = fakes({ status: 410 });
    await expect(deliver(permanent.deps, delivery)).rejects.toThrow(PermanentDeliveryError);
  });

  it('dead-letters into the queue, the event record and the incident’s timeline', async () => {
    const { deps, recorded, deadLettered, timeline } = fakes({ status: 200 });
    await deadLetter(deps, delivery, 'HTTP 410');
    expect(deadLettered).toEqual(['incident-7-claimed.chat: HTTP 410']);
    expect(recorded).toEqual([expect.objectContaining({ outcome: 'dead_lettered', reason: 'HTTP 410' })]);
    expect(timeline).toEqual([
      { number: 7, entries: [{ at: at.toISOString(), type: 'webhook_failed', by: 'inresponse', to: 'chat', note: 'claimed not delivered to webhook chat: HTTP 410' }] },
    ]);
  });
});

describe('the cause of a dead-lettered delivery', () => {
  it('is the Lambda error message in AWS, where Step Functions passes the error as JSON, and the text locally', () => {
    expect(causeMessage(JSON.stringify({ errorType: 'PermanentDeliveryError', errorMessage: 'HTTP 404', trace: [] }))).toBe('HTTP 404');
    expect(causeMessage('HTTP 404')).toBe('HTTP 404');
  });
});

describe('SfnAnnouncer', () => {
  const announcement = announcementOf('resolved', incident, at, { by: 'ana' });
  const announcerFailing = (error: Error) => {
    const failures: unknown[] = [];
    const sfn = { send: async () => Promise.reject(error) } as unknown as SFNClient;
    return { announcer: new SfnAnnouncer(sfn, 'arn:aws:states:eu-west-1:000000000000:stateMachine:a', (e) => failures.push(e)), failures };
  };

  it('never rejects: a failure to start is reported, so the claim or page it follows stands', async () => {
    const { announcer, failures } = announcerFailing(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    await expect(announcer.announce(announcement)).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
  });

  it('takes an execution of the same name as the announcement already made', async () => {
    const { announcer, failures } = announcerFailing(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await announcer.announce(announcement);
    expect(failures).toEqual([]);
  });
});

describe('webhooks in the on-call config', () => {
  const base = {
    teams: { devops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com' } },
    services: { athens: { team: 'devops' } },
  };
  const problems = (webhooks: unknown) => rejectedFields(() => parseInput(onCallConfigSchema, { ...base, webhooks }, 'config'));

  it('takes every event by default', () => {
    const config = onCallConfigSchema.parse({ ...base, webhooks: { chat: { url: 'https://hooks.example.com/x', services: ['athens'] } } });
    expect(config.webhooks.chat).toEqual({ url: 'https://hooks.example.com/x', services: ['athens'], teams: [], events: ['created', 'claimed', 'resolved', 'escalated'] });
  });

  it('allows http for localhost only', () => {
    expect(problems({ a: { url: 'http://localhost:4010/x', teams: ['devops'] }, b: { url: 'http://127.0.0.1/x', teams: ['devops'] } })).toEqual([]);
    expect(problems({ chat: { url: 'http://hooks.example.com/x', teams: ['devops'] } })).toEqual(['webhooks.chat.url']);
    expect(problems({ chat: { url: 'ftp://hooks.example.com/x', teams: ['devops'] } })).toEqual(['webhooks.chat.url']);
  });

  it('names the field of each bad entry', () => {
    expect(
      problems({
        none: { url: 'https://h.example.com' },
        events: { url: 'https://h.example.com', teams: ['devops'], events: ['paged'] },
        extra: { url: 'https://h.example.com', teams: ['devops'], secret: 'x' },
      }),
    ).toEqual(['webhooks.none.services', 'webhooks.events.events.0', 'webhooks.extra.secret']);
  });

  it('names the services and teams that are not defined', () => {
    expect(problems({ unknown: { url: 'https://h.example.com', services: ['nope'], teams: ['devops', 'ghosts'] } })).toEqual([
      'webhooks.unknown.services.0',
      'webhooks.unknown.teams.1',
    ]);
  });
});

describe('announcing only what someone listens for', () => {
  const incident = { number: 100042, title: 'Disk full', service: 'athens', team: 'devops', severity: 'CRIT' as const, state: 'OPEN' as const };
  const hook = { name: 'chat', url: 'https://hooks.example.com/x', services: ['athens'], teams: [], events: ['resolved' as const] };
  const announced = (webhooks: () => Promise<readonly (typeof hook)[]>, slack: boolean) => {
    const started: string[] = [];
    const announcer = new ListenedAnnouncer({ announce: async (a) => void started.push(a.type) }, { list: webhooks }, slack);
    return { announcer, started };
  };
  const at = new Date('2026-11-24T10:00:00Z');

  it('start an announcement a webhook wants, and none that nobody wants', async () => {
    const { announcer, started } = announced(async () => [hook], false);
    for (const type of ['created', 'claimed', 'resolved', 'escalated'] as const) await announcer.announce(announcementOf(type, incident, at));
    await announcer.announce(announcementOf('resolved', { ...incident, service: 'argos' }, at));
    expect(started).toEqual(['resolved']);
  });

  it('announce every claim and resolve where Slack is set up, its messages to update', async () => {
    const { announcer, started } = announced(async () => [], true);
    for (const type of ['created', 'claimed', 'resolved', 'escalated'] as const) await announcer.announce(announcementOf(type, incident, at));
    expect(started).toEqual(['claimed', 'resolved']);
  });

  it('announce anyway when the webhooks cannot be read: the plan reads them again', async () => {
    const { announcer, started } = announced(async () => Promise.reject(new Error('throttled')), false);
    await announcer.announce(announcementOf('created', incident, at));
    expect(started).toEqual(['created']);
  });
});
