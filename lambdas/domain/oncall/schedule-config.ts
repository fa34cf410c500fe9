import * as z from 'zod';
import { identifier } from '../shared/validation';
import { RULE_CHANNELS } from '../notification/personal-rules';
import type { Layer, Override, Schedule, Turn, Weekday } from './schedule';
import { assertTimeZone, instantOfWallClock, parseLocalDateTime, parseTimeOfDay } from './zoned-time';

const parses = (parse: (text: string) => unknown) => (text: string) => {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
};

/** An IANA time zone this runtime knows. */
export const timeZone = z.string().refine(parses(assertTimeZone), 'must be an IANA time zone such as Europe/Paris');

export const email = z.email({ error: 'must be an email address' });

/** A phone number in E.164 form. */
export const phoneNumber = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +33612345678');

/** A Slack conversation id: a public (C…) or private (G…) channel, where pages of a team or service are posted. */
export const slackChannel = z.string().regex(/^[CG][A-Z0-9]{2,20}$/, 'must be a Slack channel id such as C024BE91L');

/** One step of a person's rules: these channels, this many minutes after the level pages them. */
const notificationStep = z.strictObject({
  afterMinutes: z.number().int().min(0).max(1440),
  channels: z.array(z.enum(RULE_CHANNELS)).min(1).max(RULE_CHANNELS.length),
});

const notificationSteps = z
  .array(notificationStep)
  .min(1)
  .max(10)
  .refine((steps) => steps.every((step, i) => i === 0 || step.afterMinutes > steps[i - 1]!.afterMinutes), 'steps must be in increasing afterMinutes');

/** A person of the on-call config: named by id in schedules, targets and the API. */
export const personSchema = z.strictObject({
  name: z.string().min(1).max(200),
  email,
  phone: phoneNumber.optional(),
  slack: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U024BE7LH')
    .optional(),
  timeZone: timeZone.optional(),
  /** How this person wants to be reached, per urgency; the defaults are in {@link personalSteps}. */
  notificationRules: z
    .strictObject({ high: notificationSteps.optional(), low: notificationSteps.optional() })
    .optional(),
});

export type Person = z.output<typeof personSchema>;

/** Who a schedule names: a person id, or (as the old calendar did) an email address. */
export const personRef = z.union([identifier, email], { error: 'must be a person id or an email address' });

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];

const timeOfDay = z.string().refine(parses(parseTimeOfDay), 'must be a time of day HH:MM');
const localDateTime = z.string().refine(parses(parseLocalDateTime), 'must be a local date and time YYYY-MM-DDTHH:MM');

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const isInstant = (text: string) => ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text));

/** An instant: ISO 8601 with Z or an offset, or a local "YYYY-MM-DDTHH:MM" read in the schedule's time zone. */
export const zonedTime = z
  .string()
  .refine(
    (text) => isInstant(text) || parses(parseLocalDateTime)(text),
    'must be YYYY-MM-DDTHH:MM in the schedule time zone, or an ISO 8601 instant with Z or an offset',
  );

/** The instant of a {@link zonedTime} in `zone`. */
export function instantOf(text: string, zone: string): number {
  return isInstant(text) ? Date.parse(text) : instantOfWallClock(parseLocalDateTime(text), zone);
}

const turn = z
  .string()
  .regex(/^([1-9]\d{0,2}) (hour|day|week)s?$/, 'must be a turn length such as "1 week", "2 days" or "12 hours"')
  .transform((text): Turn => {
    const [count, unit] = text.split(' ') as [string, string];
    return { count: Number(count), unit: `${unit.replace(/s$/, '')}s` as Turn['unit'] };
  });

export const restriction = z.strictObject({
  /** The days a window opens on (default: every day). */
  days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
  from: timeOfDay,
  /** At or before `from`: the window closes the next day. */
  to: timeOfDay,
});

