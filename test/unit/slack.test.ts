import { DEFAULT_URGENCY_POLICY } from '../../lambdas/domain/escalation/urgency';
import { Logger } from '@aws-lambda-powertools/logger';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { slackButtonClickOf } from '../../lambdas/adapters/slack-interactivity';
import { parseSlackSecret, SlackSecretNotSetError, sortSlackError } from '../../lambdas/adapters/slack-web-api';
import { signSlackRequest, verifySlackRequest } from '../../lambdas/domain/access/slack-signature';
import { type Incident, openIncident, type TimelineEntry } from '../../lambdas/domain/incident/incident';
import type { NotifyResult } from '../../lambdas/domain/notification/notification';
import { renderSlackPage, type SlackMessage } from '../../lambdas/domain/notification/slack';
import { postPageToSlackChannel, refreshSlackMessages, slackMessageIdsOf } from '../../lambdas/domain/notification/slack-messages';
import type { IncidentUseCaseDeps } from '../../lambdas/domain/incident/incident-use-cases';
import { UnauthorizedError, ValidationError } from '../../lambdas/domain/shared/errors';
import { createSlackActionRoute } from '../../lambdas/http/slack-action-route';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = new Date('2026-11-24T10:04:00Z');
const nowSeconds = String(NOW.getTime() / 1000);
const body = Buffer.from('payload=%7B%22type%22%3A%22block_actions%22%7D');

const open = (title = '5xx Error Spike', message = '5xx rate above 5%') =>
  openIncident({ service: 'athens', severity: 'CRIT', title, message, detectedAt: '2026-11-24T10:00:00Z' }, 100042, 'devops', 'nagios', new Date('2026-11-24T10:00:00Z'));

/** The error verifySlackRequest throws, or undefined when it accepts. */
function refusal(request: Partial<Parameters<typeof verifySlackRequest>[0]>, now = NOW) {
  try {
    verifySlackRequest({ timestamp: nowSeconds, signature: signSlackRequest(SECRET, nowSeconds, body), rawBody: body, ...request }, SECRET, now);
    return undefined;
  } catch (error) {
    return error as UnauthorizedError;
  }
}

describe('Slack request signature', () => {
  it("is Slack's v0 HMAC-SHA256 over v0:{timestamp}:{raw body}, as in Slack's own example", () => {
    // From Slack's "Verifying requests from Slack" documentation.
    const documented = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest(SECRET, '1531420618', documented)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('accepts a correctly signed request up to 5 minutes old', () => {
    expect(refusal({})).toBeUndefined();
    const old = String(NOW.getTime() / 1000 - 300);
    expect(refusal({ timestamp: old, signature: signSlackRequest(SECRET, old, body) })).toBeUndefined();
  });

  it('refuses a wrong, missing or truncated signature with 401 naming X-Slack-Signature', () => {
    const signature = signSlackRequest(SECRET, nowSeconds, body);
    for (const bad of [signSlackRequest('another secret', nowSeconds, body), `${signature.slice(0, -1)}0`, signature.slice(0, 10), undefined]) {
      const error = refusal({ signature: bad });
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error!.details).toEqual([{ field: 'x-slack-signature', problem: expect.stringMatching(/^must be v0=/) }]);
    }
    // The body as signed, byte for byte: one changed byte fails.
    expect(refusal({ rawBody: Buffer.from(`${body.toString()}x`) })).toBeInstanceOf(UnauthorizedError);
  });

  it('refuses a request stamped more than 5 minutes away, however well signed, naming X-Slack-Request-Timestamp', () => {
    for (const offset of [-301, 301, -86_400]) {
      const at = String(NOW.getTime() / 1000 + offset);
      const error = refusal({ timestamp: at, signature: signSlackRequest(SECRET, at, body) });
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error!.details[0]!.field).toBe('x-slack-request-timestamp');
    }
    expect(refusal({ timestamp: undefined })!.details[0]!.field).toBe('x-slack-request-timestamp');
    expect(refusal({ timestamp: '1e9' })!.details[0]!.field).toBe('x-slack-request-timestamp');
  });
});

