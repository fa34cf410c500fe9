import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { assertMayRead, hashApiKey, type Principal } from '../access/access';
import { NotFoundError, UnauthorizedError, ValidationError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import { identifier } from '../shared/validation';
import type { OnCallDirectory } from '../escalation/escalation-use-case';
import { type CalendarShift, icalFeed } from './ical';
import { onCallAt, shifts } from './schedule';

/** What a calendar feed shows: one schedule's shifts, or one person's across every team. */
export type FeedTarget = { readonly team: string; readonly schedule: string } | { readonly person: string };

/** A calendar feed: its id, what it shows, how far ahead. Its secret is kept only as a hash. */
export interface CalendarFeed {
  readonly id: string;
  readonly target: FeedTarget;
  readonly weeks: number;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** Calendar feeds, by id. */
export interface CalendarFeedStore {
  create(feed: CalendarFeed, secretHash: string): Promise<void>;
  find(id: string): Promise<{ readonly feed: CalendarFeed; readonly secretHash: string } | undefined>;
  list(): Promise<CalendarFeed[]>;
  /** Whether there was such a feed to revoke. */
  remove(id: string): Promise<boolean>;
}

export interface CalendarFeedDeps {
  readonly onCall: OnCallDirectory & { listTeams(): Promise<string[]> };
  readonly feeds: CalendarFeedStore;
  readonly clock: Clock;
}

/** Body of `POST /ical-feeds`: `{ schedule: "team/name" }` or `{ person: id }`, and how many weeks ahead (default 8). */
export const calendarFeedInputSchema = z.union(
  [
    z.strictObject({
      schedule: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be team/schedule'),
      weeks: z.number().int().min(1).max(26).default(8),
    }),
    z.strictObject({ person: identifier, weeks: z.number().int().min(1).max(26).default(8) }),
  ],
  { error: 'must be { schedule: "team/schedule" } or { person: "id" }, with weeks from 1 to 26' },
);

/** A feed's id is 12 random bytes in base64url: it may start with `-` or `_`, which an identifier may not. */
export const calendarFeedPathSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'must be a calendar feed id') });

/** The token in a feed's URL: `<id>.<secret>.ics`. Calendar apps send no headers, so the URL is the credential. */
export const calendarTokenSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}\.ics$/, 'must be a calendar feed token'),
});

const WEEK_MS = 7 * 86_400_000;

/** Makes a feed; the answer holds its URL path, shown this once (only a hash of its secret is kept). */
export async function createCalendarFeed(deps: CalendarFeedDeps, principal: Principal, input: z.output<typeof calendarFeedInputSchema>) {
  assertMayRead(principal);
  const target: FeedTarget = 'schedule' in input ? splitSchedule(input.schedule) : { person: input.person };
  if ('schedule' in target) {
    const schedules = await deps.onCall.findSchedules(target.team);
    if (!schedules.some((s) => s.name === target.schedule)) {
      throw new ValidationError(`no schedule ${target.team}/${target.schedule}`, [{ field: 'schedule', problem: 'is not a configured schedule' }]);
    }
  } else if (!(await deps.onCall.findPeople([target.person])).has(target.person)) {
    throw new ValidationError(`no person ${target.person}`, [{ field: 'person', problem: 'is not a configured person' }]);
  }
  const id = randomBytes(12).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const feed: CalendarFeed = { id, target, weeks: input.weeks, createdBy: principal.name, createdAt: deps.clock().toISOString() };
  await deps.feeds.create(feed, hashApiKey(secret));
  return { ...feed, path: `/ical/${id}.${secret}.ics` };
}

export async function listCalendarFeeds(deps: CalendarFeedDeps, principal: Principal): Promise<CalendarFeed[]> {
  assertMayRead(principal);
  return deps.feeds.list();
}

/** Revokes a feed: its URL answers 401 from then on. */
export async function revokeCalendarFeed(deps: CalendarFeedDeps, principal: Principal, id: string): Promise<void> {
  assertMayRead(principal);
  if (!(await deps.feeds.remove(id))) throw new NotFoundError(`no calendar feed ${id}`, [{ field: 'id', problem: 'is not a calendar feed' }]);
}

/** The feed a token opens, as iCalendar text: the shifts in progress and those to come, `weeks` ahead. */
export async function renderCalendarFeed(deps: CalendarFeedDeps, token: string): Promise<string> {
  const [id, secret] = token.replace(/\.ics$/, '').split('.') as [string, string];
  const found = await deps.feeds.find(id);
  const presented = Buffer.from(hashApiKey(secret));
  if (!found || !timingSafeEqual(presented, Buffer.from(found.secretHash))) {
    throw new UnauthorizedError('unknown or revoked calendar feed', [{ field: 'token', problem: 'is not a live calendar feed' }]);
  }
  const { feed } = found;
  const now = deps.clock();
  const [from, to] = [now.getTime(), now.getTime() + feed.weeks * WEEK_MS];
  const target = feed.target;
  const teams = 'schedule' in target ? [target.team] : await deps.onCall.listTeams();
  const calendarShifts: CalendarShift[] = [];
  for (const team of teams) {
    for (const schedule of await deps.onCall.findSchedules(team)) {
      if ('schedule' in target && schedule.name !== target.schedule) continue;
      // From the start of the shift in progress, so that it shows whole and keeps its UID from fetch to fetch.
      const start = Math.min(from, ...onCallAt(schedule, from).map((s) => s.shiftStart));
      for (const shift of shifts(schedule, start, to)) {
        if ('person' in target && shift.person !== target.person) continue;
        calendarShifts.push({ ...shift, team, schedule: schedule.name });
      }
    }
  }
  const ids = [...new Set(calendarShifts.map((s) => s.person).filter((p) => !p.includes('@')))];
  const people = ids.length ? await deps.onCall.findPeople(ids) : new Map();
  const named = calendarShifts.map((s) => {
    const name = people.get(s.person)?.name;
    return name ? { ...s, personName: name } : s;
  });
  const title = 'schedule' in target ? `On call: ${target.team}/${target.schedule}` : `On call: ${people.get(target.person)?.name ?? target.person}`;
  return icalFeed(title, named.sort((a, b) => a.shiftStart - b.shiftStart), now);
}

function splitSchedule(text: string): { team: string; schedule: string } {
  const [team, schedule] = text.split('/') as [string, string];
  return { team, schedule };
}
