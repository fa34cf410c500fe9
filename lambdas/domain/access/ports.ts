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

/** An API key as stored: the hash of its secret, and whose it is. */
export interface StoredApiKey {
  readonly keyHash: string;
  readonly principal: Principal;
}

/** The stored API keys, for rotating them. */
export interface ApiKeyStore {
  list(): Promise<readonly StoredApiKey[]>;
  /** Replaces a key's hash at once, atomically; false if the key was no longer `current`. */
  replace(current: StoredApiKey, keyHash: string): Promise<boolean>;
}
