/** The Lambda functions behind the HTTP API. */
export type ApiFunctionId = 'incidentProcessor' | 'incidentQuery' | 'integrations' | 'slackActions' | 'console';

export interface ApiRoute {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** API Gateway route path, with `{name}` path parameters. */
  readonly path: string;
  readonly function: ApiFunctionId;
}

/**
 * The HTTP API's routes, defined once for the CDK stack and the local gateway. Reads go to a function that
 * has read-only table access; writes to the incident processor.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'PUT', path: '/incidents', function: 'incidentProcessor' },
  { method: 'POST', path: '/incidents/{number}', function: 'incidentProcessor' },
  { method: 'GET', path: '/incidents', function: 'incidentQuery' },
  { method: 'GET', path: '/incidents/{number}', function: 'incidentQuery' },
  { method: 'GET', path: '/events', function: 'incidentQuery' },
  // On call: who is on call, final shifts, overrides (made through the API, kept by config apply), preview.
  { method: 'GET', path: '/oncall', function: 'incidentQuery' },
  { method: 'GET', path: '/schedules/{team}/{schedule}/shifts', function: 'incidentQuery' },
  { method: 'GET', path: '/schedules/{team}/{schedule}/overrides', function: 'incidentQuery' },
  { method: 'POST', path: '/schedules/{team}/{schedule}/overrides', function: 'incidentProcessor' },
  { method: 'DELETE', path: '/schedules/{team}/{schedule}/overrides/{id}', function: 'incidentProcessor' },
  { method: 'GET', path: '/services/{service}/escalation-preview', function: 'incidentQuery' },
  // Calendar feeds: made and revoked with a responder key, read by calendar apps with the token in the URL.
  { method: 'POST', path: '/ical-feeds', function: 'incidentProcessor' },
  { method: 'GET', path: '/ical-feeds', function: 'incidentQuery' },
  { method: 'DELETE', path: '/ical-feeds/{id}', function: 'incidentProcessor' },
  { method: 'GET', path: '/ical/{token}', function: 'incidentQuery' },
  // Heartbeats: pinged by cron jobs and uptime tools with the monitor's token in the path; listed with a responder key.
  { method: 'GET', path: '/heartbeats/{token}', function: 'incidentProcessor' },
  { method: 'POST', path: '/heartbeats/{token}', function: 'incidentProcessor' },
  { method: 'HEAD', path: '/heartbeats/{token}', function: 'incidentProcessor' },
  { method: 'GET', path: '/heartbeats', function: 'incidentQuery' },
  // Maintenance windows: started for a while (responder key), listed, ended early.
  { method: 'POST', path: '/maintenance', function: 'incidentProcessor' },
  { method: 'GET', path: '/maintenance', function: 'incidentQuery' },
  { method: 'POST', path: '/maintenance/{id}/end', function: 'incidentProcessor' },
  // Status pages: responders' updates and overrides (responder key); pages listed with their statuses, for the console.
  { method: 'GET', path: '/status-pages', function: 'incidentQuery' },
  { method: 'GET', path: '/status-pages/{page}/updates', function: 'incidentQuery' },
  { method: 'POST', path: '/status-pages/{page}/updates', function: 'incidentProcessor' },
  { method: 'POST', path: '/status-pages/{page}/components/{component}/override', function: 'incidentProcessor' },
  { method: 'DELETE', path: '/status-pages/{page}/components/{component}/override', function: 'incidentProcessor' },
  // Signed links in pages: GET shows a confirmation page, only its button's POST acts.
  { method: 'GET', path: '/actions/{token}', function: 'incidentProcessor' },
  { method: 'POST', path: '/actions/{token}', function: 'incidentProcessor' },
  // Monitoring systems in their own formats; the key in a header or, for senders that cannot set one, the path.
  { method: 'POST', path: '/integrations/alertmanager', function: 'integrations' },
  { method: 'POST', path: '/integrations/alertmanager/{key}', function: 'integrations' },
  { method: 'POST', path: '/integrations/grafana', function: 'integrations' },
  { method: 'POST', path: '/integrations/grafana/{key}', function: 'integrations' },
  { method: 'POST', path: '/integrations/cloudwatch/{key}', function: 'integrations' },
  // PagerDuty's Events API v2 path, so that its clients need only the host changed.
  { method: 'POST', path: '/v2/enqueue', function: 'integrations' },
  // The Slack app's interactivity URL, where Slack is set up: signed by Slack, no API key.
  { method: 'POST', path: '/slack/actions', function: 'slackActions' },
  // The responder console: HTML pages for people signed in by a mailed link, its session in a cookie.
  { method: 'GET', path: '/console', function: 'console' },
  { method: 'GET', path: '/console/sign-in', function: 'console' },
  { method: 'POST', path: '/console/sign-in', function: 'console' },
  { method: 'GET', path: '/console/auth/{token}', function: 'console' },
  { method: 'POST', path: '/console/auth/{token}', function: 'console' },
  { method: 'POST', path: '/console/sign-out', function: 'console' },
  { method: 'GET', path: '/console/incidents', function: 'console' },
  { method: 'GET', path: '/console/incidents/{number}', function: 'console' },
  { method: 'POST', path: '/console/incidents/{number}', function: 'console' },
  { method: 'GET', path: '/console/oncall', function: 'console' },
  { method: 'GET', path: '/console/schedules/{team}/{schedule}', function: 'console' },
  { method: 'POST', path: '/console/schedules/{team}/{schedule}/overrides', function: 'console' },
  { method: 'GET', path: '/console/maintenance', function: 'console' },
  { method: 'POST', path: '/console/maintenance', function: 'console' },
  { method: 'GET', path: '/console/heartbeats', function: 'console' },
  { method: 'GET', path: '/console/events', function: 'console' },
  { method: 'GET', path: '/console/reports', function: 'console' },
  { method: 'GET', path: '/console/status', function: 'console' },
  { method: 'POST', path: '/console/status/{page}/updates', function: 'console' },
  { method: 'POST', path: '/console/status/{page}/overrides', function: 'console' },
  { method: 'POST', path: '/console/status/{page}/overrides/remove', function: 'console' },
];

export const routeKey = (route: ApiRoute): string => `${route.method} ${route.path}`;
