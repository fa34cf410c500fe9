import { LINK_ACTIONS, type LinkAction } from '../access/action-links';
import { advance, freezeEscalation, type EscalationProgress, type EscalationSnapshot, type PagedRecipient, type TeamProfile } from './escalation';
import type { Urgency } from './urgency';
import { restartHigh } from './raise-urgency';
import type { PlannedStep } from '../notification/personal-rules';
import { postPageToSlackChannel, type SlackChannelPostDeps } from '../notification/slack-messages';
import type { Schedule } from '../oncall/schedule';
import type { Person } from '../oncall/schedule-config';
import { type OnCallGap, personIdsOf, type Recipient, recipientsOf, schedulesNamed, targetOf, whoIsTargeted } from '../oncall/targets';
import { type Incident, SYSTEM, type TimelineEntry } from '../incident/incident';
import { type Channel, type ContactMethod, type Notifier, reachOf } from '../notification/notification';
import { threadKeyOf } from '../inbound-email/inbound-email';
import type { InboundMailIndex } from '../inbound-email/ports';
import type { IncidentRepository } from '../incident/ports';
import type { Clock } from '../shared/clock';
import type { IncidentAnnouncer } from '../webhooks/ports';
import { announcementOf } from '../webhooks/webhook';
import { holdingWindow } from '../maintenance/maintenance-use-cases';
import type { MaintenanceWindow } from '../maintenance/maintenance';
import type { MaintenanceCalendar } from '../maintenance/ports';
import { secondsBetween, type OperationalMetrics } from '../shared/metrics';
import { isCanaryService } from '../canary/canary-service';


/** The on-call configuration an escalation reads: fresh, never cached, so a level pages the people on call now. */
export interface OnCallDirectory {
  findTeam(name: string): Promise<TeamProfile | undefined>;
  /** The team's schedules with every override, the API's included. */
  findSchedules(team: string): Promise<Schedule[]>;
  /** The people of these ids that exist. */
  findPeople(ids: readonly string[]): Promise<ReadonlyMap<string, Person>>;
}

export interface EscalationDeps {
  readonly incidents: Pick<IncidentRepository, 'get' | 'freezeEscalation' | 'appendTimeline' | 'setEscalationProgress' | 'changeUrgency'>;
  readonly onCall: OnCallDirectory;
  /** Reaches each recipient on its channel. */
  readonly notifier: Notifier;
  /** The channels set up beside email. */
  readonly channels: ReadonlySet<Channel>;
  /** The URL of a signed link that lets `to` take `action` on the incident. */
  readonly linkTo: (incident: number, action: LinkAction, to: string) => string;
  /** The inbound address replies to a page of this service go to, when mail is taken in. */
  readonly replyTo?: (service: string) => string;
  /** Remembers each page's message id, so that a reply to it finds the incident. */
  readonly threads: Pick<InboundMailIndex, 'rememberThread'>;
  /** Posts the page in the Slack channel of the service or team, where Slack is set up. */
  readonly slackChannelPost?: SlackChannelPostDeps;
  /** Tells the webhooks when a level beyond the first, or a repeat, has fired. */
  readonly announcer?: IncidentAnnouncer;
  /**
   * The maintenance windows, never cached: a window over the service holds the escalation until it ends (and
   * is read again by key before it does, so that one ended early releases it at once).
   */
  readonly maintenance: MaintenanceCalendar;
  /** Counts pages sent and failed, and times the first page; nothing is measured without it. */
  readonly metrics?: Pick<OperationalMetrics, 'pageResult' | 'timeToFirstPage'>;
  readonly clock: Clock;
}

/** The state machine's state between steps: the first step's input, or one of the wakes it answered. */
export interface EscalationStep {
  readonly incidentId: number;
  /** The owning team, in the execution's input: lets the first step read the team beside the incident. */
  readonly team?: string;
  /** Set by the state machine after the retries of a retryable failure ran out. */
  readonly giveUp?: boolean;
}

/** An instant the state machine waits until before the next step. */
export interface Wake {
  readonly incidentId: number;
  readonly at: string;
}

