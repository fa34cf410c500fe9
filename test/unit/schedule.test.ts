import { describe, expect, it } from 'vitest';
import {
  compileSchedule,
  onCallAt,
  SHIFT_HORIZON_MS,
  shifts,
  type Layer,
  type OnCallShift,
  type Override,
  type RotationLayer,
  type Schedule,
} from '../../lambdas/domain/oncall/schedule';
import { wallClockOf } from '../../lambdas/domain/oncall/zoned-time';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string): number => Date.parse(iso);

const rotation = (layer: Partial<RotationLayer>): RotationLayer => ({
  kind: 'rotation',
  name: 'primary',
  participants: ['ana', 'ben', 'chloe'],
  turn: { unit: 'weeks', count: 1 },
  handoff: '2026-01-02T17:00',
  ...layer,
});

const scheduleOf = (timeZone: string, layers: Layer[], overrides: Override[] = []): Schedule => ({ name: 'ops', timeZone, layers, overrides });

/** A shift as `who reason start-end` in ISO, to compare at a glance. */
const line = (s: OnCallShift): string =>
  `${s.person} ${s.overrideId ? `override:${s.overrideId}` : s.layer} ${new Date(s.shiftStart).toISOString()} ${new Date(s.shiftEnd).toISOString()}`;

const onCallLines = (schedule: Schedule, iso: string): string[] => onCallAt(schedule, at(iso)).map(line);
const shiftLines = (schedule: Schedule, from: string, to: string): string[] => shifts(schedule, at(from), at(to)).map(line);
const who = (schedule: Schedule, iso: string): string[] => onCallAt(schedule, at(iso)).map((s) => s.person);

