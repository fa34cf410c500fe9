import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetrics } from '../../lambdas/adapters/powertools-metrics';
import { CANARY_SERVICE } from '../../lambdas/domain/canary/canary-service';
import type { EscalationSnapshot, TeamProfile } from '../../lambdas/domain/escalation/escalation';
import { escalate, type EscalationDeps } from '../../lambdas/domain/escalation/escalation-use-case';
import { DEFAULT_URGENCY_POLICY } from '../../lambdas/domain/escalation/urgency';
import { openIncident, type Incident, type IncidentEvent, type TimelineEntry } from '../../lambdas/domain/incident/incident';
import { actOnIncident, raiseIncident, type IncidentUseCaseDeps } from '../../lambdas/domain/incident/incident-use-cases';
import type { ChangeTarget, IncidentChange } from '../../lambdas/domain/incident/ports';
import type { ContactMethod } from '../../lambdas/domain/notification/notification';
import type { OperationalMetrics } from '../../lambdas/domain/shared/metrics';

/** A metrics port that records each call as a line. */
function recordingMetrics(): OperationalMetrics & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    incidentCreated: (service, severity) => void calls.push(`created ${service} ${severity}`),
    pageResult: (channel, outcome) => void calls.push(`page ${channel} ${outcome}`),
    timeToFirstPage: (seconds) => void calls.push(`first page ${seconds}s`),
    timeToAcknowledge: (seconds) => void calls.push(`acknowledged ${seconds}s`),
    canaryRun: (success) => void calls.push(`canary ${success ? 1 : 0}`),
  };
}

const openedAt = new Date('2026-11-24T10:00:00Z');
const eventOf = (service: string): IncidentEvent => ({ service, severity: 'ERR', title: 'disk full', message: 'm', detectedAt: openedAt.toISOString() });

/** The incident use cases over one incident kept in memory, at `clock`. */
function incidentWorld(service: string, clock: () => Date) {
  let stored: Incident | undefined;
  const metrics = recordingMetrics();
  const deps = {
    incidents: {
      findActiveByDedup: async () => (stored && stored.state !== 'RESOLVED' ? stored.number : undefined),
      recordRepeat: async () => stored && { ...stored, occurrences: stored.occurrences + 1 },
      allocateNumber: async () => 100001,
      create: async (incident: Incident) => {
        stored = incident;
        return true;
      },
      get: async () => stored,
      change: async (_: ChangeTarget, change: IncidentChange) => {
        stored = { ...stored!, state: change.to ?? stored!.state, timeline: [...stored!.timeline, change.entry] };
        return { outcome: 'changed' as const, incident: stored };
      },
    },
    directory: { findService: async (id: string) => ({ id, team: 'ops', urgency: DEFAULT_URGENCY_POLICY }), findPrincipal: async () => undefined },
    escalation: { start: async () => {}, stop: async () => {} },
    maintenance: { windows: async () => [], window: async () => undefined },
    announcer: { announce: async () => {} },
    statusPages: { invalidate: async () => {} },
    metrics,
    clock,
  } as unknown as IncidentUseCaseDeps;
  const principal = { name: 'nagios', role: 'integration' as const, service };
  return { deps, metrics, principal };
}

describe('incident metrics', () => {
  it('count a created incident by service and severity, once: a repeat is no new incident', async () => {
    const { deps, metrics, principal } = incidentWorld('athens', () => openedAt);
    await raiseIncident(deps, principal, eventOf('athens'));
    await raiseIncident(deps, principal, eventOf('athens'));
    expect(metrics.calls).toEqual(['created athens ERR']);
  });

  it('time the acknowledgement from creation to the claim, and not a later resolve', async () => {
    let now = openedAt;
    const { deps, metrics, principal } = incidentWorld('athens', () => now);
    await raiseIncident(deps, principal, eventOf('athens'));
    now = new Date('2026-11-24T10:04:30Z');
    await actOnIncident(deps, principal, 100001, { action: 'claim', by: 'ana' });
    now = new Date('2026-11-24T10:30:00Z');
    await actOnIncident(deps, principal, 100001, { action: 'resolve', by: 'ana' });
    expect(metrics.calls).toEqual(['created athens ERR', 'acknowledged 270s']);
  });

  it('take a resolve of an OPEN incident as its acknowledgement', async () => {
    let now = openedAt;
    const { deps, metrics, principal } = incidentWorld('athens', () => now);
    await raiseIncident(deps, principal, eventOf('athens'));
    now = new Date('2026-11-24T10:01:00Z');
    await actOnIncident(deps, principal, 100001, { action: 'resolve', by: 'ana' });
    expect(metrics.calls).toEqual(['created athens ERR', 'acknowledged 60s']);
  });

  it("leave the canary's incidents uncounted", async () => {
    const { deps, metrics, principal } = incidentWorld(CANARY_SERVICE, () => openedAt);
    await raiseIncident(deps, principal, eventOf(CANARY_SERVICE));
    await actOnIncident(deps, principal, 100001, { action: 'resolve', by: 'canary' });
    expect(metrics.calls).toEqual([]);
  });
});

