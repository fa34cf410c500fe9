import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export interface InResponseFunctionProps {
  /** The handler file, relative to the repository root. */
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  /** For asynchronous invocations: events that failed every retry are kept in an SQS queue. */
  readonly deadLetterQueue?: boolean;
}

/** A Lambda function of InResponse: bundled by esbuild (no Docker), nodejs22.x on arm64, logs kept a month. */
export function inResponseFunction(scope: Construct, id: string, props: InResponseFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: repoPath(props.entry),
    projectRoot: repoPath(''),
    depsLockFilePath: repoPath('package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: props.timeout ?? Duration.seconds(10),
    ...(props.deadLetterQueue ? { deadLetterQueueEnabled: true } : {}),
    environment: { ...props.environment, POWERTOOLS_SERVICE_NAME: id, POWERTOOLS_LOG_LEVEL: 'INFO' },
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    bundling: {
      format: OutputFormat.CJS,
      target: 'node22',
      minify: true,
      sourceMap: true,
      // Bundle the SDK versions this code is tested with rather than the runtime's.
      externalModules: [],
    },
  });
}