export interface EscalationStepResult {
  readonly incidentId: number;
  readonly done: boolean;
  /**
   * The instants to wake at, in order: the personal steps due before the next level, then the next level (or
   * the start of support hours) last. Empty when done.
   */
  readonly wakes: readonly Wake[];
  /** The first wake: what an execution of the previous definition waits until. */
  readonly waitUntil?: string;
}

/**
 * Some pages failed in a way worth retrying (throttling, 5xx, timeouts). The state machine retries only this
 * error, by name; pages already sent are not sent again.
 */
export class RetryableNotifyError extends Error {
  override readonly name = 'RetryableNotifyError';
}

/** The most wakes one answer lists; the last wake plans again, so a longer plan only waits for it. */
const MAX_WAKES = 40;

const MINUTE_MS = 60_000;

const finished = (incidentId: number): EscalationStepResult => ({ incidentId, done: true, wakes: [] });

/**
 * One step of an incident's escalation. Freezes the matrix on the first step; raises a low incident whose
 * support hours started; fires the level that is due, freezing who it pages with their personal steps;
 * sends every personal step that is due; passes a level whose people all proved unreachable on to the next
 * at once; and says when to wake next. Ends as soon as the incident is no longer OPEN, re-read before every send.
 * While its service is in maintenance it sends nothing and wakes at the window's end, where what is due fires;
 * the timeline says once that it is held, and once that it resumed.
 */
export async function escalate(deps: EscalationDeps, step: EscalationStep): Promise<EscalationStepResult> {
  const { incidentId } = step;
  // The first step reads the team beside the incident rather than after it: one round trip less to the page.
  const [found, prefetchedTeam, windows] = await Promise.all([
    deps.incidents.get(incidentId),
    step.team === undefined ? undefined : deps.onCall.findTeam(step.team),
    deps.maintenance.windows(),
  ]);
  let incident = found;
  if (incident?.state !== 'OPEN') return finished(incidentId);
  const held = await holdingWindow(deps.maintenance, windows, incident.service, deps.clock());
  const holding = await recordHold(deps, incident, held);
  if (held) return { incidentId, done: false, wakes: [{ incidentId, at: held.to }], waitUntil: held.to };
  if (holding) incident = { ...incident, timeline: [...incident.timeline, holding] };
  /** Whether `incident` was read (consistently) by this step and nothing was sent since. */
  let fresh = true;
  let prefetched: Promise<LevelRecipients> | undefined;
  if (!incident.escalation) {
    const team = step.team === incident.team ? prefetchedTeam : await deps.onCall.findTeam(incident.team);
    if (!team) {
      await deps.incidents.appendTimeline(incidentId, [
        { at: deps.clock().toISOString(), type: 'notify_failed', by: SYSTEM, note: `team ${incident.team} is not configured: nobody to page` },
      ]);
      return finished(incidentId);
    }
    const frozen = freezeEscalation(team, new Date(incident.createdAt), deps.clock());
    // Who is on call is read while the matrix is written when the first level fires right away, as it usually does.
    const firstDue = !frozen.progress.done && Date.parse(frozen.progress.nextAt) <= deps.clock().getTime();
    if (firstDue) {
      prefetched = levelRecipients(deps.onCall, frozen, deps.clock(), deps.channels, urgencyOf(incident));
      // If the write below fails first, this read's failure must not go unhandled; awaited, it still throws.
      prefetched.catch(() => undefined);
    }
    // The write answers with the item as it now is: a consistent view of the state, like a read.
    incident = await deps.incidents.freezeEscalation(incidentId, frozen);
    if (incident.state !== 'OPEN') return finished(incidentId);
    if (incident.escalation!.startedAt !== frozen.startedAt || incident.escalation!.team !== frozen.team) prefetched = undefined;
  } else {
    fresh = false;
  }

  const now = deps.clock();
  if (incident.urgency === 'low' && incident.raiseAt && Date.parse(incident.raiseAt) <= now.getTime()) {
    const raised = await restartHigh(deps, incident, now, `support hours of ${incident.service} started`);
    if (raised.state !== 'OPEN') return finished(incidentId);
    incident = raised;
    fresh = true;
    prefetched = undefined;
  }

  const sending = { giveUp: step.giveUp === true, unchecked: !fresh, retryable: [] as string[] };
  // Each pass fires the level due; a level whose people all proved unreachable makes the next one due at once.
  for (let pass = 0; pass <= MAX_LEVEL_PASSES; pass++) {
    const progress = incident.escalation!.progress;
    const levelDue = !progress.done && levelFires(incident, progress) && Date.parse(progress.nextAt) <= now.getTime();
    const fired = levelDue
      ? await firingLevel(deps, incident, progress, now, await (prefetched ?? levelRecipients(deps.onCall, incident.escalation!, now, deps.channels, urgencyOf(incident))))
      : undefined;
    prefetched = undefined;
    const sent = await sendDueSteps(deps, fired?.incident ?? incident, now, sending);
    if (sent === 'acknowledged') return finished(incidentId);
    // The channel post goes after the people's own pages, once per incident, on the incident as this step has it.
    if (fired && fired.paged[0]?.level === 1 && deps.slackChannelPost) {
      const posted = await postPageToSlackChannel(deps.slackChannelPost, sent);
      if (posted.outcome === 'retryable') sending.retryable.push(`Slack channel: ${posted.reason}`);
    }
    // The level moves on only once its pages went out: a retried step fires it again, skipping what was sent.
    if (sending.retryable.length) throw new RetryableNotifyError(sending.retryable.join('; '));
    incident = sent;
    if (fired) {
      await deps.incidents.setEscalationProgress(incidentId, progress, fired.incident.escalation!.progress, fired.paged);
      const { level, round } = fired.paged[0]!;
      if (level > 1 || round > 0) await deps.announcer?.announce(announcementOf('escalated', incident, now, { level, round }));
    }
    const passed = await passOverUnreachable(deps, incident, now);
    if (!passed) break;
    incident = passed;
  }
  return nextWakes(incident, now);
}

