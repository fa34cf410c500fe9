import type { ContactMethod } from './notification';

/** The channels a person's rules may name; a channel the person has no contact for, or that is not set up, is skipped. */
export const RULE_CHANNELS = ['email', 'sms', 'voice', 'slack'] as const;

export type RuleChannel = (typeof RULE_CHANNELS)[number];

/** One step of a person's rules, as configured. */
export interface NotificationStep {
  readonly afterMinutes: number;
  readonly channels: readonly RuleChannel[];
}

export interface NotificationRules {
  readonly high?: readonly NotificationStep[];
  readonly low?: readonly NotificationStep[];
}

/** One step resolved to the contact methods it reaches, frozen when the level pages the person. */
export interface PlannedStep {
  readonly afterMinutes: number;
  readonly contacts: readonly ContactMethod[];
}

/**
 * The steps that reach a person with `contacts` at `urgency`: their own rules, or by default every contact at
 * once when high and email when low, each step's in the order its channels are listed. Channels without a contact are skipped, and so is a step left empty; a
 * person whose rules reach nothing they have is emailed, never silently dropped.
 */
export function personalSteps(rules: NotificationRules | undefined, urgency: 'high' | 'low', contacts: readonly ContactMethod[]): PlannedStep[] {
  const email = contacts.filter((c) => c.channel === 'email');
  const configured = rules?.[urgency];
  if (!configured) return [{ afterMinutes: 0, contacts: urgency === 'high' ? contacts : email }];
  const steps = configured
    .map((step) => ({ afterMinutes: step.afterMinutes, contacts: step.channels.flatMap((channel) => contacts.filter((c) => c.channel === channel)) }))
    .filter((step) => step.contacts.length > 0);
  return steps.length ? steps : [{ afterMinutes: 0, contacts: email }];
}