const buttonsOf = (message: SlackMessage) => message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
const stateOf = (message: SlackMessage) => message.blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []))[0];

describe('Slack page', () => {
  it('shows an open incident with Claim and Resolve buttons that name it', () => {
    const message = renderSlackPage(open());
    expect(message.text).toBe('[CRIT] #100042 5xx Error Spike (athens): open');
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*[CRIT] #100042 5xx Error Spike*\nService: athens · Severity: CRIT · Occurrences: 1 · Detected: <!date^1795514400^{time}|10:00 UTC>',
      },
    });
    expect(message.blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: '5xx rate above 5%' } });
    expect(stateOf(message)).toBe('Open: nobody has claimed it yet');
    expect(buttonsOf(message)).toEqual([
      { type: 'button', action_id: 'claim', value: '100042', text: { type: 'plain_text', text: 'Claim' }, style: 'primary' },
      { type: 'button', action_id: 'resolve', value: '100042', text: { type: 'plain_text', text: 'Resolve' }, style: 'danger' },
    ]);
  });

  it("escapes Slack's markup in the title, so an alert cannot mention @channel or forge a link", () => {
    const message = renderSlackPage(open('Disk <b>full</b> & <!channel> <https://evil.example|login>'));
    expect(message.blocks[0]!.type === 'section' && message.blocks[0]!.text.text).toMatch(
      /^\*\[CRIT\] #100042 Disk &lt;b&gt;full&lt;\/b&gt; &amp; &lt;!channel&gt; &lt;https:\/\/evil\.example\|login&gt;\*\n/,
    );
  });

  it('says who claimed it and when, in the reader\'s time zone, and keeps only Resolve', () => {
    const claimed: Incident = { ...open(), state: 'CLAIMED', claimedBy: 'safeer@example.com', claimedAt: '2026-11-24T10:04:00Z' };
    const message = renderSlackPage(claimed, (email) => (email === 'safeer@example.com' ? 'Safeer' : email));
    expect(stateOf(message)).toBe('Claimed by Safeer at <!date^1795514640^{time}|10:04 UTC>');
    expect(buttonsOf(message).map((b) => b.action_id)).toEqual(['resolve']);
    expect(message.text).toBe('[CRIT] #100042 5xx Error Spike (athens): claimed');
  });

  it('shows a resolved incident without buttons, by the address when no name is known', () => {
    const resolved: Incident = { ...open(), state: 'RESOLVED', resolvedBy: 'manoj@example.com', resolvedAt: '2026-11-24T11:30:00Z' };
    const message = renderSlackPage(resolved);
    expect(stateOf(message)).toBe('Resolved by manoj@example.com at <!date^1795519800^{time}|11:30 UTC>');
    expect(message.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('keeps every text within what Slack takes, however long the alert', () => {
    const message = renderSlackPage(open('t'.repeat(1_000), 'm'.repeat(40_000)));
    for (const block of message.blocks) if (block.type === 'section') expect([...block.text.text].length).toBeLessThanOrEqual(3_000);
    expect([...message.text].length).toBeLessThanOrEqual(3_000);
  });
});

describe('Slack API errors', () => {
  it('are retryable when Slack is busy or unreachable, permanent when a person must act, with Slack\'s code as the reason', () => {
    const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });
    expect(sortSlackError(new WebAPIRateLimitedError(30))).toEqual({ outcome: 'retryable', reason: 'slack rate limited: retry after 30 s' });
    expect(sortSlackError(new WebAPIRequestError(new Error('ECONNRESET')))).toEqual({ outcome: 'retryable', reason: 'slack unreachable: ECONNRESET' });
    expect(sortSlackError(new WebAPIHTTPError(503, 'Service Unavailable', {}))).toMatchObject({ outcome: 'retryable' });
    expect(sortSlackError(new WebAPIHTTPError(413, 'Payload Too Large', {}))).toMatchObject({ outcome: 'permanent' });
    expect(sortSlackError(platform('internal_error'))).toEqual({ outcome: 'retryable', reason: 'slack internal_error' });
    for (const code of ['channel_not_found', 'account_inactive', 'invalid_auth', 'not_in_channel', 'is_archived']) {
      expect(sortSlackError(platform(code))).toEqual({ outcome: 'permanent', reason: `slack ${code}` });
    }
  });
});