/**
 * Says on the timeline that the escalation is held by the maintenance window `held`, once per window (a step
 * retried, or another wake in the same window, adds nothing), or that it resumed, once the window that held
 * it no longer does. Answers the entry written, if any.
 */
async function recordHold(deps: EscalationDeps, incident: Incident, held: MaintenanceWindow | undefined): Promise<TimelineEntry | undefined> {
  const last = incident.timeline.findLast((e) => e.type === 'held' || e.type === 'resumed');
  const holding = last?.type === 'held' ? last.maintenance : undefined;
  if (held?.id === holding) return undefined;
  const at = deps.clock().toISOString();
  const entry: TimelineEntry = held
    ? { at, type: 'held', by: SYSTEM, maintenance: held.id, note: `escalation held: service ${incident.service} in maintenance ${held.id} until ${held.to}` }
    : { at, type: 'resumed', by: SYSTEM, maintenance: holding, note: `escalation resumed: maintenance ${holding} is over` };
  await deps.incidents.appendTimeline(incident.number, [entry]);
  return entry;
}

/** A matrix has at most 10 levels: passing over each at once cannot take more passes than that. */
const MAX_LEVEL_PASSES = 10;

const urgencyOf = (incident: Incident): Urgency => incident.urgency ?? 'high';

/** Whether the level of `progress` is to fire: at low urgency only the first level of the run fires, once. */
const levelFires = (incident: Incident, progress: Due) => urgencyOf(incident) === 'high' || (progress.level === 0 && progress.round === 0);

/** Who the level due pages, and the schedules in it that have nobody on call. */
export interface LevelRecipients {
  readonly recipients: readonly Recipient[];
  readonly gaps: readonly OnCallGap[];
}

/**
 * Who the level due of `snapshot` pages at `at`: its schedule targets resolved at that instant (one read of
 * the team's schedules), its people looked up (one read), with their steps at `urgency`. The escalation
 * preview resolves its levels with the same functions.
 */
