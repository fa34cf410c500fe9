import { LIMITS } from '../../config/limits';
import type { IncidentEvent, IncidentLink, Severity } from '../incident/incident';
import { boundWithMarker, fitLine } from '../shared/text';

/**
 * What an event from a monitoring system asks for, whatever its format: open (or join) an incident, or
 * resolve or acknowledge the incident of a dedup key.
 */
export type InboundAction =
  | { readonly kind: 'trigger'; readonly event: IncidentEvent }
  | { readonly kind: 'resolve' | 'acknowledge'; readonly dedupKey: string; readonly summary: string };

/** The severity of a `severity` label or field: critical → CRIT, error → ERR, anything else → WARN. */
export function severityOfLabel(value: string | undefined): Severity {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'critical' || v === 'crit' || v === 'page') return 'CRIT';
  if (v === 'error' || v === 'err' || v === 'high') return 'ERR';
  return 'WARN';
}

export const fitTitle = (text: string) => fitLine(text, LIMITS.maxTitleBytes, '(untitled alert)');
export const fitMessage = (text: string) => boundWithMarker(text.trim() || '(no details)', LIMITS.maxMessageBytes);

/** Links worth keeping: http(s) URLs, each once, at most ten. */
export function keptLinks(links: readonly (IncidentLink | undefined)[]): IncidentLink[] {
  const seen = new Set<string>();
  return links
    .filter((link): link is IncidentLink => !!link && /^https?:\/\//i.test(link.href) && link.href.length <= 2048)
    .filter((link) => !seen.has(link.href) && seen.add(link.href))
    .slice(0, 10);
}

/** `name: value` lines of a string map, sorted by name. */
export const describeMap = (map: Readonly<Record<string, string>>) =>
  Object.keys(map)
    .sort()
    .map((k) => `${k}: ${map[k]}`)
    .join('\n');
