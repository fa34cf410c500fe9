import { describe, expect, it } from 'vitest';
import {
  addDays,
  assertTimeZone,
  instantOfWallClock,
  offsetAt,
  parseLocalDateTime,
  parseTimeOfDay,
  wallClockOf,
} from '../../lambdas/domain/oncall/zoned-time';

/** The instant, as ISO, at which clocks in `zone` show "YYYY-MM-DDTHH:MM". */
const instantOf = (local: string, zone: string): string => new Date(instantOfWallClock(parseLocalDateTime(local), zone)).toISOString();

const at = (iso: string): number => Date.parse(iso);

describe('instantOfWallClock', () => {
  it('reads UTC as it is, whatever the date', () => {
    expect(instantOf('2026-03-29T02:30', 'UTC')).toBe('2026-03-29T02:30:00.000Z');
    expect(instantOf('2027-10-31T02:30', 'UTC')).toBe('2027-10-31T02:30:00.000Z');
  });

  it('America/New_York: a time in the spring gap is the instant clocks jump to 03:00', () => {
    expect(instantOf('2026-03-08T01:59', 'America/New_York')).toBe('2026-03-08T06:59:00.000Z');
    expect(instantOf('2026-03-08T02:00', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(instantOf('2026-03-08T02:30', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(instantOf('2026-03-08T03:00', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    expect(instantOf('2027-03-14T02:15', 'America/New_York')).toBe('2027-03-14T07:00:00.000Z');
  });

  it('America/New_York: a time shown twice in the autumn is its first occurrence, in EDT', () => {
    expect(instantOf('2026-11-01T00:59', 'America/New_York')).toBe('2026-11-01T04:59:00.000Z');
    expect(instantOf('2026-11-01T01:00', 'America/New_York')).toBe('2026-11-01T05:00:00.000Z');
    expect(instantOf('2026-11-01T01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
    expect(instantOf('2026-11-01T02:00', 'America/New_York')).toBe('2026-11-01T07:00:00.000Z');
    expect(instantOf('2027-11-07T01:30', 'America/New_York')).toBe('2027-11-07T05:30:00.000Z');
  });

  it('Europe/Paris: gap at 02:00-03:00 in March, 02:00-03:00 twice in October', () => {
    expect(instantOf('2026-03-29T01:59', 'Europe/Paris')).toBe('2026-03-29T00:59:00.000Z');
    expect(instantOf('2026-03-29T02:30', 'Europe/Paris')).toBe('2026-03-29T01:00:00.000Z');
    expect(instantOf('2026-03-29T03:00', 'Europe/Paris')).toBe('2026-03-29T01:00:00.000Z');
    expect(instantOf('2026-10-25T02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    expect(instantOf('2026-10-25T03:00', 'Europe/Paris')).toBe('2026-10-25T02:00:00.000Z');
    expect(instantOf('2027-03-28T02:30', 'Europe/Paris')).toBe('2027-03-28T01:00:00.000Z');
    expect(instantOf('2027-10-31T02:00', 'Europe/Paris')).toBe('2027-10-31T00:00:00.000Z');
  });

  it('Australia/Sydney: clocks go back in April and forward in October', () => {
    // 03:00 AEDT (+11) becomes 02:00 AEST (+10) on 2026-04-05: 02:30 first happens at +11.
    expect(instantOf('2026-04-05T02:30', 'Australia/Sydney')).toBe('2026-04-04T15:30:00.000Z');
    expect(instantOf('2026-04-05T03:00', 'Australia/Sydney')).toBe('2026-04-04T17:00:00.000Z');
    // 02:00 AEST becomes 03:00 AEDT on 2026-10-04.
    expect(instantOf('2026-10-04T02:30', 'Australia/Sydney')).toBe('2026-10-03T16:00:00.000Z');
    expect(instantOf('2026-10-04T03:30', 'Australia/Sydney')).toBe('2026-10-03T16:30:00.000Z');
    expect(instantOf('2027-04-04T02:30', 'Australia/Sydney')).toBe('2027-04-03T15:30:00.000Z');
  });

  it('Asia/Kolkata: +05:30 all year, across midnight and the year end', () => {
    expect(instantOf('2026-07-01T09:00', 'Asia/Kolkata')).toBe('2026-07-01T03:30:00.000Z');
    expect(instantOf('2027-01-01T01:29', 'Asia/Kolkata')).toBe('2026-12-31T19:59:00.000Z');
    expect(instantOf('2026-03-08T02:30', 'Asia/Kolkata')).toBe('2026-03-07T21:00:00.000Z');
  });

  it('Pacific/Chatham: +12:45 and +13:45, changing at 02:45 standard and 03:45 daylight time', () => {
    // 2026-09-27 02:45 +12:45 jumps to 03:45 +13:45.
    expect(instantOf('2026-09-27T02:44', 'Pacific/Chatham')).toBe('2026-09-26T13:59:00.000Z');
    expect(instantOf('2026-09-27T02:45', 'Pacific/Chatham')).toBe('2026-09-26T14:00:00.000Z');
    expect(instantOf('2026-09-27T03:00', 'Pacific/Chatham')).toBe('2026-09-26T14:00:00.000Z');
    expect(instantOf('2026-09-27T03:45', 'Pacific/Chatham')).toBe('2026-09-26T14:00:00.000Z');
    // 2027-04-04 03:45 +13:45 goes back to 02:45 +12:45: 02:45-03:44 happen twice.
    expect(instantOf('2027-04-04T02:44', 'Pacific/Chatham')).toBe('2027-04-03T12:59:00.000Z');
    expect(instantOf('2027-04-04T03:00', 'Pacific/Chatham')).toBe('2027-04-03T13:15:00.000Z');
    expect(instantOf('2027-04-04T03:45', 'Pacific/Chatham')).toBe('2027-04-03T15:00:00.000Z');
  });
});

describe('wallClockOf', () => {
  it('reads the clock, with Monday as weekday 0', () => {
    expect(wallClockOf(at('2026-12-31T20:00:05Z'), 'Asia/Kolkata')).toEqual({
      year: 2027,
      month: 1,
      day: 1,
      hour: 1,
      minute: 30,
      second: 5,
      weekday: 4,
    });
    expect(wallClockOf(at('2026-03-08T07:00:00Z'), 'America/New_York')).toMatchObject({ day: 8, hour: 3, minute: 0, weekday: 6 });
    expect(wallClockOf(at('2026-03-08T06:59:59Z'), 'America/New_York')).toMatchObject({ hour: 1, minute: 59, second: 59 });
  });

  it('shows the repeated hour twice on a fall-back day', () => {
    expect(wallClockOf(at('2026-10-25T00:30:00Z'), 'Europe/Paris')).toMatchObject({ hour: 2, minute: 30 });
    expect(wallClockOf(at('2026-10-25T01:30:00Z'), 'Europe/Paris')).toMatchObject({ hour: 2, minute: 30 });
    expect(wallClockOf(at('2027-04-03T13:15:00Z'), 'Pacific/Chatham')).toMatchObject({ day: 4, hour: 3, minute: 0 });
    expect(wallClockOf(at('2027-04-03T14:15:00Z'), 'Pacific/Chatham')).toMatchObject({ day: 4, hour: 3, minute: 0 });
  });

  it('gives offsets of 30 and 45 minutes exactly, to the millisecond', () => {
    expect(offsetAt(at('2026-06-01T00:00:00Z'), 'Asia/Kolkata')).toBe(330 * 60_000);
    expect(offsetAt(at('2026-09-26T13:59:59.999Z'), 'Pacific/Chatham')).toBe(765 * 60_000);
    expect(offsetAt(at('2026-09-26T14:00:00Z'), 'Pacific/Chatham')).toBe(825 * 60_000);
    expect(offsetAt(at('2026-06-01T00:00:00Z'), 'Australia/Sydney')).toBe(600 * 60_000);
    expect(offsetAt(at('2026-12-01T00:00:00Z'), 'Australia/Sydney')).toBe(660 * 60_000);
  });

  it('round-trips with instantOfWallClock outside gaps and repeats', () => {
    for (const zone of ['UTC', 'America/New_York', 'Europe/Paris', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham']) {
      for (let t = at('2026-01-01T00:00:00Z'); t < at('2028-01-01T00:00:00Z'); t += 7 * 3_600_000 + 17 * 60_000) {
        const clock = wallClockOf(t, zone);
        const back = instantOfWallClock(clock, zone);
        const earlier = t - back;
        // Equal, or t is the second occurrence of a repeated time and `back` the first.
        expect(earlier === 0 || (earlier > 0 && earlier <= 3_600_000 && wallClockOf(back, zone).hour === clock.hour)).toBe(true);
      }
    }
  });
});

describe('local dates and strings', () => {
  it('adds calendar days across months, years and leap days', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addDays({ year: 2027, month: 3, day: 1 }, -1)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(addDays({ year: 2026, month: 1, day: 15 }, 365)).toEqual({ year: 2027, month: 1, day: 15 });
  });

  it('parses HH:MM and YYYY-MM-DDTHH:MM, and rejects anything else with a RangeError', () => {
    expect(parseTimeOfDay('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parseTimeOfDay('23:59')).toEqual({ hour: 23, minute: 59 });
    expect(parseLocalDateTime('2028-02-29T09:05')).toEqual({ year: 2028, month: 2, day: 29, hour: 9, minute: 5 });
    for (const bad of ['24:00', '9:00', '12:60', '12:00:00', '']) expect(() => parseTimeOfDay(bad)).toThrow(RangeError);
    for (const bad of ['2027-02-29T09:00', '2026-13-01T09:00', '2026-01-01 09:00', '2026-01-01T24:00', '2026-01-01']) {
      expect(() => parseLocalDateTime(bad)).toThrow(RangeError);
    }
  });

  it('rejects an unknown zone with a RangeError', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(() => assertTimeZone('Europe/Paris')).not.toThrow();
  });
});