describe('rotations across daylight-saving changes', () => {
  it('keeps a weekly Friday 17:00 handoff at 17:00 in Paris through the March and October changes', () => {
    const weekly = scheduleOf('Europe/Paris', [rotation({})]);
    const year = shifts(weekly, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'));
    expect(year).toHaveLength(52);
    for (const shift of year.slice(0, -1)) {
      expect(wallClockOf(shift.shiftEnd, 'Europe/Paris')).toMatchObject({ weekday: 4, hour: 17, minute: 0 });
    }
    // 12 weeks after 2026-01-02 is Friday 2026-03-27, ana's turn again; it loses an hour to the change.
    expect(onCallLines(weekly, '2026-03-30T12:00:00Z')).toEqual(['ana primary 2026-03-27T16:00:00.000Z 2026-04-03T15:00:00.000Z']);
    expect(onCallLines(weekly, '2026-10-26T12:00:00Z')).toEqual(['ana primary 2026-10-23T15:00:00.000Z 2026-10-30T16:00:00.000Z']);
  });

  it('keeps a daily 09:00 handoff in New York, with a 23-hour and a 25-hour turn', () => {
    const daily = scheduleOf('America/New_York', [rotation({ participants: ['ana', 'ben'], turn: { unit: 'days', count: 1 }, handoff: '2026-03-01T09:00' })]);
    expect(shiftLines(daily, '2026-03-07T12:00:00Z', '2026-03-10T12:00:00Z')).toEqual([
      'ben primary 2026-03-07T12:00:00.000Z 2026-03-07T14:00:00.000Z',
      'ana primary 2026-03-07T14:00:00.000Z 2026-03-08T13:00:00.000Z',
      'ben primary 2026-03-08T13:00:00.000Z 2026-03-09T13:00:00.000Z',
      'ana primary 2026-03-09T13:00:00.000Z 2026-03-10T12:00:00.000Z',
    ]);
    // 2026-03-01 to 2026-10-31 is 244 days: ana's turn, 09:00 EDT to 09:00 EST.
    expect(onCallLines(daily, '2026-11-01T12:00:00Z')).toEqual(['ana primary 2026-10-31T13:00:00.000Z 2026-11-01T14:00:00.000Z']);
  });

  it('counts turns of hours as elapsed time, so the local handoff moves by the hour of the change', () => {
    const twelveHours = scheduleOf('America/New_York', [
      rotation({ participants: ['ana', 'ben'], turn: { unit: 'hours', count: 12 }, handoff: '2026-03-07T08:00' }),
    ]);
    expect(shiftLines(twelveHours, '2026-03-07T13:00:00Z', '2026-03-09T13:00:00Z')).toEqual([
      'ana primary 2026-03-07T13:00:00.000Z 2026-03-08T01:00:00.000Z',
      'ben primary 2026-03-08T01:00:00.000Z 2026-03-08T13:00:00.000Z',
      'ana primary 2026-03-08T13:00:00.000Z 2026-03-09T01:00:00.000Z',
      'ben primary 2026-03-09T01:00:00.000Z 2026-03-09T13:00:00.000Z',
    ]);
    expect(wallClockOf(at('2026-03-07T13:00:00Z'), 'America/New_York').hour).toBe(8);
    expect(wallClockOf(at('2026-03-08T13:00:00Z'), 'America/New_York').hour).toBe(9);
  });

  it('starts a handoff set at 02:30 on the spring-forward day at 03:00, and at 02:30 on later days', () => {
    const daily = scheduleOf('America/New_York', [rotation({ participants: ['ana', 'ben'], turn: { unit: 'days', count: 1 }, handoff: '2026-03-08T02:30' })]);
    expect(who(daily, '2026-03-08T06:59:59Z')).toEqual([]);
    expect(onCallLines(daily, '2026-03-08T07:00:00Z')).toEqual(['ana primary 2026-03-08T07:00:00.000Z 2026-03-09T06:30:00.000Z']);
  });

  it('takes the first 01:30 for a daily handoff on the fall-back day', () => {
    const daily = scheduleOf('America/New_York', [rotation({ participants: ['ana', 'ben'], turn: { unit: 'days', count: 1 }, handoff: '2026-10-30T01:30' })]);
    // 2026-11-01 01:30 EDT is 05:30Z; the next 01:30 is EST.
    expect(onCallLines(daily, '2026-11-01T06:00:00Z')).toEqual(['ana primary 2026-11-01T05:30:00.000Z 2026-11-02T06:30:00.000Z']);
  });

  it('keeps one person on through consecutive turns of theirs', () => {
    const doubled = scheduleOf('UTC', [rotation({ participants: ['ana', 'ana', 'ben'], handoff: '2026-01-05T09:00' })]);
    expect(onCallLines(doubled, '2026-01-06T00:00:00Z')).toEqual(['ana primary 2026-01-05T09:00:00.000Z 2026-01-19T09:00:00.000Z']);
    expect(onCallLines(doubled, '2026-01-20T00:00:00Z')).toEqual(['ben primary 2026-01-19T09:00:00.000Z 2026-01-26T09:00:00.000Z']);
    expect(onCallLines(doubled, '2026-02-01T00:00:00Z')).toEqual(['ana primary 2026-01-26T09:00:00.000Z 2026-02-09T09:00:00.000Z']);
  });
});

describe('restrictions', () => {
  it('covers the day with no gap when two layers take 08:00-20:00 and 20:00-08:00 (follow the sun)', () => {
    const sun = scheduleOf('Europe/Paris', [
      rotation({ name: 'emea', participants: ['ana', 'ben'], turn: { unit: 'days', count: 1 }, handoff: '2026-03-01T08:00', restrictions: [{ from: '08:00', to: '20:00' }] }),
      rotation({ name: 'amer', participants: ['chloe', 'dev'], handoff: '2026-03-02T20:00', restrictions: [{ from: '20:00', to: '08:00' }] }),
    ]);
    const from = at('2026-03-25T00:00:00Z');
    const to = at('2026-04-02T00:00:00Z');
    const week = shifts(sun, from, to);
    expect(week[0]!.shiftStart).toBe(from);
    expect(week[week.length - 1]!.shiftEnd).toBe(to);
    expect(week.slice(1).map((s) => s.shiftStart)).toEqual(week.slice(0, -1).map((s) => s.shiftEnd));
    for (let t = from; t < to; t += HOUR / 2) expect(onCallAt(sun, t)).toHaveLength(1);
    // On the day of the change the night shift still starts at 20:00, now CEST.
    expect(onCallLines(sun, '2026-03-29T19:00:00Z')).toEqual(['dev amer 2026-03-29T18:00:00.000Z 2026-03-30T06:00:00.000Z']);
    expect(onCallLines(sun, '2026-03-29T12:00:00Z')).toEqual(['ana emea 2026-03-29T06:00:00.000Z 2026-03-29T18:00:00.000Z']);
  });

  it('puts a weekday 09:00-17:00 layer above an always-on layer, which answers outside those hours', () => {
    const office = scheduleOf('America/New_York', [
      rotation({ name: 'backup', participants: ['zoe'], handoff: '2026-01-01T00:00' }),
      rotation({
        name: 'office',
        participants: ['ana', 'ben'],
        handoff: '2026-01-05T09:00',
        restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
      }),
    ]);
    // 2026-03-09, a Monday in EDT, starts ben's turn: nine weeks after ana's first.
    const week = shifts(office, at('2026-03-09T04:00:00Z'), at('2026-03-16T04:00:00Z')).filter((s) => s.layer === 'office');
    expect(week.map(line)).toEqual(
      ['09', '10', '11', '12', '13'].map((day) => `ben office 2026-03-${day}T13:00:00.000Z 2026-03-${day}T21:00:00.000Z`),
    );
    expect(who(office, '2026-03-14T16:00:00Z')).toEqual(['zoe']);
    expect(onCallLines(office, '2026-03-13T22:00:00Z')).toEqual(['zoe backup 2026-03-13T21:00:00.000Z 2026-03-16T13:00:00.000Z']);
  });

  it('opens a window across midnight on its day only, and ends a shift at the turn end inside a window', () => {
    const nights = scheduleOf('UTC', [
      rotation({
        participants: ['ana', 'ben'],
        handoff: '2026-01-03T00:00', // a Saturday: turns change inside Friday night's window
        restrictions: [{ days: ['fri'], from: '22:00', to: '06:00' }],
      }),
    ]);
    expect(onCallLines(nights, '2026-01-09T23:00:00Z')).toEqual(['ana primary 2026-01-09T22:00:00.000Z 2026-01-10T00:00:00.000Z']);
    expect(onCallLines(nights, '2026-01-10T05:59:59Z')).toEqual(['ben primary 2026-01-10T00:00:00.000Z 2026-01-10T06:00:00.000Z']);
    expect(who(nights, '2026-01-10T06:00:00Z')).toEqual([]);
    expect(who(nights, '2026-01-09T21:59:59Z')).toEqual([]);
    expect(who(nights, '2026-01-08T23:00:00Z')).toEqual([]);
  });

  it('puts window edges on the first of a repeated time, so the repeated hour falls after them', () => {
    const evenings = scheduleOf('America/New_York', [rotation({ participants: ['ana'], handoff: '2026-10-01T00:00', restrictions: [{ from: '20:00', to: '01:30' }] })]);
    const early = scheduleOf('America/New_York', [rotation({ participants: ['ana'], handoff: '2026-10-01T00:00', restrictions: [{ from: '01:30', to: '03:00' }] })]);
    // 2026-11-01 01:30 EDT is 05:30Z; 06:15Z is the second 01:15, in EST.
    expect(onCallLines(evenings, '2026-11-01T05:00:00Z')).toEqual(['ana primary 2026-11-01T00:00:00.000Z 2026-11-01T05:30:00.000Z']);
    expect(who(evenings, '2026-11-01T06:15:00Z')).toEqual([]);
    expect(onCallLines(early, '2026-11-01T06:15:00Z')).toEqual(['ana primary 2026-11-01T05:30:00.000Z 2026-11-01T08:00:00.000Z']);
  });

  it('ends a lower layer’s shift where a sparse window of a layer above opens, even days later', () => {
    const review = scheduleOf('UTC', [
      rotation({ name: 'base', participants: ['zoe'], handoff: '2026-01-01T00:00' }),
      rotation({ name: 'review', participants: ['ana'], handoff: '2026-01-05T10:00', restrictions: [{ days: ['mon'], from: '10:00', to: '12:00' }] }),
    ]);
    expect(onCallLines(review, '2026-01-13T00:00:00Z')).toEqual(['zoe base 2026-01-12T12:00:00.000Z 2026-01-19T10:00:00.000Z']);
    expect(onCallLines(review, '2026-01-19T11:00:00Z')).toEqual(['ana review 2026-01-19T10:00:00.000Z 2026-01-19T12:00:00.000Z']);
  });

  it('reads from == to as a 24-hour window, joined across consecutive days', () => {
    const weekdays = scheduleOf('UTC', [
      rotation({ participants: ['ana'], handoff: '2026-01-01T00:00', restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '00:00', to: '00:00' }] }),
    ]);
    expect(onCallLines(weekdays, '2026-01-07T12:00:00Z')).toEqual(['ana primary 2026-01-05T00:00:00.000Z 2026-01-10T00:00:00.000Z']);
  });
});

