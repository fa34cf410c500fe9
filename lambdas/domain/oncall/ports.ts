import type { Override } from './schedule';

/** Overrides made through the API, beside the file's rules: `config apply` never touches them. */
export interface OverrideStore {
  add(team: string, schedule: string, override: Override, meta: { readonly createdBy: string; readonly createdAt: Date }): Promise<void>;
  /** Whether there was such an override to remove. */
  remove(team: string, schedule: string, id: string): Promise<boolean>;
}
