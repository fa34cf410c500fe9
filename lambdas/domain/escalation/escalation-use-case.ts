import { LINK_ACTIONS, type LinkAction } from '../access/action-links';
import { advance, freezeEscalation, type EscalationProgress, type EscalationSnapshot, type TeamProfile } from './escalation';
import type { Schedule } from '../oncall/schedule';
import type { Person } from '../oncall/schedule-config';
import { type OnCallGap, personIdsOf, type Recipient, recipientsOf, schedulesNamed, targetOf, whoIsTargeted } from '../oncall/targets';
import type { Incident, TimelineEntry } from '../incident/incident';
import { type Channel, type Notifier, reachOf } from '../notification/notification';
import { threadKeyOf } from '../inbound-email/inbound-email';
import type { InboundMailIndex } from '../inbound-email/ports';
import type { IncidentRepository } from '../incident/ports';
import type { Clock } from '../shared/clock';
import type { IncidentAnnouncer } from '../webhooks/ports';
import { announcementOf } from '../webhooks/webhook';

/** Who acts for the system on the timeline. */
const SYSTEM = 'inresponse';

/** The on-call configuration an escalation reads: fresh, never cached, so a level pages the people on call now. */
export interface OnCallDirectory {
  findTeam(name: string): Promise<TeamProfile | undefined>;
  /** The team's schedules with every override, the API's included. */
  findSchedules(team: string): Promise<Schedule[]>;
  /** The people of these ids that exist. */
  findPeople(ids: readonly string[]): Promise<ReadonlyMap<string, Person>>;
}

export interface EscalationDeps {
  readonly incidents: Pick<IncidentRepository, 'get' | 'freezeEscalation' | 'appendTimeline' | 'setEscalationProgress'>;
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
  /** Tells the webhooks when a level beyond the first, or a repeat, has fired. */
  readonly announcer?: IncidentAnnouncer;
  readonly clock: Clock;
}

/** The state machine's state between steps. */
export interface EscalationStep {
  readonly incidentId: number;
  /** The owning team, in the execution's input: lets the first step read the team beside the incident. */
  readonly team?: string;
  /** Set by the state machine after the retries of a retryable failure ran out. */
  readonly giveUp?: boolean;
}

export interface EscalationStepResult {
  readonly incidentId: number;
  readonly done: boolean;
  /** When the next level is due; the state machine waits until then. */
  readonly waitUntil?: string;
}

/**
 * Some pages of the level failed in a way worth retrying (throttling, 5xx, timeouts). The state machine
 * retries only this error, by name; pages already sent are not sent again.
 */
export class RetryableNotifyError extends Error {
  override readonly name = 'RetryableNotifyError';
}

const finished = (incidentId: number): EscalationStepResult => ({ incidentId, done: true });

/**
 * One step of an incident's escalation: freezes the matrix on the first step, fires the level that is due
 * (one email per recipient, each recorded on the timeline) and says when the next is due. Ends as soon as
 * the incident is no longer OPEN, re-read before every send.
 */
export async function escalate(deps: EscalationDeps, step: EscalationStep): Promise<EscalationStepResult> {
  const { incidentId } = step;
  // The first step reads the team beside the incident rather than after it: one round trip less to the page.
  const [found, prefetchedTeam] = await Promise.all([
    deps.incidents.get(incidentId),
    step.team === undefined ? undefined : deps.onCall.findTeam(step.team),
  ]);
  let incident = found;
  if (incident?.state !== 'OPEN') return finished(incidentId);
  /** Whether `incident` was read (consistently) by this step and nothing was sent since. */
  let fresh = true;
  let prefetchedRecipients: Promise<LevelRecipients> | undefined;
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
      prefetchedRecipients = levelRecipients(deps.onCall, frozen, deps.clock(), deps.channels);
      // If the write below fails first, this read's failure must not go unhandled; awaited, it still throws.
      prefetchedRecipients.catch(() => undefined);
    }
    // The write answers with the item as it now is: a consistent view of the state, like a read.
    incident = await deps.incidents.freezeEscalation(incidentId, frozen);
    if (incident.state !== 'OPEN') return finished(incidentId);
    if (incident.escalation!.startedAt !== frozen.startedAt || incident.escalation!.team !== frozen.team) prefetchedRecipients = undefined;
  } else {
    fresh = false;
  }
  const snapshot = incident.escalation!;
  const progress = snapshot.progress;
  if (progress.done) return finished(incidentId);
  const now = deps.clock();
  if (Date.parse(progress.nextAt) > now.getTime()) return { incidentId, done: false, waitUntil: progress.nextAt };

  const recipients = await (prefetchedRecipients ?? levelRecipients(deps.onCall, snapshot, now, deps.channels));
  const firing = await fireLevel(deps, incident, snapshot, progress, now, { giveUp: step.giveUp === true, fresh, ...recipients });
  if (firing === 'acknowledged') return finished(incidentId);
  if (progress.level > 0 || progress.round > 0) {
    await deps.announcer?.announce(announcementOf('escalated', incident, now, { level: progress.level + 1, round: progress.round }));
  }
  const next = advance(snapshot, now);
  await deps.incidents.setEscalationProgress(incidentId, progress, next);
  return next.done ? finished(incidentId) : { incidentId, done: false, waitUntil: next.nextAt };
}

