import type { LinkAction } from '../access/action-links';
import type { Service } from '../access/ports';
import type { TeamProfile } from '../escalation/escalation';
import type { Incident } from '../incident/incident';
import { actOnIncident, type IncidentUseCaseDeps } from '../incident/incident-use-cases';
import type { IncidentRepository } from '../incident/ports';
import type { Clock } from '../shared/clock';
import { ClientError } from '../shared/errors';
import type { NotifyResult } from './notification';
import { parseSlackMessageId, renderSlackPage, type SlackMessages, slackMessageId } from './slack';

/** Who acts for the system on the timeline. */
const SYSTEM = 'inresponse';

/** A click on a page's button, as Slack reports it once its signature is checked. */
export interface SlackButtonClick {
  /** The Slack user who clicked. */
  readonly user: string;
  readonly action: LinkAction;
  readonly incident: number;
  /** The message clicked: its conversation and ts. */
  readonly conversation: string;
  readonly messageTs: string;
}

/** A person of the on-call config, as a Slack click finds them. */
export interface SlackLinkedPerson {
  readonly id: string;
  readonly name: string;
  /** Who acts: the same identity as the links and replies of the other channels. */
  readonly email: string;
}

/** The incident's Slack messages, from its timeline: each page posted (a DM or a channel post), once. */
export function slackMessageIdsOf(incident: Pick<Incident, 'timeline'>): string[] {
  const ids = incident.timeline
    .filter((e) => e.type === 'notified' && e.channel === 'slack' && e.messageId !== undefined && parseSlackMessageId(e.messageId))
    .map((e) => e.messageId!);
  return [...new Set(ids)];
}

export interface SlackRefreshDeps {
  readonly incidents: Pick<IncidentRepository, 'get'>;
  readonly messages: Pick<SlackMessages, 'update'>;
  /** The person of an email address, so that a message names who claimed or resolved (else the address shows). */
  readonly personByEmail?: (email: string) => Promise<{ readonly name: string } | undefined>;
}

/**
 * Updates every Slack message of an incident (and `also`, when given) to show where it stands now, such as
 * "Claimed by Safeer at 10:04", without buttons that no longer apply. Call it whenever the incident is claimed
 * or resolved, whichever way. One message failing does not stop the others; their ids and reasons are returned.
 */
