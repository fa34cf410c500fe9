import type { Severity } from '../../lambdas/domain/incident/incident';
import type { PageIncidentInput, SnapshotInput } from '../../lambdas/domain/status-pages/snapshot';
import { statusPageConfigSchema } from '../../lambdas/domain/status-pages/status-page-config';
import type { StatusUpdate } from '../../lambdas/domain/status-pages/status-updates';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (t: number) => new Date(t).toISOString();

/**
 * A realistic large page after a bad quarter, as of `now`: 20 components in 4 groups, each with incidents on
 * some 18 of the 90 days; 4 incidents with 3 or 4 updates of 400 characters; a window running and one to come.
 */
export function badQuarterInput(now: Date): SnapshotInput {
  const severities: Severity[] = ['CRIT', 'ERR', 'WARN'];
  const components = Array.from({ length: 20 }, (_, i) => ({ service: `service-${i}`, name: `Customer-facing component number ${i}`, group: `Product area ${i % 4}` }));
  const incidents: PageIncidentInput[] = components.flatMap((c, i) =>
    Array.from({ length: 15 }, (_, k): PageIncidentInput => {
      const opened = now.getTime() - (6 * k + (i % 6) + 1) * DAY + (i + k) * HOUR;
      return { number: 1000 * i + k, service: c.service, severity: severities[(i + k) % 3]!, state: 'RESOLVED', openedAt: iso(opened), resolvedAt: iso(opened + (k + 1) * 17 * 60_000) };
    }),
  );
  const text = 'We are seeing elevated error rates for card payments in the EU region; the team has identified a failing database node and is failing over. '.repeat(3);
  const updates = [0, 1, 2, 3].flatMap((n) =>
    (['investigating', 'identified', 'monitoring', ...(n >= 2 ? ['resolved' as const] : [])] as const).map(
      (status, k): StatusUpdate => ({ id: `u${n}-${k}`, at: iso(now.getTime() - (n * 2 + 1) * HOUR + k * 600_000), status, text, incidentNumber: 1000 * n }),
    ),
  );
  return {
    id: 'example',
    url: 'https://status.example.com',
    now,
    config: statusPageConfigSchema.parse({ title: 'Example Cloud Platform', visibility: 'public', timeZone: 'Europe/Paris', components }),
    incidents: [...incidents, { number: 0, service: 'service-0', severity: 'CRIT', state: 'OPEN', openedAt: iso(now.getTime() - HOUR) }],
    maintenanceWindows: [
      { id: 'm1', services: ['service-3', 'service-4'], from: iso(now.getTime() - HOUR), to: iso(now.getTime() + HOUR), reason: 'Database engine upgrade' },
      { id: 'm2', services: ['service-5'], from: iso(now.getTime() + 2 * DAY), to: iso(now.getTime() + 2 * DAY + 4 * HOUR), reason: 'Network maintenance' },
    ],
    overrides: {},
    updates,
  };
}