const rotationLayer = z.strictObject({
  name: identifier,
  rotation: z.strictObject({
    participants: z.array(personRef).min(1).max(100),
    turn,
    /** The first turn's start in the schedule's time zone: fixes the handoff's time and weekday. */
    handoff: localDateTime,
    restrictions: z.array(restriction).min(1).max(21).optional(),
    end: zonedTime.optional(),
  }),
});

const shift = z.strictObject({ person: personRef, from: zonedTime, to: zonedTime });

const fixedLayer = z.strictObject({ name: identifier, shifts: z.array(shift).min(1).max(2000) });

const layer = z.union([rotationLayer, fixedLayer], { error: 'must be { name, rotation } or { name, shifts }' });

export const overrideSchema = z.strictObject({
  person: personRef,
  from: zonedTime,
  to: zonedTime,
  /** The one person it stands in for; without it, the override takes the whole schedule. */
  replaces: personRef.optional(),
});

export const scheduleSchema = z.strictObject({
  /** Default: the team's. */
  timeZone: timeZone.optional(),
  /** Bottom to top: a later layer wins wherever it has someone. */
  layers: z.array(layer).min(1).max(10),
  overrides: z.array(overrideSchema).max(1000).default([]),
});

export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type OverrideInput = z.output<typeof overrideSchema>;

/** A domain override from its input, its times read in `zone`. */
export function overrideOf(id: string, input: OverrideInput, zone: string): Override {
  return {
    id,
    person: input.person,
    from: instantOf(input.from, zone),
    to: instantOf(input.to, zone),
    ...(input.replaces === undefined ? {} : { replaces: input.replaces }),
  };
}

/** The domain schedule of a configured one: times read in its zone, the file's overrides numbered. */
export function scheduleOf(name: string, config: ScheduleConfig, teamTimeZone: string): Schedule {
  const zone = config.timeZone ?? teamTimeZone;
  const layers = config.layers.map((l): Layer => {
    if ('shifts' in l) {
      return { kind: 'fixed', name: l.name, shifts: l.shifts.map((s) => ({ person: s.person, from: instantOf(s.from, zone), to: instantOf(s.to, zone) })) };
    }
    const { participants, turn: t, handoff, restrictions, end } = l.rotation;
    return {
      kind: 'rotation',
      name: l.name,
      participants,
      turn: t,
      handoff,
      ...(restrictions ? { restrictions } : {}),
      ...(end === undefined ? {} : { end: instantOf(end, zone) }),
    };
  });
  return { name, timeZone: zone, layers, overrides: config.overrides.map((o, i) => overrideOf(`file-${i + 1}`, o, zone)) };
}

/** Problems of a schedule's times that the field schemas cannot see: spans that end before they start. */
export function scheduleTimeProblems(config: ScheduleConfig, teamTimeZone: string): { path: (string | number)[]; message: string }[] {
  const zone = config.timeZone ?? teamTimeZone;
  const problems: { path: (string | number)[]; message: string }[] = [];
  config.layers.forEach((l, i) => {
    if ('shifts' in l) {
      l.shifts.forEach((s, j) => {
        if (instantOf(s.to, zone) <= instantOf(s.from, zone)) problems.push({ path: ['layers', i, 'shifts', j, 'to'], message: 'must be after from' });
      });
    }
  });
  config.overrides.forEach((o, i) => {
    if (instantOf(o.to, zone) <= instantOf(o.from, zone)) problems.push({ path: ['overrides', i, 'to'], message: 'must be after from' });
  });
  return problems;
}

/** The people a schedule can name: participants, shift holders, override people. */
export function peopleNamedIn(config: ScheduleConfig): string[] {
  return [
    ...config.layers.flatMap((l) => ('shifts' in l ? l.shifts.map((s) => s.person) : l.rotation.participants)),
    ...config.overrides.flatMap((o) => [o.person, ...(o.replaces ? [o.replaces] : [])]),
  ];
}
