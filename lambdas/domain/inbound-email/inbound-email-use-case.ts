import { createHash } from 'node:crypto';
import type { Principal } from '../access/access';
import { ClientError, ConflictError } from '../shared/errors';
import { UNROUTED_STREAM, type EventLog, type EventOutcome, type EventRecord } from '../incident/event-record';
import {
  emailDedupKey,
  emailIncidentEvent,
  failedVerdicts,
  replyCommandOf,
  replyNoteOf,
  routeRecipient,
  screenMessage,
  senderOf,
  threadKeyOf,
  type Envelope,
  type InboundMessage,
} from './inbound-email';
import type { Incident } from '../incident/incident';
import { actOnIncident, raiseEvent, suppressedReason, type IncidentUseCaseDeps } from '../incident/incident-use-cases';
import type { InboundMailIndex } from './ports';

export interface InboundEmailSettings {
  /** The domain whose addresses name services: `athens+crit@<domain>`. */
  readonly inboundDomain: string;
  /** Addresses InResponse sends from: their mail is never taken in. */
  readonly ownAddresses: readonly string[];
  /** The receiving side's checks whose FAIL rejects a message. */
  readonly rejectVerdicts: readonly string[];
}

export interface InboundEmailDeps {
  readonly incidents: IncidentUseCaseDeps;
  readonly mail: InboundMailIndex;
  readonly events: EventLog;
  readonly settings: InboundEmailSettings;
}

/** A message as received: parsed, with its envelope. */
export interface ReceivedEmail {
  readonly message: InboundMessage;
  readonly envelope: Envelope;
}

/**
 * Takes in one received message: for each of its recipients in the inbound domain, opens an incident,
 * comments on (or acknowledges) the incident of its thread, or records why not. Every outcome is recorded.
 * Failures of the stores propagate, so that the delivery is retried; a retry finds what was already done.
 */
export async function receiveEmail(deps: InboundEmailDeps, received: ReceivedEmail): Promise<EventRecord[]> {
  const { message, envelope } = received;
  const at = envelope.receivedAt.toISOString();
  const sender = senderOf(message, envelope);
  const recorded: EventRecord[] = [];
  type Details = { incidentNumber?: number; reason?: string };
  const eventOf = (service: string, outcome: EventOutcome, details: Details = {}): EventRecord =>
    ({ at, service, source: 'email', outcome, ...details, summary: message.subject ?? '(no subject)', from: sender });
  const record = async (service: string, outcome: EventOutcome, details: Details = {}) => {
    const event = eventOf(service, outcome, details);
    await deps.events.record(event);
    recorded.push(event);
  };

  // The incident of the message's thread, looked up once for all its recipients, and only if one needs it.
  let thread: Promise<Incident | undefined> | undefined;
  const threadIncident = () => (thread ??= incidentOfThread(deps, message));
  const screening = screenMessage(message, envelope, deps.settings.ownAddresses);
  const failed = failedVerdicts(envelope.verdicts, deps.settings.rejectVerdicts);
  for (const recipient of envelope.recipients) {
    const route = routeRecipient(recipient, deps.settings.inboundDomain);
    if (!route.ok) {
      await record(route.service ?? UNROUTED_STREAM, 'rejected', { reason: route.reason });
      continue;
    }
    if (!screening.accept) {
      await record(route.service, 'ignored', { reason: screening.reason });
      continue;
    }
    if (failed.length) {
      await record(route.service, 'rejected', { reason: `failed the mail checks: ${failed.join(', ')}` });
      continue;
    }
    const processedKey = processedKeyOf(route.service, emailDedupKey(message, envelope));
    const processed = await deps.mail.findProcessed(processedKey);
    if (processed) {
      await record(route.service, 'ignored', {
        reason: `the same message was delivered again (first: ${processed.outcome})`,
        ...(processed.incidentNumber === undefined ? {} : { incidentNumber: processed.incidentNumber }),
      });
      continue;
    }
    const outcome = await takeIn(deps, received, route, recipient, await threadIncident());
    // A rejected message may be taken in once its cause is mended (a service configured): not remembered.
    if (outcome.outcome !== 'rejected') {
      await deps.mail.markProcessed(processedKey, { outcome: outcome.outcome, ...(outcome.incidentNumber === undefined ? {} : { incidentNumber: outcome.incidentNumber }) });
    }
    // The store recorded a creation with the incident.
    if (outcome.outcome !== 'created') await record(route.service, outcome.outcome, outcome);
    else recorded.push(eventOf(route.service, 'created', outcome));
  }
  return recorded;
}

