import type { Channel } from '../notification/notification';
import type { Severity } from '../incident/incident';

/**
 * What InResponse measures of its own work, as metrics: counts and durations the use cases know as facts.
 * Implementations must not fail the work they measure. The canary's own incidents are not counted.
 */
export interface OperationalMetrics {
  /** A new incident, by its service and severity. */
  incidentCreated(service: string, severity: Severity): void;
  /** A page to a person that was sent, or failed for good, by channel. */
  pageResult(channel: Channel, outcome: 'sent' | 'failed'): void;
  /** Seconds from an incident's creation to its first page sent. */
  timeToFirstPage(seconds: number): void;
  /** Seconds from an incident's creation to its acknowledgement: the claim, or a resolve while still OPEN. */
  timeToAcknowledge(seconds: number): void;
  /** One canary run: 1 when every check passed, 0 otherwise. */
  canaryRun(success: boolean): void;
}

/** Seconds between two ISO instants, never negative. */
export const secondsBetween = (from: string, to: string): number => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
