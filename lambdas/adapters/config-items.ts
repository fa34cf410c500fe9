import type { Principal } from '../domain/access/access';

/**
 * Keys and shapes of the configuration items in the config table and the services table. Shared by the
 * adapter that reads them at request time and the one that writes them from the config file.
 */
export const configKey = {
  apiKey: (hash: string) => `apikey#${hash}`,
  team: (name: string) => `team#${name}`,
} as const;

export type ApiKeyItem = { configkey: string; kind: 'apikey'; keyHash: string } & Principal;

export interface ServiceItem {
  readonly serviceId: string;
  readonly team: string;
  readonly description?: string;
}