describe('the Slack secret', () => {
  it('is the JSON of the bot token and the signing secret', () => {
    expect(parseSlackSecret(JSON.stringify({ botToken: 'xoxb-1-2-abc', signingSecret: SECRET }))).toEqual({ botToken: 'xoxb-1-2-abc', signingSecret: SECRET });
  });

  it('says what to put there while it is not, without quoting what it holds', () => {
    const notSet = (text: string) => {
      try {
        parseSlackSecret(text);
      } catch (error) {
        expect(error).toBeInstanceOf(SlackSecretNotSetError);
        return (error as Error).message;
      }
      return '';
    };
    // What the stack creates: a random value, not JSON.
    expect(notSet('q7T3kL9vXz')).toBe('the Slack secret is not JSON: put {"botToken":"xoxb-...","signingSecret":"..."} in it');
    expect(notSet('q7T3kL9vXz')).not.toContain('q7T3');
    expect(notSet(JSON.stringify({ botToken: 'xoxp-user-token-9z', signingSecret: SECRET }))).toMatch(/botToken must be a bot token \(xoxb-\.\.\.\)$/);
    expect(notSet(JSON.stringify({ botToken: 'xoxp-user-token-9z', signingSecret: SECRET }))).not.toContain('9z');
    expect(notSet('{"botToken":"xoxb-1"}')).toMatch(/signingSecret/);
  });
});

describe('Slack interaction payload', () => {
  const form = (payload: unknown) => Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  const click = {
    type: 'block_actions',
    user: { id: 'U024BE7LH', username: 'safeer' },
    container: { type: 'message', channel_id: 'D024BE7LH', message_ts: '1763978400.000100' },
    actions: [{ action_id: 'claim', block_id: 'incident-100042', value: '100042', type: 'button' }],
    team: { id: 'T1DC2JH3J' },
  };

  it('is read into who clicked what, on which message', () => {
    expect(slackButtonClickOf(form(click))).toEqual({ user: 'U024BE7LH', action: 'claim', incident: 100042, conversation: 'D024BE7LH', messageTs: '1763978400.000100' });
  });

  it('is refused with 400 naming the field at fault', () => {
    const problemOf = (raw: Buffer) => {
      try {
        slackButtonClickOf(raw);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).details.map((d) => d.field);
      }
      return [];
    };
    expect(problemOf(Buffer.from('text=hi'))).toEqual(['payload']);
    expect(problemOf(Buffer.from('payload=%7Bnot json'))).toEqual(['payload']);
    expect(problemOf(form({ ...click, actions: [{ action_id: 'delete', value: '100042' }] }))).toEqual(['payload.actions.0.action_id']);
    expect(problemOf(form({ ...click, user: { id: 'nobody' } }))).toEqual(['payload.user.id']);
  });
});

/** A fake of the Slack port: posts answer `result`, updates may fail by message id. */
function fakeSlack(result: NotifyResult = { outcome: 'sent', messageId: 'C0PAGES/1763978400.000200' }, failing = new Set<string>()) {
  const posted: { conversation: string; message: SlackMessage }[] = [];
  const updated: { messageId: string; message: SlackMessage }[] = [];
  return {
    posted,
    updated,
    post: async (conversation: string, message: SlackMessage) => {
      posted.push({ conversation, message });
      return result;
    },
    update: async (messageId: string, message: SlackMessage) => {
      if (failing.has(messageId)) throw new Error('message_not_found');
      updated.push({ messageId, message });
    },
  };
}

