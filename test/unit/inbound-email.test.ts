import { normaliseSesMessageId, sesMessageIdHeader } from '../../lambdas/adapters/ses-message-ids';
import { parseRejectVerdicts } from '../../lambdas/adapters/ses-inbound';
import { describe, expect, it } from 'vitest';
import { boundWithMarker } from '../../lambdas/domain/shared/text';
import {
  emailIncidentEvent,
  newTextOf,
  replyCommandOf,
  routeRecipient,
  screenMessage,
  threadKeyOf,
  type Envelope,
  type InboundMessage,
} from '../../lambdas/domain/inbound-email/inbound-email';

const DOMAIN = 'oncall.example.com';
const envelope: Envelope = {
  mailFrom: 'ops@customer.example',
  recipients: [`athens@${DOMAIN}`],
  verdicts: {},
  receivedAt: new Date('2026-11-24T10:00:00Z'),
  deliveryId: 'ses-1',
};
const message = (overrides: Partial<InboundMessage> = {}): InboundMessage => ({
  headers: {},
  subject: 'Checkout down',
  from: { address: 'ops@customer.example' },
  threadIds: [],
  text: 'It is down.',
  attachments: [],
  size: 100,
  ...overrides,
});

describe('routeRecipient', () => {
  it('reads the service from the local part and the severity from the +tag, ERR by default', () => {
    expect(routeRecipient(`athens@${DOMAIN}`, DOMAIN)).toEqual({ ok: true, service: 'athens', severity: 'ERR' });
    expect(routeRecipient(`Athens+CRIT@OnCall.Example.com`, DOMAIN)).toEqual({ ok: true, service: 'athens', severity: 'CRIT' });
    expect(routeRecipient(`athens+warning@${DOMAIN}`, DOMAIN)).toEqual({ ok: true, service: 'athens', severity: 'WARN' });
  });

  it('says why an address names nothing', () => {
    expect(routeRecipient('athens@other.example', DOMAIN)).toMatchObject({ ok: false, reason: expect.stringMatching(/not an address of/) });
    expect(routeRecipient(`athens+p1@${DOMAIN}`, DOMAIN)).toMatchObject({ ok: false, service: 'athens', reason: expect.stringMatching(/\+p1 is not a severity/) });
    expect(routeRecipient(`"we ird"@${DOMAIN}`, DOMAIN)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a service name/) });
  });
});

describe('screenMessage', () => {
  const screened = (overrides: Partial<InboundMessage>, env: Partial<Envelope> = {}) =>
    screenMessage(message(overrides), { ...envelope, ...env }, ['oncall@pager.example.com']);

  it('accepts machine mail marked auto-generated and group relays', () => {
    expect(screened({ headers: { 'auto-submitted': 'auto-generated' } })).toEqual({ accept: true });
    expect(screened({ headers: { 'list-id': '<oncall.vendor.example>', precedence: 'list' } })).toEqual({ accept: true });
    expect(screened({ headers: { 'auto-submitted': 'no' } })).toEqual({ accept: true });
  });

  it.each([
    ['our own pages', { from: { address: 'OnCall@pager.example.com' } }, {}, /InResponse itself/],
    ['a null return path', {}, { mailFrom: '' }, /bounce/],
    ['a delivery status report', { headers: { 'content-type': 'multipart/report; report-type="delivery-status"; boundary=x' } }, {}, /delivery status/],
    ['a read receipt', { headers: { 'content-type': 'multipart/report; report-type=disposition-notification' } }, {}, /read receipt/],
    ['Auto-Submitted: auto-replied', { headers: { 'auto-submitted': 'auto-replied' } }, {}, /automatic reply/],
    ['X-Autoreply', { headers: { 'x-autoreply': 'yes' } }, {}, /X-Autoreply/],
    ['Precedence: auto_reply', { headers: { precedence: 'auto_reply' } }, {}, /auto_reply/],
    ['an out-of-office subject', { subject: 'Automatic reply: Checkout down' }, {}, /out-of-office/],
    ['bulk list mail', { headers: { 'list-id': '<news>', precedence: 'bulk' } }, {}, /bulk/],
    ['junk list mail', { headers: { 'list-id': '<news>', precedence: 'junk' } }, {}, /bulk/],
  ])('ignores %s', (_what, overrides, env, reason) => {
    expect(screened(overrides as Partial<InboundMessage>, env)).toEqual({ accept: false, reason: expect.stringMatching(reason) });
  });
});

