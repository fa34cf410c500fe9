import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli-errors';
import { LOCAL_AWS } from '../local/local-aws';
import { type DeadLetterQueueOutput, deadLetterQueuesSchema, LOCAL_OUTPUT, OUTPUT } from '../stack-outputs';

/** The AWS services the local runtime has a stand-in (or an emulator) of. */
export type LocalService = 'dynamoDb' | 'sqs' | 'lambda';

/** The AWS clients a command may make, each pointed at the deployment's region or, where there is one, at the local stand-in. */
export type AwsService = LocalService | 'ses' | 'sms' | 'cloudWatch' | 'sns';

/** The SDK client settings every client takes: region, endpoint, credentials. */
export interface ClientSettings {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A deployment to operate: a stack in AWS, or the local runtime of `npm start`. */
export interface Target {
  /** `stack InResponse (eu-west-1)`, `local runtime (.local)`. */
  readonly description: string;
  /** The stack's name in AWS; absent for the local runtime. */
  readonly stackName?: string;
  /** The local runtime's data folder (keys, env file); absent for a stack. */
  readonly localDataDir?: string;
  readonly apiUrl: string;
  readonly tablePrefix: string;
  readonly senderIdentity?: string;
  readonly receiptRuleSetName?: string;
  readonly smsOriginationIdentity?: string;
  readonly deadLetterQueues: readonly DeadLetterQueueOutput[];
  /** The settings of a client of `service`: the region in AWS (credentials as every AWS tool finds them), the stand-in locally. */
  clientSettings(service: AwsService): ClientSettings;
  /** A responder key for the API: `INRESPONSE_API_KEY`, or locally the `RESPONDER_KEY` of `.local/env`. */
  readonly apiKey?: string;
}

export interface TargetOptions {
  /** A deployed stack's name; the local runtime when absent. */
  readonly stack?: string;
  readonly region?: string;
  /** The local runtime's data folder (`INRESPONSE_DATA_DIR`, default `.local`). */
  readonly dataDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The deployment the options name: the stack's outputs read from CloudFormation, or the local runtime's file. */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  if (options.stack) return stackTarget(options.stack, await stackOutputs(options.stack, options.region), options);
  return localTarget(options);
}

/** A stack's outputs, by output key. */
async function stackOutputs(stackName: string, region: string | undefined): Promise<Record<string, string>> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudFormation = new CloudFormationClient(region ? { region } : {});
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    throw new CliError(`cannot read the outputs of stack ${stackName}: ${(error as Error).message}`, {
      cause: error,
      fix: 'check the stack name (npx cdk list), the region (--region or AWS_REGION) and the credentials (aws sts get-caller-identity)',
    });
  }
}

/** The target of a deployed stack, from its outputs. */
export function stackTarget(stackName: string, outputs: Readonly<Record<string, string>>, options: Pick<TargetOptions, 'region' | 'env'>): Target {
  const region = options.region ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;
  const settings: ClientSettings = region ? { region } : {};
  return {
    ...fromOutputs(outputs, `stack ${stackName}`),
    description: `stack ${stackName}${region ? ` (${region})` : ''}`,
    stackName,
    clientSettings: () => settings,
    ...withKey(options.env.INRESPONSE_API_KEY),
  };
}

function localTarget({ dataDir, env }: TargetOptions): Target {
  const file = join(dataDir, 'outputs.json');
  if (!existsSync(file)) {
    throw new CliError(`no local runtime found: ${file} does not exist`, {
      fix: 'start one with npm start (INRESPONSE_DATA_DIR names its folder), or name a deployed stack with --stack <name>',
    });
  }
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const endpoints: Record<LocalService, string | undefined> = {
    dynamoDb: outputs[LOCAL_OUTPUT.dynamoDbEndpoint],
    sqs: outputs[LOCAL_OUTPUT.sqsEndpoint],
    lambda: outputs[LOCAL_OUTPUT.lambdaEndpoint],
  };
  return {
    ...fromOutputs(outputs, file),
    description: `local runtime (${dataDir})`,
    localDataDir: dataDir,
    clientSettings: (service) => {
      const endpoint = service in endpoints ? endpoints[service as LocalService] : undefined;
      if (!endpoint) throw new CliError(`the local runtime has no ${service}: this needs AWS`, { fix: 'name a deployed stack with --stack <name>' });
      return { ...LOCAL_AWS, endpoint };
    },
    // The env file's key over a shell's copy of it, which a key rotation leaves behind.
    ...withKey(env.INRESPONSE_API_KEY ?? envFileValue(join(dataDir, 'env'), 'RESPONDER_KEY')),
  };
}

const withKey = (key: string | undefined) => (key ? { apiKey: key } : {});

/** What both kinds of target read from the outputs. */
function fromOutputs(outputs: Readonly<Record<string, string>>, source: string) {
  const required = (key: string) => {
    const value = outputs[key];
    if (!value) throw new CliError(`${source} has no output ${key}`, { fix: 'deploy the current version of the stack (npx cdk deploy), or restart npm start' });
    return value;
  };
  const parsed = deadLetterQueuesSchema.safeParse(JSON.parse(outputs[OUTPUT.deadLetterQueues] ?? '[]'));
  if (!parsed.success) throw new CliError(`${source}: output ${OUTPUT.deadLetterQueues} is not a list of queues`, { cause: parsed.error });
  const optional = {
    senderIdentity: outputs[OUTPUT.senderIdentity],
    receiptRuleSetName: outputs[OUTPUT.receiptRuleSetName],
    smsOriginationIdentity: outputs[OUTPUT.smsOriginationIdentity],
  };
  return {
    apiUrl: required(OUTPUT.apiUrl).replace(/\/+$/, ''),
    tablePrefix: required(OUTPUT.tablePrefix),
    ...(Object.fromEntries(Object.entries(optional).filter(([, value]) => value)) as Partial<Record<keyof typeof optional, string>>),
    deadLetterQueues: parsed.data,
  };
}

/** The value of `export NAME=value` in a shell file such as `.local/env`; undefined if absent. */
function envFileValue(file: string, name: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`export ${name}=`));
  return line?.slice(`export ${name}=`.length);
}
