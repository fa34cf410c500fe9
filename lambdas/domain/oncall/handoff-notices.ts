import type { OnCallDirectory } from '../escalation/escalation-use-case';
import type { IncidentRepository } from '../incident/ports';
import type { Notifier, OpenIncidentSummary } from '../notification/notification';
import type { Clock } from '../shared/clock';
import { compileSchedule, type OnCallShift } from './schedule';

/** Handoff notices already sent, so that each shift is announced once however often the sweep runs. */
export interface HandoffNoticeLog {
  /** Records the notice of a shift; false if it was recorded already. */
  remember(team: string, schedule: string, shift: Pick<OnCallShift, 'person' | 'shiftStart'>): Promise<boolean>;
  /** Forgets it again, after its send failed, so that the next sweep tries again. */
  forget(team: string, schedule: string, shift: Pick<OnCallShift, 'person' | 'shiftStart'>): Promise<void>;
}

export interface HandoffNoticeDeps {
  readonly onCall: OnCallDirectory & { listTeams(): Promise<string[]> };
  readonly incidents: Pick<IncidentRepository, 'list'>;
  readonly notifier: Notifier;
  readonly notices: HandoffNoticeLog;
  readonly clock: Clock;
}

/** The most open incidents a notice lists, of each state. */
const LISTED_INCIDENTS = 20;

/**
 * One sweep of handoff notices: for every team that asks for them, each person whose shift in one of its
 * schedules starts within the next `minutesBefore` minutes, and who is not on call there already, gets an
 * email with the shift's start and end and the team's open incidents. A notice is recorded before it is
 * sent and forgotten if the send fails, so a sweep that runs late, twice or after a failure still
 * announces each shift once. Addresses named directly (not people) are told too.
 */
export async function sendHandoffNotices(deps: HandoffNoticeDeps): Promise<{ sent: number; failed: number }> {
  const now = deps.clock().getTime();
  let sent = 0;
  let failed = 0;
  let openIncidents: Promise<TeamIncident[]> | undefined;
  for (const teamName of await deps.onCall.listTeams()) {
    const team = await deps.onCall.findTeam(teamName);
    if (!team?.handoffNotice) continue;
    const horizon = now + team.handoffNotice.minutesBefore * 60_000;
    for (const schedule of (await deps.onCall.findSchedules(teamName)).map(compileSchedule)) {
      // Whole shifts (not cut at the horizon) that start within it, of people not on call just before.
      const starting = schedule
        .shifts(now, horizon)
        .filter((s) => s.shiftStart > now && !schedule.onCallAt(s.shiftStart - 1).some((o) => o.person === s.person))
        .map((s) => schedule.onCallAt(s.shiftStart).find((o) => o.person === s.person) ?? s);
      const ids = [...new Set(starting.map((s) => s.person).filter((p) => !p.includes('@')))];
      const people = ids.length ? await deps.onCall.findPeople(ids) : new Map();
      for (const shift of starting) {
        const person = people.get(shift.person);
        const address = person?.email ?? (shift.person.includes('@') ? shift.person : undefined);
        if (!address || !(await deps.notices.remember(teamName, schedule.name, shift))) continue;
        openIncidents ??= openIncidentsOf(deps);
        const result = await deps.notifier.notify(
          { channel: 'email', address },
          {
            kind: 'handoff',
            team: teamName,
            schedule: schedule.name,
            personName: person?.name ?? address,
            timeZone: person?.timeZone ?? schedule.timeZone,
            shiftStart: shift.shiftStart,
            shiftEnd: shift.shiftEnd,
            openIncidents: (await openIncidents).filter((i) => i.team === teamName).map(({ team: _team, ...summary }) => summary),
          },
        );
        if (result.outcome === 'sent') sent++;
        else {
          failed++;
          await deps.notices.forget(teamName, schedule.name, shift);
        }
      }
    }
  }
  return { sent, failed };
}

type TeamIncident = OpenIncidentSummary & { readonly team: string };

/** The incidents still OPEN or CLAIMED, newest first, with their teams. */
async function openIncidentsOf(deps: Pick<HandoffNoticeDeps, 'incidents'>): Promise<TeamIncident[]> {
  const pages = await Promise.all((['OPEN', 'CLAIMED'] as const).map((state) => deps.incidents.list({ state, limit: LISTED_INCIDENTS })));
  return pages.flatMap((page) =>
    page.items.map((i) => ({ number: i.number, severity: i.severity, state: i.state, service: i.service, title: i.title, team: i.team })),
  );
}
