import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { verifyActionLink } from '../domain/access/action-links';
import { ClientError, NotFoundError } from '../domain/shared/errors';
import { actOnIncident, type IncidentUseCaseDeps } from '../domain/incident/incident-use-cases';
import { escapeHtml, renderConfirmation } from '../domain/notification/notification';
import { statusOf, type HttpResult } from './api';

const page = (status: number, title: string, text: string): HttpResult => ({
  status,
  body: undefined,
  html: `<!doctype html><html><body style="font-family:sans-serif"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(text)}</p></body></html>`,
});

/**
 * `GET /actions/{token}` shows what the link would do, with a button; `POST` does it. A mail scanner that
 * fetches every link in a page therefore never acknowledges anything. The token is the credential: it names
 * the incident, the action and the recipient, is signed, and expires.
 */
export async function handleActionLink(
  event: APIGatewayProxyEventV2,
  useCases: IncidentUseCaseDeps,
  linkSecret: string,
): Promise<HttpResult> {
  try {
    const link = verifyActionLink(event.pathParameters?.token ?? '', linkSecret, useCases.clock());
    if (event.requestContext.http.method === 'GET') {
      const incident = await useCases.incidents.get(link.incident);
      if (!incident) throw new NotFoundError(`incident #${link.incident} does not exist`);
      return { status: 200, body: undefined, html: renderConfirmation(incident, link.action, link.by, event.rawPath), incidentNumber: link.incident };
    }
    const incident = await actOnIncident(useCases, { name: link.by, role: 'responder' }, link.incident, { action: link.action, by: link.by });
    const done = link.action === 'claim' ? `Claimed by ${incident.claimedBy}` : `Resolved by ${incident.resolvedBy}`;
    return { ...page(200, `#${incident.number} ${incident.title}`, `${done}. No further pages will be sent.`), incidentNumber: incident.number };
  } catch (error) {
    if (error instanceof ClientError) return page(statusOf(error), 'Nothing was changed', error.message);
    throw error;
  }
}
