/**
 * `npm run config:apply -- --file inresponse.config.yaml [--prefix inresponse] [--endpoint URL]`:
 * prints the plan, then makes the people, teams, schedules, services and API keys in DynamoDB equal to the
 * file. `npm run config:plan -- --file ...` (`--plan`) prints the plan and writes nothing. Without --endpoint
 * it reads and writes AWS with the usual credentials and region (AWS_PROFILE, AWS_REGION, ...).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { loadOnCallConfig, SecretsFile } from '../lambdas/adapters/config-file';
import { applyOnCallConfig } from '../lambdas/adapters/dynamo-config-writer';
import { migrateTables } from '../lambdas/adapters/dynamo-migrations';
import { documentClient } from '../lambdas/composition';
import { tableNames } from '../lambdas/config/tables';
import { reportCliError } from '../lib/cli-errors';
import { planLines } from '../lib/config-plan';
import { LOCAL_AWS } from '../lib/local/dynamodb-local';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'inresponse.config.yaml' },
    prefix: { type: 'string', default: 'inresponse' },
    endpoint: { type: 'string' },
    'secrets-file': { type: 'string' },
    plan: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const config = loadOnCallConfig(values.file);
  const client = new DynamoDBClient(values.endpoint ? { ...LOCAL_AWS, endpoint: values.endpoint } : {});
  const result = await applyOnCallConfig(documentClient(client), tableNames(values.prefix), config, {
    env: process.env,
    dryRun: values.plan,
    ...(values['secrets-file'] && !values.plan ? { secrets: new SecretsFile(values['secrets-file']) } : {}),
  });
  console.log(planLines(result.plan).join('\n'));
  console.log(
    values.plan
      ? `${values.file}: plan only, nothing written (${result.plan.length} change(s))`
      : `${values.file}: ${result.written} items written, ${result.deleted} removed, ${result.unchanged} unchanged`,
  );
  for (const { name, secret } of result.generatedSecrets) {
    console.log(`new API key ${name}: ${secret}   (shown once: store it now)`);
  }
  if (!values.plan) {
    // Items written by earlier releases, brought to the current shape: a run stopped halfway goes on where it stopped.
    for (const migrated of await migrateTables(documentClient(client), tableNames(values.prefix))) {
      if (migrated.upgraded) console.log(`${migrated.table}: ${migrated.upgraded} item(s) of an earlier release upgraded`);
    }
  }
  client.destroy();
}

main().catch((error: unknown) => {
  reportCliError(error);
  process.exit(1);
});
