import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { onCallConfigSchema, type OnCallConfig } from '../domain/oncall/oncall-config';
import { parseInput } from '../domain/shared/validation';
import type { SecretStore } from './dynamo-config-writer';

/** Reads and validates the on-call configuration file (YAML, or JSON, which is YAML too). */
export function loadOnCallConfig(path: string): OnCallConfig {
  return parseInput(onCallConfigSchema, parse(readFileSync(path, 'utf8')), `config file ${path}`);
}

/**
 * Generated API key secrets kept in a local file (mode 0600), so that a local runtime can show its example
 * keys again after a restart. In AWS no such file is used: a generated secret is shown once.
 */
export class SecretsFile implements SecretStore {
  private readonly secrets: Record<string, string>;

  constructor(private readonly path: string) {
    this.secrets = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
  }

  get(name: string): string | undefined {
    return this.secrets[name];
  }

  set(name: string, secret: string): void {
    this.secrets[name] = secret;
    writeFileSync(this.path, `${JSON.stringify(this.secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(this.path, 0o600);
  }
}
