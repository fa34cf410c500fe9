/**
 * A status page's history as an Atom 1.0 feed (RFC 4287): one entry per responder's update, so that a feed
 * reader shows each "Identified" and "Resolved" as news, and one per maintenance in progress, dated from its
 * start. Scheduled maintenance has no entry until it starts: an entry's date must not move on every render.
 */
import { escapeHtml } from '../notification/notification';
import { feedUrlOf, type StatusPageSnapshot } from './snapshot';
import { UPDATE_STATUS_LABELS } from './status-updates';

/** Characters XML 1.0 does not allow, even escaped: C0 controls but tab and line ends, lone surrogates, U+FFFE, U+FFFF. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of this pattern is to find control characters and strip them
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text made safe in XML content and attribute values. */
export const escapeXml = (text: string) => escapeHtml(text.replace(NOT_XML, ''));

/** An RFC 3339 instant in UTC. */
const rfc3339 = (iso: string) => new Date(Date.parse(iso)).toISOString();

interface Entry {
  readonly id: string;
  readonly title: string;
  readonly updated: string;
  readonly link: string;
  readonly text: string;
  readonly category: string;
}

function entryXml(entry: Entry): string {
  return [
    `<entry><id>${escapeXml(entry.id)}</id><title type="text">${escapeXml(entry.title)}</title>`,
    `<updated>${rfc3339(entry.updated)}</updated><published>${rfc3339(entry.updated)}</published>`,
    `<link rel="alternate" type="text/html" href="${escapeXml(entry.link)}"/><category term="${escapeXml(entry.category)}"/>`,
    `<content type="text">${escapeXml(entry.text)}</content></entry>`,
  ].join('');
}

/** The page's feed: entries newest first. */
export function renderAtomFeed(snapshot: StatusPageSnapshot): string {
  const { page } = snapshot;
  const at = (kind: string, id: string) => `${page.url}#${kind}-${encodeURIComponent(id)}`;
  const names = new Map(snapshot.components.map((c) => [c.id, c.name]));
  const updates = snapshot.incidents.flatMap((incident) =>
    incident.updates.map(
      (u): Entry => ({
        id: at('update', u.id),
        title: `${UPDATE_STATUS_LABELS[u.status]}: ${incident.name}`,
        updated: u.at,
        link: at('incident', incident.id),
        text: u.text,
        category: u.status,
      }),
    ),
  );
  const maintenances = snapshot.maintenances
    .filter((m) => m.status === 'in_progress')
    .map(
      (m): Entry => ({
        id: at('maintenance', m.id),
        title: `Maintenance in progress: ${m.name}`,
        updated: m.from,
        link: at('maintenance', m.id),
        text: `${m.name}\nFrom ${rfc3339(m.from)} to ${rfc3339(m.to)}. Affects ${m.components.map((id) => names.get(id) ?? id).join(', ')}.`,
        category: 'maintenance',
      }),
    );
  const entries = [...updates, ...maintenances].sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated));
  const title = escapeXml(`${page.title} status`);
  return [
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
    `<id>${escapeXml(feedUrlOf(snapshot))}</id><title type="text">${title}</title><updated>${rfc3339(snapshot.generatedAt)}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${escapeXml(feedUrlOf(snapshot))}"/><link rel="alternate" type="text/html" href="${escapeXml(page.url)}"/>`,
    `<author><name>${escapeXml(page.title)}</name></author>`,
    ...entries.map(entryXml),
    '</feed>\n',
  ].join('');
}
