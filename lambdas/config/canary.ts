/**
 * The canary's defaults, here as in AWS: where its pages go (SES's mailbox simulator, which accepts and discards
 * them, costing a normal send), how often it runs, how long it waits for the page and how often it looks.
 */
export const CANARY_DEFAULTS = {
  address: 'success@simulator.amazonses.com',
  intervalMinutes: 15,
  deadlineMs: 60_000,
  pollMs: 500,
} as const;
