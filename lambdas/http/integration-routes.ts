import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { hasValidSnsSignature, isSnsUrl, snsMessageSchema, type SnsHttps } from '../adapters/sns-https';
import { API_KEY_HEADER, authenticate, type Principal } from '../domain/access/access';
import { SEVERITIES, type Severity } from '../domain/incident/incident';
import { actionsOfAlerts, alertmanagerPayloadSchema, grafanaPayloadSchema } from '../domain/integrations/alert-webhooks';
import { actionOfAlarm, alarmOf } from '../domain/integrations/cloudwatch-alarms';
import { applyActions, recordingRefusals, type IntegrationDeps } from '../domain/integrations/integration-use-case';
import { actionOfPagerDutyEvent, generatedDedupKey, PAGERDUTY_SOURCE, pagerDutyEventSchema, pagerDutyRoutingKeySchema } from '../domain/integrations/pagerduty-events';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';
import { httpEdge, parseJsonBody, type ApiHandler, type ClientErrorAnswer, type HttpResult } from './api';

/**
 * The integrations edge: the wire formats of monitoring systems (Alertmanager and Grafana webhooks,
 * PagerDuty's Events API v2, CloudWatch alarms through SNS), where each sender's key is found, and how each
 * expects to be answered. What the events do is the integrations use case's.
 */

export interface IntegrationRoutesDeps {
  readonly integrations: IntegrationDeps;
  readonly sns: SnsHttps;
  readonly logger: Logger;
}

type IntegrationPrincipal = Extract<Principal, { role: 'integration' }>;

/** The key of a webhook: in the path, as a bearer token, or in `x-api-key`. */
function presentedKey(event: APIGatewayProxyEventV2): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(event.headers.authorization ?? '')?.[1];
  return event.pathParameters?.key ?? bearer ?? event.headers[API_KEY_HEADER];
}

/** PagerDuty's body for an invalid event. */
const pagerDutyInvalid = (errors: readonly string[]) => ({ status: 'invalid event', message: 'Event object is invalid', errors });

/** PagerDuty's answer to an invalid event: 400 with its errors as sentences. */
const pagerDutyError: ClientErrorAnswer = (error) => ({
  status: 400,
  body: pagerDutyInvalid(error.details.length ? error.details.map((d) => `${d.field} ${d.problem}`) : [error.message]),
});

/** The text/plain SNS posts, or JSON. */
const SNS_MEDIA_TYPES = /^(text\/plain|application\/json)$/i;

/**
 * The routes of native payloads of monitoring systems: Alertmanager and Grafana webhooks, PagerDuty's Events API v2, and
 * CloudWatch alarms through SNS. Each maps to the same actions (open or join, resolve, acknowledge) for the
 * service of the integration key, and every request's outcome goes to the event record.
 */
