import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/sfn-escalations';
import { applyOnCallConfig } from '../../lambdas/adapters/dynamo-config-writer';
import { documentClient } from '../../lambdas/composition';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { sentEmails, type SentEmail } from '../support/mailbox';
import { eventually, StateMachineClock } from '../support/time';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';

const contacts = (prefix: string) => ({ oncall: `${prefix}-oncall@example.com`, escalation: `${prefix}-manager@example.com` });

/** One team per behaviour under test, so that tests never page each other's people. */
const rawConfig = {
  teams: {
    ops: { timeZone: 'Europe/Paris', defaultContact: 'ops-lead@example.com', calendar: [{ day: '2026-11-24', ...contacts('ops') }] },
    twice: {
      timeZone: 'Europe/Paris',
      defaultContact: 'twice-lead@example.com',
      escalation: { repeat: 1, levels: [{ targets: ['oncall'] }, { targets: ['escalation'] }] },
      calendar: [{ day: '2026-11-24', ...contacts('twice') }],
    },
    nyc: {
      timeZone: 'America/New_York',
      defaultContact: 'nyc-lead@example.com',
      escalation: { levels: [{ targets: ['oncall'] }, { delayMinutes: 60, targets: ['escalation'] }] },
      calendar: [
        { day: '2026-11-01', ...contacts('nov1') },
        { day: '2026-11-02', ...contacts('nov2') },
      ],
    },
    fragile: {
      timeZone: 'Europe/Paris',
      defaultContact: 'fragile-lead@example.com',
      escalation: { levels: [{ targets: [{ email: 'broken@example.com' }, { email: 'flaky@example.com' }] }, { targets: ['escalation'] }] },
      calendar: [{ day: '2026-11-24', ...contacts('fragile') }],
    },
    nobody: { timeZone: 'Europe/Paris', defaultContact: 'nobody-lead@example.com' },
  },
  services: { payments: { team: 'ops' }, batch: { team: 'twice' }, ledger: { team: 'nyc' }, billing: { team: 'fragile' }, orphans: { team: 'nobody' } },
  apiKeys: {
    'payments-key': { role: 'integration', service: 'payments' },
    'batch-key': { role: 'integration', service: 'batch' },
    'ledger-key': { role: 'integration', service: 'ledger' },
    'billing-key': { role: 'integration', service: 'billing' },
    'orphans-key': { role: 'integration', service: 'orphans' },
    responders: { role: 'responder' },
  },
};
const config = onCallConfigSchema.parse(rawConfig);

let system: TestSystem;
/** Runtimes a test starts beside the shared one, whose tasks the clock waits for too. */
const others = new Set<TestSystem>();
const clock = new StateMachineClock(() => [system, ...others].reduce((running, s) => running + s.runtime.runningTasks(), 0));
/** Recipients whose sends fail, and how: injected at the SES client, where the emulator cannot. */
const sesFaults = new Map<string, { name: string; status: number; times: number }>();
const stopFailures = { on: false };

