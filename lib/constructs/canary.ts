import { Duration } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { COUNTER_KEY } from '../../lambdas/adapters/dynamo-incident-repository';
import { configKey } from '../../lambdas/adapters/config-items';
import { ENV } from '../../lambdas/config/env';
import { MAINTENANCE_INDEX } from '../../lambdas/config/tables';
import { CANARY_SERVICE, CANARY_TEAM } from '../../lambdas/domain/canary/canary-service';
import { email } from '../../lambdas/domain/oncall/schedule-config';
import { grantEscalations } from './grants';
import { scheduledWorkflowFunction, type ScheduledWorkflowProps } from './scheduled-function';

/** Three intervals fit CloudWatch's one-day evaluation window. */
const MAX_INTERVAL_MINUTES = 480;

export interface CanaryProps extends ScheduledWorkflowProps {
  /** Where its pages go. */
  readonly address: string;
  /** How often it runs. */
  readonly interval: Duration;
}

/** DynamoDB actions on the items whose partition key is one of `keys`, and no other. */
const onKeys = (grantee: IGrantable, actions: string[], tableArn: string, keys: string[]) =>
  Grant.addToPrincipal({ grantee, actions, resourceArns: [tableArn], conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': keys } } });

/**
 * The canary: a scheduled function that raises an incident on the canary service, waits for its page and
 * resolves it. Its role may do that and no more: write its own service and team items (by key), number
 * incidents (the counter, by key), read the maintenance windows (their index), create, resolve and delete
 * incidents with their dedup locks and created events, start and stop escalations. It announces nothing and
 * invalidates no status page: its service is on none and no webhook may name it.
 */
export class Canary extends Construct {
  readonly function: NodejsFunction;
  readonly interval: Duration;

  constructor(scope: Construct, id: string, { address, interval, ...props }: CanaryProps) {
    super(scope, id);
    // Its alarm looks at three intervals, and CloudWatch at one day at most.
    const minutes = interval.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_INTERVAL_MINUTES) {
      throw new Error(`canaryIntervalMinutes must be a whole number of minutes from 1 to ${MAX_INTERVAL_MINUTES}, not ${minutes}`);
    }
    if (!email.safeParse(address).success) throw new Error(`canaryAddress must be an email address, not ${address}`);
    this.interval = interval;
    this.function = scheduledWorkflowFunction(this, 'canary', 'lambdas/handlers/canary.ts', interval, props, {
      // The page may take a cold notifier's start; the run gives up on it after a minute.
      timeout: Duration.minutes(2),
      environment: { [ENV.canaryAddress]: address },
    });
    const fn = this.function;
    const { services, config, incidents, dedup, events } = props.tables;
    onKeys(fn, ['dynamodb:GetItem', 'dynamodb:PutItem'], services.tableArn, [CANARY_SERVICE]);
    onKeys(fn, ['dynamodb:PutItem'], config.tableArn, [configKey.team(CANARY_TEAM)]);
    onKeys(fn, ['dynamodb:UpdateItem'], config.tableArn, [COUNTER_KEY]);
    Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:Query'], resourceArns: [`${config.tableArn}/index/${MAINTENANCE_INDEX}`] });
    Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resourceArns: [incidents.tableArn] });
    Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resourceArns: [dedup.tableArn] });
    Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:PutItem'], resourceArns: [events.tableArn] });
    grantEscalations(fn, props.escalation);
  }
}