describe('page metrics', () => {
  const team: TeamProfile = {
    name: 'ops',
    timeZone: 'UTC',
    defaultContact: 'lead@example.com',
    escalation: { repeat: 0, repeatAfterMinutes: 10, levels: [{ delayMinutes: 0, targets: ['email:ana@example.com', 'email:gone@example.com'] }, { delayMinutes: 10, targets: ['email:lead@example.com'] }] },
  };

  /** An escalation whose notifier sends to every address but gone@, which SES refuses for good. */
  function escalationWorld(service: string) {
    let now = new Date('2026-11-24T10:00:12Z');
    let incident: Incident = openIncident(eventOf(service), 100001, 'ops', 'nagios', openedAt);
    const metrics = recordingMetrics();
    const deps = {
      incidents: {
        get: async () => incident,
        freezeEscalation: async (_: number, snapshot: EscalationSnapshot) => {
          incident = { ...incident, escalation: snapshot };
          return incident;
        },
        appendTimeline: async (_: number, entries: readonly TimelineEntry[]) => {
          incident = { ...incident, timeline: [...incident.timeline, ...entries] };
        },
        setEscalationProgress: async (_: number, __: unknown, next: EscalationSnapshot['progress']) => {
          incident = { ...incident, escalation: { ...incident.escalation!, progress: next } };
          return true;
        },
      },
      onCall: { findTeam: async () => team, findSchedules: async () => [], findPeople: async () => new Map() },
      notifier: {
        notify: async (contact: ContactMethod) =>
          contact.channel === 'email' && contact.address === 'gone@example.com' ? { outcome: 'permanent', reason: 'MessageRejected' } : { outcome: 'sent', messageId: 'ses-1' },
      },
      channels: new Set(),
      linkTo: () => 'https://inresponse.example/actions/x',
      threads: { rememberThread: async () => {} },
      maintenance: { windows: async () => [], window: async () => undefined },
      metrics,
      clock: () => now,
    } as unknown as EscalationDeps;
    const later = (iso: string) => {
      now = new Date(iso);
    };
    return { deps, metrics, later };
  }

  it('count each page sent or failed for good by channel, and time the first page once', async () => {
    const { deps, metrics, later } = escalationWorld('athens');
    await escalate(deps, { incidentId: 100001, team: 'ops' });
    expect(metrics.calls).toEqual(['page email sent', 'page email failed', 'first page 12s']);
    later('2026-11-24T10:11:00Z');
    await escalate(deps, { incidentId: 100001 });
    expect(metrics.calls.slice(3)).toEqual(['page email sent']);
  });

  it("leave the canary's pages uncounted", async () => {
    const { deps, metrics } = escalationWorld(CANARY_SERVICE);
    await escalate(deps, { incidentId: 100001, team: 'ops' });
    expect(metrics.calls).toEqual([]);
  });
});

describe('the Powertools metrics adapter', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** The EMF lines the adapter prints while `emit` runs, parsed. */
  function printed(emit: (metrics: PowertoolsMetrics) => void): Record<string, unknown>[] {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    emit(new PowertoolsMetrics('InResponse/Test'));
    vi.restoreAllMocks();
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('prints one EMF line per figure, in the namespace, with the service dimension and its own, no others', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines = printed((metrics) => {
      metrics.incidentCreated('athens', 'CRIT');
      metrics.pageResult('sms', 'failed');
      metrics.timeToFirstPage(12.5);
      metrics.canaryRun(false);
    });
    const shapes = lines.map(({ _aws, ...values }) => {
      const [directive] = (_aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics;
      return { namespace: directive!.Namespace, dimensions: directive!.Dimensions, metrics: directive!.Metrics, values };
    });
    expect(shapes).toEqual([
      { namespace: 'InResponse/Test', dimensions: [['service', 'IncidentService', 'Severity']], metrics: [{ Name: 'IncidentsCreated', Unit: 'Count' }], values: { service: 'inresponse', IncidentService: 'athens', Severity: 'CRIT', IncidentsCreated: 1 } },
      { namespace: 'InResponse/Test', dimensions: [['service', 'Channel']], metrics: [{ Name: 'PagesFailed', Unit: 'Count' }], values: { service: 'inresponse', Channel: 'sms', PagesFailed: 1 } },
      { namespace: 'InResponse/Test', dimensions: [['service']], metrics: [{ Name: 'TimeToFirstPage', Unit: 'Seconds' }], values: { service: 'inresponse', TimeToFirstPage: 12.5 } },
      { namespace: 'InResponse/Test', dimensions: [['service']], metrics: [{ Name: 'CanarySuccess', Unit: 'Count' }], values: { service: 'inresponse', CanarySuccess: 0 } },
    ]);
  });

  it('prints nothing while POWERTOOLS_METRICS_DISABLED is true, as in the tests and under npm start', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    expect(printed((metrics) => metrics.timeToAcknowledge(60))).toEqual([]);
  });
});
