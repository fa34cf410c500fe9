/**
 * On-call schedules: who is on call at an instant, and the shifts over a range, from layers of rotations and
 * fixed shifts with overrides on top. Pure: no clock and no I/O; instants are whole epoch milliseconds and
 * wall-clock times are read in the schedule's zone.
 *
 * The rules:
 * - Layers are listed bottom to top. At an instant, the people on call are those of the topmost layer that has
 *   anyone then; the layers below it are hidden.
 * - A rotation's turn k starts k turns after its handoff and is held by `participants[k mod n]`. Turns of days
 *   and weeks are counted on the calendar: turn k starts on the handoff's local date plus k × count days (× 7
 *   for weeks), at the handoff's time of day, so a Monday 09:00 handoff stays Monday 09:00 across
 *   daylight-saving changes and such a turn lasts 23 or 25 hours. Turns of hours are elapsed time: turn k starts
 *   k × count hours after the handoff instant, so their local time of day moves by an hour across a change.
 *   Before the handoff, and from `end` on, the layer has nobody.
 * - A fixed layer has, at an instant, the people of its shifts that hold it, several if shifts overlap.
 * - A restricted rotation has someone only inside its restrictions' windows: a shift is a turn cut by the
 *   windows, ending at a window's close or the turn's end, whichever comes first.
 * - A wall-clock time that a change skips (02:30 on a spring-forward day) is the first instant after the gap,
 *   when clocks show 03:00; a time shown twice (on a fall-back day) is the first of the two instants. This holds
 *   for handoffs, turn starts and window edges alike.
 * - Overrides sit above every layer. While overrides without `replaces` are active, their people, and only
 *   they, are on call: together if several overlap. Then each active override with `replaces`, in order of
 *   `from` then `id`, swaps `replaces` out for `person` if `replaces` is on call at that point (so it can also
 *   relieve the person of an override without `replaces`), and does nothing otherwise.
 * - A person is listed once at an instant, with the first reason that puts them on call: the layer, or an
 *   override without `replaces` (the first in order), or a swap. A reason is what a shift reports: layers of
 *   one name, or overrides of one id, count as one.
 * - The shift given for a person is the longest stretch in which they stay on call for the same reason, merged
 *   across turns and windows that follow one another; {@link onCallAt} looks for its ends at most
 *   {@link SHIFT_HORIZON_MS} either side of the instant, {@link shifts} clips them to its range.
 */
import {
  assertTimeZone,
  epochDayOf,
  instantOfLocalTime,
  localDayOf,
  parseLocalDateTime,
  parseTimeOfDay,
  weekdayOfEpochDay,
  type TimeOfDay,
} from './zoned-time';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How far either side of an instant {@link onCallAt} follows a shift to its start and end: 90 days. */
export const SHIFT_HORIZON_MS = 90 * DAY_MS;

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * A window of the week in the schedule's wall-clock time. `from`/`to` are "HH:MM". On each of `days` (default:
 * every day) the window opens at `from` and closes at the next `to`: the same day when to > from, the next day
 * when to <= from (so 20:00-08:00 crosses midnight; from == to means 24 h).
 */
export interface Restriction {
  readonly days?: readonly Weekday[];
  readonly from: string;
  readonly to: string;
}

/** The length of a rotation's turn; `count` is a whole number, at least 1. */
export interface Turn {
  readonly unit: 'hours' | 'days' | 'weeks';
  readonly count: number;
}

/** A layer whose participants take turns, optionally only within windows of the week. */
export interface RotationLayer {
  readonly kind: 'rotation';
  readonly name: string;
  /** Person ids in order of their turns; a person may appear more than once. */
  readonly participants: readonly string[];
  readonly turn: Turn;
  /** "YYYY-MM-DDTHH:MM" in the schedule's zone: the first turn starts here, which fixes the handoff time and weekday. */
  readonly handoff: string;
  /** Outside every window the layer has nobody; absent means always. */
  readonly restrictions?: readonly Restriction[];
  /** Epoch ms from which the layer has nobody. */
  readonly end?: number;
}

