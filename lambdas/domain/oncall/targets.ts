import { type EscalationTarget, splitTarget } from './oncall-config';
import { type CompiledSchedule, onCallAt, type Schedule } from './schedule';
import type { Channel, ContactMethod } from '../notification/notification';
import type { Person } from './schedule-config';
import { personalSteps, type PlannedStep } from '../notification/personal-rules';
import type { Urgency } from '../escalation/urgency';

/** Someone a level names at an instant: a person id or an address, and what in the matrix chose them. */
export interface Targeted {
  /** A person id, or an email address (a bare address where the config used one). */
  readonly ref: string;
  /** `schedule primary (layer weekly)`, `schedule primary (override 3f2a)`, `person manoj`, `email`. */
  readonly as: string;
}

/** A schedule target that has nobody on call at the instant. */
export interface OnCallGap {
  readonly schedule: string;
}

/** One person (or bare address) a level pages, with why, and the contact methods it reaches them by. */
export interface Recipient {
  /** The email address: who acts, through the links of the page. */
  readonly address: string;
  /** The person paged, when a person (not a bare address) was named. */
  readonly person?: string;
  readonly as: string;
  /** The person's steps at the incident's urgency, each with the contact methods it reaches them by. */
  readonly steps: readonly PlannedStep[];
}

/**
 * A target as stored in an escalation frozen before targets had one written form: `oncall`, `escalation`,
 * `{ email }`. Read so that escalations running across an upgrade still page.
 */
export function targetOf(stored: EscalationTarget | 'oncall' | 'escalation' | { readonly email: string }): EscalationTarget {
  if (typeof stored === 'object') return `email:${stored.email}`;
  return stored === 'oncall' || stored === 'escalation' ? `schedule:${stored}` : stored;
}

/** The names of the schedules that `targets` read. */
export function schedulesNamed(targets: readonly EscalationTarget[]): string[] {
  return [...new Set(targets.map(splitTarget).filter(([kind]) => kind === 'schedule').map(([, name]) => name))];
}

/**
 * Who `targets` name at `atMs`: each schedule target through {@link onCallAt} (so a schedule may answer
 * several people, or nobody: a gap), each person and address as written. The same function serves the
 * notifier when a level fires and the escalation preview.
 */
export function whoIsTargeted(
  targets: readonly EscalationTarget[],
  atMs: number,
  schedules: ReadonlyMap<string, Schedule | CompiledSchedule>,
): { targeted: Targeted[]; gaps: OnCallGap[] } {
  const targeted: Targeted[] = [];
  const gaps: OnCallGap[] = [];
  for (const target of targets) {
    const [kind, value] = splitTarget(target);
    if (kind === 'person') targeted.push({ ref: value, as: `person ${value}` });
    else if (kind === 'email') targeted.push({ ref: value, as: 'email' });
    else {
      const schedule = schedules.get(value);
      const onCall = schedule ? onCallAt(schedule, atMs) : [];
      if (onCall.length === 0) gaps.push({ schedule: value });
      for (const shift of onCall) {
        const reason = shift.overrideId === undefined ? `layer ${shift.layer}` : `override ${shift.overrideId}`;
        targeted.push({ ref: shift.person, as: `schedule ${value} (${reason})` });
      }
    }
  }
  return { targeted, gaps };
}

/** The person ids among what was targeted, to be looked up. */
export const personIdsOf = (targeted: readonly Targeted[]): string[] => [...new Set(targeted.filter((t) => !t.ref.includes('@')).map((t) => t.ref))];

/** Every contact method a person has on the channels that are set up: email always, SMS and voice by phone, Slack by user id. */
export function contactsOf(person: Person, channels: ReadonlySet<Channel>): ContactMethod[] {
  const phone = person.phone;
  const byPhone = phone ? (['sms', 'voice'] as const).filter((c) => channels.has(c)).map((channel): ContactMethod => ({ channel, phone })) : [];
  const bySlack: ContactMethod[] = person.slack && channels.has('slack') ? [{ channel: 'slack', user: person.slack }] : [];
  return [{ channel: 'email', address: person.email }, ...byPhone, ...bySlack];
}

/**
 * The people and addresses to page, each once: people by their personal steps at `urgency` over the contact
 * methods they have, bare addresses by email at once. A person no longer in the directory, or a level with
 * nobody at all, pages the team's default contact: never silently nobody.
 */
export function recipientsOf(
  targeted: readonly Targeted[],
  people: ReadonlyMap<string, Person>,
  defaultContact: string,
  channels: ReadonlySet<Channel>,
  urgency: Urgency = 'high',
): Recipient[] {
  const byEmail = (address: string): PlannedStep[] => [{ afterMinutes: 0, contacts: [{ channel: 'email', address }] }];
  const recipients = targeted.map((t): Recipient => {
    if (t.ref.includes('@')) return { address: t.ref, as: t.as, steps: byEmail(t.ref) };
    const person = people.get(t.ref);
    if (!person) return { address: defaultContact, as: `default contact (no person ${t.ref})`, steps: byEmail(defaultContact) };
    return { address: person.email, person: t.ref, as: t.as, steps: personalSteps(person.notificationRules, urgency, contactsOf(person, channels)) };
  });
  if (recipients.length === 0) recipients.push({ address: defaultContact, as: 'default contact', steps: byEmail(defaultContact) });
  return recipients.filter((r, i) => recipients.findIndex((other) => other.address === r.address) === i);
}
