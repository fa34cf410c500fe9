import { onCallConfigSchema, type OnCallConfig } from '../../lambdas/domain/oncall-config';

/** The on-call configuration the integration tests run with. */
export const TEST_CONFIG: OnCallConfig = onCallConfigSchema.parse({
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
});

export const validEvent = (overrides: Record<string, unknown> = {}) => ({
  service: 'athens',
  severity: 'CRIT',
  title: '5xx Error Spike',
  message: '5xx error rate above 5% in payment service',
  detectedAt: '2026-11-24T10:00:00Z',
  source: 'nagios',
  ...overrides,
});
