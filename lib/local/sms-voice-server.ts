import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from './server-guard';
import { RecordingStandIn } from './recording-stand-in';

/** One message the stand-in took, as the real service would have sent it. */
export interface RecordedSms {
  readonly messageId: string;
  readonly operation: 'SendTextMessage' | 'SendVoiceMessage';
  readonly at: string;
  /** The request as the SDK sent it: DestinationPhoneNumber, OriginationIdentity, MessageBody, ... */
  readonly request: Readonly<Record<string, unknown>>;
}

/** The service's request limit is far below this; anything larger is refused unread. */
const MAX_REQUEST_BYTES = 256 * 1024;
const TARGET_PREFIX = 'PinpointSMSVoiceV2.';

/**
 * A local stand-in for AWS End User Messaging SMS and Voice v2, which no emulator covers: the AWS JSON 1.0
 * protocol (`POST /` with `X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage` or `.SendVoiceMessage`), answered
 * with a `MessageId` as the service answers, so that the unchanged SDK client talks to it. It records what it
 * took; `GET /messages` lists it, newest first.
 */
export class SmsVoiceServer extends RecordingStandIn<RecordedSms> {

  /**
   * `onTwoWay` takes what a person's phone sends back: `POST /two-way` with the JSON message AWS publishes to
   * the number's two-way SNS topic, handed over as that message's text. `onSent` is told of each message
   * taken, once answered: what AWS would report of it comes from there.
   */
  constructor(
    private readonly onTwoWay?: (message: string) => Promise<void>,
    private readonly onSent?: (sms: RecordedSms) => void,
  ) {
    super();
  }



  protected async take(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBoundedBody(req, MAX_REQUEST_BYTES);
    if (req.method === 'POST' && req.url === '/two-way' && this.onTwoWay && body !== 'too large') {
      await this.onTwoWay(body.toString('utf8'));
      return answer(res, 202, {});
    }
    const operation = String(req.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
    if (body === 'too large') return answer(res, 413, { __type: 'ValidationException', message: 'request too large' });
    if (operation !== 'SendTextMessage' && operation !== 'SendVoiceMessage') {
      return answer(res, 400, { __type: 'UnknownOperationException', message: `operation ${operation} is not emulated` });
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return answer(res, 400, { __type: 'ValidationException', message: 'the body is not JSON' });
    }
    if (typeof request.DestinationPhoneNumber !== 'string' || !/^\+[1-9]\d{6,14}$/.test(request.DestinationPhoneNumber)) {
      return answer(res, 400, { __type: 'ValidationException', message: 'DestinationPhoneNumber must be an E.164 number' });
    }
    const messageId = randomUUID();
    const sms: RecordedSms = { messageId, operation, at: new Date().toISOString(), request };
    this.records.push(sms);
    answer(res, 200, { MessageId: messageId });
    this.onSent?.(sms);
  }
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const type = typeof body.__type === 'string' ? { 'x-amzn-errortype': body.__type } : {};
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...type });
  res.end(JSON.stringify(body));
}
