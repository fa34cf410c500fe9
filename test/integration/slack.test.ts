import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackPageDeps } from '../../lambdas/composition';
import { signSlackRequest } from '../../lambdas/domain/access/slack-signature';
import { postPageToSlackChannel } from '../../lambdas/domain/notification/slack-messages';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually } from '../support/time';

const config = onCallConfigSchema.parse({
  people: {
    safeer: { name: 'Safeer', email: 'safeer@example.com', slack: 'U0SAFEER' },
    manoj: { name: 'Manoj', email: 'manoj@example.com', slack: 'U0MANOJ' },
  },
  teams: {
    ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', slackChannel: 'C0OPS', escalation: { levels: [{ targets: ['person:safeer'] }] } },
  },
  services: { pay: { team: 'ops', slackChannel: 'C0PAY' }, web: { team: 'ops' } },
  apiKeys: { 'pay-key': { role: 'integration', service: 'pay' }, 'web-key': { role: 'integration', service: 'web' }, responders: { role: 'responder' } },
});

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem({ config });
});
afterAll(() => system.stop());

interface SlackCall {
  method: string;
  channel: string;
  ts: string;
  request: { channel: string; user?: string; text: string; blocks?: { type: string; elements?: { action_id?: string; value?: string; text: string }[] }[] };
}
const slackCalls = async () => ((await (await fetch(`${system.runtime.slackUrl}/messages`)).json()) as { messages: SlackCall[] }).messages;
const buttonsOf = (call: SlackCall) => (call.request.blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => [e.action_id, e.value]));
const stateOf = (call: SlackCall) => (call.request.blocks ?? []).find((b) => b.type === 'context')!.elements![0]!.text;

const raise = async (service: string, title: string) => {
  const res = await system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, title }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
};
const incident = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;

/** The Slack message of a page to `to` (a person's user id, else a channel), once the escalation has recorded it. */
const slackPage = (number: number, to?: string) =>
  eventually(`the Slack page of #${number}`, async () => {
    const entry = (await incident(number)).timeline.find(
      (e: { type: string; channel?: string; to: string }) => e.type === 'notified' && e.channel === 'slack' && (to === undefined ? e.to.startsWith('U') : e.to === to),
    );
    return entry as { to: string; messageId: string; note: string } | undefined;
  });

/** The body Slack posts when `user` clicks `action` on a message, form-encoded. */
const clickBody = (user: string, action: string, number: number, messageId: string) => {
  const [channel, ts] = messageId.split('/');
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase() },
    team: { id: 'T0LOCAL' },
    container: { type: 'message', channel_id: channel, message_ts: ts },
    channel: { id: channel },
    message: { ts },
    actions: [{ type: 'button', action_id: action, block_id: `incident-${number}`, value: String(number), action_ts: '1.2' }],
    response_url: 'https://hooks.slack.com/actions/T0LOCAL/1/x',
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
};

/** POSTs to /slack/actions as Slack does: signed with the signing secret (or as told), stamped now (or as told). */
const postAction = (body: string, { secret = system.runtime.slackSigningSecret, ageSeconds = 0 } = {}) => {
  const timestamp = String(Math.floor(Date.now() / 1000) - ageSeconds);
  return system.request('POST', '/slack/actions', {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(secret, timestamp, body),
    },
  });
};