/** An in-memory incident store holding one incident. */
function fakeIncidents(incident: Incident) {
  let current = incident;
  return {
    get current() {
      return current;
    },
    get: async (number: number) => (number === current.number ? current : undefined),
    appendTimeline: async (_number: number, entries: readonly TimelineEntry[]) => {
      current = { ...current, timeline: [...current.timeline, ...entries] };
    },
  };
}

const notified = (to: string, messageId: string): TimelineEntry => ({ at: '2026-11-24T10:00:01Z', type: 'notified', by: 'inresponse', to, channel: 'slack', level: 1, round: 0, messageId });

describe('refreshing Slack messages', () => {
  it('updates every Slack message of the incident once, to show where it stands, and reports the ones that failed', async () => {
    const claimed: Incident = {
      ...open(),
      state: 'CLAIMED',
      claimedBy: 'safeer@example.com',
      claimedAt: '2026-11-24T10:04:00Z',
      timeline: [
        ...open().timeline,
        notified('U024BE7LH', 'D024BE7LH/1763978401.000100'),
        notified('C0PAGES', 'C0PAGES/1763978401.000200'),
        { ...notified('+33612345678', 'sms-id'), channel: 'sms' },
        // The same message recorded twice (a retried step) is updated once.
        notified('U024BE7LH', 'D024BE7LH/1763978401.000100'),
        notified('U0GONE', 'D0GONE/1763978401.000300'),
      ],
    };
    expect(slackMessageIdsOf(claimed)).toEqual(['D024BE7LH/1763978401.000100', 'C0PAGES/1763978401.000200', 'D0GONE/1763978401.000300']);
    const slack = fakeSlack(undefined, new Set(['D0GONE/1763978401.000300']));
    const result = await refreshSlackMessages({ incidents: fakeIncidents(claimed), messages: slack }, 100042, { nameOf: () => 'Safeer' });
    expect(result).toEqual({ updated: 2, failed: ['D0GONE/1763978401.000300: message_not_found'] });
    expect(slack.updated.map((u) => [u.messageId, stateOf(u.message)])).toEqual([
      ['D024BE7LH/1763978401.000100', 'Claimed by Safeer at <!date^1795514640^{time}|10:04 UTC>'],
      ['C0PAGES/1763978401.000200', 'Claimed by Safeer at <!date^1795514640^{time}|10:04 UTC>'],
    ]);
  });
});

