import type { Principal } from './access';

/** A service and the team that owns it. */
export interface Service {
  readonly id: string;
  readonly team: string;
  /** The Slack channel its pages are posted in, when it names one. */
  readonly slackChannel?: string;
}

/** Read access to configuration: services and API keys. */
export interface Directory {
  findService(id: string): Promise<Service | undefined>;
  findPrincipal(keyHash: string): Promise<Principal | undefined>;
}