describe('pages in Slack', () => {
  it('sends a person with a Slack id a direct message with Claim and Resolve buttons, recorded for later updates', async () => {
    const number = await raise('pay', 'Checkout <5xx> spike');
    const entry = await slackPage(number);
    expect(entry).toMatchObject({ to: 'U0SAFEER', note: 'as person safeer by slack', messageId: expect.stringMatching(/^D0SAFEER\/\d+\.\d{6}$/) });
    const [dm] = (await slackCalls()).filter((c) => c.method === 'chat.postMessage' && `${c.channel}/${c.ts}` === entry.messageId);
    expect(dm!.request.channel).toBe('U0SAFEER');
    expect(dm!.request.text).toBe(`[CRIT] #${number} Checkout <5xx> spike (pay): open`);
    expect(buttonsOf(dm!)).toEqual([
      ['claim', String(number)],
      ['resolve', String(number)],
    ]);
  });

  it("posts the page in the service's channel, else the team's, once", async () => {
    const deps = slackPageDeps({ dynamoDb: system.runtime.clients.dynamoDb, slack: system.runtime.clients.slack! }, system.runtime.deployment.tables).channelPost;
    const pay = await raise('pay', 'in the service channel');
    const web = await raise('web', 'in the team channel');
    expect(await slackPage(pay, 'C0PAY')).toMatchObject({ messageId: expect.stringMatching(/^C0PAY\//) });
    expect(await slackPage(web, 'C0OPS')).toMatchObject({ messageId: expect.stringMatching(/^C0OPS\//) });
    expect(await postPageToSlackChannel(deps, await incident(pay))).toEqual({ outcome: 'skipped', reason: 'already posted in C0PAY' });
    const posts = (await slackCalls())
      .filter((c) => c.method === 'chat.postMessage' && c.channel.startsWith('C') && c.request.text.includes('channel ('))
      .map((c) => [c.channel, buttonsOf(c).length]);
    expect(posts.sort()).toEqual([
      ['C0OPS', 2],
      ['C0PAY', 2],
    ]);
    expect((await incident(web)).timeline).toContainEqual(expect.objectContaining({ type: 'notified', channel: 'slack', to: 'C0OPS', note: 'in the Slack channel of team ops' }));
  });

  it('lists Slack messages in the one outbox viewer, beside the email', async () => {
    const number = await raise('pay', 'seen in the outbox');
    await slackPage(number);
    await slackPage(number, 'C0PAY');
    const { messages } = (await (await fetch(`${system.runtime.outboxUrl}/messages`)).json()) as { messages: { at: string; channel: string; to: string; text: string }[] };
    const mine = messages.filter((m) => m.text.includes(`#${number} `));
    expect(mine.map((m) => [m.channel, m.to]).sort()).toEqual([
      ['email', 'safeer@example.com'],
      ['slack', 'C0PAY'],
      ['slack', 'D0SAFEER'],
    ]);
    expect(messages.map((m) => m.at)).toEqual(messages.map((m) => m.at).sort().reverse());
  });
});

describe('Slack messages', () => {
  it('show a claim and a resolve made anywhere else (here through the API), updated by the announcer', async () => {
    const number = await raise('pay', 'claimed elsewhere');
    const dm = await slackPage(number);
    const act = (action: string) => system.request('POST', `/incidents/${number}`, { key: system.keys.responders!, body: { action, by: 'safeer@example.com' } });
    expect((await act('claim')).status).toBe(200);
    const claimedUpdate = await eventually('the DM updated after the claim', async () =>
      (await slackCalls()).find((c) => c.method === 'chat.update' && `${c.channel}/${c.ts}` === dm.messageId && stateOf(c).startsWith('Claimed by Safeer')),
    );
    expect(buttonsOf(claimedUpdate)).toEqual([['resolve', String(number)]]);
    expect((await act('resolve')).status).toBe(200);
    const resolvedUpdate = await eventually('the DM updated after the resolve', async () =>
      (await slackCalls()).find((c) => c.method === 'chat.update' && `${c.channel}/${c.ts}` === dm.messageId && stateOf(c).startsWith('Resolved by Safeer')),
    );
    expect(buttonsOf(resolvedUpdate)).toEqual([]);
  });
});

describe('Slack buttons', () => {
  it('claim as the linked person with a valid signature, and every Slack message of the incident shows who claimed it', async () => {
    const number = await raise('pay', 'claim me in Slack');
    const dm = await slackPage(number);
    const channelPost = await slackPage(number, 'C0PAY');

    const res = await postAction(clickBody('U0SAFEER', 'claim', number, dm.messageId));
    expect(res.status).toBe(200);
    const claimed = await incident(number);
    expect(claimed).toMatchObject({ state: 'CLAIMED', claimedBy: 'safeer@example.com' });
    expect(claimed.timeline).toContainEqual(expect.objectContaining({ type: 'claimed', by: 'safeer@example.com', note: 'in Slack' }));

    // The click updates the messages itself; the announcement of the claim may update them again, the same way.
    const updates = (await slackCalls()).filter((c) => c.method === 'chat.update' && c.request.text.includes(`#${number} `));
    expect([...new Set(updates.map((u) => `${u.channel}/${u.ts}`))].sort()).toEqual([dm.messageId, channelPost.messageId].sort());
    for (const update of updates) {
      expect(stateOf(update)).toMatch(/^Claimed by Safeer at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>$/);
      expect(buttonsOf(update)).toEqual([['resolve', String(number)]]);
    }

    // Another linked person resolves from the channel post: no buttons are left.
    expect((await postAction(clickBody('U0MANOJ', 'resolve', number, dm.messageId))).status).toBe(200);
    expect(await incident(number)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'manoj@example.com' });
    const last = (await slackCalls()).find((c) => c.method === 'chat.update' && c.request.text.includes(`#${number} `))!;
    expect(stateOf(last)).toMatch(/^Resolved by Manoj at /);
    expect(buttonsOf(last)).toEqual([]);

    // A stale Claim button, clicked after the resolve: refused only to the clicker, and the message brought up to date.
    const updatesBefore = (await slackCalls()).filter((c) => c.method === 'chat.update').length;
    expect((await postAction(clickBody('U0SAFEER', 'claim', number, dm.messageId))).status).toBe(200);
    const refusal = (await slackCalls()).find((c) => c.method === 'chat.postEphemeral' && c.request.user === 'U0SAFEER');
    expect(refusal!.request.text).toMatch(new RegExp(`^InResponse: #${number} was not changed: cannot claim`));
    expect((await slackCalls()).filter((c) => c.method === 'chat.update').length).toBeGreaterThanOrEqual(updatesBefore + 2);
    expect(await incident(number)).toMatchObject({ state: 'RESOLVED', resolvedBy: 'manoj@example.com' });
  });

  it('refuse with 401 JSON a bad signature and a timestamp older than 5 minutes, changing nothing', async () => {
    const number = await raise('pay', 'not by a forger');
    const dm = await slackPage(number);
    const before = (await slackCalls()).length;
    const body = clickBody('U0SAFEER', 'claim', number, dm.messageId);

    const forged = await postAction(body, { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: 'unauthorized', details: [{ field: 'x-slack-signature' }] });
    const replayed = await postAction(body, { ageSeconds: 301 });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ error: 'unauthorized', details: [{ field: 'x-slack-request-timestamp' }] });
    const unsigned = await system.request('POST', '/slack/actions', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.status).toBe(401);

    expect((await incident(number)).state).toBe('OPEN');
    expect((await slackCalls()).length).toBe(before);
  });

  it('answer a Slack user linked to no person with a message only they see, changing nothing', async () => {
    const number = await raise('pay', 'not by a stranger');
    const dm = await slackPage(number);
    const res = await postAction(clickBody('U0STRANGER', 'claim', number, dm.messageId));
    expect(res.status).toBe(200);
    const [ephemeral] = await slackCalls();
    expect(ephemeral).toMatchObject({ method: 'chat.postEphemeral', channel: 'D0SAFEER', request: { user: 'U0STRANGER' } });
    expect(ephemeral!.request.text).toMatch(/linked to no on-call person, so nothing was changed/);
    expect((await incident(number)).state).toBe('OPEN');
    expect((await slackCalls()).filter((c) => c.method === 'chat.update' && c.request.text.includes(`#${number} `))).toEqual([]);
  });

  it('refuse a well-signed request that is not a button click with 400 naming the field', async () => {
    const res = await postAction(`payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0SAFEER' } }))}`);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['payload.container', 'payload.actions']);
  });
});
