import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { smsSegments } from '../../lambdas/domain/notification/sms';
import { validEvent } from '../support/fixtures';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually } from '../support/time';

const config = onCallConfigSchema.parse({
  people: {
    ana: { name: 'Ana', email: 'ana@example.com', phone: '+33612345678' },
    ben: { name: 'Ben', email: 'ben@example.com', phone: '+14155550100' },
    cy: { name: 'Cy', email: 'cy@example.com', phone: '+447700900123' },
  },
  teams: {
    ops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ana'] }] } },
    flaky: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:ben'] }] } },
    gone: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com', escalation: { levels: [{ targets: ['person:cy'] }] } },
  },
  services: { pay: { team: 'ops' }, batch: { team: 'flaky' }, old: { team: 'gone' } },
  apiKeys: {
    'pay-key': { role: 'integration', service: 'pay' },
    'batch-key': { role: 'integration', service: 'batch' },
    'old-key': { role: 'integration', service: 'old' },
    responders: { role: 'responder' },
  },
});

/** Failures of SendTextMessage (not of voice calls) per number, injected at the SDK client: the stand-in does not throttle. */
const smsFaults = new Map<string, { name: string; status: number; times: number; reason?: string }>();
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem({ config });
  system.runtime.clients.sms!.middlewareStack.add(
    (next, context) => async (args) => {
      const to = (args.input as { DestinationPhoneNumber?: string }).DestinationPhoneNumber ?? '';
      const fault = context.commandName === 'SendTextMessageCommand' ? smsFaults.get(to) : undefined;
      if (fault && fault.times-- > 0) {
        throw Object.assign(new Error(`${fault.name} for ${to}`), { name: fault.name, Reason: fault.reason, $metadata: { httpStatusCode: fault.status } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'smsFaults' },
  );
});
afterAll(() => system.stop());
beforeEach(() => smsFaults.clear());

interface Sms {
  operation: string;
  request: { DestinationPhoneNumber: string; MessageBody: string; MessageType?: string; OriginationIdentity: string };
}
const smsTo = async (phone: string) =>
  ((await (await fetch(`${system.runtime.smsUrl}/messages`)).json()) as { messages: Sms[] }).messages.filter((m) => m.request.DestinationPhoneNumber === phone);
const raise = async (service: string, title: string) => {
  const res = await system.request('PUT', '/incidents', { key: system.keys[`${service}-key`]!, body: validEvent({ service, title }) });
  expect(res.status).toBe(201);
  return res.body.number as number;
};
const timelineOf = async (number: number) => (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body.timeline as {
  type: string;
  to?: string;
  channel?: string;
  note?: string;
}[];
const settledPages = (number: number, count: number) =>
  eventually(`${count} page entries of #${number}`, async () => {
    const entries = (await timelineOf(number)).filter((e) => e.type === 'notified' || e.type === 'notify_failed');
    return entries.length >= count ? entries : undefined;
  });

/** Posts what a phone sends back, as the number's two-way channel publishes it. */
const replyBySms = (from: string, messageBody: string) =>
  fetch(`${system.runtime.smsUrl}/two-way`, {
    method: 'POST',
    body: JSON.stringify({ originationNumber: from, destinationNumber: '+18005550199', messageBody, inboundMessageId: 'in-1' }),
  });
const lastAnswerTo = async (phone: string) => (await smsTo(phone))[0]!.request.MessageBody;

describe('SMS replies', () => {
  it('claim with the reply code, as the person who owns the number and was paged; a stranger or a bad code changes nothing', async () => {
    const number = await raise('batch', 'reply to me');
    await settledPages(number, 3);
    const code = number - 100_000;
    expect((await replyBySms('+15550000000', `${code}C`)).status).toBe(202);
    expect(await lastAnswerTo('+15550000000')).toMatch(/belongs to no on-call person/);
    await replyBySms('+33612345678', `${code}C`); // ana's phone: a person, but not paged for this incident
    expect(await lastAnswerTo('+33612345678')).toBe(`InResponse: this number was not paged for #${number}; nothing was changed.`);
    await replyBySms('+14155550100', 'on it');
    expect(await lastAnswerTo('+14155550100')).toMatch(/^InResponse: reply with the code of a page/);
    expect((await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body.state).toBe('OPEN');

    await replyBySms('+14155550100', `${code}c`);
    expect(await lastAnswerTo('+14155550100')).toBe(`InResponse: #${number} claimed. No further pages will be sent.`);
    const claimed = (await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body;
    expect(claimed).toMatchObject({ state: 'CLAIMED', claimedBy: 'ben@example.com' });
    expect(claimed.timeline.at(-1)).toMatchObject({ type: 'claimed', by: 'ben@example.com', note: 'by SMS reply' });
    await replyBySms('+14155550100', `${code}R`);
    expect((await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body.state).toBe('RESOLVED');
  });

  it('answer a malformed two-way message with nothing, and the stand-in with 202 still', async () => {
    const sent = async () => ((await (await fetch(`${system.runtime.smsUrl}/messages`)).json()) as { messages: unknown[] }).messages.length;
    const before = await sent();
    expect((await fetch(`${system.runtime.smsUrl}/two-way`, { method: 'POST', body: '{"nope":1}' })).status).toBe(202);
    expect(await sent()).toBe(before);
  });
});

describe('pages by SMS', () => {
  it('reaches a person with a phone by email, SMS (a short GSM-7 transactional text with the claim link) and a voice call', async () => {
    const number = await raise('pay', 'Checkout “5xx” spike – EU');
    const pages = await settledPages(number, 3);
    expect(pages.map((p) => [p.type, p.to, p.channel, p.note])).toEqual([
      ['notified', 'ana@example.com', undefined, 'as person ana'],
      ['notified', '+33612345678', 'sms', 'as person ana by sms'],
      ['notified', '+33612345678', 'voice', 'as person ana by voice'],
    ]);
    const sent = await smsTo('+33612345678');
    const call = sent.find((m) => m.operation === 'SendVoiceMessage');
    const sms = sent.find((m) => m.operation === 'SendTextMessage');
    expect(call!.request).toMatchObject({ MessageBodyTextType: 'SSML', VoiceId: 'JOANNA', OriginationIdentity: 'pool-inresponse-local' });
    const said = `InResponse page. critical incident ${String(number).split('').join(' ')}, service pay: Checkout "5xx" spike - EU.`;
    expect(call!.request.MessageBody).toBe(`<speak>${said.replace(/"/g, '&quot;')}<break time="1s"/>${said.replace(/"/g, '&quot;')}<break time="1s"/>Open the link in your SMS or email to acknowledge.</speak>`);
    expect(sms!.request).toMatchObject({ MessageType: 'TRANSACTIONAL', OriginationIdentity: 'pool-inresponse-local' });
    const code = number - 100_000;
    expect(sms!.request.MessageBody).toMatch(
      new RegExp(`^\\[CRIT\\] #${number} Checkout "5xx" spike - EU \\(pay\\)\\. Reply ${code}C to claim, ${code}R to resolve\\. http://127\\.0\\.0\\.1:\\d+/actions/\\S+$`),
    );

    // The link in the SMS claims as the person, like the one in the email.
    const link = / (\S+)$/.exec(sms!.request.MessageBody)![1]!;
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect((await system.request('GET', `/incidents/${number}`, { key: system.keys.responders! })).body).toMatchObject({ state: 'CLAIMED', claimedBy: 'ana@example.com' });
    expect(smsSegments(sms!.request.MessageBody)).toBeLessThanOrEqual(2);
  });

  it('shows in one viewer everything every channel sent for a page, newest first', async () => {
    const number = await raise('pay', 'Disk <b>full</b>');
    await settledPages(number, 3);
    const { messages } = (await (await fetch(`${system.runtime.outboxUrl}/messages`)).json()) as { messages: { channel: string; to: string; text: string }[] };
    const mine = messages.filter((m) => m.text.includes(`#${number}`) || m.text.includes(String(number).split('').join(' ')));
    // Sorted here: SES keeps whole seconds, so the email can tie with the SMS sent in the same second.
    expect(mine.map((m) => [m.channel, m.to]).sort()).toEqual([
      ['email', 'ana@example.com'],
      ['sms', '+33612345678'],
      ['voice', '+33612345678'],
    ]);
    const page = await (await fetch(`${system.runtime.outboxUrl}/`)).text();
    expect(page).toContain('Disk &lt;b&gt;full&lt;/b&gt;');
    expect(page).not.toContain('<b>full</b>');
  });

  it('retries a throttled SMS and delivers it once', async () => {
    smsFaults.set('+14155550100', { name: 'ThrottlingException', status: 400, times: 1 });
    const number = await raise('batch', 'throttled once');
    const pages = await settledPages(number, 3);
    // The call goes on the first try; the SMS on the retry, once.
    expect(pages.map((p) => [p.type, p.to, p.channel])).toEqual([
      ['notified', 'ben@example.com', undefined],
      ['notified', '+14155550100', 'voice'],
      ['notified', '+14155550100', 'sms'],
    ]);
    expect((await smsTo('+14155550100')).filter((m) => m.request.MessageBody.includes(`#${number} `))).toHaveLength(1);
  });

  it('records an opted-out number as a permanent failure, the email still going, and never sends to it again', async () => {
    smsFaults.set('+447700900123', { name: 'ConflictException', status: 400, times: 1, reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    const number = await raise('old', 'opted out');
    const pages = await settledPages(number, 3);
    expect(pages.map((p) => [p.type, p.to, p.channel])).toEqual([
      ['notified', 'cy@example.com', undefined],
      ['notify_failed', '+447700900123', 'sms'],
      ['notified', '+447700900123', 'voice'],
    ]);
    expect(pages[1]!.note).toMatch(/^ConflictException/);

    // AWS is not asked again: no fault is left to inject, and nothing reaches the stand-in.
    const next = await raise('old', 'after opting out');
    const later = await settledPages(next, 3);
    expect(later.map((p) => [p.type, p.to, p.note])).toEqual([
      ['notified', 'cy@example.com', 'as person cy'],
      ['notify_failed', '+447700900123', '+447700900123 opted out of SMS'],
      ['notified', '+447700900123', 'as person cy by voice'],
    ]);
    expect((await smsTo('+447700900123')).filter((m) => m.operation === 'SendTextMessage')).toEqual([]);
  });
});
