import type { EscalationMatrix, EscalationTarget } from '../oncall/oncall-config';

/** Where an escalation stands: the next level to fire, of which round, and when; or that it is over. */
export type EscalationProgress =
  | { readonly done: false; readonly round: number; readonly level: number; readonly nextAt: string }
  | { readonly done: true; readonly endedAt: string; readonly reason: 'exhausted' | 'acknowledged' };

/**
 * The team's matrix frozen into the incident when its escalation starts, with its progress. Editing or
 * deleting the team's matrix never changes an escalation already running; who is on call for a calendar
 * target is still looked up when the level fires.
 */
export interface EscalationSnapshot extends EscalationMatrix {
  readonly team: string;
  readonly timeZone: string;
  readonly defaultContact: string;
  readonly startedAt: string;
  readonly progress: EscalationProgress;
}

/** A team's escalation settings, as configured. */
export interface TeamProfile {
  readonly name: string;
  readonly timeZone: string;
  readonly defaultContact: string;
  readonly escalation: EscalationMatrix;
}

const MINUTE_MS = 60_000;
const plusMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * MINUTE_MS).toISOString();

/** Freezes a team's matrix for an incident opened at `openedAt`: the first level is due its delay after. */
export function freezeEscalation(team: TeamProfile, openedAt: Date, now: Date): EscalationSnapshot {
  return {
    team: team.name,
    timeZone: team.timeZone,
    defaultContact: team.defaultContact,
    repeat: team.escalation.repeat,
    repeatAfterMinutes: team.escalation.repeatAfterMinutes,
    levels: team.escalation.levels,
    startedAt: now.toISOString(),
    progress: { done: false, round: 0, level: 0, nextAt: plusMinutes(openedAt, team.escalation.levels[0]!.delayMinutes) },
  };
}

/**
 * The progress after the current level fired at `firedAt`: the next level after its delay; after the last
 * level, the first level again `repeatAfterMinutes` later while repeats remain; else the end.
 */
export function advance(snapshot: EscalationSnapshot, firedAt: Date): EscalationProgress {
  const progress = snapshot.progress;
  if (progress.done) return progress;
  const nextLevel = snapshot.levels[progress.level + 1];
  if (nextLevel) {
    return { done: false, round: progress.round, level: progress.level + 1, nextAt: plusMinutes(firedAt, nextLevel.delayMinutes) };
  }
  if (progress.round < snapshot.repeat) {
    return { done: false, round: progress.round + 1, level: 0, nextAt: plusMinutes(firedAt, snapshot.repeatAfterMinutes) };
  }
  return { done: true, endedAt: firedAt.toISOString(), reason: 'exhausted' };
}

/** The calendar day (YYYY-MM-DD) at `at` in `timeZone`: the day a person there would name. */
export function calendarDayAt(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The on-call and escalation contact of one team on one day. */
export interface DayContacts {
  readonly oncall: string;
  readonly escalation: string;
}

export interface Recipient {
  readonly address: string;
  /** What in the matrix named this address. */
  readonly as: 'oncall' | 'escalation' | 'email' | 'default contact';
}

/**
 * The addresses a level pages, each once. A calendar target on a day with no calendar entry pages the
 * team's default contact instead: never silently nobody.
 */
export function recipientsOf(
  targets: readonly EscalationTarget[],
  contacts: DayContacts | undefined,
  defaultContact: string,
): Recipient[] {
  const recipients = targets.map((target): Recipient => {
    if (typeof target === 'object') return { address: target.email, as: 'email' };
    return contacts ? { address: contacts[target], as: target } : { address: defaultContact, as: 'default contact' };
  });
  return recipients.filter((r, i) => recipients.findIndex((other) => other.address === r.address) === i);
}
