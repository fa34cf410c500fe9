/**
 * The channels benchmark (`npm run bench:channels`, and part of `npm run bench`): the time from an accepted PUT to
 * each channel's service holding the page; the AWS calls of one incident escalated through two levels for several
 * channel mixes, with their cost per 1,000 incidents at list prices; state transitions per level and per personal
 * step. Whole escalations run in virtual time: the runtime's waits take no real time, and its clock jumps to each wake.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { performance } from 'node:perf_hooks';
import { executionArnOf } from '../../lambdas/adapters/sfn-escalations';
import type { AwsClients } from '../../lambdas/composition';
import { smsSegments } from '../../lambdas/domain/notification/sms';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { freePort } from '../../lib/local/free-port';
import { checkLine, runSection, type Check } from './measure';
import { startLocalRuntime } from '../../lib/local/runtime';
import type { RecordedSlackCall } from '../../lib/local/slack-api-server';
import type { ReceivedWebhook } from '../../lib/local/webhook-receiver';
import { validEvent } from '../support/fixtures';
import { requestJson } from '../support/harness';

const TIMED_CHANNELS = ['email', 'sms', 'voice', 'slack', 'webhook'] as const;

/** Incidents timed per channel, one at a time. */
const TIMED_INCIDENTS = 50;
const WARM_UP_INCIDENTS = 30;
/** Whole escalations run per channel mix, one at a time. */
const ESCALATED_PER_MIX = 5;
const FLOORS = { transitionsPerLevel: 4, transitionsPerPersonalStep: 2 } as const;

/**
 * List prices used for the cost table, US East (N. Virginia), in US dollars. Taken from the AWS pricing pages
 * and PagerDuty's, as published in 2025 (this machine cannot reach them): check them before relying on the
 * figures. SMS is per message part, carrier fees included.
 */
export const PRICES = {
  asOf: '2025 list prices (AWS and PagerDuty pricing pages); not re-read from this offline machine',
  smsUsPerPart: 0.00581 + 0.00302, // toll-free number: AWS base price + an average US carrier fee
  smsFrancePerPart: 0.0735,
  voiceUsPerMinute: 0.013,
  sesPerEmail: 0.1 / 1000,
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaPerGbSecond: 0.0000133334, // arm64
  dynamoDbPerWriteUnit: 0.625 / 1_000_000, // on demand
  dynamoDbPerReadUnit: 0.125 / 1_000_000,
  httpApiPerRequest: 1 / 1_000_000,
  pagerDutyProfessionalPerUserMonth: 21, // billed yearly; 25 billed monthly
  pagerDutyBusinessPerUserMonth: 41,
} as const;

/** Assumed billed duration of one invocation at the functions' 512 MB: Lambda is a small share either way. */
export const ASSUMED_INVOCATION_SECONDS = 0.1;
export const FUNCTION_GB = 0.5;

type Steps = readonly { afterMinutes: number; channels: readonly ('email' | 'sms' | 'voice' | 'slack')[] }[];

/**
 * The channel mixes costed: how each of the two levels' people wants to be reached when an incident is high,
 * and whether the team has a webhook (told of created and escalated).
 */
const MIXES: readonly { name: string; phone: boolean; slack?: boolean; webhook?: boolean; high?: Steps }[] = [
  { name: 'email', phone: false },
  { name: 'email + Slack + a webhook', phone: false, slack: true, webhook: true },
  { name: 'email + SMS', phone: true, high: [{ afterMinutes: 0, channels: ['email', 'sms'] }] },
  { name: 'all at once (email, SMS, voice, Slack) + webhook', phone: true, slack: true, webhook: true },
  {
    name: 'SMS + Slack, voice at 2 min, voice + email at 5',
    phone: true,
    slack: true,
    high: [
      { afterMinutes: 0, channels: ['sms', 'slack'] },
      { afterMinutes: 2, channels: ['voice'] },
      { afterMinutes: 5, channels: ['voice', 'email'] },
    ],
  },
];

const teamOf = (i: number) => `mix${i}`;
const LEVELS = 2;