type Due = Extract<EscalationProgress, { done: false }>;

/** Who the level due pages, and the schedules in it that have nobody on call. */
export interface LevelRecipients {
  readonly recipients: readonly Recipient[];
  readonly gaps: readonly OnCallGap[];
}

/**
 * Who the level due of `snapshot` pages at `at`: its schedule targets resolved at that instant (one read of
 * the team's schedules), its people looked up (one read). The escalation preview resolves its levels with the same functions.
 */
async function levelRecipients(
  onCall: Omit<OnCallDirectory, 'findTeam'>,
  snapshot: EscalationSnapshot,
  at: Date,
  channels: ReadonlySet<Channel>,
): Promise<LevelRecipients> {
  const progress = snapshot.progress;
  if (progress.done) return { recipients: [], gaps: [] };
  const targets = snapshot.levels[progress.level]!.targets.map(targetOf);
  const schedules = schedulesNamed(targets).length ? await onCall.findSchedules(snapshot.team) : [];
  const { targeted, gaps } = whoIsTargeted(targets, at.getTime(), new Map(schedules.map((s) => [s.name, s])));
  const ids = personIdsOf(targeted);
  const people = ids.length ? await onCall.findPeople(ids) : new Map<string, Person>();
  return { recipients: recipientsOf(targeted, people, snapshot.defaultContact, channels), gaps };
}

async function fireLevel(
  deps: EscalationDeps,
  incident: Incident,
  snapshot: EscalationSnapshot,
  progress: Due,
  now: Date,
  { giveUp, fresh, recipients, gaps }: { giveUp: boolean; fresh: boolean } & LevelRecipients,
): Promise<'fired' | 'acknowledged'> {
  const mark = { level: progress.level + 1, round: progress.round };
  const alreadyDone = (type: TimelineEntry['type'], to?: string, channel?: TimelineEntry['channel']) =>
    incident.timeline.some((e) => e.type === type && e.level === mark.level && e.round === mark.round && e.to === to && e.channel === channel);
  const newGaps = gaps.filter((gap) => !alreadyDone('oncall_gap', `schedule:${gap.schedule}`));
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

  const retryable: string[] = [];
  let unchecked = !fresh;
  for (const recipient of recipients) {
    // The links act as the person, by their email address, whichever channel carries them.
    const links = Object.fromEntries(LINK_ACTIONS.map((a) => [a, deps.linkTo(incident.number, a, recipient.address)])) as Record<LinkAction, string>;
    for (const contact of recipient.contacts) {
      const to = reachOf(contact);
      const phone = contact.channel === 'email' ? {} : { channel: contact.channel };
      if (alreadyDone('notified', to, phone.channel) || alreadyDone('notify_failed', to, phone.channel)) continue;
      // A claim may have landed since the state was last read: read again, consistently, before every send
      // (the first send of a first step goes on the state its freeze write just returned).
      const current = unchecked ? await deps.incidents.get(incident.number) : incident;
      unchecked = true;
      if (current?.state !== 'OPEN') return 'acknowledged';
      const replyTo = contact.channel === 'email' ? deps.replyTo?.(current.service) : undefined;
      const result = await deps.notifier.notify(contact, { kind: 'page', incident: current, ...mark, links, ...(replyTo ? { replyTo } : {}) });
      const at = deps.clock().toISOString();
      const by = contact.channel === 'email' ? '' : ` by ${contact.channel}`;
      if (result.outcome === 'sent') {
        await deps.incidents.appendTimeline(incident.number, [
          { at, type: 'notified', by: SYSTEM, to, ...phone, ...mark, messageId: result.messageId, note: `as ${recipient.as}${by}` },
        ]);
        if (replyTo && result.threadId) await deps.threads.rememberThread(threadKeyOf(result.threadId), incident.number);
      } else if (result.outcome === 'permanent' || giveUp) {
        const note = result.outcome === 'retryable' ? `gave up after retries: ${result.reason}` : result.reason;
        await deps.incidents.appendTimeline(incident.number, [{ at, type: 'notify_failed', by: SYSTEM, to, ...phone, ...mark, note }]);
      } else {
        retryable.push(`${to}: ${result.reason}`);
      }
    }
  }
  if (retryable.length) throw new RetryableNotifyError(retryable.join('; '));
  return 'fired';
}