describe('newTextOf', () => {
  it('drops a quoted reply at the end with its attribution, and the signature', () => {
    const text = 'Still down.\n\nJane\n-- \nJane Doe, CTO\n\nOn Tue, 24 Nov 2026 at 10:58, Bob <bob@x.example>\nwrote:\n> Is it down?\n>\n> Bob';
    expect(newTextOf(text)).toBe('Still down.\n\nJane');
    expect(newTextOf('Still down.\n\n-- \nJane Doe, CTO\n+1 555 0100')).toBe('Still down.');
    expect(newTextOf('Down.\r\n\r\n-----Original Message-----\r\nFrom: Bob\r\nIs it down?')).toBe('Down.');
    expect(newTextOf('Le site est en panne.\n\nLe mar. 24 nov. 2026 à 10:58, Bob a écrit :\n> Ça marche ?')).toBe('Le site est en panne.');
  });

  it('keeps quotes interleaved with answers', () => {
    const text = '> Is the API down?\nYes, since 10:02.\n> And the UI?\nAlso.';
    expect(newTextOf(text)).toBe(text);
  });

  it('keeps a "--" line that is followed by more than a signature', () => {
    const text = `Timeline:\n--\n${Array.from({ length: 20 }, (_, i) => `10:${String(i).padStart(2, '0')} event ${i}`).join('\n')}`;
    expect(newTextOf(text)).toBe(text);
  });
});

describe('boundWithMarker', () => {
  it('leaves text within the bound as it is, and cuts longer text on a character boundary with a marker', () => {
    expect(boundWithMarker('short', 100)).toBe('short');
    const cut = boundWithMarker('é'.repeat(1000), 200);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/^é+\n\n\[… cut: \d+ of 2000 bytes shown\]$/);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('emailIncidentEvent', () => {
  const route = { ok: true, service: 'athens', severity: 'CRIT' } as const;

  it('takes the Date header, unless it is later than the receipt', () => {
    const dated = (date: string) => emailIncidentEvent(message({ date: new Date(date) }), envelope, route, `athens+crit@${DOMAIN}`).detectedAt;
    expect(dated('2026-11-24T09:58:00Z')).toBe('2026-11-24T09:58:00.000Z');
    expect(dated('2026-11-25T09:58:00Z')).toBe('2026-11-24T10:00:00.000Z');
  });

  it('keys a message by its Message-ID, or by its delivery without one; titles a message without subject', () => {
    const withId = emailIncidentEvent(message({ messageId: 'a@b' }), envelope, route, 'x');
    expect(withId.dedupKey).toBe('email:a@b');
    const bare = emailIncidentEvent(message({ subject: '  ', text: '' }), envelope, route, 'x');
    expect(bare).toMatchObject({ dedupKey: 'email:delivery:ses-1', title: '(no subject) mail from ops@customer.example', message: '(no text in the message)' });
  });

  it('says why a body was not read', () => {
    const event = emailIncidentEvent(message({ unreadable: 'the message has 41000000 bytes' }), envelope, route, 'x');
    expect(event.message).toBe('[the body was not read: the message has 41000000 bytes]');
  });
});

describe('replies', () => {
  it('reads ack and resolve from the first line only', () => {
    expect(replyCommandOf('ACK\n\nOn it')?.action).toBe('claim');
    expect(replyCommandOf('  resolve.  ')).toEqual({ action: 'resolve' });
    expect(replyCommandOf('I will ack this later')).toBeUndefined();
    expect(replyCommandOf('Thanks\nack')).toBeUndefined();
  });

  it('keeps the rest of an ack or resolve reply, without quote and signature, as its note', () => {
    const reply = 'resolve\n\nFailed over to db-02, RCA in OPS-4521\n\n-- \nSafeer\n\nOn Tue, 24 Nov 2026, InResponse wrote:\n> [CRIT] #100001';
    expect(replyCommandOf(reply)).toEqual({ action: 'resolve', note: 'Failed over to db-02, RCA in OPS-4521' });
    expect(replyCommandOf(`ack\n${'x'.repeat(5000)}`)?.note).toMatch(/\[… cut: \d+ of 5000 bytes shown\]$/);
  });

  it('finds a page by the SES id in its Message-ID, whatever the region', () => {
    const page = threadKeyOf(sesMessageIdHeader('0100abc'));
    expect(threadKeyOf(normaliseSesMessageId('0100abc@email.amazonses.com'))).toBe(page);
    expect(threadKeyOf(normaliseSesMessageId('0100abc@eu-west-1.amazonses.com'))).toBe(page);
    expect(threadKeyOf(normaliseSesMessageId('0100abc@customer.example'))).not.toBe(page);
  });
});

describe('parseRejectVerdicts', () => {
  it('defaults to spam, virus and dmarc; takes a list; refuses unknown checks', () => {
    expect(parseRejectVerdicts(undefined)).toEqual(['spam', 'virus', 'dmarc']);
    expect(parseRejectVerdicts('SPF, dkim')).toEqual(['spf', 'dkim']);
    expect(parseRejectVerdicts('')).toEqual([]);
    expect(() => parseRejectVerdicts('spam,dkmi')).toThrow(/dkmi/);
  });
});