/** One team per mix, whose two levels page one person each, 10 minutes apart; webhooks post to `receiverPort`. */
const channelConfig = (receiverPort: number) =>
  onCallConfigSchema.parse({
  people: Object.fromEntries(
    MIXES.flatMap((mix, i) =>
      [1, 2].map((level) => [
        `m${i}l${level}`,
        {
          name: `Level ${level}`,
          email: `m${i}l${level}@example.com`,
          ...(mix.phone ? { phone: `+1202555${String(i * 10 + level).padStart(4, '0')}` } : {}),
          ...(mix.slack ? { slack: `U0M${i}L${level}` } : {}),
          ...(mix.high ? { notificationRules: { high: mix.high } } : {}),
        },
      ]),
    ),
  ),
  teams: Object.fromEntries(
    MIXES.map((_, i) => [
      teamOf(i),
      { timeZone: 'UTC', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: [`person:m${i}l1`] }, { delayMinutes: 10, targets: [`person:m${i}l2`] }] } },
    ]),
  ),
  services: Object.fromEntries(MIXES.map((_, i) => [teamOf(i), { team: teamOf(i) }])),
  apiKeys: Object.fromEntries(MIXES.map((_, i) => [teamOf(i), { role: 'integration', service: teamOf(i) }])),
  webhooks: Object.fromEntries(MIXES.flatMap((mix, i) => (mix.webhook ? [[teamOf(i), { url: `http://127.0.0.1:${receiverPort}/hooks/${teamOf(i)}`, teams: [teamOf(i)] }]] : []))),
});

interface Percentiles {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface MixCost {
  readonly mix: string;
  /** Per incident escalated through both levels, nobody acknowledging. */
  readonly perIncident: {
    readonly httpRequests: number;
    readonly lambdaInvocations: number;
    readonly transitions: number;
    readonly dynamoDbCalls: number;
    readonly dynamoDbReadUnits: number;
    readonly dynamoDbWriteUnits: number;
    readonly emails: number;
    readonly smsParts: number;
    readonly voiceMinutes: number;
    readonly slackCalls: number;
    readonly webhookPosts: number;
  };
  /** US dollars per 1,000 such incidents: SMS priced for the US, and for France beside it. */
  readonly per1000: { readonly us: number; readonly france: number; readonly messagingShareUs: number };
}

export interface ChannelResults {
  readonly latencyFromAccepted: Readonly<Record<(typeof TIMED_CHANNELS)[number], Percentiles>>;
  readonly costs: readonly MixCost[];
  readonly transitionsPerLevel: number;
  readonly transitionsPerPersonalStep: number;
  readonly prices: typeof PRICES;
  readonly checks: Check[];
}

const percentiles = (values: number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
};

/** Counts what the runtime's SDK clients send: calls and capacity units by service, and messages by channel. */
function meter(clients: AwsClients, notifier: Pick<AwsClients, 'dynamoDb'>) {
  const counts = { dynamoDbCalls: 0, readUnits: 0, writeUnits: 0, emails: 0, sms: 0, voice: 0 };
  /** When each channel's service held a page of each incident (performance.now()). */
  const heldAt = new Map<string, number>();
  const dynamoDbMeter = (client: AwsClients['dynamoDb']) => client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      counts.dynamoDbCalls++;
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      counts[/Get|Query|Scan/.test(context.commandName!) ? 'readUnits' : 'writeUnits'] += units;
      return result;
    },
    { step: 'initialize', name: 'benchMeter' },
  );
  dynamoDbMeter(clients.dynamoDb);
  dynamoDbMeter(notifier.dynamoDb);
  const held = (channel: string, text: string) => {
    const number = /#(\d+)/.exec(text)?.[1] ?? /incident ((?:\d )+\d)/.exec(text)?.[1]?.replace(/ /g, '');
    const key = `${channel}:${number}`;
    if (!heldAt.has(key)) heldAt.set(key, performance.now());
  };
  clients.ses.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      counts.emails++;
      held('email', (args.input as { Content?: { Simple?: { Subject?: { Data?: string } } } }).Content?.Simple?.Subject?.Data ?? '');
      return result;
    },
    { step: 'initialize', name: 'benchSesMeter' },
  );
  clients.sms!.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const voice = context.commandName === 'SendVoiceMessageCommand';
      const body = (args.input as { MessageBody?: string }).MessageBody ?? '';
      if (voice) counts.voice++;
      else counts.sms += smsSegments(body);
      held(voice ? 'voice' : 'sms', body);
      return result;
    },
    { step: 'initialize', name: 'benchSmsMeter' },
  );
  return { counts, heldAt };
}

