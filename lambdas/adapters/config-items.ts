import type { Principal } from '../domain/access/access';
import type { UrgencyPolicy } from '../domain/escalation/urgency';
import type { Layer, Override } from '../domain/oncall/schedule';
import type { Person } from '../domain/oncall/schedule-config';
import type { Webhook } from '../domain/webhooks/webhook';
import type { HeartbeatMonitor } from '../domain/heartbeats/heartbeats';
import type { MaintenanceWindow } from '../domain/maintenance/maintenance';
import type { StatusPageConfig } from '../domain/status-pages/status-page-config';
import type { TeamProfile } from '../domain/escalation/escalation';

/** The key prefix of used sign-in links: the console's role may write these items of the config table and no other. */
export const SIGN_IN_LINK_KEY_PREFIX = 'signinlink#';

/**
 * Keys and shapes of the configuration items in the config, services and schedules tables. Shared by the
 * adapters that read them at request time and the one that writes them from the config file.
 */
export const configKey = {
  apiKey: (hash: string) => `apikey#${hash}`,
  team: (name: string) => `team#${name}`,
  person: (id: string) => `person#${id}`,
  calendarFeed: (id: string) => `icalfeed#${id}`,
  smsOptOut: (phone: string) => `smsoptout#${phone}`,
  /** An address or number that bounced, drew a complaint or proved invalid. */
  contactProblem: (contact: string) => `contactproblem#${contact}`,
  webhook: (name: string) => `webhook#${name}`,
  heartbeat: (name: string) => `heartbeat#${name}`,
  maintenance: (id: string) => `maintenance#${id}`,
  /** Every status page's config, in one item: the file's. */
  statusPages: 'statuspages',
  /** What responders wrote on a page: its updates and overrides. */
  statusPageContent: (page: string) => `statuspage#${page}`,
  /** A page's render state: changes counted, rendered, when rendered, when next woken. */
  statusPageRender: (page: string) => `statuspagerender#${page}`,
  signInLink: (id: string) => `${SIGN_IN_LINK_KEY_PREFIX}${id}`,
} as const;

/** Sort keys of a team's partition in the schedules table; `#` cannot occur in a schedule name or override id. */
export const scheduleEntry = {
  rules: (schedule: string) => `${schedule}#rules`,
  override: (schedule: string, id: string) => `${schedule}#override#${id}`,
  notice: (schedule: string, person: string, shiftStart: number) => `${schedule}#notice#${person}#${shiftStart}`,
  /** The prefix of every entry of one schedule. */
  of: (schedule: string) => `${schedule}#`,
} as const;

export type ApiKeyItem = { configkey: string; kind: 'apikey'; keyHash: string } & Principal;

export type PersonItem = { configkey: string; kind: 'person'; id: string } & Person;

export type WebhookItem = { configkey: string; kind: 'webhook' } & Webhook;

/** A heartbeat monitor: its config and the hash of its ping token's secret. */
export type HeartbeatItem = { configkey: string; kind: 'heartbeat' } & HeartbeatMonitor;

/** A team's profile: its zone, default contact, matrix, handoff notices and Slack channel (its schedules are apart). */
export type TeamItem = { configkey: string; kind: 'team' } & TeamProfile;

/** The item of a team, with only the fields it has. */
export const teamItem = ({ name, timeZone, defaultContact, escalation, handoffNotice, slackChannel }: TeamProfile): TeamItem => ({
  configkey: configKey.team(name),
  kind: 'team',
  name,
  timeZone,
  defaultContact,
  escalation,
  ...(handoffNotice ? { handoffNotice } : {}),
  ...(slackChannel ? { slackChannel } : {}),
});

export interface ServiceItem {
  readonly serviceId: string;
  readonly team: string;
  readonly description?: string;
  readonly urgency?: UrgencyPolicy;
  readonly slackChannel?: string;
  /** The status pages that list the service, so that its incidents invalidate them. */
  readonly statusPages?: readonly string[];
}

/** A schedule's rules, written from the config file. */
export interface ScheduleItem {
  readonly team: string;
  readonly entry: string;
  readonly kind: 'schedule';
  readonly name: string;
  readonly timeZone: string;
  readonly layers: readonly Layer[];
  readonly overrides: readonly Override[];
}

/** An override made through the API: not the file's, so `config apply` leaves it alone. */
export interface OverrideItem extends Override {
  readonly team: string;
  readonly entry: string;
  readonly kind: 'override';
  readonly schedule: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Epoch seconds: DynamoDB deletes the item a while after the override ends. */
  readonly expiresAt: number;
}

/** The value of `calendar` that puts a window in the config table's sparse maintenance index. */
export const MAINTENANCE_CALENDAR = 'maintenance';

/** A maintenance window, in the maintenance index by its `calendar`; DynamoDB deletes it a while after it ends. */
export type MaintenanceItem = { configkey: string; kind: 'maintenance'; calendar: typeof MAINTENANCE_CALENDAR; expiresAt: number } & MaintenanceWindow;

/** How long a window is kept after its end: it still answers "why was I not paged?" for a week. */
const MAINTENANCE_KEPT_SECONDS = 7 * 24 * 3600;

/** When DynamoDB deletes a window ending at `to`. */
export const maintenanceExpiry = (to: string): number => Math.floor(Date.parse(to) / 1000) + MAINTENANCE_KEPT_SECONDS;

export const maintenanceItem = (window: MaintenanceWindow): MaintenanceItem => ({
  configkey: configKey.maintenance(window.id),
  kind: 'maintenance',
  calendar: MAINTENANCE_CALENDAR,
  ...window,
  expiresAt: maintenanceExpiry(window.to),
});

/** The window of an item, read from the table or from the maintenance index (which projects no `kind` nor `expiresAt`). */
export const windowOfItem = ({ configkey: _key, kind: _kind, calendar: _calendar, expiresAt: _expiresAt, ...window }: MaintenanceItem): MaintenanceWindow => window;

/**
 * The file's status pages, by id, in one item: every page is read with one GetItem. `links` has the secret
 * last segment of each private page's address, made by the first apply that saw the page private and kept.
 */
export type StatusPagesItem = {
  configkey: typeof configKey.statusPages;
  kind: 'statuspages';
  pages: Readonly<Record<string, StatusPageConfig>>;
  links?: Readonly<Record<string, string>>;
};
