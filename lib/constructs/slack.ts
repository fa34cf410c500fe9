import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/config/env';
import { TABLE_ENV, TABLE_IDS, type TableId } from '../../lambdas/config/tables';
import { grantRaiseAndAct, workflowEnvironment } from './grants';
import { addApiRoutes } from './incident-api';
import { inResponseFunction } from './inresponse-function';

export interface SlackChannelProps {
  readonly api: HttpApi;
  readonly tables: Readonly<Record<TableId, ITable>>;
  readonly escalation: StateMachine;
  /** The announcement state machine: webhooks hear of the claims and resolves made in Slack. */
  readonly announcement: StateMachine;
  /** The notifier, which posts pages to Slack. */
  readonly notifier: NodejsFunction;
  /** The announcer, which updates an incident's Slack messages after a claim or resolve made anywhere. */
  readonly announcer: NodejsFunction;
}

/**
 * Slack: the secret of the Slack app (JSON `{"botToken":"xoxb-…","signingSecret":"…"}`, put there by the
 * operator), readable by the notifier, which posts pages, by the function behind `POST /slack/actions`, which
 * takes the Claim and Resolve buttons, and by the announcer, which updates the messages after a claim or resolve
 * made anywhere; nothing else may read it.
 */
export class SlackChannel extends Construct {
  readonly secret: Secret;
  readonly actions: NodejsFunction;

  constructor(scope: Construct, id: string, { api, tables, escalation, announcement, notifier, announcer }: SlackChannelProps) {
    super(scope, id);
    // Created with a random value that is not JSON: until the operator fills it, the functions log an error
    // saying what to put there (the notifier goes on paging by email and SMS).
    this.secret = new Secret(this, 'Secret', {
      description: 'InResponse: the Slack app, as JSON {"botToken":"xoxb-...","signingSecret":"..."}; put by the operator',
    });
    NagSuppressions.addResourceSuppressions(this.secret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Both values are issued by Slack, not by AWS: the operator rotates them in the Slack app settings (reinstall for a new bot token, regenerate the signing secret) and puts the new JSON with aws secretsmanager put-secret-value; no rotation Lambda can ask Slack for them.',
      },
    ]);
    this.actions = inResponseFunction(this, 'slackActions', {
      entry: 'lambdas/handlers/slack-actions.ts',
      environment: {
        ...Object.fromEntries(TABLE_IDS.map((tableId) => [TABLE_ENV[tableId], tables[tableId].tableName])),
        ...workflowEnvironment(escalation, announcement),
        [ENV.slackSecretArn]: this.secret.secretArn,
      },
    });
    // Claims and resolves as the linked person (a resolve releases the dedup lock and records the event), reads people.
    grantRaiseAndAct(this.actions, tables, escalation, announcement);
    this.secret.grantRead(this.actions);
    addApiRoutes(api, 'slackActions', this.actions);

    for (const reader of [notifier, announcer]) {
      reader.addEnvironment(ENV.slackSecretArn, this.secret.secretArn);
      this.secret.grantRead(reader);
    }
  }
}