/**
 * A runtime with its SDK clients metered and the helpers the phases share. With `virtualTime`, its waits take
 * no real time and its clock jumps to each wake, so that whole escalations run in moments.
 */
async function meteredRuntime(virtualTime: boolean) {
  const secrets = new Map<string, string>();
  /** The runtime's virtual clock: real time, plus the waits skipped so far. */
  let skippedMs = 0;
  let metered: ReturnType<typeof meter> | undefined;
  const webhookPort = await freePort();
  const runtime = await startLocalRuntime({
    config: channelConfig(webhookPort),
    webhookPort,
    secrets,
    ...(virtualTime
      ? {
          clock: () => new Date(Date.now() + skippedMs),
          onWake: (at: string) => {
            skippedMs = Math.max(skippedMs, Date.parse(at) - Date.now());
          },
        }
      : {}),
    instrument: (clients, { notifier }) => {
      metered = meter(clients, notifier);
    },
  });
  const { counts, heldAt } = metered!;
  const raise = async (i: number, title: string) => {
    const res = await requestJson(runtime.apiUrl, 'PUT', '/incidents', { key: secrets.get(teamOf(i))!, body: validEvent({ service: teamOf(i), title }) });
    if (res.status !== 201) throw new Error(`PUT answered ${res.status}`);
    return res.body as { number: number; createdAt: string };
  };
  const history = async (executionArn: string) => {
    while ((await runtime.clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return (await runtime.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.stateEnteredEventDetails!.name!);
  };
  /** The states entered by the announcements of an incident (its webhooks' executions), once they are over. */
  const announcementStates = async (number: number) => {
    const { executions } = await runtime.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: runtime.deployment.announcementStateMachineArn }));
    const mine = (executions ?? []).filter((e) => e.name!.startsWith(`incident-${number}-`));
    return (await Promise.all(mine.map((e) => history(e.executionArn!)))).flat();
  };
  const listed = async <T>(url: string) => ((await (await fetch(`${url}/messages`)).json()) as { messages: T[] }).messages;
  /** When the Slack stand-in took the page's DM to `user`, and the receiver the `created` delivery, of an incident. */
  const slackDmAt = async (number: number, user: string) =>
    (await listed<RecordedSlackCall>(runtime.slackUrl)).find((c) => c.method === 'chat.postMessage' && c.request.channel === user && String(c.request.text).includes(`#${number} `))?.at;
  const createdDeliveryAt = async (number: number) =>
    (await listed<ReceivedWebhook>(runtime.webhookReceiverUrl)).find((w) => w.body.includes(`"type":"created"`) && w.body.includes(`"number":${number},`))?.at;
  const until = async (probe: () => Promise<string | undefined>) => {
    for (;;) {
      const at = await probe();
      if (at) return Date.parse(at);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };

  return { runtime, secrets, counts, heldAt, raise, history, announcementStates, listed, slackDmAt, createdDeliveryAt, until };
}