export async function refreshSlackMessages(
  deps: SlackRefreshDeps,
  incidentNumber: number,
  options: { readonly nameOf?: (email: string) => string; readonly also?: string } = {},
): Promise<{ readonly updated: number; readonly failed: readonly string[] }> {
  const incident = await deps.incidents.get(incidentNumber);
  if (!incident) return { updated: 0, failed: [] };
  const message = renderSlackPage(incident, options.nameOf ?? (await namesOfActors(deps, incident)));
  const ids = [...new Set([...slackMessageIdsOf(incident), ...(options.also ? [options.also] : [])])];
  const results = await Promise.allSettled(ids.map((id) => deps.messages.update(id, message)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${ids[i]}: ${(r.reason as Error).message}`] : []));
  return { updated: ids.length - failed.length, failed };
}

/** Who claimed and resolved the incident, by name where a person has that address. */
async function namesOfActors(deps: SlackRefreshDeps, incident: Incident): Promise<((email: string) => string) | undefined> {
  const lookUp = deps.personByEmail;
  if (!lookUp) return undefined;
  const actors = [...new Set([incident.claimedBy, incident.resolvedBy].filter((by): by is string => by !== undefined))];
  const names = new Map(await Promise.all(actors.map(async (email) => [email, (await lookUp(email))?.name ?? email] as const)));
  return (email) => names.get(email) ?? email;
}

export interface SlackActionDeps {
  readonly useCases: IncidentUseCaseDeps;
  readonly personBySlackUser: (user: string) => Promise<SlackLinkedPerson | undefined>;
  readonly messages: SlackMessages;
}

export type SlackActionOutcome = 'claimed' | 'resolved' | 'unlinked user' | 'refused';

/**
 * A click on Claim or Resolve: acts on the incident as the person the Slack user is linked to (by their email,
 * as every channel does), then updates every Slack message of the incident to show it. A Slack user linked to
 * no person, or an action the incident's state refuses, gets a message only they see; nothing changes (but a
 * refused click's stale messages are updated).
 */
export async function handleSlackButtonClick(deps: SlackActionDeps, click: SlackButtonClick): Promise<SlackActionOutcome> {
  const person = await deps.personBySlackUser(click.user);
  if (!person) {
    await deps.messages.postEphemeral(
      click.conversation,
      click.user,
      'InResponse: your Slack account is linked to no on-call person, so nothing was changed. Ask for your Slack user id to be added to your person in the on-call config.',
    );
    return 'unlinked user';
  }
  const nameOf = (email: string) => (email === person.email ? person.name : email);
  // The clicked message is brought up to date either way: a refused click means it showed a stale state.
  const refresh = () =>
    refreshSlackMessages({ incidents: deps.useCases.incidents, messages: deps.messages }, click.incident, { nameOf, also: slackMessageId(click.conversation, click.messageTs) });
  try {
    await actOnIncident(deps.useCases, { name: person.email, role: 'responder' }, click.incident, { action: click.action, by: person.email, note: 'in Slack' });
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    await Promise.all([deps.messages.postEphemeral(click.conversation, click.user, `InResponse: #${click.incident} was not changed: ${error.message}`), refresh()]);
    return 'refused';
  }
  await refresh();
  return click.action === 'claim' ? 'claimed' : 'resolved';
}

export interface SlackChannelPostDeps {
  readonly incidents: Pick<IncidentRepository, 'appendTimeline'>;
  readonly findService: (id: string) => Promise<Service | undefined>;
  readonly findTeam: (name: string) => Promise<TeamProfile | undefined>;
  readonly messages: Pick<SlackMessages, 'post'>;
  readonly clock: Clock;
}

/**
 * Posts an open incident's page, with its buttons, in the Slack channel of its service (else of its team),
 * once per incident, and records it on the timeline (a `notified` entry of channel `slack`, or `notify_failed`
 * for a permanent failure), so that {@link refreshSlackMessages} keeps it current. A retryable failure is
 * returned unrecorded, for the caller to retry. `incident` is as the caller last read it, timeline included:
 * the escalation posts right after its own pages, with no read of its own.
 */
export async function postPageToSlackChannel(
  deps: SlackChannelPostDeps,
  incident: Incident,
): Promise<NotifyResult | { readonly outcome: 'skipped'; readonly reason: string }> {
  const incidentNumber = incident.number;
  if (incident.state !== 'OPEN') return { outcome: 'skipped', reason: 'the incident is not open' };
  const service = await deps.findService(incident.service);
  const team = service?.slackChannel ? undefined : await deps.findTeam(incident.team);
  const conversation = service?.slackChannel ?? team?.slackChannel;
  if (!conversation) return { outcome: 'skipped', reason: `neither service ${incident.service} nor team ${incident.team} names a Slack channel` };
  if (incident.timeline.some((e) => e.type === 'notified' && e.channel === 'slack' && e.to === conversation)) {
    return { outcome: 'skipped', reason: `already posted in ${conversation}` };
  }
  const result = await deps.messages.post(conversation, renderSlackPage(incident));
  const whose = service?.slackChannel ? `service ${incident.service}` : `team ${incident.team}`;
  const entry = { at: deps.clock().toISOString(), by: SYSTEM, to: conversation, channel: 'slack' as const };
  if (result.outcome === 'sent') {
    await deps.incidents.appendTimeline(incidentNumber, [{ ...entry, type: 'notified', messageId: result.messageId, note: `in the Slack channel of ${whose}` }]);
  } else if (result.outcome === 'permanent') {
    await deps.incidents.appendTimeline(incidentNumber, [{ ...entry, type: 'notify_failed', note: result.reason }]);
  }
  return result;
}
