import { describe, expect, it } from 'vitest';
import { type ComponentStatus, componentStatus, pageStatus, type ServiceIncident } from '../../lambdas/domain/status-pages/component-status';

const NOW = new Date('2026-11-24T10:00:00Z');
const open = (severity: ServiceIncident['severity'], state: ServiceIncident['state'] = 'OPEN', service = 'athens'): ServiceIncident => ({ service, severity, state });

describe('component status', () => {
  it('is operational without open incidents, and maps CRIT, ERR, WARN to major, partial, degraded', () => {
    expect(componentStatus('athens', [], false, undefined, NOW)).toBe('operational');
    expect(componentStatus('athens', [open('CRIT')], false, undefined, NOW)).toBe('major_outage');
    expect(componentStatus('athens', [open('ERR', 'CLAIMED')], false, undefined, NOW)).toBe('partial_outage');
    expect(componentStatus('athens', [open('WARN')], false, undefined, NOW)).toBe('degraded_performance');
  });

  it('takes the worst open incident of its own service only', () => {
    const incidents = [open('WARN'), open('CRIT', 'RESOLVED'), open('ERR', 'CLAIMED'), open('CRIT', 'OPEN', 'sparta')];
    expect(componentStatus('athens', incidents, false, undefined, NOW)).toBe('partial_outage');
  });

  it('shows maintenance over degraded performance, and an outage over maintenance', () => {
    expect(componentStatus('athens', [], true, undefined, NOW)).toBe('under_maintenance');
    expect(componentStatus('athens', [open('WARN')], true, undefined, NOW)).toBe('under_maintenance');
    expect(componentStatus('athens', [open('ERR')], true, undefined, NOW)).toBe('partial_outage');
    expect(componentStatus('athens', [open('CRIT')], true, undefined, NOW)).toBe('major_outage');
  });

  it('shows a responder override over everything until it expires', () => {
    const override = { status: 'degraded_performance' as const, until: '2026-11-24T11:00:00Z' };
    expect(componentStatus('athens', [open('CRIT')], true, override, NOW)).toBe('degraded_performance');
    expect(componentStatus('athens', [], false, { status: 'major_outage' }, NOW)).toBe('major_outage');
    expect(componentStatus('athens', [open('CRIT')], false, override, new Date('2026-11-24T11:00:00Z'))).toBe('major_outage');
  });
});

describe('page status', () => {
  const cases: [ComponentStatus[], string, string][] = [
    [[], 'none', 'All Systems Operational'],
    [['operational', 'operational'], 'none', 'All Systems Operational'],
    [['operational', 'under_maintenance'], 'none', 'Service Under Maintenance'],
    [['degraded_performance', 'under_maintenance'], 'minor', 'Minor Service Outage'],
    [['operational', 'partial_outage', 'degraded_performance'], 'major', 'Partial System Outage'],
    [['major_outage', 'under_maintenance', 'partial_outage'], 'critical', 'Major System Outage'],
  ];
  it.each(cases)('of %j is %s', (statuses, indicator, description) => {
    expect(pageStatus(statuses)).toEqual({ indicator, description });
  });
});
