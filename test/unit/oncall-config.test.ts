import { describe, expect, it } from 'vitest';
import { daysBetween, DEFAULT_ESCALATION_MATRIX, onCallConfigSchema, teamSchedules } from '../../lambdas/domain/oncall/oncall-config';
import { onCallAt } from '../../lambdas/domain/oncall/schedule';
import { parseInput } from '../../lambdas/domain/shared/validation';
import { rejectedFields } from '../support/rejected-fields';

const base = {
  teams: { devops: { timeZone: 'Europe/Paris', defaultContact: 'lead@example.com' } },
  services: { athens: { team: 'devops' } },
};

/** The fields a config is rejected for. */
const problems = (config: unknown) => rejectedFields(() => parseInput(onCallConfigSchema, config, 'config'));

describe('on-call config', () => {
  it('gives a team seed 001 default matrix: on-call now, escalation contact after 10 minutes', () => {
    const config = onCallConfigSchema.parse(base);
    expect(config.teams.devops!.escalation).toEqual(DEFAULT_ESCALATION_MATRIX);
    expect(DEFAULT_ESCALATION_MATRIX.levels).toEqual([
      { delayMinutes: 0, targets: ['schedule:oncall'] },
      { delayMinutes: 10, targets: ['schedule:escalation'] },
    ]);
  });

  it('defaults a level delay to 0 for the first level and 10 minutes after', () => {
    const config = onCallConfigSchema.parse({
      ...base,
      teams: {
        devops: {
          ...base.teams.devops,
          escalation: { levels: [{ targets: ['oncall'] }, { targets: [{ email: 'cto@example.com' }] }, { delayMinutes: 30, targets: ['escalation'] }] },
        },
      },
    });
    expect(config.teams.devops!.escalation.levels.map((l) => l.delayMinutes)).toEqual([0, 10, 30]);
    expect(config.teams.devops!.escalation.repeat).toBe(0);
  });

  it('rejects what an operator can get wrong, naming the field', () => {
    const team = base.teams.devops;
    expect(problems({ ...base, teams: { devops: { ...team, timeZone: 'Mars/Olympus' } } })).toEqual(['teams.devops.timeZone']);
    expect(problems({ ...base, services: { athens: { team: 'nosuch' } } })).toEqual(['services.athens.team']);
    expect(problems({ ...base, apiKeys: { k: { role: 'integration', service: 'nosuch' } } })).toEqual(['apiKeys.k.service']);
    expect(problems({ ...base, apiKeys: { k: { role: 'admin' } } })).toEqual(['apiKeys.k.role']);
    expect(problems({ ...base, teams: { devops: { ...team, escalation: { repeat: 10, levels: [{ targets: ['oncall'] }] } } } })).toEqual([
      'teams.devops.escalation.repeat',
    ]);
    expect(problems({ ...base, teams: { devops: { ...team, defaultContact: 'not-an-address' } } })).toEqual(['teams.devops.defaultContact']);
    expect(problems({ ...base, extra: 1 })).toEqual(['extra']);
  });

  it('rejects a calendar day given twice, a reversed range and a range over a year', () => {
    const contacts = { oncall: 'a@example.com', escalation: 'b@example.com' };
    const withCalendar = (calendar: unknown[]) => ({ ...base, teams: { devops: { ...base.teams.devops, calendar } } });
    expect(problems(withCalendar([{ from: '2026-11-01', to: '2026-11-10', ...contacts }, { day: '2026-11-05', ...contacts }]))).toEqual([
      'teams.devops.calendar.1',
    ]);
    expect(problems(withCalendar([{ from: '2026-11-10', to: '2026-11-01', ...contacts }]))).toEqual(['teams.devops.calendar.0']);
    expect(problems(withCalendar([{ from: '2026-01-01', to: '2028-01-01', ...contacts }]))).toEqual(['teams.devops.calendar.0']);
    expect(problems(withCalendar([{ day: '2026-02-30', ...contacts }]))).toEqual(['teams.devops.calendar.0.day']);
  });

  it('makes the calendar two schedules of daily shifts, each range one shift from its first midnight to the midnight after its last day', () => {
    const config = onCallConfigSchema.parse({
      ...base,
      teams: {
        devops: {
          ...base.teams.devops,
          calendar: [
            { from: '2026-02-27', to: '2026-03-01', oncall: 'a@example.com', escalation: 'm@example.com' },
            { day: '2026-03-02', oncall: 'b@example.com', escalation: 'm@example.com' },
          ],
        },
      },
    });
    const [oncall, escalation] = teamSchedules(config.teams.devops!);
    expect([oncall!.name, escalation!.name]).toEqual(['oncall', 'escalation']);
    expect(oncall!.layers).toEqual([
      {
        kind: 'fixed',
        name: 'calendar',
        shifts: [
          { person: 'a@example.com', from: Date.parse('2026-02-27T00:00:00+01:00'), to: Date.parse('2026-03-02T00:00:00+01:00') },
          { person: 'b@example.com', from: Date.parse('2026-03-02T00:00:00+01:00'), to: Date.parse('2026-03-03T00:00:00+01:00') },
        ],
      },
    ]);
    // 23:30 in Paris on 1 March is still a's day; 00:30 on the 2nd is b's.
    expect(onCallAt(oncall!, Date.parse('2026-03-01T22:30:00Z')).map((s) => s.person)).toEqual(['a@example.com']);
    expect(onCallAt(oncall!, Date.parse('2026-03-01T23:30:00Z')).map((s) => s.person)).toEqual(['b@example.com']);
    expect(daysBetween('2028-02-28', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
  });

  it('checks what schedules and targets name: known people, schedules of the team, spans in order', () => {
    const team = {
      ...base.teams.devops,
      schedules: {
        primary: {
          layers: [{ name: 'weekly', rotation: { participants: ['safeer', 'ghost'], turn: '1 week', handoff: '2026-01-02T17:00' } }],
          overrides: [{ person: 'safeer', from: '2026-03-02T10:00', to: '2026-03-02T09:00' }],
        },
      },
      escalation: { levels: [{ targets: ['schedule:primary', 'schedule:nope', 'person:nobody', 'email:cto@example.com'] }] },
    };
    expect(problems({ ...base, people: { safeer: { name: 'Safeer', email: 's@example.com' } }, teams: { devops: team } }).sort()).toEqual([
      'teams.devops.escalation.levels.0.targets.1',
      'teams.devops.escalation.levels.0.targets.2',
      'teams.devops.schedules.primary',
      'teams.devops.schedules.primary.overrides.0.to',
    ]);
  });

  it('takes a Slack channel id for a team and a service, and names the field of one that is not', () => {
    const config = onCallConfigSchema.parse({
      ...base,
      teams: { devops: { ...base.teams.devops, slackChannel: 'C024BE91L' } },
      services: { athens: { team: 'devops', slackChannel: 'G0PRIVATE1' } },
    });
    expect([config.teams.devops!.slackChannel, config.services.athens!.slackChannel]).toEqual(['C024BE91L', 'G0PRIVATE1']);
    expect(problems({ ...base, teams: { devops: { ...base.teams.devops, slackChannel: '#ops' } }, services: { athens: { team: 'devops', slackChannel: 'U024BE7LH' } } })).toEqual([
      'teams.devops.slackChannel',
      'services.athens.slackChannel',
    ]);
  });

  it('reads rotation turns, restrictions and zoned times', () => {
    const config = onCallConfigSchema.parse({
      ...base,
      people: { a: { name: 'A', email: 'a@example.com', phone: '+33612345678', slack: 'U024BE7LH', timeZone: 'Asia/Tokyo' } },
      teams: {
        devops: {
          ...base.teams.devops,
          schedules: {
            primary: {
              timeZone: 'UTC',
              layers: [{ name: 'sun', rotation: { participants: ['a'], turn: '12 hours', handoff: '2026-01-01T07:00', restrictions: [{ days: ['sat', 'sun'], from: '00:00', to: '00:00' }] } }],
              overrides: [{ person: 'a', from: '2026-03-02T10:00+01:00', to: '2026-03-02T12:00' }],
            },
          },
        },
      },
    });
    const [primary] = teamSchedules(config.teams.devops!);
    expect(primary!.layers[0]).toMatchObject({ kind: 'rotation', turn: { unit: 'hours', count: 12 }, handoff: '2026-01-01T07:00' });
    expect(primary!.overrides).toEqual([{ id: 'file-1', person: 'a', from: Date.parse('2026-03-02T09:00:00Z'), to: Date.parse('2026-03-02T12:00:00Z') }]);
  });
});
