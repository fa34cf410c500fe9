import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnCallConfig, SecretsFile } from '../../lambdas/adapters/config-file';
import { apiKeyStore } from '../../lambdas/composition';
import { tableNames } from '../../lambdas/config/tables';
import { rotateApiKey } from '../../lambdas/domain/access/key-rotation';
import { CliError } from '../cli-errors';
import type { Target } from './target';
import { inStep, type Terminal } from './terminal';

/**
 * `keys rotate <name>`: a new generated secret for the API key, printed once; its hash replaces the old one in
 * the config table, and `config apply` keeps it (it keeps a stored key's hash). Locally the runtime's
 * `api-keys.json` and `env` files get the new secret too, as `npm start` shows and applies them. A key whose
 * secret the config file takes from the environment (`secretEnv`) is refused: that variable is its source.
 */
export async function rotateKeyCommand(target: Target, terminal: Terminal, name: string, options: { readonly file: string }): Promise<string> {
  const fromEnv = existsSync(options.file) ? loadOnCallConfig(options.file).apiKeys[name]?.secretEnv : undefined;
  if (fromEnv) {
    throw new CliError(`API key ${name} takes its secret from $${fromEnv} (${options.file})`, {
      fix: `put a new secret of 32 characters or more in ${fromEnv}, then run npx inresponse config apply`,
    });
  }
  const client = new DynamoDBClient(target.clientSettings('dynamoDb'));
  try {
    const { principal, secret } = await inStep(terminal, `rotating API key ${name} in ${target.description}`, () => rotateApiKey(apiKeyStore(client, tableNames(target.tablePrefix)), name), () => `API key ${name} rotated`);
    if (target.localDataDir) keepLocally(target.localDataDir, name, secret);
    terminal.print(`API key ${name} (${principal.role === 'integration' ? `integration, service ${principal.service}` : 'responder'}): ${secret}`);
    terminal.print('Shown once: store it now. The old secret stops working within a minute (the functions cache keys 60 s).');
    return secret;
  } finally {
    client.destroy();
  }
}

/** The local runtime's copies of a secret: its secrets file, and its env file's line that held the old one. */
function keepLocally(dataDir: string, name: string, secret: string): void {
  const secrets = new SecretsFile(join(dataDir, 'api-keys.json'));
  const old = secrets.get(name);
  secrets.set(name, secret);
  const envFile = join(dataDir, 'env');
  if (old && existsSync(envFile)) {
    const lines = readFileSync(envFile, 'utf8').split('\n');
    writeFileSync(envFile, lines.map((line) => (line.endsWith(`=${old}`) ? line.slice(0, -old.length) + secret : line)).join('\n'), { mode: 0o600 });
  }
}
