import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadOnCallConfig } from '../../lambdas/adapters/config-file';
import { applyOnCallConfig, type ApplyResult, type SecretStore } from '../../lambdas/adapters/dynamo-config-writer';
import { migrateTables } from '../../lambdas/adapters/dynamo-migrations';
import { documentClient } from '../../lambdas/composition';
import { tableNames } from '../../lambdas/config/tables';
import { planLines } from '../config-plan';
import type { ClientSettings } from './target';
import { inStep, type Terminal } from './terminal';

export interface ConfigCommandOptions {
  /** The on-call configuration file. */
  readonly file: string;
  readonly tablePrefix: string;
  /** The DynamoDB client's settings: AWS's region, or DynamoDB Local. */
  readonly dynamoDb: ClientSettings;
  /** Prints the plan and writes nothing. */
  readonly plan: boolean;
  /** Keeps generated secrets (the local runtime's `api-keys.json`); without it each is printed once. */
  readonly secrets?: SecretStore;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * `config plan` and `config apply`: prints the plan, then (unless planning) makes the people, teams,
 * schedules, services, API keys, webhooks and heartbeats in DynamoDB equal to the file, and upgrades the items
 * earlier releases wrote.
 */
export async function configCommand(terminal: Terminal, options: ConfigCommandOptions): Promise<ApplyResult> {
  const config = loadOnCallConfig(options.file);
  const client = new DynamoDBClient(options.dynamoDb);
  try {
    const result = await inStep(
      terminal,
      `${options.plan ? 'planning' : 'applying'} ${options.file} to tables ${options.tablePrefix}-*`,
      () =>
        applyOnCallConfig(documentClient(client), tableNames(options.tablePrefix), config, {
          env: options.env,
          dryRun: options.plan,
          ...(options.secrets && !options.plan ? { secrets: options.secrets } : {}),
        }),
      (result) =>
        options.plan
          ? `${options.file}: plan only, nothing written (${result.plan.length} change(s))`
          : `${options.file}: ${result.written} items written, ${result.deleted} removed, ${result.unchanged} unchanged`,
    );
    for (const line of planLines(result.plan)) terminal.print(line);
    for (const { name, secret } of result.generatedSecrets) terminal.print(`new API key ${name}: ${secret}   (shown once: store it now)`);
    if (!options.plan) {
      // Items written by earlier releases, brought to the current shape: a run stopped halfway goes on where it stopped.
      const migrated = await inStep(terminal, 'upgrading items of earlier releases', () => migrateTables(documentClient(client), tableNames(options.tablePrefix)), (results) =>
        `${results.reduce((n, r) => n + r.upgraded, 0)} item(s) of earlier releases upgraded`,
      );
      for (const { table, upgraded } of migrated) if (upgraded) terminal.print(`${table}: ${upgraded} item(s) upgraded to the current schema version`);
    }
    return result;
  } finally {
    client.destroy();
  }
}
