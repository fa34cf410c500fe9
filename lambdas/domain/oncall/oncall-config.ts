import * as z from 'zod';
import { plannedWindowSchema } from '../maintenance/maintenance';
import { identifier } from '../shared/validation';
import { webhookConfigSchema } from '../webhooks/webhook';
import { heartbeatConfigSchema } from '../heartbeats/heartbeats';
import { statusPagesSchema } from '../status-pages/status-page-config';
import type { Schedule } from './schedule';
import { urgencyPolicySchema } from '../escalation/urgency';
import { CANARY_SERVICE, CANARY_TEAM } from '../canary/canary-service';
import {
  email,
  instantOf,
  peopleNamedIn,
  personSchema,
  scheduleOf,
  scheduleSchema,
  scheduleTimeProblems,
  slackChannel,
  timeZone,
  type Person,
} from './schedule-config';

/** Minutes between levels when a level does not say (seed 001: "10 minutes, the default escalation time"). */
export const DEFAULT_LEVEL_DELAY_MINUTES = 10;

/**
 * Who a level pages, in one written form: `schedule:<name>` (whoever is on call in that schedule of the team
 * when the level fires), `person:<id>` or `email:<address>`. The older `oncall` and `escalation` name the
 * schedules made from the calendar, and `{ email }` an address.
 */
export type EscalationTarget = `schedule:${string}` | `person:${string}` | `email:${string}`;

