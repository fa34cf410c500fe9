/**
 * Size and count limits of the API. They keep an incident item well under DynamoDB's 400 KB item limit:
 * message 64 KiB + title 1 KiB + 100 timeline entries of at most ~2.3 KiB.
 */
export const LIMITS = {
  /** Largest request body accepted; above it the answer is 413. PagerDuty's Events API caps at 512 KB. */
  maxBodyBytes: 128 * 1024,
  maxTitleBytes: 1024,
  maxMessageBytes: 64 * 1024,
  maxNoteBytes: 2048,
  maxNameLength: 200,
  maxDedupKeyLength: 255,
  /** A comment is refused (409) once the timeline holds this many entries. */
  maxTimelineEntries: 100,
  defaultPageSize: 25,
  maxPageSize: 100,
  /** Inbound mail above this size is not parsed: its incident carries the headers and says why. */
  maxInboundEmailBytes: 10 * 1024 * 1024,
  /** Largest message the local SMTP listener accepts (SES's own limit for messages stored in S3). */
  maxSmtpMessageBytes: 40 * 1024 * 1024,
  /** How long raw mail, the inbound mail index and the event record are kept. */
  inboundRetentionDays: 30,
  /** How long a Lambda instance keeps a service or API key lookup before reading it again. */
  directoryCacheSeconds: 60,
  /**
   * How long a Lambda instance keeps the maintenance windows for deciding on a raise: a window started or
   * ended elsewhere takes effect on new events within that time (escalations read them fresh).
   */
  maintenanceCacheSeconds: 10,
} as const;

/** The first incident number is one above this (seed 001's `currentId: 100000`). */
export const INCIDENT_NUMBER_BASE = 100000;
