import { DEFAULT_URGENCY_POLICY } from '../../lambdas/domain/escalation/urgency';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../lambdas/domain/access/access';
import { ForbiddenError, TemporarilyUnavailableError, ValidationError } from '../../lambdas/domain/shared/errors';
import { openIncident, type Incident, type IncidentEvent } from '../../lambdas/domain/incident/incident';
import { raiseIncident, type IncidentUseCaseDeps } from '../../lambdas/domain/incident/incident-use-cases';
import type { IncidentRepository } from '../../lambdas/domain/incident/ports';
import type { MaintenanceWindow } from '../../lambdas/domain/maintenance/maintenance';

const now = new Date('2026-11-24T10:00:00Z');
const nagios: Principal = { name: 'athens-nagios', role: 'integration', service: 'athens' };
const event: IncidentEvent = { service: 'athens', severity: 'CRIT', title: 'disk full', message: 'm', detectedAt: now.toISOString() };
const incident = (number: number, overrides: Partial<Incident> = {}): Incident => ({
  ...openIncident(event, number, 'devops', 'athens-nagios', now),
  ...overrides,
});

/**
 * A scripted repository: each method answers from its queue of results, in order, and records its calls.
 * Only what a test scripts is called; anything else fails the test.
 */
function scriptedRepository(script: Partial<Record<keyof IncidentRepository, unknown[]>>) {
  const calls: string[] = [];
  const repository = new Proxy({} as IncidentRepository, {
    get: (_, method: keyof IncidentRepository) => async () => {
      calls.push(method);
      const queue = script[method];
      if (!queue?.length) throw new Error(`unscripted call ${method}`);
      return queue.shift();
    },
  });
  return { repository, calls };
}

function deps(repository: IncidentRepository, startFailures = 0, windows: MaintenanceWindow[] = []): IncidentUseCaseDeps & { starts: number[]; announced: string[] } {
  const starts: number[] = [];
  const announced: string[] = [];
  let failures = startFailures;
  return {
    incidents: repository,
    directory: {
      findService: async (id) => (id === 'athens' ? { id, team: 'devops', urgency: DEFAULT_URGENCY_POLICY } : undefined),
      findPrincipal: async () => undefined,
    },
    escalation: {
      start: async (i) => {
        if (failures-- > 0) throw new Error('Step Functions unavailable');
        starts.push(i.number);
      },
      stop: async () => {},
    },
    maintenance: { windows: async () => windows, window: async (id) => windows.find((w) => w.id === id) },
    announcer: { announce: async (a) => void announced.push(`${a.type} #${a.incident.number} by ${a.by}`) },
    statusPages: { invalidate: async () => {} },
    clock: () => now,
    starts,
    announced,
  };
}