describe('layers, overrides and fixed shifts', () => {
  const base = scheduleOf('UTC', [rotation({ participants: ['ana', 'ben'], handoff: '2026-06-01T09:00' })]);
  const withOverrides = (overrides: Override[]): Schedule => ({ ...base, overrides });

  it('lets a later layer win wherever it has someone, and has nobody before a handoff or after an end', () => {
    const layered = scheduleOf('UTC', [
      rotation({ name: 'bottom', participants: ['ana'], handoff: '2026-06-01T00:00' }),
      rotation({ name: 'top', participants: ['ben'], handoff: '2026-06-10T00:00', end: at('2026-06-20T00:00:00Z') }),
    ]);
    expect(who(layered, '2026-05-31T23:59:59Z')).toEqual([]);
    expect(who(layered, '2026-06-05T00:00:00Z')).toEqual(['ana']);
    expect(onCallLines(layered, '2026-06-15T00:00:00Z')).toEqual(['ben top 2026-06-10T00:00:00.000Z 2026-06-20T00:00:00.000Z']);
    expect(onCallLines(layered, '2026-06-20T00:00:00Z')).toEqual([`ana bottom 2026-06-20T00:00:00.000Z ${new Date(at('2026-06-20T00:00:00Z') + SHIFT_HORIZON_MS).toISOString()}`]);
  });

  it('swaps one person out with `replaces`, only while that person is on call', () => {
    const swapped = withOverrides([
      { id: 'swap', person: 'zed', replaces: 'ana', from: at('2026-06-03T12:00:00Z'), to: at('2026-06-04T12:00:00Z') },
      { id: 'idle', person: 'yan', replaces: 'ben', from: at('2026-06-03T00:00:00Z'), to: at('2026-06-05T00:00:00Z') },
    ]);
    expect(onCallLines(swapped, '2026-06-04T00:00:00Z')).toEqual(['zed override:swap 2026-06-03T12:00:00.000Z 2026-06-04T12:00:00.000Z']);
    expect(onCallLines(swapped, '2026-06-04T18:00:00Z')).toEqual(['ana primary 2026-06-04T12:00:00.000Z 2026-06-08T09:00:00.000Z']);
  });

  it('hands the whole schedule to overrides without `replaces`, several together where they overlap', () => {
    const taken = withOverrides([
      { id: 'a', person: 'zed', from: at('2026-06-03T10:00:00Z'), to: at('2026-06-03T14:00:00Z') },
      { id: 'b', person: 'yan', from: at('2026-06-03T12:00:00Z'), to: at('2026-06-03T16:00:00Z') },
      { id: 'c', person: 'xia', replaces: 'zed', from: at('2026-06-03T13:00:00Z'), to: at('2026-06-03T13:30:00Z') },
    ]);
    expect(onCallLines(taken, '2026-06-03T11:00:00Z')).toEqual(['zed override:a 2026-06-03T10:00:00.000Z 2026-06-03T13:00:00.000Z']);
    expect(onCallLines(taken, '2026-06-03T13:15:00Z')).toEqual([
      'xia override:c 2026-06-03T13:00:00.000Z 2026-06-03T13:30:00.000Z',
      'yan override:b 2026-06-03T12:00:00.000Z 2026-06-03T16:00:00.000Z',
    ]);
    expect(who(taken, '2026-06-03T15:00:00Z')).toEqual(['yan']);
    expect(shiftLines(taken, '2026-06-03T09:00:00Z', '2026-06-03T17:00:00Z')).toEqual([
      'ana primary 2026-06-03T09:00:00.000Z 2026-06-03T10:00:00.000Z',
      'zed override:a 2026-06-03T10:00:00.000Z 2026-06-03T13:00:00.000Z',
      'yan override:b 2026-06-03T12:00:00.000Z 2026-06-03T16:00:00.000Z',
      'xia override:c 2026-06-03T13:00:00.000Z 2026-06-03T13:30:00.000Z',
      'zed override:a 2026-06-03T13:30:00.000Z 2026-06-03T14:00:00.000Z',
      'ana primary 2026-06-03T16:00:00.000Z 2026-06-03T17:00:00.000Z',
    ]);
  });

  it('answers two people for two concurrent fixed shifts, and one for a person in overlapping shifts', () => {
    const fixed = scheduleOf('UTC', [
      {
        kind: 'fixed',
        name: 'launch',
        shifts: [
          { person: 'ana', from: at('2026-06-01T08:00:00Z'), to: at('2026-06-01T18:00:00Z') },
          { person: 'ben', from: at('2026-06-01T12:00:00Z'), to: at('2026-06-01T20:00:00Z') },
          { person: 'ana', from: at('2026-06-01T16:00:00Z'), to: at('2026-06-01T22:00:00Z') },
        ],
      },
    ]);
    expect(onCallLines(fixed, '2026-06-01T17:00:00Z')).toEqual([
      'ana launch 2026-06-01T08:00:00.000Z 2026-06-01T22:00:00.000Z',
      'ben launch 2026-06-01T12:00:00.000Z 2026-06-01T20:00:00.000Z',
    ]);
    expect(who(fixed, '2026-06-01T22:00:00Z')).toEqual([]);
  });

  it('gives a month of shifts, merged per person and reason, clipped to the range', () => {
    const month = scheduleOf(
      'Europe/Paris',
      [rotation({ handoff: '2026-11-02T09:00' })],
      [{ id: 'dentist', person: 'zed', replaces: 'ben', from: at('2026-11-10T12:00:00Z'), to: at('2026-11-11T12:00:00Z') }],
    );
    expect(shiftLines(month, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
      'ana primary 2026-11-02T08:00:00.000Z 2026-11-09T08:00:00.000Z',
      'ben primary 2026-11-09T08:00:00.000Z 2026-11-10T12:00:00.000Z',
      'zed override:dentist 2026-11-10T12:00:00.000Z 2026-11-11T12:00:00.000Z',
      'ben primary 2026-11-11T12:00:00.000Z 2026-11-16T08:00:00.000Z',
      'chloe primary 2026-11-16T08:00:00.000Z 2026-11-23T08:00:00.000Z',
      'ana primary 2026-11-23T08:00:00.000Z 2026-11-30T08:00:00.000Z',
      'ben primary 2026-11-30T08:00:00.000Z 2026-12-01T00:00:00.000Z',
    ]);
    expect(onCallLines(month, '2026-11-12T00:00:00Z')).toEqual(['ben primary 2026-11-11T12:00:00.000Z 2026-11-16T08:00:00.000Z']);
  });

  it('bounds a shift that never ends to 90 days either side of the instant', () => {
    const forever = scheduleOf('UTC', [rotation({ participants: ['ana'], handoff: '2020-01-01T00:00' })]);
    const t = at('2026-06-01T00:00:00Z');
    expect(onCallAt(forever, t)).toEqual([{ person: 'ana', layer: 'primary', shiftStart: t - 90 * DAY, shiftEnd: t + 90 * DAY }]);
  });
});