async function levelRecipients(
  onCall: Omit<OnCallDirectory, 'findTeam'>,
  snapshot: EscalationSnapshot,
  at: Date,
  channels: ReadonlySet<Channel>,
  urgency: Urgency,
): Promise<LevelRecipients> {
  const progress = snapshot.progress;
  if (progress.done) return { recipients: [], gaps: [] };
  const targets = snapshot.levels[progress.level]!.targets.map(targetOf);
  const schedules = schedulesNamed(targets).length ? await onCall.findSchedules(snapshot.team) : [];
  const { targeted, gaps } = whoIsTargeted(targets, at.getTime(), new Map(schedules.map((s) => [s.name, s])));
  const ids = personIdsOf(targeted);
  const people = ids.length ? await onCall.findPeople(ids) : new Map<string, Person>();
  return { recipients: recipientsOf(targeted, people, snapshot.defaultContact, channels, urgency), gaps };
}

type Due = Extract<EscalationProgress, { done: false }>;

/** A page's place: its level, round and run, and the person's step. */
interface PageMark {
  readonly level: number;
  readonly round: number;
  readonly run?: number;
  readonly step?: number;
}

const markOf = (level: number, round: number, run: number | undefined, step = 0): PageMark => ({
  level,
  round,
  ...(run ? { run } : {}),
  ...(step ? { step } : {}),
});

const sameMark = (entry: TimelineEntry, mark: PageMark) =>
  entry.level === mark.level && entry.round === mark.round && (entry.run ?? 0) === (mark.run ?? 0) && (entry.step ?? 0) === (mark.step ?? 0);

const onTimeline = (incident: Incident, type: TimelineEntry['type'], mark: PageMark, to?: string, channel?: TimelineEntry['channel']) =>
  incident.timeline.some((e) => e.type === type && sameMark(e, mark) && e.to === to && e.channel === channel);

/** Whether a page to a contact failed: refused when sent, or reported bounced, complained of or undelivered since. */
const pageFailed = (incident: Incident, mark: PageMark, contact: ContactMethod) => {
  const [to, channel] = [reachOf(contact), contact.channel === 'email' ? undefined : contact.channel];
  return incident.timeline.some((e) => (e.type === 'notify_failed' || FAILED_DELIVERY_ENTRIES.has(e.type)) && sameMark(e, mark) && e.to === to && e.channel === channel);
};

/** The timeline entries of delivery reports that mean a page did not reach its person. */
const FAILED_DELIVERY_ENTRIES: ReadonlySet<TimelineEntry['type']> = new Set(['bounced', 'complained', 'undelivered']);

/**
 * Whether every page of a person's steps before `index` failed: then their step `index` is due at once,
 * whenever it was planned for (a bounced email brings the SMS planned 5 minutes later forward).
 */
const earlierStepsFailed = (incident: Incident, paged: PagedRecipient, index: number) =>
  index > 0 && paged.steps.slice(0, index).every((step, i) => step.contacts.every((contact) => pageFailed(incident, markOf(paged.level, paged.round, paged.run, i), contact)));

/**
 * Fires the level due: records its on-call gaps, and answers who it pages, with their steps, and the incident
 * as it is once they are paged and the progress moved on: written when their pages went out.
 */
async function firingLevel(
  deps: EscalationDeps,
  incident: Incident,
  progress: Due,
  now: Date,
  { recipients, gaps }: LevelRecipients,
): Promise<{ incident: Incident; paged: PagedRecipient[] }> {
  const snapshot = incident.escalation!;
  const mark = markOf(progress.level + 1, progress.round, snapshot.run);
  const newGaps = gaps.filter((gap) => !onTimeline(incident, 'oncall_gap', mark, `schedule:${gap.schedule}`));
  if (newGaps.length) {
    await deps.incidents.appendTimeline(
      incident.number,
      newGaps.map((gap) => ({
        at: now.toISOString(),
        type: 'oncall_gap' as const,
        by: SYSTEM,
        to: `schedule:${gap.schedule}`,
        ...mark,
        note: `nobody is on call in schedule ${gap.schedule} of team ${snapshot.team}: paging the default contact ${snapshot.defaultContact}`,
      })),
    );
  }
  const urgency = urgencyOf(incident);
  const paged = recipients.map((r): PagedRecipient => ({ ...mark, urgency, pagedAt: now.toISOString(), ...r }));
  const next = advance(snapshot, now, urgency);
  return { incident: { ...incident, escalation: { ...snapshot, progress: next, paged: [...(snapshot.paged ?? []), ...paged] } }, paged };
}