interface Outcome {
  readonly outcome: EventOutcome;
  readonly incidentNumber?: number;
  readonly reason?: string;
}

async function incidentOfThread(deps: InboundEmailDeps, message: InboundMessage): Promise<Incident | undefined> {
  const number = await deps.mail.findThread(message.threadIds.map(threadKeyOf));
  return number === undefined ? undefined : deps.incidents.incidents.get(number);
}

async function takeIn(
  deps: InboundEmailDeps,
  { message, envelope }: ReceivedEmail,
  route: Extract<ReturnType<typeof routeRecipient>, { ok: true }>,
  recipient: string,
  thread: Incident | undefined,
): Promise<Outcome> {
  if (thread) return answerInThread(deps, thread, message, envelope);
  const senderAddress = (message.from?.address || envelope.mailFrom).toLowerCase();
  const principal: Principal = { name: senderAddress, role: 'integration', service: route.service };
  try {
    const raised = await raiseEvent(deps.incidents, principal, emailIncidentEvent(message, envelope, route, recipient));
    if ('suppressed' in raised) return { outcome: 'suppressed', reason: suppressedReason(raised.suppressed) };
    const { number, created } = raised;
    if (message.messageId) await deps.mail.rememberThread(threadKeyOf(message.messageId), number);
    return { outcome: created ? 'created' : 'joined', incidentNumber: number };
  } catch (error) {
    // Unknown service and the like: the sender's mistake, recorded rather than retried.
    if (error instanceof ClientError) return { outcome: 'rejected', reason: error.message };
    throw error;
  }
}

/**
 * A reply in an incident's thread: `ack` or `resolve` on its first line from an address this incident paged
 * acknowledges or resolves it; anything else becomes a comment.
 */
async function answerInThread(deps: InboundEmailDeps, incident: Incident, message: InboundMessage, envelope: Envelope): Promise<Outcome> {
  const from = (message.from?.address ?? '').toLowerCase();
  const principal: Principal = { name: from || 'email', role: 'integration', service: incident.service };
  const command = message.unreadable ? undefined : replyCommandOf(message.text ?? '');
  const paged = incident.timeline.some((e) => e.type === 'notified' && e.to?.toLowerCase() === from);
  let reason: string | undefined;
  if (command && paged) {
    try {
      await actOnIncident(deps.incidents, principal, incident.number, { action: command.action, by: from, ...(command.note ? { note: command.note } : {}) });
      return { outcome: command.action === 'claim' ? 'claimed' : 'resolved', incidentNumber: incident.number };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      reason = error.message;
    }
  } else if (command) {
    reason = `"${command.action === 'claim' ? 'ack' : 'resolve'}" is taken only from an address this incident paged`;
  }
  try {
    await actOnIncident(deps.incidents, principal, incident.number, { action: 'comment', by: from || 'email', note: replyNoteOf(message, envelope) });
  } catch (error) {
    // A full timeline refuses comments: recorded rather than retried forever.
    if (!(error instanceof ConflictError)) throw error;
    return { outcome: 'rejected', incidentNumber: incident.number, reason: error.message };
  }
  return { outcome: 'commented', incidentNumber: incident.number, ...(reason ? { reason } : {}) };
}

/** The key of a message's processing for one service. */
const processedKeyOf = (service: string, dedupKey: string) =>
  `processed#${createHash('sha256').update(`${service}\n${dedupKey}`).digest('base64url')}`;
