import type { EscalationMatrix } from '../oncall/oncall-config';

/** Where an escalation stands: the next level to fire, of which round, and when; or that it is over. */
export type EscalationProgress =
  | { readonly done: false; readonly round: number; readonly level: number; readonly nextAt: string }
  | { readonly done: true; readonly endedAt: string; readonly reason: 'exhausted' | 'acknowledged' };

/**
 * The team's matrix frozen into the incident when its escalation starts, with its progress. Editing or
 * deleting the team's matrix never changes an escalation already running; who is on call for a schedule
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
  /** Whether, and how long before a shift, the person coming on call is told. */
  readonly handoffNotice?: { readonly minutesBefore: number };
  /** The Slack channel the team's pages are posted in, for services that name none. */
  readonly slackChannel?: string;
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