/** The paged people whose steps still run: those paged at the incident's urgency. */
const activePaged = (incident: Incident) => (incident.escalation?.paged ?? []).filter((p) => p.urgency === urgencyOf(incident));

const stepAt = (paged: PagedRecipient, step: PlannedStep) => Date.parse(paged.pagedAt) + step.afterMinutes * MINUTE_MS;

/** What the sends of one step share: whether to give up on retryable failures, and the failures to retry. */
interface Sending {
  readonly giveUp: boolean;
  /** Whether the state must be read again before the next send. */
  unchecked: boolean;
  readonly retryable: string[];
}

/**
 * Sends every personal step that is due and not yet on the timeline: all of them at once, so that the last
 * channel of a step does not wait for the first; then records them in one write. Answers the incident with
 * its timeline as it now is, or `acknowledged` once it is no longer OPEN.
 */
async function sendDueSteps(deps: EscalationDeps, incident: Incident, now: Date, sending: Sending): Promise<Incident | 'acknowledged'> {
  const due = activePaged(incident).flatMap((paged) =>
    paged.steps.flatMap((step, index) => {
      if (stepAt(paged, step) > now.getTime() && !earlierStepsFailed(incident, paged, index)) return [];
      const mark = markOf(paged.level, paged.round, paged.run, index);
      return step.contacts
        .filter((contact) => {
          const [to, channel] = [reachOf(contact), contact.channel === 'email' ? undefined : contact.channel];
          return !onTimeline(incident, 'notified', mark, to, channel) && !onTimeline(incident, 'notify_failed', mark, to, channel);
        })
        .map((contact) => ({ paged, index, mark, contact }));
    }),
  );
  if (!due.length) return incident;
  // A claim may have landed since the state was last read: read again, consistently, before sending (the
  // first step goes on the state its freeze write just returned).
  const current = sending.unchecked ? await deps.incidents.get(incident.number) : incident;
  sending.unchecked = true;
  if (current?.state !== 'OPEN') return 'acknowledged';
  // The links act as the person, by their email address, whichever channel carries them: signed once per person.
  const linksByAddress = new Map(
    [...new Set(due.map((d) => d.paged.address))].map((address) => [
      address,
      Object.fromEntries(LINK_ACTIONS.map((a) => [a, deps.linkTo(incident.number, a, address)])) as Record<LinkAction, string>,
    ]),
  );
  const entries = await Promise.all(
    due.map(async ({ paged, index, mark, contact }): Promise<TimelineEntry | undefined> => {
      const links = linksByAddress.get(paged.address)!;
      const replyTo = contact.channel === 'email' ? deps.replyTo?.(current.service) : undefined;
      const page = { kind: 'page' as const, incident: current, level: paged.level, round: paged.round, links, ...(replyTo ? { replyTo } : {}) };
      const result = await deps.notifier.notify(contact, page);
      const at = deps.clock().toISOString();
      const to = reachOf(contact);
      const channel = contact.channel === 'email' ? {} : { channel: contact.channel };
      const by = contact.channel === 'email' ? '' : ` by ${contact.channel}`;
      const stepNote = index > 0 ? `, step ${index + 1}` : '';
      if (result.outcome === 'sent') {
        if (replyTo && result.threadId) await deps.threads.rememberThread(threadKeyOf(result.threadId), incident.number);
        return { at, type: 'notified', by: SYSTEM, to, ...channel, ...mark, messageId: result.messageId, note: `as ${paged.as}${by}${stepNote}` };
      }
      if (result.outcome === 'permanent' || sending.giveUp) {
        const note = result.outcome === 'retryable' ? `gave up after retries: ${result.reason}` : result.reason;
        return { at, type: 'notify_failed', by: SYSTEM, to, ...channel, ...mark, note };
      }
      sending.retryable.push(`${to}: ${result.reason}`);
      return undefined;
    }),
  );
  const added = entries.filter((entry): entry is TimelineEntry => entry !== undefined);
  if (added.length) await deps.incidents.appendTimeline(incident.number, added);
  if (deps.metrics && !isCanaryService(incident.service)) measurePages(deps.metrics, incident, added);
  return added.length ? { ...incident, timeline: [...incident.timeline, ...added] } : incident;
}