beforeAll(async () => {
  system = await startTestSystem({ config });
  system.runtime.clients.ses.middlewareStack.add(
    (next) => async (args) => {
      const to = (args.input as { Destination?: { ToAddresses?: string[] } }).Destination?.ToAddresses?.[0] ?? '';
      const fault = sesFaults.get(to);
      if (fault && fault.times-- > 0) {
        throw Object.assign(new Error(`${fault.name} for ${to}`), { name: fault.name, $metadata: { httpStatusCode: fault.status } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'sesFaults' },
  );
  system.runtime.clients.sfn.middlewareStack.add(
    (next, context) => async (args) => {
      if (stopFailures.on && context.commandName === 'StopExecutionCommand') {
        throw Object.assign(new Error('injected'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'stopFailures' },
  );
});
afterAll(() => system.stop());

beforeEach(async () => {
  await fetch(`${system.runtime.sesUrl}/clear-store`, { method: 'POST' });
  sesFaults.clear();
  stopFailures.on = false;
  clock.install('2026-11-24T10:00:00Z');
});
afterEach(() => clock.uninstall());

const raise = async (service: string, title = `${service} ${Math.random().toString(36).slice(2)}`) => {
  const res = await system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, title }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
};
const act = (number: number, action: string, by = 'responder@example.com') =>
  system.request('POST', `/incidents/${number}`, { key: system.keys.responders!, body: { action, by } });
const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;
const execution = (number: number) =>
  system.runtime.clients.sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(system.runtime.deployment.escalationStateMachineArn, number) }));

/** Waits, on real time, until the mailbox holds `count` emails for the incident, and returns them. */
const pagesOf = (number: number, count: number) =>
  eventually(`${count} pages of #${number}`, async () => {
    const mine = (await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.includes(`#${number} `));
    return mine.length >= count ? mine : undefined;
  });
/** Waits until the execution has taken its next wait (or ended), i.e. the step that fired is complete. */
const waitingOrEnded = async (number: number) => {
  await clock.settle();
  return incident(number);
};
const recipients = (emails: SentEmail[]) => emails.map((e) => e.to[0]);
const minutes = (n: number) => clock.minutes(n);

describe('the default matrix', () => {
  it('pages the day\'s on-call at once and the escalation contact 10 minutes later, then ends', async () => {
    const number = await raise('payments');
    expect(recipients(await pagesOf(number, 1))).toEqual(['ops-oncall@example.com']);
    await waitingOrEnded(number);
    await minutes(9);
    expect(recipients((await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.includes(`#${number} `)))).toHaveLength(1);
    await minutes(1);
    expect(recipients(await pagesOf(number, 2))).toEqual(['ops-oncall@example.com', 'ops-manager@example.com']);
    await eventually('the execution to end', async () => (await execution(number)).status === 'SUCCEEDED');

    const { timeline, escalation } = await incident(number);
    expect(timeline.filter((e: { type: string }) => e.type === 'notified')).toEqual([
      expect.objectContaining({ to: 'ops-oncall@example.com', level: 1, round: 0, at: '2026-11-24T10:00:00.000Z', messageId: expect.any(String) }),
      expect.objectContaining({ to: 'ops-manager@example.com', level: 2, round: 0, at: '2026-11-24T10:10:00.000Z' }),
    ]);
    expect(escalation.progress).toMatchObject({ done: true, reason: 'exhausted' });
    const { events } = await system.runtime.clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: executionArnOf(system.runtime.deployment.escalationStateMachineArn, number) }),
    );
    // Four transitions per level: Escalation over?, Wake in turn, Wait until due, Notify due (the first level:
    // Escalate, the last: Ended).
    expect(events!.map((e) => e.stateEnteredEventDetails!.name)).toEqual([
      'Escalate', 'Escalation over?', 'Wake in turn', 'Wait until due', 'Notify due', 'Escalation over?', 'Ended',
    ]);
  });

  it('sends a page with the incident, its level, links, and the auto-generated mark', async () => {
    const number = await raise('payments', '5xx Error Spike <script>');
    const [page] = await pagesOf(number, 1);
    expect(page!.subject).toBe(`[CRIT] #${number} 5xx Error Spike <script> — payments (level 1)`);
    expect(page!.text).toContain('Occurrences: 1');
    expect(page!.text).toMatch(/Claim: +http:\/\/127\.0\.0\.1:\d+\/actions\//);
    expect(page!.html).toContain('5xx Error Spike &lt;script&gt;');
    expect(page!.html).not.toContain('<script>');
    expect(page!.headers).toContainEqual({ name: 'Auto-Submitted', value: 'auto-generated' });
  });
});

describe('acknowledgement', () => {
  for (const action of ['claim', 'resolve']) {
    it(`stops the escalation: a ${action} during the wait sends nothing more`, async () => {
      const number = await raise('payments');
      await pagesOf(number, 1);
      await waitingOrEnded(number);
      await minutes(5);
      expect((await act(number, action)).status).toBe(200);
      await eventually('the execution to stop', async () => (await execution(number)).status === 'ABORTED');
      await minutes(60);
      expect(await pagesOf(number, 1)).toHaveLength(1);
    });
  }

  it('sends nothing after a claim even when stopping the execution fails: the notifier reads the state first', async () => {
    const number = await raise('payments');
    await pagesOf(number, 1);
    await waitingOrEnded(number);
    stopFailures.on = true;
    expect((await act(number, 'claim')).status).toBe(200);
    expect((await execution(number)).status).toBe('RUNNING');
    await minutes(10);
    await eventually('the execution to end by itself', async () => (await execution(number)).status === 'SUCCEEDED');
    expect(await pagesOf(number, 1)).toHaveLength(1);
  });
});

