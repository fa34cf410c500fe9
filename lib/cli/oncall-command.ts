import type { PresentedShift } from '../../lambdas/domain/oncall/oncall-use-cases';
import { CliError } from '../cli-errors';
import type { ApiClient } from './api-client';
import { shortInstant, table } from './table';
import type { Terminal } from './terminal';

/** A team's answer of `GET /oncall`. */
interface TeamOnCall {
  readonly team: string;
  readonly at: string;
  readonly schedules: readonly { readonly schedule: string; readonly timeZone: string; readonly onCall: readonly PresentedShift[] }[];
}

/** `oncall [team] [--at ISO]`: who is on call in each schedule of the team, or of every team, now or at `at`. */
export async function onCallCommand(api: ApiClient, terminal: Terminal, team: string | undefined, options: { readonly at?: string; readonly json: boolean }): Promise<void> {
  if (options.at !== undefined && Number.isNaN(Date.parse(options.at))) {
    throw new CliError(`--at ${options.at} is not an instant`, { fix: 'give an ISO 8601 date-time with its zone, such as 2026-11-24T15:00:00Z' });
  }
  const query = new URLSearchParams({ ...(team ? { team } : {}), ...(options.at ? { at: new Date(options.at).toISOString() } : {}) });
  const answer = await api.get<TeamOnCall | { at: string; teams: TeamOnCall[] }>(`/oncall?${query}`);
  if (options.json) return terminal.print(JSON.stringify(answer));
  const teams = 'teams' in answer ? answer.teams : [answer];
  terminal.print(`on call at ${shortInstant(answer.at)}`);
  const rows = teams.flatMap((t) =>
    t.schedules.flatMap((s) =>
      (s.onCall.length ? s.onCall : [undefined]).map((shift) => [
        t.team,
        s.schedule,
        shift ? personOf(shift) : 'nobody',
        shift ? `${shortInstant(shift.start)} to ${shortInstant(shift.end)}` : '',
        shift ? (shift.overrideId ? 'override' : `layer ${shift.layer}`) : '',
      ]),
    ),
  );
  for (const line of table(['TEAM', 'SCHEDULE', 'ON CALL', 'SHIFT', 'BY'], rows)) terminal.print(line);
}

const personOf = (shift: PresentedShift): string =>
  shift.name ? `${shift.name} <${shift.email ?? shift.person}>` : shift.email ?? shift.person;
