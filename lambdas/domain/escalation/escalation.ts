import type { EscalationMatrix } from '../oncall/oncall-config';
import type { PlannedStep } from '../notification/personal-rules';
import type { Urgency } from './urgency';

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
  /** Absent: the first run. A raise of the urgency starts the next, from the first level. */
  readonly run?: number;
  /** Everyone the levels paged so far, with their personal steps: these run beside the levels. */
  readonly paged?: readonly PagedRecipient[];
}

/** Someone a level paged, and their personal steps from then, frozen as they were when the level fired. */
export interface PagedRecipient {
  /** 1-based, as people count levels. */
  readonly level: number;
  readonly round: number;
  readonly run?: number;
  /** The urgency they were paged at: their steps run only while the incident keeps it. */
  readonly urgency: Urgency;
  readonly pagedAt: string;
  /** The email address: who acts, through the links of the page. */
  readonly address: string;
  readonly person?: string;
  readonly as: string;
  readonly steps: readonly PlannedStep[];
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
 * level, the first level again `repeatAfterMinutes` later while repeats remain; else the end. A low
 * urgency ends after the first level: it neither escalates nor repeats.
 */
export function advance(snapshot: EscalationSnapshot, firedAt: Date, urgency: Urgency = 'high'): EscalationProgress {
  const progress = snapshot.progress;
  if (progress.done) return progress;
  if (urgency === 'low') return { done: true, endedAt: firedAt.toISOString(), reason: 'exhausted' };
  const nextLevel = snapshot.levels[progress.level + 1];
  if (nextLevel) {
    return { done: false, round: progress.round, level: progress.level + 1, nextAt: plusMinutes(firedAt, nextLevel.delayMinutes) };
  }
  if (progress.round < snapshot.repeat) {
    return { done: false, round: progress.round + 1, level: 0, nextAt: plusMinutes(firedAt, snapshot.repeatAfterMinutes) };
  }
  return { done: true, endedAt: firedAt.toISOString(), reason: 'exhausted' };
}