describe('repeat', () => {
  it('runs the matrix again after the last level, then stops', async () => {
    const number = await raise('batch');
    await pagesOf(number, 1);
    for (let i = 0; i < 3; i++) {
      await waitingOrEnded(number);
      await minutes(10);
    }
    const pages = await pagesOf(number, 4);
    expect(recipients(pages)).toEqual(['twice-oncall@example.com', 'twice-manager@example.com', 'twice-oncall@example.com', 'twice-manager@example.com']);
    await eventually('the execution to end', async () => (await execution(number)).status === 'SUCCEEDED');
    await minutes(60);
    expect(await pagesOf(number, 4)).toHaveLength(4);
    expect(pages[2]!.subject).toContain('(level 1)');
  });
});

describe('failures', () => {
  it('records a permanent SES failure and still pages the next level', async () => {
    sesFaults.set('broken@example.com', { name: 'MessageRejected', status: 400, times: 99 });
    const number = await raise('billing');
    expect(recipients(await pagesOf(number, 1))).toEqual(['flaky@example.com']);
    await waitingOrEnded(number);
    await minutes(10);
    expect(recipients(await pagesOf(number, 2))).toEqual(['flaky@example.com', 'fragile-manager@example.com']);
    const failed = (await incident(number)).timeline.filter((e: { type: string }) => e.type === 'notify_failed');
    expect(failed).toEqual([expect.objectContaining({ to: 'broken@example.com', level: 1, note: expect.stringContaining('MessageRejected') })]);
  });

  it('retries throttled sends with backoff and delivers exactly one email each', async () => {
    sesFaults.set('flaky@example.com', { name: 'TooManyRequestsException', status: 429, times: 2 });
    const number = await raise('billing');
    // The state machine retries after 5 s, then 10 s.
    await clock.advance(14_999);
    expect(await pagesOf(number, 1)).toHaveLength(1);
    await clock.advance(1);
    const pages = await pagesOf(number, 2);
    // broken@ went through on the first attempt and was not sent again by the retries.
    expect(recipients(pages).sort()).toEqual(['broken@example.com', 'flaky@example.com']);
    const settled = await incident(number);
    expect(settled.timeline.filter((e: { type: string }) => e.type === 'notified').map((e: { to: string }) => e.to).sort()).toEqual([
      'broken@example.com',
      'flaky@example.com',
    ]);
    expect(await pagesOf(number, 2)).toHaveLength(2);
  });
});

describe('the snapshot', () => {
  it('keeps the running escalation as frozen when the team matrix is edited', async () => {
    const number = await raise('payments');
    await pagesOf(number, 1);
    await waitingOrEnded(number);
    const edited = onCallConfigSchema.parse({
      ...rawConfig,
      teams: { ...rawConfig.teams, ops: { ...rawConfig.teams.ops, escalation: { levels: [{ targets: ['oncall'] }, { delayMinutes: 60, targets: [{ email: 'cto@example.com' }] }] } } },
    });
    await applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, edited, { env: {}, secrets: new Map(Object.entries(system.keys)) });
    try {
      await minutes(10);
      expect(recipients(await pagesOf(number, 2))).toEqual(['ops-oncall@example.com', 'ops-manager@example.com']);
      // A new incident takes the edited matrix.
      const next = await raise('payments');
      await pagesOf(next, 1);
      expect((await waitingOrEnded(next)).escalation.levels[1]).toEqual({ delayMinutes: 60, targets: ['email:cto@example.com'] });
    } finally {
      await applyOnCallConfig(documentClient(system.runtime.clients.dynamoDb), system.runtime.deployment.tables, config, { env: {}, secrets: new Map(Object.entries(system.keys)) });
    }
  });
});

