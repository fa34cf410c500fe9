import { createHash } from 'node:crypto';
import { wakeEscalation } from '../incident/escalation-wake';
import { SYSTEM, type Incident, type TimelineEntry } from '../incident/incident';
import type { Escalations, IncidentRepository } from '../incident/ports';
import { type DeliveryOutcome, type DeliveryReport, FAILED_OUTCOMES } from './delivery-reports';

/** A contact that proved bad: a hard bounce, a complaint, an invalid or blocking number. */
export interface ContactProblem {
  /** The address or phone number. */
  readonly to: string;
  readonly channel: 'email' | 'sms' | 'voice';
  readonly problem: string;
  readonly at: string;
  readonly incident: number;
}

/** The contacts that proved bad, by address or number: a person's flag lasts until their contact changes. */
export interface ContactProblems {
  flag(problem: ContactProblem): Promise<void>;
  /** The problems of these contacts, those that have one. */
  problemsOf(contacts: readonly string[]): Promise<ReadonlyMap<string, ContactProblem>>;
}

export interface DeliveryFeedbackDeps {
  readonly incidents: Pick<IncidentRepository, 'get' | 'appendTimeline' | 'moveEscalation'>;
  readonly escalation: Escalations;
  readonly contactProblems: ContactProblems;
}

const ENTRY_OF: Readonly<Record<DeliveryOutcome, TimelineEntry['type']>> = {
  delivered: 'delivered',
  delayed: 'delivery_delayed',
  bounced: 'bounced',
  complained: 'complained',
  undelivered: 'undelivered',
};

/** What became of a report: recorded, or why not. */
export type FeedbackOutcome = 'recorded' | 'recorded, escalation woken' | 'duplicate' | 'no such incident';

/**
 * The report is about a message whose page is not on its incident's timeline yet: the notifier records a page
 * once its provider answered, and a fast report can come first. Thrown, so that the report is delivered again.
 */
export class PageNotRecordedYet extends Error {
  override readonly name = 'PageNotRecordedYet';
}

/**
 * Records a provider's report on the timeline of the page's incident, beside the page (its level, round, step
 * and channel), once however often the report is delivered. A bad contact is flagged for its person. A page
 * that failed while the incident is OPEN wakes its escalation now: the person's next step, or the next
 * level if they have none left, goes out at once rather than when planned.
 */
export async function recordDeliveryReport(deps: DeliveryFeedbackDeps, report: DeliveryReport): Promise<FeedbackOutcome> {
  const incident = await deps.incidents.get(report.incident);
  if (!incident) return 'no such incident';
  const page = incident.timeline.find((e) => e.type === 'notified' && e.messageId === report.messageId);
  if (!page) throw new PageNotRecordedYet(`incident ${incident.number} has no page with message id ${report.messageId} yet`);
  const type = ENTRY_OF[report.outcome];
  if (incident.timeline.some((e) => e.type === type && e.messageId === report.messageId)) return 'duplicate';
  const { at: _at, type: _type, by: _by, note: _note, ...where } = page;
  await deps.incidents.appendTimeline(incident.number, [{ ...where, at: report.at, type, by: SYSTEM, note: report.detail }]);
  if (report.badContact) {
    await deps.contactProblems.flag({ to: page.to ?? report.to, channel: page.channel === 'sms' || page.channel === 'voice' ? page.channel : 'email', problem: report.detail, at: report.at, incident: incident.number });
  }
  if (!FAILED_OUTCOMES.has(report.outcome) || !escalationWaits(incident)) return 'recorded';
  const woken = await wakeEscalation(deps, incident, `f-${createHash('sha256').update(report.messageId).digest('hex').slice(0, 16)}`);
  return woken ? 'recorded, escalation woken' : 'recorded';
}

/** Whether the escalation still has something to do: levels to fire, or people's steps to come. */
function escalationWaits(incident: Incident): boolean {
  return incident.state === 'OPEN' && incident.escalation !== undefined && (!incident.escalation.progress.done || (incident.escalation.paged ?? []).some((p) => p.steps.length > 1));
}
