import * as z from 'zod';

/** The message AWS End User Messaging publishes to a number's two-way SNS topic for each SMS received. */
const twoWaySmsSchema = z.object({
  originationNumber: z.string().regex(/^\+[1-9]\d{6,14}$/),
  destinationNumber: z.string(),
  messageBody: z.string().max(1600),
  inboundMessageId: z.string().optional(),
  previousPublishedMessageId: z.string().optional(),
});

/** The sender and text of a two-way SMS notification, or undefined for anything else. */
export function twoWaySmsOf(message: string): { from: string; body: string } | undefined {
  try {
    const parsed = twoWaySmsSchema.safeParse(JSON.parse(message));
    return parsed.success ? { from: parsed.data.originationNumber, body: parsed.data.messageBody } : undefined;
  } catch {
    return undefined;
  }
}
