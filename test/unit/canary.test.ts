import { describe, expect, it } from 'vitest';
import { assessPage, canaryTeam, runCanary, type CanaryDeps } from '../../lambdas/domain/canary/canary';
import { CANARY_SERVICE, CANARY_TEAM } from '../../lambdas/domain/canary/canary-service';
import type { EscalationSnapshot, TeamProfile } from '../../lambdas/domain/escalation/escalation';
import { DEFAULT_URGENCY_POLICY } from '../../lambdas/domain/escalation/urgency';
import { openIncident, type Incident, type TimelineEntry } from '../../lambdas/domain/incident/incident';
import type { IncidentUseCaseDeps } from '../../lambdas/domain/incident/incident-use-cases';
import type { ChangeTarget, IncidentChange } from '../../lambdas/domain/incident/ports';
import { onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
import { readPeriodReport } from '../../lambdas/domain/reports/reports';
import { ListenedAnnouncer } from '../../lambdas/domain/webhooks/listened-announcer';
import { announcementOf } from '../../lambdas/domain/webhooks/webhook';

const ADDRESS = 'success@simulator.amazonses.com';
const startedAt = new Date('2026-12-03T08:00:00Z');
const frozen = {} as EscalationSnapshot;
const base = openIncident({ service: CANARY_SERVICE, severity: 'CRIT', title: 'InResponse canary', message: 'm', detectedAt: startedAt.toISOString() }, 100001, CANARY_TEAM, 'canary', startedAt);
const page = (overrides: Partial<TimelineEntry> = {}): TimelineEntry => ({ at: '2026-12-03T08:00:01.200Z', type: 'notified', by: 'inresponse', to: ADDRESS, level: 1, round: 0, messageId: 'ses-1', ...overrides });
const withTimeline = (...entries: TimelineEntry[]): Incident => ({ ...base, escalation: frozen, timeline: [...base.timeline, ...entries] });

describe('what an incident shows of the canary page', () => {
  it('waits while the escalation has not frozen its matrix, then while the page is not on the timeline', () => {
    expect(assessPage(base, ADDRESS)).toEqual({ passed: [] });
    expect(assessPage({ ...base, escalation: frozen }, ADDRESS)).toEqual({ passed: ['escalation started'] });
  });

  it('passes every check once SES accepted the page to the canary address, with its message id', () => {
    expect(assessPage(withTimeline(page()), ADDRESS)).toEqual({ passed: ['escalation started', 'notifier ran', 'SES accepted'], page: page() });
  });

  it('fails "SES accepted" for a page that failed for good, or that has no message id', () => {
    expect(assessPage(withTimeline(page({ type: 'notify_failed', messageId: undefined, note: 'MessageRejected: not verified' })), ADDRESS)).toEqual({
      passed: ['escalation started', 'notifier ran'],
      failure: { check: 'SES accepted', reason: 'MessageRejected: not verified' },
    });
    expect(assessPage(withTimeline(page({ messageId: undefined })), ADDRESS).failure).toEqual({ check: 'SES accepted', reason: 'the page has no SES message id' });
  });

  it('ignores pages to another address or by another channel: only the canary page counts', () => {
    expect(assessPage(withTimeline(page({ to: 'someone@example.com' }), page({ channel: 'sms' })), ADDRESS)).toEqual({ passed: ['escalation started'] });
  });

  it('fails "escalation started" for an incident whose escalation could not start, or that is gone', () => {
    expect(assessPage({ ...base, escalationStartFailedAt: startedAt.toISOString() }, ADDRESS).failure?.check).toBe('escalation started');
    expect(assessPage(undefined, ADDRESS).failure).toEqual({ check: 'escalation started', reason: 'the incident is gone' });
  });
});

interface WorldOptions {
  /** What the escalation writes, read by read: the incident's timeline entries once frozen, from the nth read. */
  readonly pageAfterReads?: number;
  readonly pageEntry?: TimelineEntry;
  readonly freeze?: boolean;
  readonly startFails?: boolean;
  readonly maintenance?: boolean;
  readonly resolveFails?: boolean;
  readonly removeFails?: boolean;
}

/** The canary's dependencies over one incident in memory, on a clock that only sleeping moves. */
function world(options: WorldOptions = {}) {
  let now = startedAt.getTime();
  let stored: Incident | undefined;
  let reads = 0;
  const log: string[] = [];
  const routes: TeamProfile[] = [];
  const incidents = {
    incidents: {
      findActiveByDedup: async () => (stored && stored.state !== 'RESOLVED' ? stored.number : undefined),
      allocateNumber: async () => 100001,
      create: async (incident: Incident) => {
        stored = incident;
        return true;
      },
      setEscalationStartFailure: async (_: number, entry: TimelineEntry | undefined) => {
        stored = { ...stored!, ...(entry ? { escalationStartFailedAt: entry.at } : {}) };
        return stored;
      },
      get: async () => {
        reads++;
        if (stored && options.freeze !== false && reads >= (options.pageAfterReads ?? 1)) {
          stored = { ...stored, escalation: frozen, timeline: options.pageEntry && !stored.timeline.includes(options.pageEntry) ? [...stored.timeline, options.pageEntry] : stored.timeline };
        }
        return stored;
      },
      change: async (_: ChangeTarget, change: IncidentChange) => {
        if (options.resolveFails) throw new Error('DynamoDB unavailable');
        log.push(`resolve: ${change.entry.note}`);
        stored = { ...stored!, state: 'RESOLVED', resolvedBy: change.entry.by, timeline: [...stored!.timeline, change.entry] };
        return { outcome: 'changed' as const, incident: stored };
      },
    },
    directory: { findService: async (id: string) => (id === CANARY_SERVICE ? { id, team: CANARY_TEAM, urgency: DEFAULT_URGENCY_POLICY } : undefined), findPrincipal: async () => undefined },
    escalation: {
      start: async () => {
        if (options.startFails) throw new Error('Step Functions unavailable');
      },
      stop: async () => {},
    },
    maintenance: {
      windows: async () => (options.maintenance ? [{ id: 'all-quiet', services: [CANARY_SERVICE], from: '2026-12-03T07:00:00Z', to: '2026-12-03T09:00:00Z', reason: 'r', origin: 'api', createdBy: 'ana' }] : []),
      window: async () => undefined,
    },
    announcer: { announce: async () => {} },
    statusPages: { invalidate: async () => {} },
    clock: () => new Date(now),
  } as unknown as IncidentUseCaseDeps;
  const deps: CanaryDeps = {
    incidents,
    store: {
      ensureRoute: async (team) => void routes.push(team),
      removeIncident: async (number) => {
        if (options.removeFails) throw new Error(`incident #${number} is not a resolved canary incident: kept`);
        log.push(`removed #${number}`);
      },
    },
    metrics: { canaryRun: (success) => void log.push(`metric ${success ? 1 : 0}`) },
    settings: { address: ADDRESS, deadlineMs: 60_000, pollMs: 500 },
    sleep: async (ms) => {
      now += ms;
    },
  };
  return { deps, log, routes, reads: () => reads };
}

describe('a canary run', () => {
  it('routes its page to the canary address, raises, waits for the page, resolves, removes its incident and measures 1', async () => {
    const { deps, log, routes, reads } = world({ pageAfterReads: 3, pageEntry: page() });
    const result = await runCanary(deps);
    expect(result).toEqual({ ok: true, number: 100001, passed: ['numbered', 'escalation started', 'notifier ran', 'SES accepted', 'resolved'], pageSeconds: 1.2 });
    expect(routes).toEqual([canaryTeam(ADDRESS)]);
    expect(routes[0]!.escalation.levels).toEqual([{ delayMinutes: 0, targets: [`email:${ADDRESS}`] }]);
    // Three reads until the page, one by the resolve.
    expect(reads()).toBe(4);
    expect(log).toEqual(['resolve: canary green', 'removed #100001', 'metric 1']);
  });

  it('turns red at "SES accepted" when the page failed, resolves but keeps the incident, and measures 0', async () => {
    const { deps, log } = world({ pageEntry: page({ type: 'notify_failed', messageId: undefined, note: 'MessageRejected' }) });
    expect(await runCanary(deps)).toEqual({ ok: false, number: 100001, passed: ['numbered', 'escalation started', 'notifier ran'], failed: 'SES accepted', reason: 'MessageRejected' });
    expect(log).toEqual(['resolve: canary red: SES accepted: MessageRejected', 'metric 0']);
  });

  it('turns red at the check it was waiting for when the deadline passes', async () => {
    const unfrozen = world({ freeze: false });
    expect(await runCanary(unfrozen.deps)).toMatchObject({ ok: false, passed: ['numbered'], failed: 'escalation started', reason: 'not seen within 60 s' });
    // One read at the start, then one every 500 ms until the minute is up; one by the resolve.
    expect(unfrozen.reads()).toBe(122);
    expect(await runCanary(world().deps)).toMatchObject({ ok: false, passed: ['numbered', 'escalation started'], failed: 'notifier ran' });
  });

  it('turns red at "escalation started" when the escalation cannot be started, and still resolves the incident it finds by its lock', async () => {
    const { deps, log } = world({ startFails: true });
    expect(await runCanary(deps)).toMatchObject({ ok: false, number: 100001, passed: ['numbered'], failed: 'escalation started', reason: expect.stringContaining('could not be started') });
    expect(log[0]).toMatch(/^resolve: canary red: escalation started/);
  });

  it('turns red at "numbered" when no incident opens, as in a maintenance window of its service', async () => {
    const { deps, log } = world({ maintenance: true });
    expect(await runCanary(deps)).toEqual({ ok: false, passed: [], failed: 'numbered', reason: 'suppressed by maintenance window all-quiet' });
    expect(log).toEqual(['metric 0']);
  });

  it('turns red at "resolved" when a green run cannot resolve or remove its incident', async () => {
    expect(await runCanary(world({ pageEntry: page(), resolveFails: true }).deps)).toMatchObject({ ok: false, failed: 'resolved', reason: 'Error: DynamoDB unavailable' });
    expect(await runCanary(world({ pageEntry: page(), removeFails: true }).deps)).toMatchObject({ ok: false, failed: 'resolved', reason: expect.stringContaining('kept') });
  });

  it('measures 0, and says why, whatever fails unexpectedly', async () => {
    const { deps, log } = world();
    const broken = { ...deps, store: { ...deps.store, ensureRoute: async () => Promise.reject(new Error('AccessDeniedException')) } };
    expect(await runCanary(broken)).toEqual({ ok: false, passed: [], failed: 'numbered', reason: 'Error: AccessDeniedException' });
    expect(log).toEqual(['metric 0']);
  });
});

describe("the canary's incidents", () => {
  it('are announced to nobody, even where Slack messages are refreshed after every resolve', async () => {
    const started: string[] = [];
    const webhooks = { list: async () => [] };
    const announcer = new ListenedAnnouncer({ announce: async (a) => void started.push(`${a.type} ${a.incident.service}`) }, webhooks, true);
    const resolved = { ...base, state: 'RESOLVED' as const, resolvedBy: 'canary', resolvedAt: startedAt.toISOString() };
    await announcer.announce(announcementOf('resolved', resolved, startedAt, { by: 'canary' }));
    await announcer.announce(announcementOf('resolved', { ...resolved, service: 'athens' }, startedAt, { by: 'ana' }));
    expect(started).toEqual(['resolved athens']);
  });

  it('stay out of reports', async () => {
    const athens = openIncident({ service: 'athens', severity: 'ERR', title: 't', message: 'm', detectedAt: startedAt.toISOString() }, 100002, 'ops', 'nagios', startedAt);
    const report = await readPeriodReport({ createdSince: async () => [base, athens], listPeople: async () => [] }, new Date('2026-12-03T09:00:00Z'), 7);
    expect(report.byService.map((r) => r.key)).toEqual(['athens']);
    expect(report.incidents).toBe(1);
  });

  it('may not be named by the config file: its service and team are reserved', () => {
    const parsed = onCallConfigSchema.safeParse({
      teams: { [CANARY_TEAM]: { timeZone: 'UTC', defaultContact: 'a@example.com' } },
      services: { [CANARY_SERVICE]: { team: CANARY_TEAM } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.filter((i) => i.message === "is reserved for InResponse's canary").map((i) => i.path.join('.'))).toEqual([`services.${CANARY_SERVICE}`, `teams.${CANARY_TEAM}`]);
  });
});
