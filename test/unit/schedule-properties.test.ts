import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileSchedule,
  SHIFT_HORIZON_MS,
  type Layer,
  type OnCallShift,
  type Override,
  type Restriction,
  type RotationLayer,
  type Schedule,
  type Weekday,
} from '../../lambdas/domain/oncall/schedule';
import { instantOfWallClock, parseLocalDateTime } from '../../lambdas/domain/oncall/zoned-time';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const PEOPLE = ['ana', 'ben', 'chloe', 'dev', 'eve'];
const CENTER = Date.UTC(2027, 0, 1);

/** The zones under test, each with its offset changes in 2026-2027 (any date if none), near which instants are often picked. */
const ZONES: readonly { zone: string; changes: readonly string[] }[] = [
  { zone: 'UTC', changes: ['2026-06-01T00:00Z'] },
  { zone: 'America/New_York', changes: ['2026-03-08T07:00Z', '2026-11-01T06:00Z', '2027-03-14T07:00Z', '2027-11-07T06:00Z'] },
  { zone: 'Europe/Paris', changes: ['2026-03-29T01:00Z', '2026-10-25T01:00Z', '2027-03-28T01:00Z', '2027-10-31T01:00Z'] },
  { zone: 'Australia/Sydney', changes: ['2026-04-04T16:00Z', '2026-10-03T16:00Z', '2027-04-03T16:00Z', '2027-10-02T16:00Z'] },
  { zone: 'Asia/Kolkata', changes: ['2026-06-01T00:00Z'] },
  { zone: 'Pacific/Chatham', changes: ['2026-04-04T14:00Z', '2026-09-26T14:00Z', '2027-04-03T14:00Z', '2027-09-25T14:00Z'] },
  { zone: 'Australia/Lord_Howe', changes: ['2026-04-04T15:00Z', '2026-10-03T15:30Z', '2027-04-03T15:00Z', '2027-10-02T15:30Z'] },
];

