import * as z from 'zod';
import { LINK_ACTIONS } from '../domain/access/action-links';
import type { SlackButtonClick } from '../domain/notification/slack-messages';
import { ValidationError } from '../domain/shared/errors';
import { parseInput } from '../domain/shared/validation';

/**
 * The part of Slack's `block_actions` interaction payload a page's button click needs: who clicked, which
 * message, and the button (its action_id is the action, its value the incident number). Slack sends much
 * more; the rest is ignored.
 */
const buttonClickSchema = z.object({
  payload: z.object({
    type: z.literal('block_actions'),
    user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id') }),
    container: z.object({ channel_id: z.string().regex(/^[A-Z0-9]{3,24}$/), message_ts: z.string().regex(/^\d+\.\d+$/) }),
    actions: z
      .array(z.object({ action_id: z.enum(LINK_ACTIONS), value: z.string().regex(/^\d{1,12}$/, 'must be an incident number') }))
      .length(1),
  }),
});

/**
 * The button click in an interactivity request's body (`payload=<json>`, form-encoded), or a
 * {@link ValidationError} naming the field at fault (`payload.actions.0.action_id`, say).
 */
export function slackButtonClickOf(rawBody: Buffer): SlackButtonClick {
  const payload = new URLSearchParams(rawBody.toString('utf8')).get('payload');
  if (payload === null) throw new ValidationError('the body has no payload', [{ field: 'payload', problem: 'is required (form-encoded payload=<json>)' }]);
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (error) {
    throw new ValidationError('the payload is not JSON', [{ field: 'payload', problem: 'is not valid JSON' }], { cause: error });
  }
  const { payload: click } = parseInput(buttonClickSchema, { payload: json }, 'Slack interaction');
  const [action] = click.actions;
  return {
    user: click.user.id,
    action: action!.action_id,
    incident: Number(action!.value),
    conversation: click.container.channel_id,
    messageTs: click.container.message_ts,
  };
}
