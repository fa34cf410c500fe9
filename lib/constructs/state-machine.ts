import { RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { tracingEnabled } from './tracing';

export interface InResponseStateMachineProps {
  /** The ASL, read from its file: inlined (not an S3 asset) so that the template and its tests hold the states. */
  readonly definition: string;
  readonly substitutions: Readonly<Record<string, string>>;
  /** The one function its tasks invoke. */
  readonly invokes: IFunction;
  /** A name fixed by the stack, for a state machine found by name rather than by reference. */
  readonly stateMachineName?: string;
}

/**
 * A Standard state machine of InResponse (ids `StateMachine` and `Logs` in `scope`): errors logged without
 * execution data, X-Ray with the `tracing` context, allowed to invoke its one function and nothing else.
 */
export function inResponseStateMachine(scope: Construct, { definition, substitutions, invokes, stateMachineName }: InResponseStateMachineProps): StateMachine {
  const tracing = tracingEnabled(scope);
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    definitionBody: DefinitionBody.fromString(definition),
    definitionSubstitutions: { ...substitutions },
    stateMachineType: StateMachineType.STANDARD,
    ...(stateMachineName ? { stateMachineName } : {}),
    // Errors only, without the states' input and output: those carry incident titles and messages.
    logs: {
      destination: new LogGroup(scope, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      level: LogLevel.ERROR,
      includeExecutionData: false,
    },
    ...(tracing ? { tracingEnabled: true } : {}),
  });
  // The definition names the function's unqualified ARN, so no version or alias (`<arn>:*`, which
  // grantInvoke would add) is granted.
  stateMachine.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [invokes.functionArn] }));
  NagSuppressions.addResourceSuppressions(
    stateMachine,
    [
      {
        id: 'AwsSolutions-SF1',
        reason:
          'Logging is on at ERROR level without execution data on purpose: incident titles and messages may be sensitive and stay out of CloudWatch Logs; each execution\'s history stays in Step Functions.',
      },
      ...(tracing
        ? []
        : [
            {
              id: 'AwsSolutions-SF2',
              reason: 'X-Ray tracing is opt-in, with the CDK context tracing=true, which turns it on for the state machine and every function.',
            },
          ]),
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'The log delivery actions that Step Functions logging needs (logs:CreateLogDelivery and the like) and, with tracing, the X-Ray actions allow no resource but "*".',
        appliesTo: ['Resource::*'],
      },
    ],
    true,
  );
  return stateMachine;
}
