import { describe, expect, it } from 'vitest';
import { calendarDays, daysBetween, DEFAULT_ESCALATION_MATRIX, onCallConfigSchema } from '../../lambdas/domain/oncall/oncall-config';
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
      { delayMinutes: 0, targets: ['oncall'] },
      { delayMinutes: 10, targets: ['escalation'] },
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

  it('expands ranges into one calendar row per day, both ends included', () => {
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
    expect(calendarDays(config).map((d) => [d.day, d.oncall])).toEqual([
      ['2026-02-27', 'a@example.com'],
      ['2026-02-28', 'a@example.com'],
      ['2026-03-01', 'a@example.com'],
      ['2026-03-02', 'b@example.com'],
    ]);
    expect(daysBetween('2028-02-28', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
  });
});
