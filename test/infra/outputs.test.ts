import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { InResponseStack } from '../../lib/inresponse-stack';
import { OUTPUT } from '../../lib/stack-outputs';

let template: Template;

/** The logical id of the one resource of `type` whose id contains `part`. */
const logicalId = (type: string, part: string) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(part));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(
    new InResponseStack(app, 'Outputs', {
      tablePrefix: 'ops',
      ses: { senderAddress: 'oncall@pager.example.org', senderIdentity: 'pager.example.org' },
      inbound: { domain: 'oncall.example.org' },
      sms: { originationIdentityArn: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef' },
    }),
  );
});

describe('the outputs npx inresponse reads', () => {
  it('name the API, the tables, the SES identity, the receipt rule set and the SMS identity', () => {
    template.hasOutput(OUTPUT.apiUrl, { Value: { 'Fn::GetAtt': [logicalId('AWS::ApiGatewayV2::Api', 'HttpApi'), 'ApiEndpoint'] } });
    template.hasOutput(OUTPUT.tablePrefix, { Value: 'ops' });
    template.hasOutput(OUTPUT.senderIdentity, { Value: 'pager.example.org' });
    template.hasOutput(OUTPUT.receiptRuleSetName, { Value: { Ref: logicalId('AWS::SES::ReceiptRuleSet', 'InboundEmail') } });
    template.hasOutput(OUTPUT.smsOriginationIdentity, { Value: 'arn:aws:sms-voice:eu-west-1:123456789012:pool/pool-0123456789abcdef' });
  });

  it('list every dead-letter queue with the function that takes its messages again', () => {
    const joined = JSON.stringify(template.findOutputs(OUTPUT.deadLetterQueues)[OUTPUT.deadLetterQueues]!.Value);
    const queue = (part: string) => logicalId('AWS::SQS::Queue', part);
    const fn = (part: string) => logicalId('AWS::Lambda::Function', part);
    // Fn::Join parts: each queue's name and kind, its URL (Ref) and its function (Ref), in order.
    const expected = [
      ['webhook-deliveries', queue('Announcements'), fn('announcer')],
      ['delivery-feedback', queue('deliveryFeedback'), fn('deliveryFeedback')],
      ['sms-replies', queue('smsReplies'), fn('smsReplies')],
      ['inbound-email', queue('emailToAlert'), fn('emailToAlert')],
    ];
    const positions = expected.flatMap((parts) => parts.map((part) => joined.indexOf(part)));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(joined.match(/lambda-events/g)).toHaveLength(3);
  });
});