export async function benchChannels(): Promise<ChannelResults> {
  const timed = await meteredRuntime(false);
  const latency = Object.fromEntries(TIMED_CHANNELS.map((c) => [c, [] as number[]])) as Record<(typeof TIMED_CHANNELS)[number], number[]>;
  try {
    const { runtime, secrets, heldAt, raise, slackDmAt, createdDeliveryAt, until } = timed;
    // Latency: the mix paging on every channel at once, one incident at a time, resolved after its pages.
    const allAtOnce = MIXES.findIndex((m) => m.phone && m.slack && m.webhook && !m.high);
    // The first incidents warm the JIT and DynamoDB Local up, as a warm Lambda is; they are not timed.
    for (let i = -WARM_UP_INCIDENTS; i < TIMED_INCIDENTS; i++) {
      const sentAt = Date.now();
      const sent = performance.now();
      const { number, createdAt } = await raise(allAtOnce, `timed ${i}`);
      for (const channel of ['email', 'sms', 'voice'] as const) {
        while (!heldAt.has(`${channel}:${number}`)) await new Promise((resolve) => setImmediate(resolve));
        if (i >= 0) latency[channel].push(sentAt + (heldAt.get(`${channel}:${number}`)! - sent) - Date.parse(createdAt));
      }
      // The stand-ins stamp what they take with the wall clock, to the millisecond.
      const slackAt = await until(() => slackDmAt(number, `U0M${allAtOnce}L1`));
      const webhookAt = await until(() => createdDeliveryAt(number));
      if (i >= 0) {
        latency.slack.push(slackAt - Date.parse(createdAt));
        latency.webhook.push(webhookAt - Date.parse(createdAt));
      }
      await requestJson(runtime.apiUrl, 'POST', `/incidents/${number}`, { key: secrets.get(teamOf(allAtOnce))!, body: { action: 'resolve', by: 'bench' } });
    }

  } finally {
    await timed.runtime.stop();
  }

  const costed = await meteredRuntime(true);
  try {
    const { runtime, counts, raise, history, announcementStates, listed } = costed;
    // Costs: whole escalations, one at a time, nobody acknowledging.
    const costs: MixCost[] = [];
    /** Transitions per level, the execution's end (Escalation over?, Ended) and the personal steps' wakes left out. */
    let perLevel = 0;
    /** Transitions of the wakes that fired no level, per later personal step sent. */
    let perStep = 0;
    for (const [i, mix] of MIXES.entries()) {
      const before = { ...counts };
      const slackBefore = (await listed<RecordedSlackCall>(runtime.slackUrl)).length;
      const webhooksBefore = (await listed<ReceivedWebhook>(runtime.webhookReceiverUrl)).length;
      let transitions = 0;
      let invocations = 0;
      for (let n = 0; n < ESCALATED_PER_MIX; n++) {
        const { number } = await raise(i, `costed ${n}`);
        const states = await history(executionArnOf(runtime.deployment.escalationStateMachineArn, number));
        const announced = mix.webhook ? await announcementStates(number) : [];
        transitions += states.length + announced.length;
        invocations += states.filter((s) => s === 'Escalate' || s === 'Notify due').length;
        invocations += announced.filter((s) => s === 'Plan deliveries' || s === 'Deliver' || s === 'Dead-letter').length;
        const stepWakes = states.filter((s) => s === 'Notify due').length - (LEVELS - 1);
        const laterSteps = LEVELS * ((mix.high?.length ?? 1) - 1);
        perLevel = Math.max(perLevel, (states.length - 2 - 2 * stepWakes) / LEVELS);
        if (laterSteps) perStep = Math.max(perStep, (2 * stepWakes) / laterSteps);
      }
      const per = (value: number) => value / ESCALATED_PER_MIX;
      const perIncident = {
        httpRequests: 1,
        lambdaInvocations: 1 + per(invocations),
        transitions: per(transitions),
        dynamoDbCalls: per(counts.dynamoDbCalls - before.dynamoDbCalls),
        dynamoDbReadUnits: per(counts.readUnits - before.readUnits),
        dynamoDbWriteUnits: per(counts.writeUnits - before.writeUnits),
        emails: per(counts.emails - before.emails),
        smsParts: per(counts.sms - before.sms),
        // A voice page lasts under a minute; calls are billed per started minute.
        voiceMinutes: per(counts.voice - before.voice),
        // Slack's Web API and the webhooks cost nothing per call.
        slackCalls: per((await listed<RecordedSlackCall>(runtime.slackUrl)).length - slackBefore),
        webhookPosts: per((await listed<ReceivedWebhook>(runtime.webhookReceiverUrl)).length - webhooksBefore),
      };
      const base =
        perIncident.httpRequests * PRICES.httpApiPerRequest +
        perIncident.lambdaInvocations * (PRICES.lambdaPerRequest + ASSUMED_INVOCATION_SECONDS * FUNCTION_GB * PRICES.lambdaPerGbSecond) +
        perIncident.transitions * PRICES.stepFunctionsPerTransition +
        perIncident.dynamoDbReadUnits * PRICES.dynamoDbPerReadUnit +
        perIncident.dynamoDbWriteUnits * PRICES.dynamoDbPerWriteUnit +
        perIncident.emails * PRICES.sesPerEmail +
        perIncident.voiceMinutes * PRICES.voiceUsPerMinute;
      const us = base + perIncident.smsParts * PRICES.smsUsPerPart;
      const france = base + perIncident.smsParts * PRICES.smsFrancePerPart;
      const messaging = perIncident.emails * PRICES.sesPerEmail + perIncident.voiceMinutes * PRICES.voiceUsPerMinute + perIncident.smsParts * PRICES.smsUsPerPart;
      costs.push({ mix: mix.name, perIncident, per1000: { us: us * 1000, france: france * 1000, messagingShareUs: messaging / us } });
    }
    const checks = [
      { floor: `transitions per level <= ${FLOORS.transitionsPerLevel}`, ok: perLevel <= FLOORS.transitionsPerLevel, value: perLevel.toFixed(2) },
      { floor: `transitions per personal step <= ${FLOORS.transitionsPerPersonalStep}`, ok: perStep <= FLOORS.transitionsPerPersonalStep, value: perStep.toFixed(2) },
    ];
    return {
      latencyFromAccepted: Object.fromEntries(TIMED_CHANNELS.map((c) => [c, percentiles(latency[c])])) as ChannelResults['latencyFromAccepted'],
      costs,
      transitionsPerLevel: perLevel,
      transitionsPerPersonalStep: perStep,
      prices: PRICES,
      checks,
    };
  } finally {
    await costed.runtime.stop();
  }
}

