import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundEmailDeps, createLogger } from '../../lambdas/composition';
import { LIMITS } from '../../lambdas/config/limits';
import { parseMimeMessage } from '../../lambdas/adapters/mime-message';
import { createHandler as createEmailToAlert } from '../../lambdas/handlers/email-to-alert';
import { sesReceiptEvent, LOCAL_VERDICTS } from '../../lib/local/ses-receipt-event';
import { sentEmails } from '../support/mailbox';
import { startTestSystem, type TestSystem } from '../support/harness';
import { eventually } from '../support/time';

/**
 * The test's clock starts at this time and runs: dates in messages are before it, pages go to its day's
 * on-call, and no second level comes due while the tests run.
 */
const NOW = new Date('2026-11-24T10:00:00Z');
const startedAt = Date.now();
const clock = () => new Date(NOW.getTime() + (Date.now() - startedAt));
const DATE = 'Tue, 24 Nov 2026 10:58:00 +0100';
const DOMAIN = 'oncall.inresponse.local';
const SPOOFED = 'treasurer@bank.example';

let system: TestSystem;
let responder: string;
let transport: Transporter;

beforeAll(async () => {
  system = await startTestSystem({
    clock,
    // SES's checks, which nothing performs locally: this sender fails them.
    verdictsOf: (envelope) => (envelope.mailFrom === SPOOFED ? { ...LOCAL_VERDICTS, spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' } : LOCAL_VERDICTS),
  });
  responder = system.keys.responders!;
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: system.runtime.smtpPort, secure: false, ignoreTLS: true });
});

afterAll(async () => {
  transport?.close();
  await system?.stop();
});

/** Sends a raw message over SMTP, as a mail server would. */
/** Messages of thousands of MIME parts: several seconds each, far more while the rest of the suite loads the machine. */
const HEAVY_MAIL_TIMEOUT_MS = 90_000;
const sendRaw = (raw: string | Buffer, envelope: { from: string; to: string | string[] }) => transport.sendMail({ envelope, raw });

/** A message with these header fields (CRLF line ends, as on the wire). */
const rfc822 = (headers: Record<string, string>, body: string) =>
  [...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), '', body].join('\r\n');

/** A message composed by nodemailer: for multipart bodies and attachments. */
const composed = (mail: ConstructorParameters<typeof MailComposer>[0]) => new MailComposer(mail).compile().build();

let sequence = 0;
/** A unique Message-ID and subject for each test message. */
const unique = (label: string) => {
  sequence += 1;
  return { messageId: `<m${sequence}.${Date.now()}@customer.example>`, subject: `${label} ${sequence}` };
};

async function latestEvent(service = 'athens') {
  const { body } = await system.request('GET', `/events?service=${service}&limit=1`, { key: responder });
  return body.items[0];
}

async function incident(number: number) {
  return (await system.request('GET', `/incidents/${number}`, { key: responder })).body;
}

/** The incident a message just created, and its first page. */
async function createdIncident() {
  const event = await latestEvent();
  expect(event).toMatchObject({ outcome: 'created', source: 'email' });
  const page = await eventually('the first page', async () =>
    (await sentEmails(system.runtime.sesUrl)).find((e) => e.subject.includes(`#${event.incidentNumber} `)),
  );
  return { incident: await incident(event.incidentNumber), page };
}

