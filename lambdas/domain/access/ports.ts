import type { Principal } from './access';
import type { UrgencyPolicy } from '../escalation/urgency';

/** A service, the team that owns it, and how its incidents get their urgency. */
export interface Service {
  readonly id: string;
  readonly team: string;
  readonly urgency: UrgencyPolicy;
  /** The Slack channel its pages are posted in, when it names one. */
  readonly slackChannel?: string;
  /** The status pages that list it. */
  readonly statusPages?: readonly string[];
}

/** Read access to configuration: services and API keys. */
export interface Directory {
  findService(id: string): Promise<Service | undefined>;
  findPrincipal(keyHash: string): Promise<Principal | undefined>;
}
