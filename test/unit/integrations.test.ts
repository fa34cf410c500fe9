import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../lambdas/config/limits';
import { actionsOfAlerts, alertmanagerPayloadSchema } from '../../lambdas/domain/integrations/alert-webhooks';
import { isSnsUrl, snsStringToSign, type SnsMessage } from '../../lambdas/adapters/sns-https';
import { actionOfAlarm, alarmDedupKey, type CloudWatchAlarm } from '../../lambdas/domain/integrations/cloudwatch-alarms';
import { fitTitle, keptLinks, severityOfLabel } from '../../lambdas/domain/integrations/inbound-action';
import { actionOfPagerDutyEvent, pagerDutyEventSchema } from '../../lambdas/domain/integrations/pagerduty-events';

const NOW = new Date('2026-11-24T10:00:00Z');

describe('severityOfLabel', () => {
  it('maps critical to CRIT, error to ERR, and warning or anything else to WARN', () => {
    expect(['critical', 'Critical', 'error', 'warning', 'info', undefined, 'bogus'].map(severityOfLabel)).toEqual(['CRIT', 'CRIT', 'ERR', 'WARN', 'WARN', 'WARN', 'WARN']);
  });
});

describe('alert webhooks', () => {
  const alert = { status: 'firing' as const, labels: { alertname: 'DiskFull' }, annotations: {}, fingerprint: 'f1' };

  it('titles an alert without summary by its name, and dates it now without a real startsAt', () => {
    const [action] = actionsOfAlerts('alertmanager', 'athens', [{ ...alert, startsAt: '0001-01-01T00:00:00Z' }], NOW);
    expect(action).toMatchObject({ kind: 'trigger', event: { title: 'DiskFull', severity: 'WARN', detectedAt: NOW.toISOString(), links: [] } });
  });

  it('resolves by the fingerprint, per source', () => {
    expect(actionsOfAlerts('grafana', 'athens', [{ ...alert, status: 'resolved' }], NOW)).toEqual([{ kind: 'resolve', dedupKey: 'grafana:f1', summary: 'DiskFull' }]);
  });

  it('accepts version 4 only, and at most 1000 alerts', () => {
    const payload = { version: '4', status: 'firing', alerts: [alert] };
    expect(alertmanagerPayloadSchema.safeParse(payload).success).toBe(true);
    expect(alertmanagerPayloadSchema.safeParse({ ...payload, version: '3' }).success).toBe(false);
    expect(alertmanagerPayloadSchema.safeParse({ ...payload, alerts: Array(1001).fill(alert) }).success).toBe(false);
  });
});

describe('bounds', () => {
  it('cuts a long title to the title limit and keeps only http(s) links, each once, ten at most', () => {
    expect(Buffer.byteLength(fitTitle('é'.repeat(2000)))).toBeLessThanOrEqual(LIMITS.maxTitleBytes);
    const links = keptLinks([{ href: 'javascript:alert(1)' }, { href: 'https://a.example' }, { href: 'https://a.example' }, ...Array.from({ length: 20 }, (_, i) => ({ href: `https://b.example/${i}` }))]);
    expect(links).toHaveLength(10);
    expect(links[0]).toEqual({ href: 'https://a.example' });
  });
});

describe('PagerDuty events', () => {
  it('requires a payload to trigger and a dedup key to acknowledge or resolve', () => {
    expect(pagerDutyEventSchema.safeParse({ routing_key: 'k', event_action: 'trigger' }).success).toBe(false);
    expect(pagerDutyEventSchema.safeParse({ routing_key: 'k', event_action: 'acknowledge' }).success).toBe(false);
    expect(pagerDutyEventSchema.safeParse({ routing_key: 'k', event_action: 'resolve', dedup_key: 'd' }).success).toBe(true);
  });

  it('maps info to WARN and keeps string details as they are', () => {
    const event = pagerDutyEventSchema.parse({ routing_key: 'k', event_action: 'trigger', payload: { summary: 's', source: 'h', severity: 'info', custom_details: 'free text' } });
    expect(actionOfPagerDutyEvent(event, 'athens', 'd', NOW)).toMatchObject({ kind: 'trigger', event: { severity: 'WARN', message: 'source: h\ndetails: free text', source: 'pagerduty-events-v2', dedupKey: 'd' } });
  });
});

describe('CloudWatch through SNS', () => {
  it('takes certificates and subscriptions from SNS hosts over HTTPS only', () => {
    expect(isSnsUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem')).toBe(true);
    expect(isSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/x.pem')).toBe(true);
    for (const url of ['http://sns.eu-west-1.amazonaws.com/x.pem', 'https://sns.eu-west-1.amazonaws.com.evil.example/x.pem', 'https://evil.example/sns.eu-west-1.amazonaws.com', 'https://user@sns.eu-west-1.amazonaws.com/x', 'https://sns.eu-west-1.amazonaws.com:8443/x', 'not a url']) {
      expect(isSnsUrl(url)).toBe(false);
    }
  });

  it('signs the fields SNS signs, in its order, leaving out an absent Subject', () => {
    const message = { Type: 'Notification', MessageId: 'm', TopicArn: 't', Message: 'body', Timestamp: 'ts', SignatureVersion: '1', Signature: 's', SigningCertURL: 'u' } as SnsMessage;
    expect(snsStringToSign(message)).toBe('Message\nbody\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
  });

  it('keys an alarm without ARN by account, region and name', () => {
    const alarm = { AlarmName: 'a', AWSAccountId: '1', Region: 'EU (Ireland)', NewStateValue: 'ALARM' } as CloudWatchAlarm;
    expect(alarmDedupKey(alarm)).toBe('cloudwatch:1:EU (Ireland):a');
    expect(actionOfAlarm({ ...alarm, NewStateValue: 'INSUFFICIENT_DATA' }, 'athens', 'CRIT', NOW)).toBeUndefined();
  });
});
