import { actOnIncident, type IncidentUseCaseDeps } from '../incident/incident-use-cases';
import { ClientError } from '../shared/errors';

/** Incident numbers start above this; a reply code is the number less it, so #100042 is 42. */
const NUMBER_BASE = 100_000;

/** The short code a page by SMS asks the person to reply with: `42` for #100042. */
export const replyCodeOf = (incident: number): number => (incident > NUMBER_BASE ? incident - NUMBER_BASE : incident);

/** What an SMS reply asks for: `42C` claims #100042, `42R` resolves it; case and spaces do not matter. */
export function parseSmsReply(body: string): { readonly incident: number; readonly action: 'claim' | 'resolve' } | undefined {
  const match = /^\s*#?(\d{1,9})\s*([CR])\b/i.exec(body);
  if (!match) return undefined;
  const code = Number(match[1]);
  return { incident: code > NUMBER_BASE ? code : code + NUMBER_BASE, action: match[2]!.toUpperCase() === 'C' ? 'claim' : 'resolve' };
}

/** Sends a short text back to a number: the answer to a reply. */
export interface SmsAnswerer {
  answer(phone: string, text: string): Promise<void>;
}

export interface SmsReplyDeps {
  readonly useCases: IncidentUseCaseDeps;
  /** The person whose phone this is: their id and email (who acts). */
  readonly personByPhone: (phone: string) => Promise<{ readonly id: string; readonly email: string } | undefined>;
  readonly answerer: SmsAnswerer;
}

export type SmsReplyOutcome = 'claimed' | 'resolved' | 'unknown number' | 'not understood' | 'not paged' | 'refused';

const HELP = 'InResponse: reply with the code of a page, such as 42C to claim #100042 or 42R to resolve it.';

/**
 * One SMS reply, as AWS's two-way channel hands it over: a reply code claims or resolves, as the person who
 * owns the number, and only an incident that this number was paged for. Anything else gets a short help text;
 * nothing changes. STOP and HELP are AWS's own (its opt-out list).
 */
export async function handleSmsReply(deps: SmsReplyDeps, reply: { readonly from: string; readonly body: string }): Promise<SmsReplyOutcome> {
  const person = await deps.personByPhone(reply.from);
  if (!person) {
    await deps.answerer.answer(reply.from, 'InResponse: this number belongs to no on-call person; nothing was changed.');
    return 'unknown number';
  }
  const asked = parseSmsReply(reply.body);
  if (!asked) {
    await deps.answerer.answer(reply.from, HELP);
    return 'not understood';
  }
  const incident = await deps.useCases.incidents.get(asked.incident);
  const paged = incident?.timeline.some((e) => e.type === 'notified' && e.to === reply.from);
  if (!incident || !paged) {
    await deps.answerer.answer(reply.from, `InResponse: this number was not paged for #${asked.incident}; nothing was changed.`);
    return 'not paged';
  }
  try {
    await actOnIncident(deps.useCases, { name: person.email, role: 'responder' }, asked.incident, { action: asked.action, by: person.email, note: 'by SMS reply' });
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    await deps.answerer.answer(reply.from, `InResponse: #${asked.incident} was not changed: ${error.message}`);
    return 'refused';
  }
  const done = asked.action === 'claim' ? 'claimed' : 'resolved';
  await deps.answerer.answer(reply.from, `InResponse: #${asked.incident} ${done}. No further pages will be sent.`);
  return done;
}
