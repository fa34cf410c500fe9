/**
 * Wall-clock time in IANA time zones, read from `Intl.DateTimeFormat`. Intl rather than temporal-polyfill:
 * it is built in, its tzdata is the ICU data shipped with Node and the Lambda runtime (updated with them), and
 * it adds nothing to a bundle, where the polyfill would add some 50 KB to every function that schedules.
 *
 * A zone's offset is read from Intl at most once per UTC day (and a few more times to pin a change to the
 * second), then kept: converting is arithmetic once a day has been seen. The conversions assume that a zone
 * changes its offset at most once in any 48 hours, which holds for every zone in tzdata from 1970 to 2037.
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A calendar date; `month` is 1-12. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A time of day to the minute, 00:00-23:59. */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/** A date and time of day as read on a clock, without a zone. */
export interface LocalDateTime extends LocalDate, TimeOfDay {}

/** What a clock in a zone shows at an instant; `weekday` is 0 for Monday to 6 for Sunday. */
export interface WallClock extends LocalDateTime {
  readonly second: number;
  readonly weekday: number;
}

/** Offsets of one zone, by UTC day: the offset at the day's 00:00Z, and the instant of a change within the day. */
interface ZoneOffsets {
  readonly format: Intl.DateTimeFormat;
  readonly atMidnight: Map<number, number>;
  readonly changeAt: Map<number, number>;
}

/** Days kept per zone before the cache starts over: some 270 years, far more than any process looks at. */
const MAX_CACHED_DAYS = 100_000;

const zones = new Map<string, ZoneOffsets>();

function zoneOffsets(zone: string): ZoneOffsets {
  const known = zones.get(zone);
  if (known) return known;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (error) {
    throw new RangeError(`unknown time zone: ${zone}`, { cause: error });
  }
  const offsets = { format, atMidnight: new Map<number, number>(), changeAt: new Map<number, number>() };
  zones.set(zone, offsets);
  return offsets;
}

/** Throws a RangeError unless `zone` is an IANA time zone that Intl knows. */
export function assertTimeZone(zone: string): void {
  zoneOffsets(zone);
}

/** en-US output, "3/8/2026, 03:30:00": `format` is about three times faster than `formatToParts`. */
const FORMATTED = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