const NAMED_TARGET = /^(schedule|person):[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const escalationTarget = z.union(
  [
    z.enum(['oncall', 'escalation']).transform((name): EscalationTarget => `schedule:${name}`),
    z.strictObject({ email }).transform((t): EscalationTarget => `email:${t.email}`),
    z.string().regex(NAMED_TARGET).transform((t) => t as EscalationTarget),
    z
      .string()
      .startsWith('email:')
      .refine((t) => email.safeParse(t.slice(6)).success)
      .transform((t) => t as EscalationTarget),
  ],
  { error: 'must be schedule:<name>, person:<id>, email:<address>, oncall or escalation' },
);

const escalationLevel = z.strictObject({
  /** Minutes after the previous level (the first level: after the incident opens). */
  delayMinutes: z.number().int().min(0).max(1440).optional(),
  targets: z.array(escalationTarget).min(1).max(5),
});

const escalationMatrix = z
  .strictObject({
    /** How many times the whole matrix runs again after its last level (0-9, as PagerDuty). */
    repeat: z.number().int().min(0).max(9).default(0),
    /** Minutes after the last level before a repeat starts again at the first. */
    repeatAfterMinutes: z.number().int().min(1).max(1440).default(DEFAULT_LEVEL_DELAY_MINUTES),
    levels: z.array(escalationLevel).min(1).max(10),
  })
  .transform((matrix) => ({
    repeat: matrix.repeat,
    repeatAfterMinutes: matrix.repeatAfterMinutes,
    levels: matrix.levels.map((level, i) => ({
      delayMinutes: level.delayMinutes ?? (i === 0 ? 0 : DEFAULT_LEVEL_DELAY_MINUTES),
      targets: level.targets,
    })),
  }));

export type EscalationMatrix = z.output<typeof escalationMatrix>;

/** Seed 001's matrix: the on-call now, the escalation contact 10 minutes later. */
export const DEFAULT_ESCALATION_MATRIX: EscalationMatrix = {
  repeat: 0,
  repeatAfterMinutes: DEFAULT_LEVEL_DELAY_MINUTES,
  levels: [
    { delayMinutes: 0, targets: ['schedule:oncall'] },
    { delayMinutes: DEFAULT_LEVEL_DELAY_MINUTES, targets: ['schedule:escalation'] },
  ],
};

const calendarDay = z.iso.date({ error: 'must be a date like 2026-11-24' });

const contacts = { oncall: email, escalation: email };

/** One day, or an inclusive range of days, with the same on-call and escalation contact. */
const calendarEntry = z.union(
  [z.strictObject({ day: calendarDay, ...contacts }), z.strictObject({ from: calendarDay, to: calendarDay, ...contacts })],
  { error: 'must have day, or from and to, with oncall and escalation' },
);

const team = z.strictObject({
  timeZone,
  /** Paged when a target resolves to nobody, so that no page is ever dropped. */
  defaultContact: email,
  escalation: escalationMatrix.default(DEFAULT_ESCALATION_MATRIX),
  schedules: z.record(identifier, scheduleSchema).default({}),
  /** Emails each person coming on call in one of the team's schedules this long before the shift starts. */
  handoffNotice: z.strictObject({ minutesBefore: z.number().int().min(5).max(1440) }).optional(),
  /** The older per-day form: it becomes two schedules of daily shifts, `oncall` and `escalation`. */
  calendar: z.array(calendarEntry).default([]),
  /** Where the team's pages are posted in Slack, for services that name no channel of their own. */
  slackChannel: slackChannel.optional(),
});

export type TeamConfig = z.output<typeof team>;

/** The schedules the calendar becomes, named as the old targets named them. */
const CALENDAR_SCHEDULES = ['oncall', 'escalation'] as const;

const service = z.strictObject({
  team: identifier,
  description: z.string().max(500).optional(),
  /** How its incidents get their urgency: by severity, lowered outside support hours. */
  urgency: urgencyPolicySchema.optional(),
  /** Where the service's pages are posted in Slack; its team's channel when absent. */
  slackChannel: slackChannel.optional(),
});

/** An API key by name; its secret is taken from `secretEnv`, or generated by the apply command. */
const apiKey = z.discriminatedUnion(
  'role',
  [
    z.strictObject({ role: z.literal('integration'), service: identifier, secretEnv: z.string().optional() }),
    z.strictObject({ role: z.literal('responder'), secretEnv: z.string().optional() }),
  ],
  { error: 'role must be integration or responder' },
);

/** The most days one calendar range may span: a year, so a typo cannot write thousands of items. */
const MAX_RANGE_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The on-call configuration file: people, teams with their schedules and matrices, services, API keys, webhooks. */
export const onCallConfigSchema = z
  .strictObject({
    people: z.record(identifier, personSchema).default({}),
    teams: z.record(identifier, team),
    services: z.record(identifier, service),
    apiKeys: z.record(identifier, apiKey).default({}),
    webhooks: z.record(identifier, webhookConfigSchema).default({}),
    /** Heartbeat monitors by name: each expects pings from a job of a service. */
    heartbeats: z.record(identifier, heartbeatConfigSchema).default({}),
    /** Planned maintenance windows, by id. */
    maintenance: z.record(identifier, plannedWindowSchema).default({}),
    /** Status pages by id: components showing the state of services to their users. */
    statusPages: statusPagesSchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.services[CANARY_SERVICE]) ctx.addIssue({ code: 'custom', path: ['services', CANARY_SERVICE], message: "is reserved for InResponse's canary" });
    if (config.teams[CANARY_TEAM]) ctx.addIssue({ code: 'custom', path: ['teams', CANARY_TEAM], message: "is reserved for InResponse's canary" });
    for (const [name, svc] of Object.entries(config.services)) {
      if (!config.teams[svc.team]) {
        ctx.addIssue({ code: 'custom', path: ['services', name, 'team'], message: `team ${svc.team} is not defined` });
      }
    }
    for (const [name, monitor] of Object.entries(config.heartbeats)) {
      if (!config.services[monitor.service]) {
        ctx.addIssue({ code: 'custom', path: ['heartbeats', name, 'service'], message: `service ${monitor.service} is not defined` });
      }
    }
    for (const [id, page] of Object.entries(config.statusPages ?? {})) {
      page.components.forEach((component, i) => {
        if (!config.services[component.service]) {
          ctx.addIssue({ code: 'custom', path: ['statusPages', id, 'components', i, 'service'], message: `service ${component.service} is not defined` });
        }
      });
    }
    for (const [name, key] of Object.entries(config.apiKeys)) {
      if (key.role === 'integration' && !config.services[key.service]) {
        ctx.addIssue({ code: 'custom', path: ['apiKeys', name, 'service'], message: `service ${key.service} is not defined` });
      }
    }
    for (const [id, window] of Object.entries(config.maintenance)) {
      window.services.forEach((s, i) => {
        if (!config.services[s]) ctx.addIssue({ code: 'custom', path: ['maintenance', id, 'services', i], message: `service ${s} is not defined` });
      });
    }
    for (const [name, hook] of Object.entries(config.webhooks)) {
      hook.services.forEach((s, i) => {
        if (!config.services[s]) ctx.addIssue({ code: 'custom', path: ['webhooks', name, 'services', i], message: `service ${s} is not defined` });
      });
      hook.teams.forEach((t, i) => {
        if (!config.teams[t]) ctx.addIssue({ code: 'custom', path: ['webhooks', name, 'teams', i], message: `team ${t} is not defined` });
      });
    }
    for (const [name, t] of Object.entries(config.teams)) {
      checkSchedules(ctx, config.people, name, t);
      const seen = new Set<string>();
      t.calendar.forEach((entry, i) => {
        const path = ['teams', name, 'calendar', i];
        const days = 'day' in entry ? [entry.day] : daysBetween(entry.from, entry.to);
        if (days.length === 0) ctx.addIssue({ code: 'custom', path, message: 'from must not be after to' });
        if (days.length > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path, message: `spans more than ${MAX_RANGE_DAYS} days` });
        const twice = days.find((day) => seen.has(day));
        if (twice) ctx.addIssue({ code: 'custom', path, message: `day ${twice} is given twice` });
        for (const day of days) seen.add(day);
      });
    }
  });