describe('mail to a service address', () => {
  it('opens an incident from a plain text message, with the whole body, and pages the on-call with it', async () => {
    const { messageId, subject } = unique('Checkout returns 502');
    const body = 'Hi,\r\n\r\nOur checkout returns 502 since 10:02 CET.\r\nOrder ids: 1234, 1235.\r\n\r\n-- \r\nJane Doe\r\nCTO, Customer Inc.\r\n';
    const info = await sendRaw(rfc822({ From: 'Jane Doe <cto@customer.example>', To: `athens+crit@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId }, body), {
      from: 'cto@customer.example',
      to: `athens+crit@${DOMAIN}`,
    });
    expect(info.response).toMatch(/^250/);
    const { incident, page } = await createdIncident();
    expect(incident).toMatchObject({
      service: 'athens',
      team: 'devops',
      severity: 'CRIT',
      state: 'OPEN',
      title: subject,
      message: 'Hi,\n\nOur checkout returns 502 since 10:02 CET.\nOrder ids: 1234, 1235.',
      source: 'email',
      createdBy: 'cto@customer.example',
      detectedAt: '2026-11-24T09:58:00.000Z',
      email: { from: 'Jane Doe <cto@customer.example>', to: `athens+crit@${DOMAIN}`, date: '2026-11-24T09:58:00.000Z', messageId: messageId.slice(1, -1), attachments: [] },
    });
    expect(page.to).toEqual(['safeer@example.com']);
    expect(page.subject).toBe(`[CRIT] #${incident.number} ${subject} — athens (level 1)`);
    expect(page.text).toContain('Our checkout returns 502 since 10:02 CET.');
    expect(page.text).toContain('Email from: Jane Doe <cto@customer.example>');
  });

  it('defaults to ERR without a +severity tag', async () => {
    const { messageId, subject } = unique('Slow pages');
    await sendRaw(rfc822({ From: 'ops@customer.example', To: `athens@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId }, 'Pages take 9 s.'), {
      from: 'ops@customer.example',
      to: `athens@${DOMAIN}`,
    });
    const { incident } = await createdIncident();
    expect(incident.severity).toBe('ERR');
  });

  it('takes the text part of a multipart/alternative message', async () => {
    const { messageId, subject } = unique('Multipart');
    const raw = await composed({
      from: 'ops@customer.example',
      to: `athens+warn@${DOMAIN}`,
      subject,
      messageId,
      date: new Date('2026-11-24T09:59:00Z'),
      text: 'Disk at 91% on db-3.',
      html: '<p>Disk at <b>91%</b> on db-3 (HTML part).</p>',
    });
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens+warn@${DOMAIN}` });
    const { incident } = await createdIncident();
    expect(incident).toMatchObject({ severity: 'WARN', message: 'Disk at 91% on db-3.' });
  });

  it('turns an HTML-only body into text', async () => {
    const { messageId, subject } = unique('HTML only');
    const raw = await composed({
      from: 'ops@customer.example',
      to: `athens@${DOMAIN}`,
      subject,
      messageId,
      html: '<html><body><h1>Payment failures</h1><p>Rate is <b>12%</b> &amp; rising.</p><ul><li>Visa</li><li>Amex</li></ul></body></html>',
    });
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens@${DOMAIN}` });
    const { incident } = await createdIncident();
    expect(incident.message).toContain('Rate is 12% & rising.');
    expect(incident.message).toMatch(/Visa/);
    expect(incident.message).not.toMatch(/<[a-z]/);
  });

  it('decodes quoted-printable ISO-8859-1', async () => {
    const { messageId } = unique('QP');
    const raw = rfc822(
      {
        From: '=?ISO-8859-1?Q?Andr=E9_M=FCller?= <andre@customer.example>',
        To: `athens@${DOMAIN}`,
        Subject: '=?ISO-8859-1?Q?Caf=E9_d=E9connect=E9?=',
        Date: DATE,
        'Message-ID': messageId,
        'MIME-Version': '1.0',
        'Content-Type': 'text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding': 'quoted-printable',
      },
      'Le serveur de la caf=E9t=E9ria ne r=E9pond plus. Gr=FC=DFe, Andr=E9',
    );
    await sendRaw(raw, { from: 'andre@customer.example', to: `athens@${DOMAIN}` });
    const { incident } = await createdIncident();
    expect(incident.title).toBe('Café déconnecté');
    expect(incident.message).toBe('Le serveur de la cafétéria ne répond plus. Grüße, André');
    expect(incident.email.from).toBe('André Müller <andre@customer.example>');
  });

  it('decodes base64 UTF-8 with an emoji in the subject', async () => {
    const { messageId } = unique('B64');
    const text = 'Зеркало недоступно — 東京リージョン 🔥';
    const raw = rfc822(
      {
        From: 'sre@customer.example',
        To: `athens+crit@${DOMAIN}`,
        Subject: `=?UTF-8?B?${Buffer.from('🔥 Site down in Tokyo').toString('base64')}?=`,
        Date: DATE,
        'Message-ID': messageId,
        'MIME-Version': '1.0',
        'Content-Type': 'text/plain; charset=UTF-8',
        'Content-Transfer-Encoding': 'base64',
      },
      Buffer.from(text).toString('base64'),
    );
    await sendRaw(raw, { from: 'sre@customer.example', to: `athens+crit@${DOMAIN}` });
    const { incident, page } = await createdIncident();
    expect(incident.title).toBe('🔥 Site down in Tokyo');
    expect(incident.message).toBe(text);
    expect(page.subject).toContain('🔥 Site down in Tokyo');
  });

  it('lists three attachments by name, type and size without storing them', async () => {
    const { messageId, subject } = unique('Attachments');
    const raw = await composed({
      from: 'ops@customer.example',
      to: `athens@${DOMAIN}`,
      subject,
      messageId,
      text: 'Logs and a screenshot attached.',
      attachments: [
        { filename: 'error.log', content: 'E 10:02 upstream timed out\n'.repeat(100), contentType: 'text/plain' },
        { filename: 'screenshot.png', content: Buffer.alloc(2048, 7), contentType: 'image/png' },
        { filename: 'trace.json', content: JSON.stringify({ spans: [1, 2, 3] }), contentType: 'application/json' },
      ],
    });
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens@${DOMAIN}` });
    const { incident, page } = await createdIncident();
    expect(incident.email.attachments).toEqual([
      { name: 'error.log', type: 'text/plain', size: 2700 },
      { name: 'screenshot.png', type: 'image/png', size: 2048 },
      { name: 'trace.json', type: 'application/json', size: 17 },
    ]);
    expect(incident.message).toBe('Logs and a screenshot attached.');
    expect(page.text).toContain('Attachments: error.log (text/plain, 2700 bytes), screenshot.png (image/png, 2048 bytes)');
  });

  it('bounds a 5 MB message: the body is cut with a marker, the incident still opens and pages', async () => {
    const { messageId, subject } = unique('Huge');
    const line = 'ERROR payment-service request failed with status 502 after 30000 ms\n';
    const raw = await composed({
      from: 'ops@customer.example',
      to: `athens@${DOMAIN}`,
      subject,
      messageId,
      text: line.repeat(Math.ceil((5 * 1024 * 1024) / line.length)),
    });
    expect(raw.length).toBeGreaterThan(5 * 1024 * 1024);
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens@${DOMAIN}` });
    const { incident } = await createdIncident();
    expect(Buffer.byteLength(incident.message)).toBeLessThanOrEqual(LIMITS.maxMessageBytes);
    expect(incident.message.startsWith(line)).toBe(true);
    expect(incident.message).toMatch(/\[… cut: \d+ of \d+ bytes shown\]$/);
  });

  it('does not parse a message above 10 MB: the incident says so and still pages, with subject and sender', async () => {
    const { messageId, subject } = unique('Enormous');
    const raw = await composed({
      from: 'Jane Doe <cto@customer.example>',
      to: `athens+crit@${DOMAIN}`,
      subject,
      messageId,
      text: 'See the dump attached.',
      attachments: [{ filename: 'core.dump', content: Buffer.alloc(LIMITS.maxInboundEmailBytes, 1) }],
    });
    await sendRaw(raw, { from: 'cto@customer.example', to: `athens+crit@${DOMAIN}` });
    const { incident, page } = await createdIncident();
    expect(incident).toMatchObject({ title: subject, severity: 'CRIT', email: { from: 'Jane Doe <cto@customer.example>' } });
    expect(incident.message).toBe(`[the body was not read: the message has ${raw.length} bytes, above the limit of ${LIMITS.maxInboundEmailBytes}]`);
    expect(page.text).toContain('the body was not read');
  });

  it('opens an incident from a cron mail marked Auto-Submitted: auto-generated', async () => {
    const { messageId } = unique('cron');
    const raw = rfc822(
      { From: 'Cron Daemon <root@batch-1.customer.example>', To: `athens@${DOMAIN}`, Subject: 'Cron <root@batch-1> /usr/local/bin/backup.sh', Date: DATE, 'Message-ID': messageId, 'Auto-Submitted': 'auto-generated', 'X-Cron-Env': '<SHELL=/bin/sh>' },
      'backup.sh: pg_dump failed: connection refused',
    );
    await sendRaw(raw, { from: 'root@batch-1.customer.example', to: `athens@${DOMAIN}` });
    const { incident } = await createdIncident();
    expect(incident.message).toBe('backup.sh: pg_dump failed: connection refused');
  });

  it('opens an incident from a message relayed by a group, routed by the envelope recipient', async () => {
    const { messageId, subject } = unique('Black Friday: checkout down');
    const raw = rfc822(
      {
        From: "'Unknown CTO' via Black Friday On Call <blackfriday-oncall@vendor.example>",
        'Reply-To': 'cto@shop.example',
        To: 'blackfriday-oncall@vendor.example',
        Subject: subject,
        Date: DATE,
        'Message-ID': messageId,
        'List-Id': '<blackfriday-oncall.vendor.example>',
        'Mailing-list': 'list blackfriday-oncall@vendor.example; contact blackfriday-oncall+owners@vendor.example',
        Precedence: 'list',
        'X-Original-Sender': 'cto@shop.example',
      },
      'Hey, our checkout is down, please wake someone up!',
    );
    await sendRaw(raw, { from: 'blackfriday-oncall+bncBAABB@vendor.example', to: `athens+crit@${DOMAIN}` });
    const { incident, page } = await createdIncident();
    expect(incident).toMatchObject({ severity: 'CRIT', message: 'Hey, our checkout is down, please wake someone up!' });
    expect(page.text).toContain('Hey, our checkout is down');
  });
});

/** Sends a message that must change nothing: the event record says why, no incident opens and nothing pages. */
const sendsNothing = async (raw: string, mailFrom: string, reason: RegExp, outcome = 'ignored') => {
  const before = (await sentEmails(system.runtime.sesUrl)).length;
  const info = await sendRaw(raw, { from: mailFrom, to: `athens@${DOMAIN}` });
  expect(info.response).toMatch(/^250/);
  expect(await latestEvent()).toMatchObject({ outcome, reason: expect.stringMatching(reason) });
  expect(await latestEvent()).not.toHaveProperty('incidentNumber');
  expect((await sentEmails(system.runtime.sesUrl)).length).toBe(before);
};

describe('mail that must not page', () => {

  it('ignores an out-of-office auto-reply', async () => {
    const { messageId } = unique('ooo');
    const raw = rfc822(
      { From: 'safeer@example.com', To: `athens@${DOMAIN}`, Subject: 'Automatic reply: [CRIT] #100001 Checkout returns 502', Date: DATE, 'Message-ID': messageId, 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      'I am out of the office until Monday.',
    );
    await sendsNothing(raw, 'safeer@example.com', /automatic reply \(Auto-Submitted: auto-replied\)/);
  });

  it('ignores an out-of-office reply that only says so in its subject', async () => {
    const { messageId } = unique('ooo-subject');
    const raw = rfc822({ From: 'manoj@example.com', To: `athens@${DOMAIN}`, Subject: 'Out of Office: checkout', Date: DATE, 'Message-ID': messageId }, 'Back on Monday.');
    await sendsNothing(raw, 'manoj@example.com', /out-of-office/);
  });

  it('ignores a bounce', async () => {
    const { messageId } = unique('bounce');
    const raw = rfc822(
      {
        From: 'Mail Delivery Subsystem <MAILER-DAEMON@mx.customer.example>',
        To: `athens@${DOMAIN}`,
        Subject: 'Undelivered Mail Returned to Sender',
        Date: DATE,
        'Message-ID': messageId,
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/report; report-type=delivery-status; boundary="b1"',
      },
      ['--b1', 'Content-Type: text/plain', '', 'Delivery failed.', '--b1', 'Content-Type: message/delivery-status', '', 'Action: failed', '--b1--', ''].join('\r\n'),
    );
    await sendsNothing(raw, '', /bounce/);
  });

  it('ignores bulk list mail', async () => {
    const { messageId } = unique('newsletter');
    const raw = rfc822(
      { From: 'news@saas.example', To: `athens@${DOMAIN}`, Subject: 'Our November product update', Date: DATE, 'Message-ID': messageId, 'List-Id': '<news.saas.example>', Precedence: 'bulk' },
      'New features!',
    );
    await sendsNothing(raw, 'bounces@saas.example', /bulk list mail/);
  });

  it('ignores mail from its own sender address, so that it never pages itself', async () => {
    const { messageId } = unique('loop');
    const raw = rfc822({ From: 'oncall@inresponse.local', To: `athens@${DOMAIN}`, Subject: '[CRIT] #100001 loop', Date: DATE, 'Message-ID': messageId, 'Auto-Submitted': 'auto-generated' }, 'a page');
    await sendsNothing(raw, 'oncall@inresponse.local', /sent by InResponse itself/);
  });

  it('rejects a spoofed sender whose SES verdicts fail, and records why', async () => {
    const { messageId } = unique('spoof');
    const raw = rfc822({ From: `Bank Treasurer <${SPOOFED}>`, To: `athens+crit@${DOMAIN}`, Subject: 'Wire the money now', Date: DATE, 'Message-ID': messageId }, 'Urgent.');
    await sendsNothing(raw, SPOOFED, /failed the mail checks: dmarc FAIL/, 'rejected');
  });

  it('refuses at SMTP time an unknown service, an unknown severity and another domain (550)', async () => {
    const message = rfc822({ From: 'ops@customer.example', Subject: 'typo', Date: DATE }, 'x');
    await expect(sendRaw(message, { from: 'ops@customer.example', to: `athenz@${DOMAIN}` })).rejects.toThrow(/550 no service athenz/);
    await expect(sendRaw(message, { from: 'ops@customer.example', to: `athens+urgent@${DOMAIN}` })).rejects.toThrow(/550 \+urgent is not a severity/);
    await expect(sendRaw(message, { from: 'ops@customer.example', to: 'athens@elsewhere.example' })).rejects.toThrow(/550 .* is not an address of/);
  });
});

describe('delivery', () => {
  it('makes one incident of a message delivered twice, and records the second as a duplicate', async () => {
    const { messageId, subject } = unique('Twice');
    const raw = rfc822({ From: 'ops@customer.example', To: `athens@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId }, 'Once is enough.');
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens@${DOMAIN}` });
    const { incident: first } = await createdIncident();
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens@${DOMAIN}` });
    expect(await latestEvent()).toMatchObject({ outcome: 'ignored', incidentNumber: first.number, reason: expect.stringMatching(/delivered again/) });
    const after = await incident(first.number);
    expect(after.occurrences).toBe(1);
    const pages = (await sentEmails(system.runtime.sesUrl)).filter((e) => e.subject.includes(`#${first.number} `));
    expect(pages).toHaveLength(1);
  });

  it('does not crash on malformed MIME: what can be read opens the incident', async () => {
    const { messageId } = unique('malformed');
    const raw = [
      'From: broken@customer.example',
      `To: athens@${DOMAIN}`,
      'Subject: =?UTF-8?B?not-base64!!?=',
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="never-closed"',
      'Content-Transfer-Encoding: base64',
      '',
      '--never-closed',
      'Content-Type: text/plain; charset=x-unknown-charset',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Database =ZZ down =',
      '--never-closed',
      'Content-Type: application/octet-stream; name=',
      'Content-Transfer-Encoding: base64',
      '',
      '@@@@not base64@@@@',
    ].join('\r\n');
    const info = await sendRaw(raw, { from: 'broken@customer.example', to: `athens@${DOMAIN}` });
    expect(info.response).toMatch(/^250/);
    const { incident } = await createdIncident();
    expect(incident.message).toContain('Database');
  });

  /** A message with `parts` attachments: more than mailparser parses whole, by default. */
  const manyParts = (headers: Record<string, string>, parts: number) =>
    rfc822(
      { ...headers, 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed; boundary="p"' },
      [
        '--p',
        'Content-Type: text/plain',
        '',
        'Logs attached.',
        ...Array.from({ length: parts }, (_, i) => [`--p`, `Content-Type: text/plain; name="log-${i}.txt"`, 'Content-Disposition: attachment', '', `line ${i}`].join('\r\n')),
        '--p--',
        '',
      ].join('\r\n'),
    );

  it('lists at most 50 attachments, in the incident and the page, and counts the rest', async () => {
    const { messageId, subject } = unique('Many logs');
    await sendRaw(manyParts({ From: 'ops@customer.example', To: `athens@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId }, 980), {
      from: 'ops@customer.example',
      to: `athens@${DOMAIN}`,
    });
    const { incident, page } = await createdIncident();
    expect(incident.message).toBe('Logs attached.');
    expect(incident.email.attachments).toHaveLength(50);
    expect(incident.email.attachmentsNotListed).toBe(930);
    expect(page.text).toContain('log-49.txt (text/plain, 7 bytes), and 930 more');
  }, HEAVY_MAIL_TIMEOUT_MS);

  it('screens, threads and deduplicates from the header block when the MIME structure cannot be parsed whole', async () => {
    const flood = (headers: Record<string, string>) => manyParts({ To: `athens@${DOMAIN}`, Date: DATE, ...headers }, 2_500);
    // Our own sender, an auto-reply and bulk list mail are ignored, as they are when the body parses.
    await sendsNothing(flood({ From: 'oncall@inresponse.local', Subject: 'loop', 'Message-ID': unique('own').messageId }), 'oncall@inresponse.local', /sent by InResponse itself/);
    await sendsNothing(flood({ From: 'a@customer.example', Subject: 'away', 'Message-ID': unique('ooo').messageId, 'Auto-Submitted': 'auto-replied' }), 'a@customer.example', /automatic reply/);
    await sendsNothing(flood({ From: 'n@saas.example', Subject: 'news', 'Message-ID': unique('bulk').messageId, 'List-Id': '<n.saas.example>', Precedence: 'bulk' }), 'n@saas.example', /bulk list mail/);

    // A new message opens one incident, however often it is delivered, and says why its body was not read.
    const { messageId, subject } = unique('Flood');
    const raw = flood({ From: 'Jane <cto@customer.example>', Subject: subject, 'Message-ID': messageId });
    await sendRaw(raw, { from: 'cto@customer.example', to: `athens@${DOMAIN}` });
    const { incident: opened } = await createdIncident();
    expect(opened).toMatchObject({ title: subject, createdBy: 'cto@customer.example', email: { messageId: messageId.slice(1, -1) } });
    expect(opened.message).toMatch(/^\[the body was not read: malformed MIME \(Max allowed child nodes exceeded\)\]$/);
    await sendRaw(raw, { from: 'cto@customer.example', to: `athens@${DOMAIN}` });
    expect(await latestEvent()).toMatchObject({ outcome: 'ignored', incidentNumber: opened.number, reason: expect.stringMatching(/delivered again/) });

    // A reply in its thread is a comment, not a new incident.
    await sendRaw(flood({ From: 'cto@customer.example', Subject: `Re: ${subject}`, 'Message-ID': unique('re').messageId, 'In-Reply-To': messageId }), {
      from: 'cto@customer.example',
      to: `athens@${DOMAIN}`,
    });
    expect(await latestEvent()).toMatchObject({ outcome: 'commented', incidentNumber: opened.number });
  }, HEAVY_MAIL_TIMEOUT_MS);

  it('takes a multipart body without a usable boundary as text', async () => {
    const { messageId, subject } = unique('No boundary');
    const raw = rfc822(
      { From: 'ops@customer.example', To: `athens@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId, 'MIME-Version': '1.0', 'Content-Type': 'multipart/mixed' },
      'The payment API answers 502 since 10:02.\r\n',
    );
    await sendRaw(raw, { from: 'ops@customer.example', to: `athens@${DOMAIN}` });
    const { incident } = await createdIncident();
    expect(incident.message).toBe('The payment API answers 502 since 10:02.');
  });

  it('removes control characters from the body, in the incident and its page', async () => {
    const { messageId, subject } = unique('Control');
    await sendRaw(rfc822({ From: 'ops@customer.example', To: `athens@${DOMAIN}`, Subject: `${subject}\u0007`, Date: DATE, 'Message-ID': messageId }, 'Disk\u0000 full\u001b[0m on db-1\u007f.'), {
      from: 'ops@customer.example',
      to: `athens@${DOMAIN}`,
    });
    const { incident, page } = await createdIncident();
    expect(incident.message).toBe('Disk full[0m on db-1.');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test checks that no control character reaches the page
    expect(`${page.subject}${page.text}${page.html}`).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
  });

  it('records an unknown service in the event record when SES accepted the mail (the AWS path)', async () => {
    // In AWS the receipt rule accepts every address of the domain; the handler decides.
    const { deployment, clients } = system.runtime;
    const handler = createEmailToAlert({
      inbound: inboundEmailDeps(clients, deployment, { inboundDomain: DOMAIN, ownAddresses: [], rejectVerdicts: [] }, clock),
      reader: { read: () => parseMimeMessage(Buffer.from(raw)) },
      logger: createLogger('test'),
    });
    const raw = rfc822({ From: 'ops@customer.example', To: `athenz@${DOMAIN}`, Subject: 'typo', Date: DATE }, 'x');
    const event = sesReceiptEvent({
      raw: Buffer.from(raw),
      envelope: { mailFrom: 'ops@customer.example', recipients: [`athenz@${DOMAIN}`, `ATHENS+Bogus@${DOMAIN}`] },
      messageId: 'ses-unknown-service',
      receivedAt: NOW,
      verdicts: LOCAL_VERDICTS,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:email-to-alert',
    });
    const outcomes = await handler(event);
    expect(outcomes).toEqual([
      expect.objectContaining({ service: 'athenz', outcome: 'rejected', reason: 'unknown service athenz' }),
      expect.objectContaining({ service: 'athens', outcome: 'rejected', reason: expect.stringMatching(/\+bogus is not a severity/) }),
    ]);
    expect(await latestEvent('athenz')).toMatchObject({ outcome: 'rejected', reason: 'unknown service athenz', from: 'ops@customer.example' });
    expect(await handler({ Records: [{ not: 'ses' }] })).toEqual([]);
  });
});