/** Counts the pages just recorded by channel, and the time to the incident's first page if one of them is. */
function measurePages(metrics: NonNullable<EscalationDeps['metrics']>, incident: Incident, added: readonly TimelineEntry[]): void {
  for (const entry of added) metrics.pageResult(entry.channel ?? 'email', entry.type === 'notified' ? 'sent' : 'failed');
  const first = added.find((entry) => entry.type === 'notified');
  if (first && !incident.timeline.some((entry) => entry.type === 'notified')) metrics.timeToFirstPage(secondsBetween(incident.createdAt, first.at));
}

/** Whether every contact of every step of a paged person failed: nothing is left that could reach them. */
const unreachable = (incident: Incident, paged: PagedRecipient) =>
  paged.steps.every((step, index) => step.contacts.every((contact) => pageFailed(incident, markOf(paged.level, paged.round, paged.run, index), contact)));

/**
 * When everyone the latest level paged proved unreachable, records each as passed over and makes the next
 * level due now. Answers the incident as it then is, or undefined when there is nothing to pass over.
 */
async function passOverUnreachable(deps: EscalationDeps, incident: Incident, now: Date): Promise<Incident | undefined> {
  const snapshot = incident.escalation!;
  const progress = snapshot.progress;
  if (progress.done || !levelFires(incident, progress) || Date.parse(progress.nextAt) <= now.getTime()) return undefined;
  const paged = activePaged(incident);
  const latest = paged[paged.length - 1];
  if (!latest) return undefined;
  const level = paged.filter((p) => p.level === latest.level && p.round === latest.round && p.run === latest.run);
  if (!level.every((p) => unreachable(incident, p))) return undefined;
  const due: Due = { ...progress, nextAt: now.toISOString() };
  if (!(await deps.incidents.setEscalationProgress(incident.number, progress, due))) return undefined;
  const entries = level.map(
    (p): TimelineEntry => ({
      at: now.toISOString(),
      type: 'passed_over',
      by: SYSTEM,
      to: p.address,
      ...markOf(p.level, p.round, p.run),
      note: `no channel reached ${p.address}: paging level ${progress.level + 1} now`,
    }),
  );
  await deps.incidents.appendTimeline(incident.number, entries);
  return { ...incident, escalation: { ...snapshot, progress: due }, timeline: [...incident.timeline, ...entries] };
}

/** The wakes after this step: the personal steps still to come before the next level, then the level (or the raise). */
function nextWakes(incident: Incident, now: Date): EscalationStepResult {
  const progress = incident.escalation!.progress;
  const major = [
    ...(progress.done || !levelFires(incident, progress) ? [] : [Date.parse(progress.nextAt)]),
    ...(urgencyOf(incident) === 'low' && incident.raiseAt ? [Date.parse(incident.raiseAt)] : []),
  ];
  const last = major.length ? Math.min(...major) : Number.POSITIVE_INFINITY;
  const steps = activePaged(incident)
    .flatMap((paged) => paged.steps.map((step) => stepAt(paged, step)))
    .filter((at) => at > now.getTime() && at < last);
  const instants = [...new Set([...steps, ...(Number.isFinite(last) ? [last] : [])])].sort((a, b) => a - b);
  const chosen = instants.length > MAX_WAKES ? instants.slice(0, MAX_WAKES) : instants;
  const wakes = chosen.map((at) => ({ incidentId: incident.number, at: new Date(at).toISOString() }));
  if (!wakes.length) return finished(incident.number);
  return { incidentId: incident.number, done: false, wakes, waitUntil: wakes[0]!.at };
}
