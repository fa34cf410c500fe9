import * as z from 'zod';
import { describeMap, fitMessage, fitTitle, keptLinks, severityOfLabel, type InboundAction } from './inbound-action';

/** Alerts per request: Alertmanager's `max_alerts` and Grafana's batches stay well below. */
const MAX_ALERTS = 1000;

const labelMap = z.record(z.string(), z.string());

/** One alert as Alertmanager and Grafana send it in their webhooks. */
const webhookAlert = z.looseObject({
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1, 'must not be empty').max(128),
  // Grafana only.
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  silenceURL: z.string().optional(),
  valueString: z.string().optional(),
});
type WebhookAlert = z.output<typeof webhookAlert>;

const alerts = z.array(webhookAlert).min(1, 'must hold at least one alert').max(MAX_ALERTS, `must hold at most ${MAX_ALERTS} alerts`);

/** Alertmanager's webhook payload, version 4. */
export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  externalURL: z.string().optional(),
  alerts,
});

/** Grafana alerting's webhook contact point payload. */
export const grafanaPayloadSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']).optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  externalURL: z.string().optional(),
  alerts,
});

export type AlertSource = 'alertmanager' | 'grafana';

/** The dedup key of an alert: its fingerprint, which stays the same while its labels do. */
const alertDedupKey = (source: AlertSource, fingerprint: string) => `${source}:${fingerprint}`;

/** Annotations shown first, in this order, when an alert has them. */
const LEADING_ANNOTATIONS = ['summary', 'description', 'message', 'runbook_url'];

/**
 * The actions of one webhook request: each firing alert opens or joins the incident of its fingerprint; each
 * resolved alert resolves it. Title `alertname: summary`; message: annotations, value, labels; severity from
 * the `severity` label; links: the graph, the dashboard and panel, the runbook.
 */
export function actionsOfAlerts(source: AlertSource, service: string, received: readonly WebhookAlert[], now: Date): InboundAction[] {
  return received.map((alert): InboundAction => {
    const name = alert.labels.alertname ?? 'alert';
    const summary = alert.annotations.summary ?? alert.annotations.message;
    const title = fitTitle(summary ? `${name}: ${summary}` : name);
    const dedupKey = alertDedupKey(source, alert.fingerprint);
    if (alert.status === 'resolved') return { kind: 'resolve', dedupKey, summary: title };
    const annotations = Object.fromEntries(Object.entries(alert.annotations).filter(([k]) => !LEADING_ANNOTATIONS.includes(k)));
    const message = [
      ...LEADING_ANNOTATIONS.filter((k) => alert.annotations[k]).map((k) => `${k}: ${alert.annotations[k]}`),
      describeMap(annotations),
      alert.valueString ? `values: ${alert.valueString}` : '',
      `labels:\n${describeMap(alert.labels)}`,
    ]
      .filter(Boolean)
      .join('\n');
    const startsAt = alert.startsAt && !Number.isNaN(Date.parse(alert.startsAt)) && !alert.startsAt.startsWith('0001') ? alert.startsAt : undefined;
    return {
      kind: 'trigger',
      event: {
        service,
        severity: severityOfLabel(alert.labels.severity),
        title,
        message: fitMessage(message),
        detectedAt: startsAt ? new Date(startsAt).toISOString() : now.toISOString(),
        source,
        dedupKey,
        links: keptLinks([
          alert.generatorURL ? { href: alert.generatorURL, text: 'Source' } : undefined,
          alert.dashboardURL ? { href: alert.dashboardURL, text: 'Dashboard' } : undefined,
          alert.panelURL ? { href: alert.panelURL, text: 'Panel' } : undefined,
          alert.annotations.runbook_url ? { href: alert.annotations.runbook_url, text: 'Runbook' } : undefined,
        ]),
      },
    };
  });
}