/** Milliseconds from Date.UTC's fields; years 0-99 are taken as written, not as 1900-1999. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 0 && year < 100) {
    const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
    date.setUTCFullYear(year + date.getUTCFullYear() - 2000);
    return date.getTime();
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The offset Intl gives at `instantMs`, to the second (Intl shows no milliseconds). */
function readOffset(zone: ZoneOffsets, instantMs: number): number {
  const text = zone.format.format(instantMs);
  const m = FORMATTED.exec(text);
  if (!m) throw new RangeError(`instant ${instantMs} is outside the supported years 1-9999 (${text})`);
  const local = utcMs(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  return local - Math.floor(instantMs / SECOND_MS) * SECOND_MS;
}

function offsetAtMidnight(zone: ZoneOffsets, day: number): number {
  let offset = zone.atMidnight.get(day);
  if (offset === undefined) {
    if (zone.atMidnight.size >= MAX_CACHED_DAYS) zone.atMidnight.clear();
    offset = readOffset(zone, day * DAY_MS);
    zone.atMidnight.set(day, offset);
  }
  return offset;
}

/** The first second of UTC day `day` (or the next midnight) at which the zone's offset has changed. */
function changeWithin(zone: ZoneOffsets, day: number): number {
  let at = zone.changeAt.get(day);
  if (at === undefined) {
    const before = offsetAtMidnight(zone, day);
    let low = day * DAY_MS;
    let high = low + DAY_MS;
    while (high - low > SECOND_MS) {
      const mid = low + Math.floor((high - low) / (2 * SECOND_MS)) * SECOND_MS;
      if (readOffset(zone, mid) === before) low = mid;
      else high = mid;
    }
    if (zone.changeAt.size >= MAX_CACHED_DAYS) zone.changeAt.clear();
    zone.changeAt.set(day, high);
    at = high;
  }
  return at;
}

function offsetIn(zone: ZoneOffsets, instantMs: number): number {
  const day = Math.floor(instantMs / DAY_MS);
  const before = offsetAtMidnight(zone, day);
  const after = offsetAtMidnight(zone, day + 1);
  if (before === after) return before;
  return instantMs < changeWithin(zone, day) ? before : after;
}

/** The offset of `zone` from UTC at `instantMs`, in milliseconds (Europe/Paris in winter: 3,600,000). */
export function offsetAt(instantMs: number, zone: string): number {
  return offsetIn(zoneOffsets(zone), instantMs);
}

/** The local time at `instantMs` as milliseconds since 1970-01-01T00:00 on the zone's clocks. */
export function localTimeOf(instantMs: number, zone: string): number {
  return instantMs + offsetAt(instantMs, zone);
}

/** The number of the local day at `instantMs`: days since 1970-01-01 on the zone's calendar. */
export function localDayOf(instantMs: number, zone: string): number {
  return Math.floor(localTimeOf(instantMs, zone) / DAY_MS);
}

/** What a clock in `zone` shows at `instantMs`. */
export function wallClockOf(instantMs: number, zone: string): WallClock {
  const local = new Date(localTimeOf(instantMs, zone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: (local.getUTCDay() + 6) % 7,
  };
}

/**
 * The instant at which clocks in `zone` show the local time `localMs` (milliseconds since 1970-01-01T00:00
 * local). A time skipped by a change (02:30 when clocks go from 02:00 to 03:00) gives the first instant after
 * the gap, when clocks show 03:00; a time shown twice (01:30 when clocks go back from 02:00 to 01:00) gives
 * the first of the two instants.
 */
export function instantOfLocalTime(localMs: number, zone: string): number {
  const offsets = zoneOffsets(zone);
  const before = offsetIn(offsets, localMs - DAY_MS);
  const after = offsetIn(offsets, localMs + DAY_MS);
  if (before === after) return localMs - before;
  // A change within a day of `localMs`: each offset gives a candidate, right if the offset holds there.
  const withBefore = localMs - before;
  const withAfter = localMs - after;
  const beforeHolds = offsetIn(offsets, withBefore) === before;
  const afterHolds = offsetIn(offsets, withAfter) === after;
  if (beforeHolds && afterHolds) return Math.min(withBefore, withAfter);
  if (beforeHolds) return withBefore;
  if (afterHolds) return withAfter;
  // In a gap, clocks went forward (after > before): the change lies in (withAfter, withBefore].
  for (let day = Math.floor(withAfter / DAY_MS); day <= Math.floor(withBefore / DAY_MS); day++) {
    if (offsetAtMidnight(offsets, day) === offsetAtMidnight(offsets, day + 1)) continue;
    const change = changeWithin(offsets, day);
    if (change > withAfter && change <= withBefore) return change;
  }
  return withBefore;
}

/** The instant at which clocks in `zone` show `local`; skipped and repeated times as {@link instantOfLocalTime}. */
export function instantOfWallClock(local: LocalDateTime, zone: string): number {
  return instantOfLocalTime(utcMs(local.year, local.month, local.day, local.hour, local.minute), zone);
}

/** Days since 1970-01-01 of a calendar date (negative before). */
export function epochDayOf(date: LocalDate): number {
  return Math.floor(utcMs(date.year, date.month, date.day) / DAY_MS);
}

/** The calendar date `epochDay` days after 1970-01-01. */
export function dateOfEpochDay(epochDay: number): LocalDate {
  const date = new Date(epochDay * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The calendar date `days` days after `date` (before, if negative). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return dateOfEpochDay(epochDayOf(date) + days);
}

/** The weekday of an epoch day, 0 for Monday to 6 for Sunday (1970-01-01 was a Thursday). */
export function weekdayOfEpochDay(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)$/;

/** A time of day from "HH:MM" (00:00-23:59); a RangeError for anything else. */
export function parseTimeOfDay(text: string): TimeOfDay {
  const m = TIME_OF_DAY.exec(text);
  if (!m) throw new RangeError(`not a time of day HH:MM: ${JSON.stringify(text)}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** A local date and time from "YYYY-MM-DDTHH:MM"; a RangeError for anything else, or a date not in the calendar. */
export function parseLocalDateTime(text: string): LocalDateTime {
  const m = LOCAL_DATE_TIME.exec(text);
  const parsed = m && { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]) };
  const date = parsed && dateOfEpochDay(epochDayOf(parsed));
  if (!parsed || !date || date.month !== parsed.month || date.day !== parsed.day) {
    throw new RangeError(`not a local date and time YYYY-MM-DDTHH:MM: ${JSON.stringify(text)}`);
  }
  return parsed;
}