describe('compileSchedule', () => {
  it('gives the same answers compiled once as from the plain schedule', () => {
    const plain = scheduleOf('Australia/Sydney', [rotation({ restrictions: [{ from: '20:00', to: '08:00' }] })]);
    const compiled = compileSchedule(plain);
    for (let t = at('2026-03-30T00:00:00Z'); t < at('2026-04-10T00:00:00Z'); t += 5 * HOUR) {
      expect(onCallAt(compiled, t)).toEqual(onCallAt(plain, t));
    }
    expect(compiled.shifts(at('2026-04-01T00:00:00Z'), at('2026-04-08T00:00:00Z'))).toEqual(
      shifts(plain, at('2026-04-01T00:00:00Z'), at('2026-04-08T00:00:00Z')),
    );
  });

  it('rejects a bad zone, turn count, participant list, time of day or handoff with a RangeError', () => {
    const bad: Schedule[] = [
      scheduleOf('Mars/Olympus', [rotation({})]),
      scheduleOf('UTC', [rotation({ turn: { unit: 'days', count: 0 } })]),
      scheduleOf('UTC', [rotation({ turn: { unit: 'days', count: 1.5 } })]),
      scheduleOf('UTC', [rotation({ participants: [] })]),
      scheduleOf('UTC', [rotation({ restrictions: [{ from: '9:00', to: '17:00' }] })]),
      scheduleOf('UTC', [rotation({ restrictions: [{ from: '09:00', to: '24:00' }] })]),
      scheduleOf('UTC', [rotation({ handoff: '2026-02-30T09:00' })]),
      scheduleOf('UTC', [rotation({ handoff: '2026-01-02 17:00' })]),
    ];
    for (const schedule of bad) expect(() => compileSchedule(schedule)).toThrow(RangeError);
  });
});