/** One person on call over [from, to), in epoch ms. */
export interface FixedShift {
  readonly person: string;
  readonly from: number;
  readonly to: number;
}

/** A layer of shifts given one by one; shifts may overlap, putting several people on call at once. */
export interface FixedLayer {
  readonly kind: 'fixed';
  readonly name: string;
  readonly shifts: readonly FixedShift[];
}

export type Layer = RotationLayer | FixedLayer;

/**
 * A change above every layer over [from, to) in epoch ms: with `replaces`, `person` stands in for that one
 * person; without, `person` takes the whole schedule.
 */
export interface Override {
  readonly id: string;
  readonly person: string;
  readonly from: number;
  readonly to: number;
  readonly replaces?: string;
}

/** A team's schedule: layers listed bottom to top, overrides above them, wall-clock times in `timeZone`. */
export interface Schedule {
  readonly name: string;
  readonly timeZone: string;
  readonly layers: readonly Layer[];
  readonly overrides: readonly Override[];
}

/** A person on call from `shiftStart` to `shiftEnd` (epoch ms, half-open) for one reason: a layer, or an override. */
export interface OnCallShift {
  readonly person: string;
  /** The layer's name, or `override`. */
  readonly layer: string;
  readonly overrideId?: string;
  readonly shiftStart: number;
  readonly shiftEnd: number;
}

/** An interval [start, end) of epoch ms; either end may be infinite. */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** A span over which a layer's people stay the same. */
interface Piece extends Span {
  readonly people: readonly string[];
}

/** A span in which one person holds a layer. */
interface Interval extends Span {
  readonly person: string;
}

/** When a layer has someone; both views must agree, the second serving {@link shifts}' sweep. */
interface Timeline {
  /** The layer's people at `at`, with a span around it in which they do not change (not always the longest). */
  pieceAt(at: number): Piece;
  /** Each span in which one person holds the layer within [from, to), clipped to it. */
  intervalsIn(from: number, to: number): Interval[];
}

const NOBODY: readonly string[] = [];

/** At most this many adjacent windows are joined into one piece: a piece need not be the longest span. */
const MAX_JOINED_WINDOWS = 16;

/** A restriction as times of day in ms, and the weekdays (Monday first) on which its window opens. */
interface WeeklyWindow {
  readonly opensOn: readonly boolean[];
  readonly from: number;
  readonly to: number;
  readonly closesNextDay: boolean;
}

const msOfDay = (time: TimeOfDay): number => time.hour * HOUR_MS + time.minute * MINUTE_MS;

function compileRestriction(restriction: Restriction, layer: string): WeeklyWindow {
  const days = restriction.days ?? WEEKDAYS;
  for (const day of days) {
    if (!WEEKDAYS.includes(day)) throw new RangeError(`layer ${layer}: ${JSON.stringify(day)} is not a weekday (mon-sun)`);
  }
  const from = msOfDay(parseTimeOfDay(restriction.from));
  const to = msOfDay(parseTimeOfDay(restriction.to));
  return { opensOn: WEEKDAYS.map((day) => days.includes(day)), from, to, closesNextDay: to <= from };
}