describe('raiseIncident', () => {
  it('numbers, stores and starts the escalation of a new incident', async () => {
    const { repository, calls } = scriptedRepository({ findActiveByDedup: [undefined], allocateNumber: [100001], create: [true] });
    const d = deps(repository);
    const result = await raiseIncident(d, nagios, event);
    expect(result).toMatchObject({ created: true, incident: { number: 100001, state: 'OPEN', team: 'devops' } });
    expect(calls).toEqual(['findActiveByDedup', 'allocateNumber', 'create']);
    expect(d.starts).toEqual([100001]);
    expect(d.announced).toEqual(['created #100001 by athens-nagios']);
  });

  it('counts a repeat into the open incident without a number or an escalation', async () => {
    const { repository, calls } = scriptedRepository({ findActiveByDedup: [100001], recordRepeat: [incident(100001, { occurrences: 2 })] });
    const d = deps(repository);
    expect(await raiseIncident(d, nagios, event)).toMatchObject({ created: false, incident: { occurrences: 2 } });
    expect(calls).toEqual(['findActiveByDedup', 'recordRepeat']);
    expect(d.starts).toEqual([]);
    expect(d.announced).toEqual([]);
  });

  const upgrade: MaintenanceWindow = {
    id: 'db-upgrade',
    services: ['athens'],
    from: '2026-11-24T09:00:00.000Z',
    to: '2026-11-24T11:00:00.000Z',
    reason: 'database upgrade',
    origin: 'api',
    createdBy: 'ana',
  };

  it('opens nothing for a new event of a service in maintenance: no number, no escalation, the window answered', async () => {
    const { repository, calls } = scriptedRepository({ findActiveByDedup: [undefined] });
    const d = deps(repository, 0, [upgrade]);
    expect(await raiseIncident(d, nagios, event)).toEqual({ suppressed: upgrade });
    expect(calls).toEqual(['findActiveByDedup']);
    expect(d.starts).toEqual([]);
    expect(d.announced).toEqual([]);
  });

  it('counts a repeat of an incident already open during maintenance, and opens one once the window is over', async () => {
    const { repository, calls } = scriptedRepository({ findActiveByDedup: [100001, undefined], recordRepeat: [incident(100001, { occurrences: 2 })], allocateNumber: [100002], create: [true] });
    expect(await raiseIncident(deps(repository, 0, [upgrade]), nagios, event)).toMatchObject({ created: false, incident: { occurrences: 2 } });
    const over = { ...upgrade, to: now.toISOString() };
    expect(await raiseIncident(deps(repository, 0, [over]), nagios, event)).toMatchObject({ created: true, incident: { number: 100002 } });
    expect(calls).toEqual(['findActiveByDedup', 'recordRepeat', 'findActiveByDedup', 'allocateNumber', 'create']);
  });

  it('reads the lock again when the incident it named was resolved meanwhile, then creates', async () => {
    const { repository, calls } = scriptedRepository({
      findActiveByDedup: [100001, undefined],
      recordRepeat: [undefined],
      allocateNumber: [100002],
      create: [true],
    });
    expect(await raiseIncident(deps(repository), nagios, event)).toMatchObject({ incident: { number: 100002 } });
    expect(calls).toEqual(['findActiveByDedup', 'recordRepeat', 'findActiveByDedup', 'allocateNumber', 'create']);
  });

  it('joins the incident of a concurrent request that took the lock first, leaving its own number unused', async () => {
    const { repository } = scriptedRepository({
      findActiveByDedup: [undefined, 100007],
      allocateNumber: [100008],
      create: [false],
      recordRepeat: [incident(100007, { occurrences: 2 })],
    });
    const d = deps(repository);
    expect(await raiseIncident(d, nagios, event)).toMatchObject({ created: false, incident: { number: 100007 } });
    expect(d.starts).toEqual([]);
  });

  it('answers 503 rather than looping when the lock keeps changing hands', async () => {
    const { repository } = scriptedRepository({ findActiveByDedup: [1, 2, 3, 4], recordRepeat: [undefined, undefined, undefined, undefined] });
    await expect(raiseIncident(deps(repository), nagios, event)).rejects.toBeInstanceOf(TemporarilyUnavailableError);
  });

  it('marks the incident when its escalation cannot start, and the repeat that finds the mark starts it and clears it', async () => {
    const failed = incident(100001, { escalationStartFailedAt: now.toISOString() });
    const { repository, calls } = scriptedRepository({
      findActiveByDedup: [undefined, 100001],
      allocateNumber: [100001],
      create: [true],
      setEscalationStartFailure: [failed, incident(100001, { occurrences: 2 })],
      recordRepeat: [{ ...failed, occurrences: 2 }],
    });
    const d = deps(repository, 1);
    await expect(raiseIncident(d, nagios, event)).rejects.toMatchObject({ name: 'TemporarilyUnavailableError', retryAfterSeconds: 5 });
    // Announced once the escalation has started, not before.
    expect(d.announced).toEqual([]);
    const retry = await raiseIncident(d, nagios, event);
    expect(d.announced).toEqual(['created #100001 by athens-nagios']);
    expect(retry).toHaveProperty('incident');
    expect(retry).not.toHaveProperty('incident.escalationStartFailedAt');
    expect(d.starts).toEqual([100001]);
    expect(calls.filter((c) => c === 'setEscalationStartFailure')).toHaveLength(2);
  });

  it('refuses another service, a responder key, and an unknown service, before touching the store', async () => {
    const { repository, calls } = scriptedRepository({});
    const d = deps(repository);
    await expect(raiseIncident(d, nagios, { ...event, service: 'argos' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(raiseIncident(d, { name: 'r', role: 'responder' }, event)).rejects.toBeInstanceOf(ForbiddenError);
    const orphan: Principal = { name: 'k', role: 'integration', service: 'gone' };
    await expect(raiseIncident(d, orphan, { ...event, service: 'gone' })).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toEqual([]);
  });
});
