import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { tracingEnabled } from './tracing';
import { METRICS_NAMESPACE_ENV, metricsNamespaceOf } from '../../lambdas/config/metrics';

/** The namespace of the stack's own metrics. */
export const metricsNamespace = (scope: Construct): string => metricsNamespaceOf(Stack.of(scope).stackName);

const repoPath = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * One minified ES module per function (index.mjs), holding what its handler imports: from ES module builds
 * esbuild drops the unused parts of the SDK that their CommonJS builds keep (the incident processor's bundle:
 * 1,215 KB as CommonJS, 929 KB as ESM). Load time follows size: V8 parses the whole file at every cold start.
 * package.json's `sideEffects` declares the modules outside bin/, lib/ and test/ (the Lambda code) free of
 * import side effects, so that a bundle also leaves out the adapters the shared composition root imports but
 * its function never uses (the mail parser, ~1 MB, in every function but email-to-alert).
 */
const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  // ES module builds first, where a package has both (the SDK, Powertools).
  mainFields: ['module', 'main'],
  target: 'node22',
  minify: true,
  // CommonJS dependencies (mailparser's) require Node built-ins, which an ES module has no `require` for.
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  // Beside the bundle, without the sources. Not loaded at run time: NODE_OPTIONS=--enable-source-maps would
  // make Node read it at every cold start (measured ~20 ms); set it on a function to debug a stack trace.
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  esbuildArgs: {
    '--tree-shaking': 'true',
    // Credentials from the environment only, as Lambda provides them (see lambda-credentials.ts).
    '--alias:@aws-sdk/credential-provider-node': './lambdas/adapters/lambda-credentials.ts',
  },
  // Bundle the SDK versions this code is tested with rather than the runtime's; bundled and minified, it also
  // loads faster than an unbundled copy like the runtime's (the incident processor: ~100 ms against ~340 ms).
  externalModules: [],
};

export interface InResponseFunctionProps {
  /** The handler file, relative to the repository root. */
  readonly entry: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  /** For asynchronous invocations: events that failed every retry are kept in an SQS queue. */
  readonly deadLetterQueue?: boolean;
}

/**
 * A Lambda function of InResponse: bundled by esbuild (no Docker), nodejs22.x on arm64, logs kept a month in
 * its own log group, which its role may write to and no other. X-Ray active tracing with the `tracing` context.
 */
export function inResponseFunction(scope: Construct, id: string, props: InResponseFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  // Instead of AWSLambdaBasicExecutionRole, which allows writing to every log group of the account.
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const tracing = tracingEnabled(scope);
  const fn = new NodejsFunction(scope, id, {
    entry: repoPath(props.entry),
    projectRoot: repoPath(''),
    depsLockFilePath: repoPath('package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: props.timeout ?? Duration.seconds(10),
    role,
    ...(props.deadLetterQueue ? { deadLetterQueueEnabled: true } : {}),
    ...(tracing ? { tracing: Tracing.ACTIVE } : {}),
    environment: { ...props.environment, POWERTOOLS_SERVICE_NAME: id, POWERTOOLS_LOG_LEVEL: 'INFO', [METRICS_NAMESPACE_ENV]: metricsNamespace(scope) },
    logGroup,
    bundling: BUNDLING,
  });
  if (fn.deadLetterQueue) {
    // What `enforceSSL: true` adds to a queue, on the queue the function made itself, so that its logical id
    // (and any event kept in it) survives this change.
    fn.deadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['sqs:*'],
        resources: [fn.deadLetterQueue.queueArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  }
  NagSuppressions.addResourceSuppressions(
    fn,
    [
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x is deliberate: the local runtime and the tests run on Node 20, and 22 is the nearest Lambda runtime to it; the code must run on both, so it moves to a newer runtime when the local one does.',
      },
    ],
  );
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "DynamoDB grants include the table's global secondary indexes (<table>/index/*), which the list queries read; the index names are fixed by the shared table definitions.",
        appliesTo: [{ regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>\\/index\\/\\*$/' }],
      },
      ...(tracing
        ? [
            {
              id: 'AwsSolutions-IAM5',
              reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords allow no resource but "*".',
              appliesTo: ['Resource::*'],
            },
          ]
        : []),
    ],
    true,
  );
  return fn;
}