describe('replies in a thread', () => {
  it('adds a reply to the original message as a comment, not a new incident', async () => {
    const { messageId, subject } = unique('Thread');
    await sendRaw(rfc822({ From: 'cto@customer.example', To: `athens@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId }, 'Checkout down.'), {
      from: 'cto@customer.example',
      to: `athens@${DOMAIN}`,
    });
    const { incident: opened } = await createdIncident();
    const reply = rfc822(
      { From: 'cto@customer.example', To: `athens@${DOMAIN}`, Subject: `Re: ${subject}`, Date: DATE, 'Message-ID': unique('reply').messageId, 'In-Reply-To': messageId, References: messageId },
      `It is back for some users now.\r\n\r\nOn Tue, 24 Nov 2026 at 10:58, cto@customer.example wrote:\r\n> Checkout down.\r\n`,
    );
    await sendRaw(reply, { from: 'cto@customer.example', to: `athens@${DOMAIN}` });
    expect(await latestEvent()).toMatchObject({ outcome: 'commented', incidentNumber: opened.number });
    const after = await incident(opened.number);
    expect(after.state).toBe('OPEN');
    expect(after.timeline).toContainEqual(
      expect.objectContaining({ type: 'comment', by: 'cto@customer.example', note: 'Email from cto@customer.example: It is back for some users now.' }),
    );
  });

  it('claims on "ack" and resolves on "resolve" in a reply to the page from the paged responder', async () => {
    const { messageId, subject } = unique('Ack by mail');
    await sendRaw(rfc822({ From: 'cto@customer.example', To: `athens@${DOMAIN}`, Subject: subject, Date: DATE, 'Message-ID': messageId }, 'Down.'), {
      from: 'cto@customer.example',
      to: `athens@${DOMAIN}`,
    });
    const { incident: opened, page } = await createdIncident();
    expect(page.headers).toContainEqual({ name: 'Auto-Submitted', value: 'auto-generated' });
    // Recipients see SES's id as <id@email.amazonses.com>; their client puts it in In-Reply-To.
    const pageId = `<${page.messageId}@email.amazonses.com>`;
    const replyFrom = (from: string, text: string) =>
      rfc822({ From: from, To: `athens@${DOMAIN}`, Subject: `Re: ${page.subject}`, Date: DATE, 'Message-ID': unique('r').messageId, 'In-Reply-To': pageId, References: pageId }, text);

    // Someone who was not paged cannot acknowledge by mail: it is a comment.
    await sendRaw(replyFrom('intruder@example.com', 'ack'), { from: 'intruder@example.com', to: `athens@${DOMAIN}` });
    expect(await latestEvent()).toMatchObject({ outcome: 'commented', reason: expect.stringMatching(/only from an address this incident paged/) });
    expect((await incident(opened.number)).state).toBe('OPEN');

    await sendRaw(replyFrom('Safeer <safeer@example.com>', 'ack\r\n\r\nlooking into it\r\n\r\n> [CRIT] ...'), { from: 'safeer@example.com', to: `athens@${DOMAIN}` });
    expect(await latestEvent()).toMatchObject({ outcome: 'claimed', incidentNumber: opened.number });
    expect(await incident(opened.number)).toMatchObject({ state: 'CLAIMED', claimedBy: 'safeer@example.com' });

    await sendRaw(replyFrom('safeer@example.com', 'Resolve.\r\nFailed over to db-02, RCA in OPS-4521\r\n\r\n-- \r\nSafeer'), { from: 'safeer@example.com', to: `athens@${DOMAIN}` });
    const resolved = await incident(opened.number);
    expect(resolved).toMatchObject({ state: 'RESOLVED', resolvedBy: 'safeer@example.com' });
    expect(resolved.timeline).toContainEqual(expect.objectContaining({ type: 'resolved', by: 'safeer@example.com', note: 'Failed over to db-02, RCA in OPS-4521' }));
    expect(resolved.timeline).toContainEqual(expect.objectContaining({ type: 'claimed', note: 'looking into it' }));

    // A "thanks" after the end is a comment on the resolved incident, never a new page.
    await sendRaw(replyFrom('cto@customer.example', 'Thanks, all good!'), { from: 'cto@customer.example', to: `athens@${DOMAIN}` });
    expect(await latestEvent()).toMatchObject({ outcome: 'commented', incidentNumber: opened.number });
  });
});

describe('GET /events', () => {
  it('is for responders, and names a bad query field', async () => {
    expect((await system.request('GET', '/events?service=athens', { key: system.keys['athens-nagios']! })).status).toBe(403);
    const bad = await system.request('GET', '/events?service=no%20such&limit=0', { key: responder });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'service']);
  });
});