export type OnCallConfig = z.output<typeof onCallConfigSchema>;

/** The days from `from` to `to`, both included, as YYYY-MM-DD; empty if `from` is after `to`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && days.length <= MAX_RANGE_DAYS; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Checks what a team's schedules and matrix name: people that exist, schedules of the team, times in order. */
function checkSchedules(ctx: z.RefinementCtx, people: Readonly<Record<string, Person>>, teamName: string, t: TeamConfig): void {
  const at = (...path: (string | number)[]) => ['teams', teamName, ...path];
  const isPerson = (ref: string) => ref.includes('@') || people[ref] !== undefined;
  if (t.calendar.length > 0) {
    for (const name of CALENDAR_SCHEDULES) {
      if (t.schedules[name]) ctx.addIssue({ code: 'custom', path: at('schedules', name), message: `is also made from the calendar: rename one` });
    }
  }
  for (const [name, schedule] of Object.entries(t.schedules)) {
    for (const problem of scheduleTimeProblems(schedule, t.timeZone)) ctx.addIssue({ code: 'custom', path: at('schedules', name, ...problem.path), message: problem.message });
    for (const ref of new Set(peopleNamedIn(schedule))) {
      if (!isPerson(ref)) ctx.addIssue({ code: 'custom', path: at('schedules', name), message: `names ${ref}, who is not in people` });
    }
  }
  t.escalation.levels.forEach((level, i) => {
    level.targets.forEach((target, j) => {
      const [kind, value] = splitTarget(target);
      const path = at('escalation', 'levels', i, 'targets', j);
      if (kind === 'person' && !people[value]) ctx.addIssue({ code: 'custom', path, message: `person ${value} is not in people` });
      const knownSchedule = t.schedules[value] || (CALENDAR_SCHEDULES as readonly string[]).includes(value);
      if (kind === 'schedule' && !knownSchedule) ctx.addIssue({ code: 'custom', path, message: `team ${teamName} has no schedule ${value}` });
    });
  });
}

/** A target's kind and what it names. */
export function splitTarget(target: EscalationTarget): ['schedule' | 'person' | 'email', string] {
  const colon = target.indexOf(':');
  return [target.slice(0, colon) as 'schedule' | 'person' | 'email', target.slice(colon + 1)];
}

/**
 * A team's schedules as the domain knows them: the configured ones, and the calendar's days as two schedules
 * of daily shifts (`oncall` and `escalation`, each day from 00:00 to 24:00 in the team's time zone).
 */
export function teamSchedules(t: TeamConfig): Schedule[] {
  const schedules = Object.entries(t.schedules).map(([name, config]) => scheduleOf(name, config, t.timeZone));
  if (t.calendar.length === 0) return schedules;
  const midnight = (day: string) => instantOf(`${day}T00:00`, t.timeZone);
  const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  const calendarSchedule = (name: (typeof CALENDAR_SCHEDULES)[number]): Schedule => ({
    name,
    timeZone: t.timeZone,
    layers: [
      {
        kind: 'fixed',
        name: 'calendar',
        shifts: t.calendar.map((entry) => {
          const [from, to] = 'day' in entry ? [entry.day, entry.day] : [entry.from, entry.to];
          return { person: entry[name], from: midnight(from), to: midnight(dayAfter(to)) };
        }),
      },
    ],
    overrides: [],
  });
  return [...schedules, ...CALENDAR_SCHEDULES.map(calendarSchedule)];
}