describe('the calendar', () => {
  it('takes the day in the team time zone across a DST change and a midnight', async () => {
    // 2026-11-01 is the end of daylight saving time in New York. 2026-11-02T04:20Z is 23:20 on Nov 1
    // there (EST, UTC-5); one hour later it is 00:20 on Nov 2. Under EDT (UTC-4) it would already be Nov 2.
    vi.setSystemTime(new Date('2026-11-02T04:20:00Z'));
    const number = await raise('ledger');
    expect(recipients(await pagesOf(number, 1))).toEqual(['nov1-oncall@example.com']);
    await waitingOrEnded(number);
    await minutes(60);
    expect(recipients(await pagesOf(number, 2))).toEqual(['nov1-oncall@example.com', 'nov2-manager@example.com']);
  });

  it('pages the default contact on a day without an entry, and says so on the timeline', async () => {
    const number = await raise('orphans');
    expect(recipients(await pagesOf(number, 1))).toEqual(['nobody-lead@example.com']);
    const gap = (await incident(number)).timeline.find((e: { type: string }) => e.type === 'oncall_gap');
    expect(gap).toMatchObject({ level: 1, to: 'schedule:oncall', note: expect.stringContaining('nobody is on call in schedule oncall of team nobody') });
  });
});

describe('the links in a page', () => {
  const linkIn = (page: SentEmail, action: 'Claim' | 'Resolve') => new RegExp(`${action}: +(\\S+)`).exec(page.text)![1]!;

  it('open a confirmation page on GET that changes nothing; its POST claims as the recipient and stops the escalation', async () => {
    const number = await raise('payments');
    const [page] = await pagesOf(number, 1);
    const claimUrl = linkIn(page!, 'Claim');
    const shown = await fetch(claimUrl);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toContain('text/html');
    const html = await shown.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain(`Claim #${number}`);
    expect((await incident(number)).state).toBe('OPEN');

    const posted = await fetch(claimUrl, { method: 'POST' });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('Claimed by ops-oncall@example.com');
    expect(await incident(number)).toMatchObject({ state: 'CLAIMED', claimedBy: 'ops-oncall@example.com' });
    await eventually('the execution to stop', async () => (await execution(number)).status === 'ABORTED');
  });

  it('refuse an expired, altered or another incident\'s link, changing nothing', async () => {
    const number = await raise('payments');
    const [page] = await pagesOf(number, 1);
    const resolveUrl = linkIn(page!, 'Resolve');
    const other = await raise('payments');
    const [otherPage] = await pagesOf(other, 1);
    const [, otherSignature] = linkIn(otherPage!, 'Resolve').split('/actions/')[1]!.split('.');
    const [base, token] = resolveUrl.split('/actions/');
    const spliced = `${base}/actions/${token!.split('.')[0]}.${otherSignature}`;
    const tampered = resolveUrl.slice(0, -2) + (resolveUrl.endsWith('AA') ? 'BB' : 'AA');
    for (const url of [spliced, tampered]) {
      const res = await fetch(url, { method: 'POST' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Nothing was changed');
    }
    await waitingOrEnded(number);
    await clock.advance(25 * 60 * 60 * 1000);
    const expired = await fetch(resolveUrl, { method: 'POST' });
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain('expired');
    expect((await incident(number)).state).toBe('OPEN');
  });
});

describe('a restart of the local runtime', () => {
  it('resumes an escalation in the middle of its wait and sends the next level once', async () => {
    const tablePrefix = `restart${Math.random().toString(36).slice(2, 8)}`;
    const secrets = new Map<string, string>();
    const first = await startTestSystem({ config, tablePrefix, secrets });
    others.add(first);
    const key = first.keys['payments-key']!;
    const created = await first.request('PUT', '/incidents', { key, body: validEvent({ service: 'payments', title: 'restart me' }) });
    const number = created.body.number as number;
    await pagesOf(number, 1);
    await eventually('the wait', async () => {
      const res = await first.request('GET', `/incidents/${number}`, { key: first.keys.responders! });
      return res.body.escalation?.progress.level === 1;
    });
    await minutes(4);
    await first.stop();
    others.delete(first);

    const second = await startTestSystem({ config, tablePrefix, secrets });
    others.add(second);
    try {
      expect(second.runtime.resumed).toBeGreaterThanOrEqual(1);
      // The resumed execution reads the incident (level 2 not yet due) and goes back to waiting.
      await minutes(5);
      expect(await pagesOf(number, 1)).toHaveLength(1);
      await minutes(1);
      expect(recipients(await pagesOf(number, 2))).toEqual(['ops-oncall@example.com', 'ops-manager@example.com']);
      await minutes(30);
      expect(await pagesOf(number, 2)).toHaveLength(2);
    } finally {
      await second.stop();
      others.delete(second);
    }
  });
});