export function createIntegrationRoutes({ integrations, sns, logger }: IntegrationRoutesDeps): ApiHandler {
  const now = () => integrations.incidents.clock();

  /**
   * Runs a route, which authenticates the sender's key where it finds it; a refused request is recorded with
   * its reason, under the key's service once the key is known, then answered.
   */
  const recorded =
    (source: string, route: (event: APIGatewayProxyEventV2, authenticated: (key: string | undefined) => Promise<IntegrationPrincipal>) => Promise<HttpResult>) =>
    (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
      let principal: Principal | undefined;
      const authenticated = async (key: string | undefined) => {
        principal = await authenticate((hash) => integrations.incidents.directory.findPrincipal(hash), key);
        if (principal.role !== 'integration') {
          throw new ForbiddenError('a responder key cannot send events; use an integration key of the service', [{ field: 'key', problem: 'is a responder key' }]);
        }
        return principal;
      };
      return recordingRefusals(integrations.events, now, source, () => principal, () => route(event, authenticated));
    };

  /** Records a request that asks for nothing (a subscription confirmed, an alarm without data). */
  const recordIgnored = (principal: IntegrationPrincipal, source: string, reason: string, summary?: string) =>
    integrations.events.record({ at: now().toISOString(), service: principal.service, source, outcome: 'ignored', reason, ...(summary ? { summary } : {}), from: principal.name });

  const alertWebhook = (source: 'alertmanager' | 'grafana') =>
    recorded(source, async (event, authenticated) => {
      const principal = await authenticated(presentedKey(event));
      const payload = parseJsonBody(event, source === 'alertmanager' ? alertmanagerPayloadSchema : grafanaPayloadSchema);
      const results = await applyActions(integrations, principal, source, actionsOfAlerts(source, principal.service, payload.alerts, now()));
      return { status: 200, body: { results } };
    });

  const pagerDuty = recorded(PAGERDUTY_SOURCE, async (event, authenticated) => {
    // The key is in the body: read first on its own, so that an invalid event is recorded under its service.
    const raw = parseJsonBody(event, pagerDutyRoutingKeySchema);
    const principal = await authenticated(raw.routing_key);
    const body = parseInput(pagerDutyEventSchema, raw, 'request body');
    const dedupKey = body.dedup_key ?? generatedDedupKey();
    const [result] = await applyActions(integrations, principal, PAGERDUTY_SOURCE, [actionOfPagerDutyEvent(body, principal.service, dedupKey, now())]);
    // Already recorded as rejected: answered here rather than thrown, so it is not recorded twice.
    if (result!.outcome === 'rejected') return { status: 400, body: pagerDutyInvalid([result!.reason!]) };
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  });

  const cloudWatch = recorded('cloudwatch', async (event, authenticated) => {
    const principal = await authenticated(presentedKey(event));
    const message = parseJsonBody(event, snsMessageSchema, SNS_MEDIA_TYPES);
    if (!isSnsUrl(message.SigningCertURL)) {
      throw new ForbiddenError('the signing certificate is not at an SNS host', [{ field: 'SigningCertURL', problem: 'must be an https URL of sns.<region>.amazonaws.com' }]);
    }
    if (!hasValidSnsSignature(message, await sns.certificate(message.SigningCertURL))) {
      throw new ForbiddenError('the SNS signature does not verify', [{ field: 'Signature', problem: 'does not verify with the signing certificate' }]);
    }
    if (message.Type === 'SubscriptionConfirmation') {
      if (!message.SubscribeURL || !isSnsUrl(message.SubscribeURL)) {
        throw new ForbiddenError('the subscription URL is not at an SNS host', [{ field: 'SubscribeURL', problem: 'must be an https URL of sns.<region>.amazonaws.com' }]);
      }
      await sns.confirmSubscription(message.SubscribeURL);
      await recordIgnored(principal, 'cloudwatch', `subscription to ${message.TopicArn} confirmed`);
      return { status: 200, body: { confirmed: message.TopicArn } };
    }
    if (message.Type === 'UnsubscribeConfirmation') return { status: 200, body: { results: [] } };
    const severity = severityParameter(event);
    const alarm = alarmOf(message.Message);
    const action = actionOfAlarm(alarm, principal.service, severity, now());
    if (!action) {
      await recordIgnored(principal, 'cloudwatch', `alarm ${alarm.AlarmName} is ${alarm.NewStateValue}`, alarm.AlarmName);
      return { status: 200, body: { results: [] } };
    }
    return { status: 200, body: { results: await applyActions(integrations, principal, 'cloudwatch', [action]) } };
  });

  const alertmanager = alertWebhook('alertmanager');
  const grafana = alertWebhook('grafana');
  const routes: Readonly<Record<string, (event: APIGatewayProxyEventV2) => Promise<HttpResult>>> = {
    'POST /integrations/alertmanager': alertmanager,
    'POST /integrations/alertmanager/{key}': alertmanager,
    'POST /integrations/grafana': grafana,
    'POST /integrations/grafana/{key}': grafana,
    'POST /integrations/cloudwatch/{key}': cloudWatch,
  };
  const webhooks = httpEdge(logger, async (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`no route ${event.routeKey}`);
    return route(event);
  });
  const pagerDutyEdge = httpEdge(logger, pagerDuty, pagerDutyError);
  return (event, context) => (event.routeKey === 'POST /v2/enqueue' ? pagerDutyEdge(event, context) : webhooks(event, context));
}

/** The severity of a CloudWatch subscription's alarms: `?severity=` on its URL, CRIT by default. */
function severityParameter(event: APIGatewayProxyEventV2): Severity {
  const value = (event.queryStringParameters?.severity ?? 'CRIT').toUpperCase();
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw new ValidationError(`unknown severity ${value}`, [{ field: 'severity', problem: `must be one of ${SEVERITIES.join(', ')}` }]);
  }
  return value as Severity;
}
