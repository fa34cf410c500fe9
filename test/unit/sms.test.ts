import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openIncident } from '../../lambdas/domain/incident/incident';
import { gsm7Septets, renderSms, smsSegments, toGsm7 } from '../../lambdas/domain/notification/sms';
import { parseSmsReply, replyCodeOf } from '../../lambdas/domain/notification/sms-replies';

const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€\f]*$/;
const incident = (title: string) =>
  openIncident({ service: 'athens', severity: 'CRIT', title, message: 'm', detectedAt: '2026-11-24T10:00:00Z' }, 100042, 'ops', 'nagios', new Date('2026-11-24T10:00:00Z'));

describe('SMS text', () => {
  it('spells what GSM-7 lacks in GSM-7 rather than falling into UCS-2', () => {
    expect(toGsm7('Disk “full” – 99% … on Győr’s node')).toBe('Disk "full" - 99% ... on Gyor\'s node');
    expect(toGsm7('服务 down')).toBe('?? down');
    expect(toGsm7('Ünïcödé')).toBe('Ünicödé'); // ï is not GSM-7; Ü, ö and é are
  });

  it('counts segments: 160 septets in one, then 153 each, the extension table counting twice', () => {
    expect(smsSegments('a'.repeat(160))).toBe(1);
    expect(smsSegments('a'.repeat(161))).toBe(2);
    expect(smsSegments('a'.repeat(306))).toBe(2);
    expect(smsSegments('a'.repeat(307))).toBe(3);
    expect(gsm7Septets('€[]')).toBe(6);
    expect(smsSegments(`${'a'.repeat(158)}€`)).toBe(1);
    expect(smsSegments(`${'a'.repeat(159)}€`)).toBe(2);
  });

  it('is the page in one segment, the title cut to fit the link', () => {
    const text = renderSms(incident('5xx Error Spike'), 'https://x.example/actions/abc');
    expect(text).toBe('[CRIT] #100042 5xx Error Spike (athens). Reply 42C to claim, 42R to resolve. https://x.example/actions/abc');
    const long = renderSms(incident(`Disk full on ${'host-1234, '.repeat(30)}`), 'https://x.example/actions/abc');
    expect(smsSegments(long)).toBe(1);
    expect(long).toMatch(/^\[CRIT\] #100042 Disk full on host-1234, .*\.\.\. \(athens\)\. Reply 42C to claim, 42R to resolve\. https:\/\/x\.example\/actions\/abc$/);
  });

  it('is always GSM-7, one segment when the link leaves room, and keeps the whole link, whatever the title', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.webUrl(), (title, link) => {
        const text = renderSms(incident(title || 'x'), link);
        const gsmLink = toGsm7(link);
        expect(text).toMatch(GSM7);
        expect(text.endsWith(`to resolve. ${gsmLink}`)).toBe(true);
        if (gsm7Septets(gsmLink) < 50) expect(smsSegments(text)).toBe(1);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});

describe('SMS replies', () => {
  it('read a reply code: 42C claims #100042, 42r resolves it, anything else is not a command', () => {
    expect(parseSmsReply('42C')).toEqual({ incident: 100042, action: 'claim' });
    expect(parseSmsReply(' 42 r thanks')).toEqual({ incident: 100042, action: 'resolve' });
    expect(parseSmsReply('#100042C')).toEqual({ incident: 100042, action: 'claim' });
    expect(parseSmsReply('ok')).toBeUndefined();
    expect(parseSmsReply('42X')).toBeUndefined();
    expect(replyCodeOf(100042)).toBe(42);
  });
});
