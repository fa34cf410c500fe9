import { onCallConfigSchema, type OnCallConfig } from '../../lambdas/domain/oncall/oncall-config';

/** The on-call configuration the integration tests run with, as a config file holds it. */
export const TEST_CONFIG_SOURCE = {
  teams: {
    devops: {
      timeZone: 'Europe/Paris',
      defaultContact: 'devops-lead@example.com',
      calendar: [{ from: '2026-11-01', to: '2026-11-30', oncall: 'safeer@example.com', escalation: 'manoj@example.com' }],
    },
    search: { timeZone: 'America/New_York', defaultContact: 'search-lead@example.com' },
  },
  services: { athens: { team: 'devops' }, argos: { team: 'search' } },
  apiKeys: {
    'athens-nagios': { role: 'integration', service: 'athens' },
    'argos-prometheus': { role: 'integration', service: 'argos' },
    responders: { role: 'responder' },
  },
};

/** The on-call configuration the integration tests run with. */
export const TEST_CONFIG: OnCallConfig = onCallConfigSchema.parse(TEST_CONFIG_SOURCE);

export const validEvent = (overrides: Record<string, unknown> = {}) => ({
  service: 'athens',
  severity: 'CRIT',
  title: '5xx Error Spike',
  message: '5xx error rate above 5% in payment service',
  detectedAt: '2026-11-24T10:00:00Z',
  source: 'nagios',
  ...overrides,
});

/** Timeline entries the escalation writes, asynchronously, beside what a request writes. */
const ESCALATION_ENTRIES = new Set(['notified', 'notify_failed', 'oncall_gap']);

/**
 * An incident as requests left it: without what its running escalation adds meanwhile (the frozen matrix and
 * the pages on the timeline), for tests about the API rather than about paging.
 */
export function withoutEscalation<T extends { timeline: { type: string }[] }>(incident: T): Omit<T, 'escalation'> {
  const { escalation: _escalation, ...rest } = incident as T & { escalation?: unknown };
  return { ...rest, timeline: incident.timeline.filter((e) => !ESCALATION_ENTRIES.has(e.type)) };
}