describe('posting a page in a Slack channel', () => {
  const deps = (incidents: ReturnType<typeof fakeIncidents>, slack: ReturnType<typeof fakeSlack>, channels: { service?: string; team?: string }) => ({
    incidents,
    messages: slack,
    findService: async (id: string) => ({ id, team: 'devops', urgency: DEFAULT_URGENCY_POLICY, ...(channels.service ? { slackChannel: channels.service } : {}) }),
    findTeam: async (name: string) => ({ name, timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { repeat: 0, repeatAfterMinutes: 10, levels: [] }, ...(channels.team ? { slackChannel: channels.team } : {}) }),
    clock: () => NOW,
  });

  it("posts in the service's channel, else the team's, once, and records it for later updates", async () => {
    const incidents = fakeIncidents(open());
    const slack = fakeSlack();
    expect(await postPageToSlackChannel(deps(incidents, slack, { service: 'C0PAGES', team: 'C0TEAM' }), incidents.current)).toEqual({ outcome: 'sent', messageId: 'C0PAGES/1763978400.000200' });
    expect(slack.posted.map((p) => [p.conversation, buttonsOf(p.message).length])).toEqual([['C0PAGES', 2]]);
    expect(incidents.current.timeline.at(-1)).toEqual({
      at: NOW.toISOString(), type: 'notified', by: 'inresponse', to: 'C0PAGES', channel: 'slack', messageId: 'C0PAGES/1763978400.000200', note: 'in the Slack channel of service athens',
    });
    expect(await postPageToSlackChannel(deps(incidents, slack, { service: 'C0PAGES' }), incidents.current)).toEqual({ outcome: 'skipped', reason: 'already posted in C0PAGES' });
    expect(slack.posted).toHaveLength(1);

    const teamOnly = fakeIncidents(open());
    await postPageToSlackChannel(deps(teamOnly, slack, { team: 'C0TEAM' }), teamOnly.current);
    expect(teamOnly.current.timeline.at(-1)).toMatchObject({ to: 'C0TEAM', note: 'in the Slack channel of team devops' });
  });

  it('posts nothing where no channel is named or the incident is no longer open; records a permanent failure, not a retryable one', async () => {
    const slack = fakeSlack();
    const unnamed = fakeIncidents(open());
    expect(await postPageToSlackChannel(deps(unnamed, slack, {}), unnamed.current)).toMatchObject({ outcome: 'skipped' });
    const claimed = fakeIncidents({ ...open(), state: 'CLAIMED' });
    expect(await postPageToSlackChannel(deps(claimed, slack, { team: 'C0TEAM' }), claimed.current)).toMatchObject({ outcome: 'skipped' });
    expect(slack.posted).toEqual([]);

    const archived = fakeIncidents(open());
    await postPageToSlackChannel(deps(archived, fakeSlack({ outcome: 'permanent', reason: 'slack is_archived' }), { team: 'C0TEAM' }), archived.current);
    expect(archived.current.timeline.at(-1)).toMatchObject({ type: 'notify_failed', to: 'C0TEAM', channel: 'slack', note: 'slack is_archived' });
    const busy = fakeIncidents(open());
    expect(await postPageToSlackChannel(deps(busy, fakeSlack({ outcome: 'retryable', reason: 'slack rate limited' }), { team: 'C0TEAM' }), busy.current)).toMatchObject({ outcome: 'retryable' });
    expect(busy.current.timeline).toEqual(open().timeline);
  });
});

describe('POST /slack/actions', () => {
  it('checks the signature over the raw body even when API Gateway hands it over base64-encoded', async () => {
    const ephemeral: string[] = [];
    const route = createSlackActionRoute({
      actions: {
        // Only the clock is read before a click by a Slack user linked to no person is answered.
        useCases: { clock: () => NOW } as unknown as IncidentUseCaseDeps,
        personBySlackUser: async () => undefined,
        messages: { post: async () => ({ outcome: 'permanent', reason: 'unused' }), update: async () => undefined, postEphemeral: async (_c, user) => void ephemeral.push(user) },
      },
      signingSecret: SECRET,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    const raw = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0NOBODY' }, container: { channel_id: 'C0PAGES', message_ts: '1.000001' }, actions: [{ action_id: 'claim', value: '100042' }] }))}`;
    const post = (signedOver: string) =>
      route(
        {
          routeKey: 'POST /slack/actions',
          requestContext: { requestId: 'req-1' },
          headers: { 'x-slack-request-timestamp': nowSeconds, 'x-slack-signature': signSlackRequest(SECRET, nowSeconds, signedOver) },
          body: Buffer.from(raw).toString('base64'),
          isBase64Encoded: true,
        } as unknown as APIGatewayProxyEventV2,
        { awsRequestId: 'req-1', functionName: 'slackActions' } as unknown as Context,
      );
    expect(await post(raw)).toMatchObject({ statusCode: 200, body: '' });
    expect(ephemeral).toEqual(['U0NOBODY']);
    expect((await post(Buffer.from(raw).toString('base64'))).statusCode).toBe(401);
    expect(ephemeral).toHaveLength(1);
  });
});