const money = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

export function channelLines(r: ChannelResults): string[] {
  const seats = 10 * 12;
  return [
    '',
    'Channels',
    ...TIMED_CHANNELS.map(
      (c) =>
        `  accepted PUT to the ${c.padEnd(7)} ${c === 'webhook' ? 'receiver holding the created delivery' : 'service holding the page'.padEnd(37)} (${TIMED_INCIDENTS} incidents): p50 ${r.latencyFromAccepted[c].p50Ms.toFixed(2)} ms, p99 ${r.latencyFromAccepted[c].p99Ms.toFixed(2)} ms`,
    ),
    `  state transitions: ${r.transitionsPerLevel.toFixed(2)} per level, ${r.transitionsPerPersonalStep.toFixed(2)} per personal step`,
    '',
    `  one incident escalated through two levels, nobody acknowledging (prices: ${r.prices.asOf})`,
    '  mix                                               | calls: HTTP Lambda SFN-transitions DynamoDB (RU/WU) | email SMS-parts voice-min Slack webhook | per 1,000: US  France | messaging share',
    ...r.costs.map((c) => {
      const p = c.perIncident;
      return `  ${c.mix.padEnd(49)} | ${p.httpRequests} ${p.lambdaInvocations.toFixed(1)} ${p.transitions.toFixed(1)} ${p.dynamoDbCalls.toFixed(1)} (${p.dynamoDbReadUnits.toFixed(1)}/${p.dynamoDbWriteUnits.toFixed(1)}) | ${p.emails.toFixed(1)} ${p.smsParts.toFixed(1)} ${p.voiceMinutes.toFixed(1)} ${p.slackCalls.toFixed(1)} ${p.webhookPosts.toFixed(1)} | ${money(c.per1000.us).padStart(8)} ${money(c.per1000.france).padStart(8)} | ${(c.per1000.messagingShareUs * 100).toFixed(0)}%`;
    }),
    `  PagerDuty for a 10-person rotation: Professional ${money(r.prices.pagerDutyProfessionalPerUserMonth * seats)}/year, Business ${money(r.prices.pagerDutyBusinessPerUserMonth * seats)}/year, whatever the incidents`,
    ...r.checks.map(checkLine),
    '',
  ];
}

/** `npm run bench:channels`: this benchmark alone. */
export const runChannelBench = (): Promise<void> => runSection('channels', benchChannels, channelLines);