// The reference: deliberately simple, and independent of the engine. It reads clocks with its own
// formatter, walks turns one at a time from the handoff and tests windows on the wall clock. Wall-clock
// comparisons are exact except during the second pass of a repeated (fall-back) time, where the reference
// gives up; the unit tests cover those instants.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local minus UTC at `t`, to the second, from formatToParts. */
function referenceOffset(t: number, zone: string): number {
  let format = formatters.get(zone);
  if (!format) {
    const options = { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;
    format = new Intl.DateTimeFormat('en-US', options);
    formatters.set(zone, format);
  }
  const part = (parts: Intl.DateTimeFormatPart[], type: string) => Number(parts.find((p) => p.type === type)!.value);
  const parts = format.formatToParts(t);
  const local = Date.UTC(part(parts, 'year'), part(parts, 'month') - 1, part(parts, 'day'), part(parts, 'hour'), part(parts, 'minute'), part(parts, 'second'));
  return local - Math.floor(t / 1000) * 1000;
}

/** The local time at `t` in ms since 1970-01-01 local, or undefined if clocks showed that time before. */
function referenceLocal(t: number, zone: string): number | undefined {
  const offset = referenceOffset(t, zone);
  const earlier = referenceOffset(t - 3 * HOUR, zone);
  const sameTimeBefore = t + offset - earlier;
  if (earlier > offset && referenceOffset(sameTimeBefore, zone) === earlier) return undefined;
  return t + offset;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * HOUR + Number(hhmm.slice(3, 5)) * MINUTE;

function referenceRotation(layer: RotationLayer, t: number, local: number, zone: string): string[] {
  if (layer.end !== undefined && t >= layer.end) return [];
  const handoffLocal = Date.parse(`${layer.handoff}:00Z`);
  let turn = 0;
  if (layer.turn.unit === 'hours') {
    const handoff = instantOfWallClock(parseLocalDateTime(layer.handoff), zone);
    if (t < handoff) return [];
    while (handoff + (turn + 1) * layer.turn.count * HOUR <= t) turn++;
  } else {
    if (local < handoffLocal) return [];
    const step = (layer.turn.unit === 'weeks' ? 7 : 1) * layer.turn.count * DAY;
    while (handoffLocal + (turn + 1) * step <= local) turn++;
  }
  if (layer.restrictions) {
    const today = Math.floor(local / DAY) * DAY;
    const open = layer.restrictions.some((r) =>
      [today - DAY, today].some((day) => {
        const weekday = WEEKDAYS[(new Date(day).getUTCDay() + 6) % 7]!;
        if (r.days && !r.days.includes(weekday)) return false;
        const from = day + minutesOf(r.from);
        const to = (minutesOf(r.to) <= minutesOf(r.from) ? day + DAY : day) + minutesOf(r.to);
        return from <= local && local < to;
      }),
    );
    if (!open) return [];
  }
  return [layer.participants[turn % layer.participants.length]!];
}

/** "person reason" for everyone on call at `t`, sorted; undefined in the second pass of a repeated time. */
function referenceOnCall(schedule: Schedule, t: number): string[] | undefined {
  const local = referenceLocal(t, schedule.timeZone);
  if (local === undefined) return undefined;
  let top: { name: string; people: string[] } | undefined;
  for (const layer of [...schedule.layers].reverse()) {
    const people = layer.kind === 'rotation' ? referenceRotation(layer, t, local, schedule.timeZone) : layer.shifts.filter((s) => s.from <= t && t < s.to).map((s) => s.person);
    if (people.length > 0) {
      top = { name: layer.name, people };
      break;
    }
  }
  const active = schedule.overrides
    .map((o, i) => ({ o, i }))
    .filter(({ o }) => o.from <= t && t < o.to)
    .sort((a, b) => a.o.from - b.o.from || (a.o.id < b.o.id ? -1 : a.o.id > b.o.id ? 1 : a.i - b.i))
    .map(({ o }) => o);
  const onCall = new Map<string, string>();
  for (const o of active) if (o.replaces === undefined && !onCall.has(o.person)) onCall.set(o.person, `override:${o.id}`);
  if (onCall.size === 0) for (const person of top?.people ?? []) if (!onCall.has(person)) onCall.set(person, top!.name);
  for (const o of active) {
    if (o.replaces !== undefined && onCall.delete(o.replaces) && !onCall.has(o.person)) onCall.set(o.person, `override:${o.id}`);
  }
  return [...onCall].map(([person, reason]) => `${person} ${reason}`).sort();
}

const reasonOf = (s: OnCallShift): string => `${s.person} ${s.overrideId ? `override:${s.overrideId}` : s.layer}`;

// Arbitraries. Everything is placed around an anchor instant, so that overrides and fixed shifts are near
// the instants asked about. Anchors are spread over 2025-2029, or put within 36 hours, or 2 hours, of an
// offset change, where wall-clock times in TIMES fall into gaps and repeats.

const TIMES = ['00:00', '01:30', '02:00', '02:30', '02:45', '03:00', '08:00', '09:00', '17:00', '20:00', '23:45'];
const pad = (n: number) => String(n).padStart(2, '0');
const timeOfDay = fc.oneof(fc.constantFrom(...TIMES), fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`));

const anchor = (zone: (typeof ZONES)[number]) =>
  fc.oneof(
    fc.integer({ min: CENTER - 730 * DAY, max: CENTER + 730 * DAY }),
    fc.tuple(fc.constantFrom(...zone.changes), fc.integer({ min: -36 * HOUR, max: 36 * HOUR })).map(([change, jitter]) => Date.parse(change) + jitter),
    fc.tuple(fc.constantFrom(...zone.changes), fc.integer({ min: -2 * HOUR, max: 2 * HOUR })).map(([change, jitter]) => Date.parse(change) + jitter),
  );

const restriction: fc.Arbitrary<Restriction> = fc.record(
  { days: fc.subarray([...WEEKDAYS], { minLength: 1 }), from: timeOfDay, to: timeOfDay },
  { requiredKeys: ['from', 'to'] },
);

const rotationLayer = (at: number, name: string): fc.Arbitrary<RotationLayer> =>
  fc
    .record(
      {
        participants: fc.array(fc.constantFrom(...PEOPLE), { minLength: 1, maxLength: 4 }),
        turn: fc.oneof(
          fc.record({ unit: fc.constant('hours' as const), count: fc.integer({ min: 1, max: 48 }) }),
          fc.record({ unit: fc.constant('days' as const), count: fc.integer({ min: 1, max: 3 }) }),
          fc.record({ unit: fc.constant('weeks' as const), count: fc.integer({ min: 1, max: 2 }) }),
        ),
        handoffDay: fc.integer({ min: -730, max: 3 }),
        handoffTime: timeOfDay,
        restrictions: fc.option(fc.array(restriction, { maxLength: 2 }), { nil: undefined }),
        end: fc.option(fc.integer({ min: -20 * DAY, max: 20 * DAY }), { nil: undefined }),
      },
      { requiredKeys: ['participants', 'turn', 'handoffDay', 'handoffTime'] },
    )
    .map(({ participants, turn, handoffDay, handoffTime, restrictions, end }) => ({
      kind: 'rotation' as const,
      name,
      participants,
      turn,
      handoff: `${new Date(at + handoffDay * DAY).toISOString().slice(0, 10)}T${handoffTime}`,
      ...(restrictions ? { restrictions } : {}),
      ...(end !== undefined ? { end: at + end } : {}),
    }));

const span = (at: number) =>
  fc.record({ start: fc.integer({ min: -3 * DAY, max: 3 * DAY }), length: fc.integer({ min: 0, max: 2 * DAY }) }).map(({ start, length }) => ({
    from: at + start,
    to: at + start + length,
  }));

const fixedLayer = (at: number, name: string): fc.Arbitrary<Layer> =>
  fc.array(fc.tuple(fc.constantFrom(...PEOPLE), span(at)), { maxLength: 4 }).map((shifts) => ({
    kind: 'fixed' as const,
    name,
    shifts: shifts.map(([person, { from, to }]) => ({ person, from, to })),
  }));

/** Up to 5 overrides; ids repeat on purpose, to exercise the ordering by id and one reason per id. */
const overrides = (at: number): fc.Arbitrary<Override[]> =>
  fc
    .array(fc.tuple(fc.constantFrom(...PEOPLE, 'zed', 'yan'), fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }), span(at)), { maxLength: 5 })
    .map((list) => list.map(([person, replaces, { from, to }], i) => ({ id: `o${i % 3}`, person, from, to, ...(replaces ? { replaces } : {}) })));

/** A schedule of 1-3 layers and 0-5 overrides around an anchor instant, which it returns with it. */
const scheduleAround = fc.constantFrom(...ZONES).chain((zone) =>
  anchor(zone).chain((at) =>
    fc
      .record({
        layers: fc.array(fc.oneof({ arbitrary: fc.constant('rotation'), weight: 3 }, { arbitrary: fc.constant('fixed'), weight: 1 }), { minLength: 1, maxLength: 3 }),
        overrides: overrides(at),
      })
      .chain(({ layers, overrides }) =>
        fc.tuple(...layers.map((kind, i) => (kind === 'rotation' ? rotationLayer(at, `L${i}`) : fixedLayer(at, `L${i}`)))).map((built) => ({
          at,
          schedule: { name: 'prop', timeZone: zone.zone, layers: built, overrides } satisfies Schedule,
        })),
      ),
  ),
);

/** A schedule of one rotation layer and nothing else. */
const oneRotation = fc.constantFrom(...ZONES).chain((zone) =>
  anchor(zone).chain((at) =>
    rotationLayer(at, 'solo').map((layer) => ({ at, schedule: { name: 'solo', timeZone: zone.zone, layers: [layer], overrides: [] } satisfies Schedule })),
  ),
);

/** Instants relative to the anchor: within two days, or within 90 minutes. */
const offsets = fc.array(fc.oneof(fc.integer({ min: -2 * DAY, max: 2 * DAY }), fc.integer({ min: -90 * MINUTE, max: 90 * MINUTE })), { minLength: 1, maxLength: 4 });

describe('schedule properties', () => {
  it('onCallAt agrees with a reference that walks turns one by one and reads windows on the wall clock', () => {
    fc.assert(
      fc.property(scheduleAround, offsets, ({ at, schedule }, deltas) => {
        const compiled = compileSchedule(schedule);
        for (const t of deltas.map((d) => at + d)) {
          const expected = referenceOnCall(schedule, t);
          if (expected === undefined) continue;
          const answer = compiled.onCallAt(t);
          expect(answer.map(reasonOf).sort()).toEqual(expected);
          for (const shift of answer) expect(shift.shiftStart <= t && t < shift.shiftEnd).toBe(true);
        }
      }),
      { seed: 20_270_101, numRuns: 200 },
    );
  });

  it('gives each person the whole stretch for which the reference has them on call for that reason', () => {
    fc.assert(
      fc.property(scheduleAround, offsets, fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), ({ at, schedule }, deltas, picks) => {
        const compiled = compileSchedule(schedule);
        for (const t of deltas.map((d) => at + d)) {
          for (const shift of compiled.onCallAt(t)) {
            const reason = reasonOf(shift);
            const length = shift.shiftEnd - shift.shiftStart;
            const inside = [shift.shiftStart, shift.shiftEnd - 1, ...picks.map((p) => shift.shiftStart + (p % length))];
            for (const u of inside) expect(referenceOnCall(schedule, u) ?? [reason]).toContain(reason);
            const outside = [shift.shiftStart > t - SHIFT_HORIZON_MS ? shift.shiftStart - 1 : undefined, shift.shiftEnd < t + SHIFT_HORIZON_MS ? shift.shiftEnd : undefined];
            for (const u of outside) if (u !== undefined) expect(referenceOnCall(schedule, u) ?? []).not.toContain(reason);
          }
        }
      }),
      { seed: 20_270_106, numRuns: 200 },
    );
  });

  it('never overlaps the shifts of one rotation layer', () => {
    fc.assert(
      fc.property(oneRotation, ({ at, schedule }) => {
        const list = compileSchedule(schedule).shifts(at - 10 * DAY, at + 10 * DAY);
        list.slice(1).forEach((shift, i) => {
          expect(shift.shiftStart).toBeGreaterThanOrEqual(list[i]!.shiftEnd);
        });
      }),
      { seed: 20_270_102, numRuns: 150 },
    );
  });

  it('leaves no instant without someone inside a rotation layer’s windows after its handoff', () => {
    fc.assert(
      fc.property(oneRotation, fc.nat(), ({ at, schedule }, where) => {
        const from = at - 3 * DAY;
        const to = at + 3 * DAY;
        const list = compileSchedule(schedule).shifts(from, to);
        // Each gap between shifts (and at the range's ends) must be closed by the reference at its start,
        // its last millisecond and a point within.
        const edges = [from, ...list.flatMap((s) => [s.shiftStart, s.shiftEnd]), to];
        for (let i = 0; i < edges.length; i += 2) {
          const gapStart = edges[i]!;
          const gapEnd = edges[i + 1]!;
          if (gapStart >= gapEnd) continue;
          for (const t of [gapStart, gapEnd - 1, gapStart + (where % (gapEnd - gapStart))]) {
            const expected = referenceOnCall(schedule, t);
            if (expected !== undefined) expect(expected).toEqual([]);
          }
        }
      }),
      { seed: 20_270_103, numRuns: 150 },
    );
  });

  it('tiles a range with shifts that answer as onCallAt does at every instant', () => {
    fc.assert(
      fc.property(scheduleAround, fc.integer({ min: HOUR, max: 6 * DAY }), offsets, ({ at, schedule }, length, deltas) => {
        const compiled = compileSchedule(schedule);
        const from = at - Math.floor(length / 2);
        const to = from + length;
        const list = compiled.shifts(from, to);
        list.forEach((shift, i) => {
          expect(from <= shift.shiftStart && shift.shiftStart < shift.shiftEnd && shift.shiftEnd <= to).toBe(true);
          const previous = list[i - 1];
          if (previous) expect(previous.shiftStart < shift.shiftStart || (previous.shiftStart === shift.shiftStart && previous.person < shift.person)).toBe(true);
          // Pieces of one person neither overlap nor, for the same reason, touch (they would have been merged).
          for (const other of list.slice(i + 1)) {
            if (other.person !== shift.person) continue;
            expect(other.shiftStart >= shift.shiftEnd).toBe(true);
            if (other.shiftStart === shift.shiftEnd) expect(reasonOf(other)).not.toBe(reasonOf(shift));
          }
        });
        const instants = [...deltas.map((d) => from + (((d % length) + length) % length)), ...list.slice(0, 20).flatMap((s) => [s.shiftStart, s.shiftEnd - 1])];
        for (const t of instants) {
          const covering = list.filter((s) => s.shiftStart <= t && t < s.shiftEnd);
          expect(covering.map(reasonOf).sort()).toEqual(compiled.onCallAt(t).map(reasonOf).sort());
        }
      }),
      { seed: 20_270_104, numRuns: 150 },
    );
  });

  it('gives from onCallAt the same shift as shifts over 90 days either side', () => {
    fc.assert(
      fc.property(scheduleAround, fc.integer({ min: -2 * DAY, max: 2 * DAY }), ({ at, schedule }, delta) => {
        const compiled = compileSchedule(schedule);
        const t = at + delta;
        const around = compiled.shifts(t - SHIFT_HORIZON_MS, t + SHIFT_HORIZON_MS).filter((s) => s.shiftStart <= t && t < s.shiftEnd);
        expect(compiled.onCallAt(t)).toEqual(around.sort((a, b) => (a.person < b.person ? -1 : 1)));
      }),
      { seed: 20_270_105, numRuns: 60 },
    );
  });
});
