import { randomUUID } from 'node:crypto';
import { assertMayRead, type Principal } from '../access/access';
import type { Directory } from '../access/ports';
import type { ContactProblem, ContactProblems } from '../delivery/delivery-feedback';
import { NotFoundError, ValidationError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import type { Channel } from '../notification/notification';
import type { CalendarFeedDeps } from './calendar-feeds';
import type { OverrideStore } from './ports';
import { onCallAt, type OnCallShift, type Schedule, shifts } from './schedule';
import { type OverrideInput, overrideOf, type Person } from './schedule-config';
import { personIdsOf, recipientsOf, targetOf, whoIsTargeted } from './targets';

export interface OnCallUseCaseDeps extends CalendarFeedDeps {
  readonly onCall: CalendarFeedDeps['onCall'];
  readonly overrides: OverrideStore;
  readonly services: Pick<Directory, 'findService'>;
  /** The contacts that bounced or proved invalid: who is on call shows them, so the team can fix them. */
  readonly contactProblems: Pick<ContactProblems, 'problemsOf'>;
  /** The channels set up beside email, so that the preview shows the contacts a page would use. */
  readonly channels: ReadonlySet<Channel>;
  readonly clock: Clock;
}

/** A shift as the API shows it: the person's name and address beside the id, times as ISO instants. */
export interface PresentedShift {
  readonly person: string;
  readonly name?: string;
  readonly email?: string;
  /** The layer that decided it, or `override`. */
  readonly layer: string;
  readonly overrideId?: string;
  readonly start: string;
  readonly end: string;
  /** The person's contacts that proved bad (a hard bounce, a complaint, an invalid number), until they change. */
  readonly contactProblems?: readonly ContactProblem[];
}

/** The people named in shifts, in one lookup. */
async function peopleIn(deps: Pick<OnCallUseCaseDeps, 'onCall'>, found: readonly OnCallShift[]): Promise<ReadonlyMap<string, Person>> {
  const ids = [...new Set(found.map((s) => s.person).filter((p) => !p.includes('@')))];
  return ids.length ? deps.onCall.findPeople(ids) : new Map();
}

function presentShifts(people: ReadonlyMap<string, Person>, found: readonly OnCallShift[]): PresentedShift[] {
  return found.map((s) => {
    const person = people.get(s.person);
    return {
      person: s.person,
      ...(person ? { name: person.name, email: person.email } : s.person.includes('@') ? { email: s.person } : {}),
      layer: s.layer,
      ...(s.overrideId === undefined ? {} : { overrideId: s.overrideId }),
      start: new Date(s.shiftStart).toISOString(),
      end: new Date(s.shiftEnd).toISOString(),
    };
  });
}

async function teamSchedulesOf(deps: Pick<OnCallUseCaseDeps, 'onCall'>, team: string): Promise<Schedule[]> {
  const [profile, schedules] = await Promise.all([deps.onCall.findTeam(team), deps.onCall.findSchedules(team)]);
  if (!profile) throw new NotFoundError(`no team ${team}`, [{ field: 'team', problem: 'is not a configured team' }]);
  return schedules;
}

async function scheduleOf(deps: Pick<OnCallUseCaseDeps, 'onCall'>, team: string, name: string): Promise<Schedule> {
  const schedule = (await teamSchedulesOf(deps, team)).find((s) => s.name === name);
  if (!schedule) throw new NotFoundError(`team ${team} has no schedule ${name}`, [{ field: 'schedule', problem: `is not a schedule of team ${team}` }]);
  return schedule;
}

/** Who is on call at `at` in each of the team's schedules, with the shift and what decided it. */
export async function whoIsOnCall(deps: Pick<OnCallUseCaseDeps, 'onCall' | 'contactProblems' | 'clock'>, principal: Principal, team: string, at?: Date) {
  assertMayRead(principal);
  const instant = at ?? deps.clock();
  const onCall = (await teamSchedulesOf(deps, team)).map((s) => ({ schedule: s, shifts: onCallAt(s, instant.getTime()) }));
  const people = await peopleIn(deps, onCall.flatMap((o) => o.shifts));
  const problems = await deps.contactProblems.problemsOf([...people.values()].flatMap((p) => [p.email, ...(p.phone ? [p.phone] : [])]));
  const withProblems = (shift: PresentedShift): PresentedShift => {
    const person = people.get(shift.person);
    const found = person ? [person.email, person.phone].flatMap((c) => problems.get(c ?? '') ?? []) : [];
    return found.length ? { ...shift, contactProblems: found } : shift;
  };
  return {
    team,
    at: instant.toISOString(),
    schedules: onCall.map(({ schedule, shifts: found }) => ({ schedule: schedule.name, timeZone: schedule.timeZone, onCall: presentShifts(people, found).map(withProblems) })),
  };
}

/** Who is on call at `at` in every team, by team name. */
export async function whoIsOnCallInEveryTeam(deps: Pick<OnCallUseCaseDeps, 'onCall' | 'contactProblems' | 'clock'>, principal: Principal, at?: Date) {
  assertMayRead(principal);
  const instant = at ?? deps.clock();
  const teams = await Promise.all((await deps.onCall.listTeams()).map((team) => whoIsOnCall(deps, principal, team, instant)));
  return { at: instant.toISOString(), teams };
}

/** The final shifts of a schedule over [from, to), after layers and overrides. */
export async function scheduleShifts(deps: Pick<OnCallUseCaseDeps, 'onCall'>, principal: Principal, team: string, name: string, from: Date, to: Date) {
  assertMayRead(principal);
  const schedule = await scheduleOf(deps, team, name);
  const found = shifts(schedule, from.getTime(), to.getTime());
  return { team, schedule: name, timeZone: schedule.timeZone, shifts: presentShifts(await peopleIn(deps, found), found) };
}

/** The overrides of a schedule, the file's and the API's, as they stand. */
export async function listOverrides(deps: Pick<OnCallUseCaseDeps, 'onCall'>, principal: Principal, team: string, name: string) {
  assertMayRead(principal);
  const schedule = await scheduleOf(deps, team, name);
  return schedule.overrides.map((o) => ({
    ...o,
    from: new Date(o.from).toISOString(),
    to: new Date(o.to).toISOString(),
    source: o.id.startsWith('file-') ? 'file' : 'api',
  }));
}

/** Adds an override to a schedule, as the responder `principal`; it takes effect at once, for the next page too. */
export async function createOverride(deps: OnCallUseCaseDeps, principal: Principal, team: string, name: string, input: OverrideInput) {
  assertMayRead(principal);
  const schedule = await scheduleOf(deps, team, name);
  const override = overrideOf(randomUUID(), input, schedule.timeZone);
  if (override.to <= override.from) throw new ValidationError('the override ends before it starts', [{ field: 'to', problem: 'must be after from' }]);
  const named = [input.person, ...(input.replaces ? [input.replaces] : [])].filter((ref) => !ref.includes('@'));
  const people = named.length ? await deps.onCall.findPeople(named) : new Map();
  const unknown = (ref: string | undefined) => ref !== undefined && !ref.includes('@') && !people.has(ref);
  const problems = [
    ...(unknown(input.person) ? [{ field: 'person', problem: 'is not a known person id or an email address' }] : []),
    ...(unknown(input.replaces) ? [{ field: 'replaces', problem: 'is not a known person id or an email address' }] : []),
  ];
  if (problems.length) throw new ValidationError('the override names unknown people', problems);
  await deps.overrides.add(team, name, override, { createdBy: principal.name, createdAt: deps.clock() });
  return { ...override, from: new Date(override.from).toISOString(), to: new Date(override.to).toISOString(), source: 'api' as const };
}

/** Removes an override made through the API; the file's own are changed in the file. */
export async function deleteOverride(deps: OnCallUseCaseDeps, principal: Principal, team: string, name: string, id: string): Promise<void> {
  assertMayRead(principal);
  await scheduleOf(deps, team, name);
  if (id.startsWith('file-')) throw new ValidationError('this override is the config file’s: change it there', [{ field: 'id', problem: 'names an override of the config file' }]);
  if (!(await deps.overrides.remove(team, name, id))) throw new NotFoundError(`no override ${id}`, [{ field: 'id', problem: 'is not an override of this schedule' }]);
}

/**
 * What an incident of `service` raised at `at` would page: each level of the team's matrix (first round) at its
 * own instant, resolved by the very functions the notifier uses when a level fires (whoIsTargeted, recipientsOf).
 */
export async function escalationPreview(deps: OnCallUseCaseDeps, principal: Principal, service: string, at?: Date) {
  assertMayRead(principal);
  const found = await deps.services.findService(service);
  if (!found) throw new NotFoundError(`no service ${service}`, [{ field: 'service', problem: 'is not a configured service' }]);
  const team = await deps.onCall.findTeam(found.team);
  if (!team) throw new NotFoundError(`team ${found.team} is not configured`, [{ field: 'service', problem: `has team ${found.team}, which is not configured` }]);
  const raisedAt = at ?? deps.clock();
  // One read of the schedules and one of the people for every level, resolved as the notifier resolves a level.
  const schedules = new Map((await deps.onCall.findSchedules(team.name)).map((s) => [s.name, s]));
  let due = raisedAt.getTime();
  const resolved = team.escalation.levels.map((level) => {
    due += level.delayMinutes * 60_000;
    return { at: new Date(due).toISOString(), ...whoIsTargeted(level.targets.map(targetOf), due, schedules) };
  });
  const ids = personIdsOf(resolved.flatMap((r) => r.targeted));
  const people = ids.length ? await deps.onCall.findPeople(ids) : new Map<string, Person>();
  const levels = resolved.map((r, i) => ({
    level: i + 1,
    at: r.at,
    recipients: recipientsOf(r.targeted, people, team.defaultContact, deps.channels),
    gaps: r.gaps.map((g) => g.schedule),
  }));
  return { service, team: team.name, raisedAt: raisedAt.toISOString(), repeat: team.escalation.repeat, levels };
}