function assertWholeMs(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a whole number of epoch milliseconds, got ${value}`);
}

/**
 * For each participant index, how many turns before and after it are held by the same person in a row
 * (Infinity when every turn is), so that a piece can span a person's consecutive turns at once.
 */
function sameHolderRuns(participants: readonly string[]): { before: number[]; after: number[] } {
  const n = participants.length;
  const alike = (i: number, j: number) => participants[((i % n) + n) % n] === participants[((j % n) + n) % n];
  const everyone = participants.every((p) => p === participants[0]);
  const run = (i: number, step: 1 | -1) => {
    if (everyone) return Number.POSITIVE_INFINITY;
    let count = 0;
    while (alike(i, i + step * (count + 1))) count++;
    return count;
  };
  return { before: participants.map((_, i) => run(i, -1)), after: participants.map((_, i) => run(i, 1)) };
}

/** Spans sorted by start, with overlapping and touching ones joined. */
function joined(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else out.push({ start: span.start, end: span.end });
  }
  return out;
}

class RotationTimeline implements Timeline {
  private readonly participants: readonly string[];
  /** The length of a turn of hours; undefined for turns counted in days. */
  private readonly turnMs: number | undefined;
  private readonly turnDays: number;
  /** The handoff as local time (ms since 1970-01-01T00:00 on the zone's clocks), and as an instant. */
  private readonly handoffLocal: number;
  private readonly handoffAt: number;
  private readonly end: number;
  private readonly windows: readonly WeeklyWindow[] | undefined;
  private readonly runs: { before: number[]; after: number[] };

  constructor(
    layer: RotationLayer,
    private readonly zone: string,
  ) {
    if (layer.participants.length === 0) throw new RangeError(`layer ${layer.name}: no participants`);
    const { unit, count } = layer.turn;
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`layer ${layer.name}: turn count must be a whole number of at least 1, got ${count}`);
    if (unit !== 'hours' && unit !== 'days' && unit !== 'weeks') throw new RangeError(`layer ${layer.name}: unknown turn unit ${JSON.stringify(unit)}`);
    if (layer.end !== undefined) assertWholeMs(layer.end, `layer ${layer.name}: end`);
    const handoff = parseLocalDateTime(layer.handoff);
    this.participants = layer.participants;
    this.turnMs = unit === 'hours' ? count * HOUR_MS : undefined;
    this.turnDays = unit === 'weeks' ? 7 * count : count;
    this.handoffLocal = epochDayOf(handoff) * DAY_MS + msOfDay(handoff);
    this.handoffAt = instantOfLocalTime(this.handoffLocal, zone);
    this.end = layer.end ?? Number.POSITIVE_INFINITY;
    this.windows = layer.restrictions?.map((r) => compileRestriction(r, layer.name));
    this.runs = sameHolderRuns(layer.participants);
  }

  private holder(turn: number): string {
    return this.participants[turn % this.participants.length]!;
  }

  private turnStart(turn: number): number {
    if (this.turnMs !== undefined) return this.handoffAt + turn * this.turnMs;
    return instantOfLocalTime(this.handoffLocal + turn * this.turnDays * DAY_MS, this.zone);
  }

  /**
   * The turn holding `at` (not before the handoff), with its start and end: found from the elapsed days or
   * hours rather than by walking from the handoff.
   */
  private turnAt(at: number): Span & { readonly turn: number } {
    const estimate =
      this.turnMs !== undefined
        ? Math.floor((at - this.handoffAt) / this.turnMs)
        : Math.floor((localDayOf(at, this.zone) - Math.floor(this.handoffLocal / DAY_MS)) / this.turnDays);
    let turn = Math.max(0, estimate);
    let start = this.turnStart(turn);
    while (turn > 0 && at < start) start = this.turnStart(--turn);
    let end = this.turnStart(turn + 1);
    while (at >= end) {
      start = end;
      end = this.turnStart(++turn + 1);
    }
    return { turn, start, end };
  }

  /** The turns held in a row by the person whose turn holds `at`, up to the layer's end. */
  private heldAround(at: number): Span & { readonly person: string } {
    const { turn, start, end } = this.turnAt(at);
    const i = turn % this.participants.length;
    const before = this.runs.before[i]!;
    const after = this.runs.after[i]!;
    return {
      person: this.participants[i]!,
      start: before === 0 ? start : before === Number.POSITIVE_INFINITY ? this.handoffAt : this.turnStart(Math.max(0, turn - before)),
      end: Math.min(this.end, after === 0 ? end : after === Number.POSITIVE_INFINITY ? this.end : this.turnStart(turn + after + 1)),
    };
  }

  /** The window that opens on local day `day`, if it opens then and is not swallowed by a gap. */
  private windowOn(window: WeeklyWindow, day: number): Span | undefined {
    const start = this.opening(window, day);
    const end = start === undefined ? undefined : this.closing(window, day);
    return end !== undefined && start !== undefined && end > start ? { start, end } : undefined;
  }

  /** When the window of local day `day` opens, if it opens that day. */
  private opening(window: WeeklyWindow, day: number): number | undefined {
    return window.opensOn[weekdayOfEpochDay(day)] ? instantOfLocalTime(day * DAY_MS + window.from, this.zone) : undefined;
  }

  /** When the window of local day `day` closes, if it opens that day. */
  private closing(window: WeeklyWindow, day: number): number | undefined {
    if (!window.opensOn[weekdayOfEpochDay(day)]) return undefined;
    return instantOfLocalTime((window.closesNextDay ? day + 1 : day) * DAY_MS + window.to, this.zone);
  }

  /**
   * The union of the windows open at `at`, if any. A window lasts at most a day, so only those opening the local
   * day before, of or after `at` can hold it (after: when clocks go back across midnight).
   */
  private openAround(at: number): Span | undefined {
    const day = localDayOf(at, this.zone);
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (let d = day - 1; d <= day + 1; d++) {
      for (const window of this.windows ?? []) {
        const open = this.windowOn(window, d);
        if (open && open.start <= at && at < open.end) {
          start = Math.min(start, open.start);
          end = Math.max(end, open.end);
        }
      }
    }
    return start <= at ? { start, end } : undefined;
  }

  /**
   * The span around `at` in which no window is open, up to the nearest openings and closings. They are looked
   * for over eight days either way; if there is none, the span stops at a local midnight beyond which a window
   * might open. (A window lost in a gap may end the span early: it stays closed, only shorter.)
   */
  private closedAround(at: number): Span {
    const day = localDayOf(at, this.zone);
    const windows = this.windows ?? [];
    let end = instantOfLocalTime((day + 9) * DAY_MS, this.zone);
    let foundOn: number | undefined;
    // Windows opening on a later day open later: the first day with one opening after `at` has the nearest.
    for (let d = day - 1; d <= day + 8 && foundOn === undefined; d++) {
      for (const window of windows) {
        const opens = this.opening(window, d);
        if (opens !== undefined && opens > at && opens < end) {
          end = opens;
          foundOn = d;
        }
      }
    }
    let start = instantOfLocalTime((day - 7) * DAY_MS, this.zone);
    foundOn = undefined;
    // A window closes at most a day after it opens: past the day before the first close found, none is later.
    for (let d = day; d >= day - 8 && (foundOn === undefined || d >= foundOn - 1); d--) {
      for (const window of windows) {
        const closes = this.closing(window, d);
        if (closes !== undefined && closes <= at && closes > start) {
          start = closes;
          foundOn ??= d;
        }
      }
    }
    return { start, end };
  }

  pieceAt(at: number): Piece {
    if (at < this.handoffAt) return { people: NOBODY, start: Number.NEGATIVE_INFINITY, end: this.handoffAt };
    if (at >= this.end) return { people: NOBODY, start: this.end, end: Number.POSITIVE_INFINITY };
    const open = this.windows && this.openAround(at);
    if (this.windows && !open) return { people: NOBODY, ...this.closedAround(at) };
    const held = this.heldAround(at);
    const people = [held.person];
    if (!open) return { people, start: held.start, end: held.end };
    let { start, end } = open;
    for (let joins = 0; joins < MAX_JOINED_WINDOWS && end < held.end; joins++) {
      const next = this.openAround(end);
      if (!next) break;
      end = next.end;
    }
    for (let joins = 0; joins < MAX_JOINED_WINDOWS && start > held.start; joins++) {
      const previous = this.openAround(start - 1);
      if (!previous) break;
      start = previous.start;
    }
    return { people, start: Math.max(start, held.start), end: Math.min(end, held.end) };
  }

  intervalsIn(from: number, to: number): Interval[] {
    const low = Math.max(from, this.handoffAt);
    const high = Math.min(to, this.end);
    if (low >= high) return [];
    const turns: Interval[] = [];
    let { turn, start } = this.turnAt(low);
    for (; start < high; turn++) {
      const next = this.turnStart(turn + 1);
      turns.push({ person: this.holder(turn), start: Math.max(start, low), end: Math.min(next, high) });
      start = next;
    }
    if (!this.windows) return turns;
    const opens: Span[] = [];
    for (let d = localDayOf(low, this.zone) - 1; d <= localDayOf(high, this.zone) + 1; d++) {
      for (const window of this.windows) {
        const open = this.windowOn(window, d);
        if (open && open.end > low && open.start < high) opens.push(open);
      }
    }
    // Both lists are sorted and disjoint: walk them together.
    const spans = joined(opens);
    const shifts: Interval[] = [];
    let first = 0;
    for (const held of turns) {
      while (first < spans.length && spans[first]!.end <= held.start) first++;
      for (let i = first; i < spans.length && spans[i]!.start < held.end; i++) {
        const start = Math.max(held.start, spans[i]!.start);
        const end = Math.min(held.end, spans[i]!.end);
        if (start < end) shifts.push({ person: held.person, start, end });
      }
    }
    return shifts;
  }
}

/** The index of the first of `sorted` for which `before` is false (binary search; `before` holds for a prefix). */
function firstNotBefore(sorted: readonly number[], before: (value: number) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (before(sorted[mid]!)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The index of the first of `sorted` greater than `value`. */
const firstAfter = (sorted: readonly number[], value: number): number => firstNotBefore(sorted, (v) => v <= value);

/** The index of the first of `sorted` not less than `value`. */
const firstFrom = (sorted: readonly number[], value: number): number => firstNotBefore(sorted, (v) => v < value);

/** The span of `bounds` (sorted, distinct) that holds `at`: open-ended before the first and after the last. */
function spanAt(bounds: readonly number[], at: number): { index: number; span: Span } {
  const index = firstAfter(bounds, at) - 1;
  return { index, span: { start: bounds[index] ?? Number.NEGATIVE_INFINITY, end: bounds[index + 1] ?? Number.POSITIVE_INFINITY } };
}

const distinctSorted = (values: number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

class FixedTimeline implements Timeline {
  private readonly shifts: readonly FixedShift[];
  private readonly bounds: readonly number[];
  /** The people between each bound and the next, with runs of the same people joined. */
  private readonly people: readonly (readonly string[])[];

  constructor(layer: FixedLayer) {
    for (const shift of layer.shifts) {
      assertWholeMs(shift.from, `layer ${layer.name}: shift from`);
      assertWholeMs(shift.to, `layer ${layer.name}: shift to`);
    }
    this.shifts = layer.shifts.filter((s) => s.to > s.from);
    const allBounds = distinctSorted(this.shifts.flatMap((s) => [s.from, s.to]));
    const sets = allBounds.map(() => new Set<string>());
    for (const shift of this.shifts) {
      for (let i = firstFrom(allBounds, shift.from); allBounds[i]! < shift.to; i++) sets[i]!.add(shift.person);
    }
    const bounds: number[] = [];
    const people: string[][] = [];
    allBounds.forEach((bound, i) => {
      const here = [...sets[i]!].sort();
      const previous = people[people.length - 1];
      if (previous && previous.join('\n') === here.join('\n')) return;
      bounds.push(bound);
      people.push(here);
    });
    this.bounds = bounds;
    this.people = people;
  }

  pieceAt(at: number): Piece {
    const { index, span } = spanAt(this.bounds, at);
    return { people: this.people[index] ?? NOBODY, ...span };
  }

  intervalsIn(from: number, to: number): Interval[] {
    return this.shifts
      .filter((s) => s.from < to && s.to > from)
      .map((s) => ({ person: s.person, start: Math.max(s.from, from), end: Math.min(s.to, to) }));
  }
}

/** The overrides sorted by `from` (then `id`), searched by bisection. */
class OverrideIndex {
  readonly sorted: readonly Override[];
  private readonly froms: readonly number[];
  /** The latest `to` among the overrides up to each index: scanning back stops where it is past. */
  private readonly reach: readonly number[];
  private readonly bounds: readonly number[];

  constructor(overrides: readonly Override[]) {
    for (const o of overrides) {
      assertWholeMs(o.from, `override ${o.id}: from`);
      assertWholeMs(o.to, `override ${o.id}: to`);
    }
    this.sorted = overrides
      .filter((o) => o.to > o.from)
      .map((o, i) => ({ o, i }))
      .sort((a, b) => a.o.from - b.o.from || (a.o.id < b.o.id ? -1 : a.o.id > b.o.id ? 1 : a.i - b.i))
      .map(({ o }) => o);
    this.froms = this.sorted.map((o) => o.from);
    let reach = Number.NEGATIVE_INFINITY;
    this.reach = this.sorted.map((o) => (reach = Math.max(reach, o.to)));
    this.bounds = distinctSorted(this.sorted.flatMap((o) => [o.from, o.to]));
  }

  /** Indices, in order, of the overrides that overlap [from, to). */
  overlapping(from: number, to: number): number[] {
    return this.endingAfter(firstFrom(this.froms, to), from);
  }

  /** Indices, in order, of the overrides active at `at`. */
  activeAt(at: number): number[] {
    return this.endingAfter(firstAfter(this.froms, at), at);
  }

  /** Indices, in order, of the overrides before index `below` that end after `instant`. */
  private endingAfter(below: number, instant: number): number[] {
    const found: number[] = [];
    for (let i = below - 1; i >= 0 && this.reach[i]! > instant; i--) {
      if (this.sorted[i]!.to > instant) found.push(i);
    }
    return found.reverse();
  }

  /** The span around `at` in which no override starts or ends. */
  spanAt(at: number): Span {
    return spanAt(this.bounds, at).span;
  }
}

/** For each of `keys`, the index of its first occurrence. */
function firstOccurrences(keys: readonly string[]): number[] {
  const first = new Map<string, number>();
  return keys.map((key, i) => {
    if (!first.has(key)) first.set(key, i);
    return first.get(key)!;
  });
}

/**
 * The people on call and why, as a map from person to reason: the index of the first layer of the person's
 * layer's name, or the layer count plus the index (in sorted order) of the first override of that id.
 */
type OnCall = Map<string, number>;

/** A span in which the people on call, and their reasons, stay the same. */
interface State extends Span {
  readonly onCall: OnCall;
}

/** A schedule prepared for repeated questions: zone checked, strings parsed, overrides sorted. */
export class CompiledSchedule {
  readonly name: string;
  readonly timeZone: string;
  private readonly layerNames: readonly string[];
  private readonly timelines: readonly Timeline[];
  private readonly overrides: OverrideIndex;
  /** The reason given for each layer and each sorted override; see `OnCall`. */
  private readonly layerReasons: readonly number[];
  private readonly overrideReasons: readonly number[];

  /** Throws a RangeError for an unknown zone, a turn count below 1, no participants, or a malformed time. */
  constructor(schedule: Schedule) {
    assertTimeZone(schedule.timeZone);
    this.name = schedule.name;
    this.timeZone = schedule.timeZone;
    this.layerNames = schedule.layers.map((layer) => layer.name);
    this.timelines = schedule.layers.map((layer): Timeline => {
      if (layer.kind === 'rotation') return new RotationTimeline(layer, schedule.timeZone);
      if (layer.kind === 'fixed') return new FixedTimeline(layer);
      throw new RangeError(`layer ${(layer as Layer).name}: unknown kind ${JSON.stringify((layer as { kind: unknown }).kind)}`);
    });
    this.overrides = new OverrideIndex(schedule.overrides);
    // A reason is what a shift reports, so layers of one name, or overrides of one id, give one reason.
    this.layerReasons = firstOccurrences(this.layerNames);
    this.overrideReasons = firstOccurrences(this.overrides.sorted.map((o) => o.id)).map((i) => this.layerNames.length + i);
  }

  /** Who is on call at `at`, each with the start and end of their shift; see the module's rules. Sorted by person. */
  onCallAt(at: number): OnCallShift[] {
    assertFinite(at);
    const forward: (Piece | undefined)[] = [];
    const here = this.stateAt(at, forward);
    const backward = [...forward];
    const horizonStart = at - SHIFT_HORIZON_MS;
    const horizonEnd = at + SHIFT_HORIZON_MS;

    const ends = new Map<string, number>();
    let following = [...here.onCall];
    let cursor = here.end;
    while (following.length > 0 && cursor < horizonEnd) {
      const next = this.stateAt(cursor, forward);
      following = following.filter(([person, reason]) => {
        if (next.onCall.get(person) === reason) return true;
        ends.set(person, cursor);
        return false;
      });
      cursor = next.end;
    }
    for (const [person] of following) ends.set(person, Math.min(cursor, horizonEnd));

    const starts = new Map<string, number>();
    following = [...here.onCall];
    cursor = here.start;
    while (following.length > 0 && cursor > horizonStart) {
      // Bounds are whole milliseconds, so the state a millisecond earlier is the one before `cursor`.
      const previous = this.stateAt(cursor - 1, backward);
      following = following.filter(([person, reason]) => {
        if (previous.onCall.get(person) === reason) return true;
        starts.set(person, cursor);
        return false;
      });
      cursor = previous.start;
    }
    for (const [person] of following) starts.set(person, Math.max(cursor, horizonStart));

    return [...here.onCall].map(([person, reason]) => this.shiftOf(person, reason, starts.get(person)!, ends.get(person)!)).sort(byPersonThenLayer);
  }

  /**
   * The shifts over [from, to), clipped to it: at every instant of the range, the people of the shifts holding
   * it are those {@link onCallAt} gives. Shifts of one person for the same reason that follow one another are
   * merged. Sorted by start, then person.
   */
  shifts(from: number, to: number): OnCallShift[] {
    assertFinite(from);
    assertFinite(to);
    if (!(from < to)) return [];
    const layerCount = this.timelines.length;
    // A change is a layer interval or an override starting (+1) or ending (-1); `source` is the layer's index,
    // or the layer count plus the override's index.
    const changes: { at: number; source: number; person: string; delta: 1 | -1 }[] = [];
    this.timelines.forEach((timeline, layer) => {
      for (const { person, start, end } of timeline.intervalsIn(from, to)) {
        changes.push({ at: start, source: layer, person, delta: 1 }, { at: end, source: layer, person, delta: -1 });
      }
    });
    for (const i of this.overrides.overlapping(from, to)) {
      const o = this.overrides.sorted[i]!;
      const source = layerCount + i;
      changes.push({ at: Math.max(o.from, from), source, person: o.person, delta: 1 }, { at: Math.min(o.to, to), source, person: o.person, delta: -1 });
    }
    changes.sort((a, b) => a.at - b.at);
    const bounds = distinctSorted([from, ...changes.map((c) => c.at).filter((at) => at < to)]);

    const held = this.timelines.map(() => new Map<string, number>());
    const active = new Set<number>();
    const open = new Map<string, { reason: number; start: number }>();
    const out: OnCallShift[] = [];
    let c = 0;
    for (const at of bounds) {
      for (; c < changes.length && changes[c]!.at === at; c++) {
        const { source, person, delta } = changes[c]!;
        const layer = held[source];
        if (!layer) {
          if (delta > 0) active.add(source - layerCount);
          else active.delete(source - layerCount);
          continue;
        }
        const count = (layer.get(person) ?? 0) + delta;
        if (count === 0) layer.delete(person);
        else layer.set(person, count);
      }
      let top = layerCount - 1;
      while (top >= 0 && held[top]!.size === 0) top--;
      const onCall = this.resolve(top, top >= 0 ? [...held[top]!.keys()] : NOBODY, [...active].sort((a, b) => a - b));
      for (const [person, pending] of open) {
        if (onCall.get(person) === pending.reason) continue;
        out.push(this.shiftOf(person, pending.reason, pending.start, at));
        open.delete(person);
      }
      for (const [person, reason] of onCall) if (!open.has(person)) open.set(person, { reason, start: at });
    }
    for (const [person, pending] of open) out.push(this.shiftOf(person, pending.reason, pending.start, to));
    return out.sort((a, b) => a.shiftStart - b.shiftStart || byPersonThenLayer(a, b));
  }

  /**
   * Who is on call at `at` and a span around it in which that does not change. Layers are looked at from the
   * top down to the first with anyone, reusing the pieces in `pieces` that still hold `at`.
   */
  private stateAt(at: number, pieces: (Piece | undefined)[]): State {
    let { start, end } = this.overrides.spanAt(at);
    const active = this.overrides.activeAt(at);
    const layerCount = this.timelines.length;
    let top = -1;
    let people = NOBODY;
    // While an override without `replaces` holds, the layers are hidden entirely.
    const layersHidden = active.some((i) => this.overrides.sorted[i]!.replaces === undefined);
    for (let layer = layerCount - 1; layer >= 0 && !layersHidden; layer--) {
      let piece = pieces[layer];
      if (!piece || at < piece.start || at >= piece.end) {
        piece = this.timelines[layer]!.pieceAt(at);
        pieces[layer] = piece;
      }
      start = Math.max(start, piece.start);
      end = Math.min(end, piece.end);
      if (piece.people.length > 0) {
        top = layer;
        people = piece.people;
        break;
      }
    }
    return { onCall: this.resolve(top, people, active), start, end };
  }

  /**
   * Who is on call given the topmost layer with anyone (-1 for none) and its people, and the indices of the
   * active overrides in order; each person keeps the first reason that puts them on call.
   */
  private resolve(top: number, people: readonly string[], active: readonly number[]): OnCall {
    const onCall: OnCall = new Map();
    const overrides = this.overrides.sorted;
    for (const i of active) {
      const o = overrides[i]!;
      if (o.replaces === undefined && !onCall.has(o.person)) onCall.set(o.person, this.overrideReasons[i]!);
    }
    if (onCall.size === 0) for (const person of people) onCall.set(person, this.layerReasons[top]!);
    for (const i of active) {
      const o = overrides[i]!;
      if (o.replaces !== undefined && onCall.delete(o.replaces) && !onCall.has(o.person)) onCall.set(o.person, this.overrideReasons[i]!);
    }
    return onCall;
  }

  private shiftOf(person: string, reason: number, shiftStart: number, shiftEnd: number): OnCallShift {
    const layerCount = this.timelines.length;
    if (reason < layerCount) return { person, layer: this.layerNames[reason]!, shiftStart, shiftEnd };
    return { person, layer: 'override', overrideId: this.overrides.sorted[reason - layerCount]!.id, shiftStart, shiftEnd };
  }
}

function assertFinite(instant: number): void {
  if (!Number.isFinite(instant)) throw new RangeError(`instant must be finite epoch milliseconds, got ${instant}`);
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const byPersonThenLayer = (a: OnCallShift, b: OnCallShift): number =>
  compareText(a.person, b.person) || compareText(a.layer, b.layer) || compareText(a.overrideId ?? '', b.overrideId ?? '');

const compiledByObject = new WeakMap<Schedule, CompiledSchedule>();

/**
 * A schedule prepared for repeated questions, to keep and reuse. Throws a RangeError for an unknown zone, a
 * turn count below 1, a rotation without participants, a malformed "HH:MM" or handoff, or an instant that is
 * not whole milliseconds.
 */
export function compileSchedule(schedule: Schedule): CompiledSchedule {
  return new CompiledSchedule(schedule);
}

/** A compiled schedule as given, or the one compiled for this schedule object (compiled on first use, then kept). */
function compiled(schedule: Schedule | CompiledSchedule): CompiledSchedule {
  if (schedule instanceof CompiledSchedule) return schedule;
  let known = compiledByObject.get(schedule);
  if (!known) {
    known = compileSchedule(schedule);
    compiledByObject.set(schedule, known);
  }
  return known;
}

/**
 * Who is on call at `instantMs`, one entry per person, each with its reason (a layer's name, or `override` and
 * the override's id) and the shift around the instant in which the person stays on call for that reason,
 * bounded to {@link SHIFT_HORIZON_MS} either side. Sorted by person. A plain schedule is compiled on first use
 * and the result kept for that object, which must not be changed afterwards.
 */
export function onCallAt(schedule: Schedule | CompiledSchedule, instantMs: number): OnCallShift[] {
  return compiled(schedule).onCallAt(instantMs);
}

/** The shifts over [fromMs, toMs), clipped to it; see {@link CompiledSchedule.shifts}. */
export function shifts(schedule: Schedule | CompiledSchedule, fromMs: number, toMs: number): OnCallShift[] {
  return compiled(schedule).shifts(fromMs, toMs);
}
