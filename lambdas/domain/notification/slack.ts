import { LINK_ACTIONS, type LinkAction } from '../access/action-links';
import type { Incident } from '../incident/incident';
import { fitCharacters } from '../shared/text';
import type { NotifyResult } from './notification';

/** Text of a Block Kit element: Slack's own markup (mrkdwn) or plain text. */
export interface SlackText {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
}

/** A button of a page: its `action_id` says what it does, its `value` names the incident. */
export interface SlackButton {
  readonly type: 'button';
  readonly action_id: LinkAction;
  readonly text: SlackText;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
}

/** The Block Kit blocks a page is made of. */
export type SlackBlock =
  | { readonly type: 'section'; readonly text: SlackText }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'actions'; readonly block_id: string; readonly elements: readonly SlackButton[] };

/** A Slack message: the blocks, and the text that notifications and screen readers show instead. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/**
 * Posts and edits Slack messages (Slack's Web API in AWS, a stand-in locally). A message is named by
 * `<conversation>/<ts>`, as {@link post} answers it and the timeline records it.
 */
export interface SlackMessages {
  /** Posts to a channel, or as a direct message to a user id; never throws for a delivery failure. */
  post(conversation: string, message: SlackMessage): Promise<NotifyResult>;
  /** Replaces a message already posted. */
  update(messageId: string, message: SlackMessage): Promise<void>;
  /** A message only `user` sees, in `conversation`. */
  postEphemeral(conversation: string, user: string, text: string): Promise<void>;
}

/** The id of a posted message, `<conversation>/<ts>`: all that `chat.update` needs to find it again. */
export const slackMessageId = (conversation: string, ts: string): string => `${conversation}/${ts}`;

/** The conversation and ts of a message id, or undefined when it is not one. */
export function parseSlackMessageId(messageId: string): { readonly conversation: string; readonly ts: string } | undefined {
  const match = /^([A-Z0-9]+)\/(\d+\.\d+)$/.exec(messageId);
  return match ? { conversation: match[1]!, ts: match[2]! } : undefined;
}

/** Section text may be 3,000 characters; the rest of the message is in the incident. */
const MAX_SECTION_CHARACTERS = 2_900;

/** Text made safe in mrkdwn: Slack reads `&`, `<` and `>` as markup. */
export const escapeMrkdwn = (text: string): string => text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/**
 * A time as Slack shows it in each reader's own time zone (`<!date^…^{time}|…>`), with UTC as the fallback
 * for clients that cannot.
 */
function slackTime(iso: string): string {
  const ms = Date.parse(iso);
  return `<!date^${Math.floor(ms / 1000)}^{time}|${new Date(ms).toISOString().slice(11, 16)} UTC>`;
}

/**
 * Where the incident stands, in a line: "Claimed by Safeer at 10:04". `nameOf` turns the email address the
 * incident records into the name to show (the address itself when the person is not known).
 */
export function slackStateLine(incident: Incident, nameOf: (email: string) => string = (email) => email): string {
  if (incident.state === 'RESOLVED') return `Resolved by ${escapeMrkdwn(nameOf(incident.resolvedBy ?? '?'))} at ${slackTime(incident.resolvedAt ?? incident.updatedAt ?? '')}`;
  if (incident.state === 'CLAIMED') return `Claimed by ${escapeMrkdwn(nameOf(incident.claimedBy ?? '?'))} at ${slackTime(incident.claimedAt ?? incident.updatedAt ?? '')}`;
  return 'Open: nobody has claimed it yet';
}

const BUTTON_LABELS: Readonly<Record<LinkAction, Pick<SlackButton, 'text' | 'style'>>> = {
  claim: { text: { type: 'plain_text', text: 'Claim' }, style: 'primary' },
  resolve: { text: { type: 'plain_text', text: 'Resolve' }, style: 'danger' },
};

/** What may still be done to an incident in this state: claim and resolve while open, resolve while claimed. */
const actionsIn = (incident: Incident): readonly LinkAction[] =>
  incident.state === 'OPEN' ? LINK_ACTIONS : incident.state === 'CLAIMED' ? ['resolve'] : [];

/**
 * A page as a Slack message: the incident's title and facts, its message, where it stands, and the buttons
 * of what can still be done (Claim and Resolve while open). Rendered again, with the same function, each
 * time the incident changes, so every copy shows the same state.
 */
export function renderSlackPage(incident: Incident, nameOf?: (email: string) => string): SlackMessage {
  const headline = `[${incident.severity}] #${incident.number} ${incident.title.replace(/\s+/g, ' ').trim()}`;
  // Identifiers, an enum and numbers: nothing in the facts needs escaping.
  const facts = `Service: ${incident.service} · Severity: ${incident.severity} · Occurrences: ${incident.occurrences} · Detected: ${slackTime(incident.detectedAt)}`;
  const state = slackStateLine(incident, nameOf);
  const actions = actionsIn(incident);
  const blocks: SlackBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(fitCharacters(headline, MAX_SECTION_CHARACTERS - 200))}*\n${facts}` } },
    ...(incident.message.trim() ? [{ type: 'section' as const, text: { type: 'plain_text' as const, text: fitCharacters(incident.message, MAX_SECTION_CHARACTERS) } }] : []),
    { type: 'context', elements: [{ type: 'mrkdwn', text: state }] },
    ...(actions.length
      ? [{ type: 'actions' as const, block_id: `incident-${incident.number}`, elements: actions.map((action): SlackButton => ({ type: 'button', action_id: action, value: String(incident.number), ...BUTTON_LABELS[action] })) }]
      : []),
  ];
  return { text: fitCharacters(`${headline} (${incident.service}): ${incident.state.toLowerCase()}`, MAX_SECTION_CHARACTERS), blocks };
}
