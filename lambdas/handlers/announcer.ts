import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { announcerDepsFromEnv, builtOnFirstCall, createLogger } from '../composition';
import { type AnnouncementDeps, deadLetter, deliver, planAnnouncement } from '../domain/webhooks/announcement-use-cases';
import { announcementSchema, deliverySchema } from '../domain/webhooks/webhook';
import { parseInput } from '../domain/shared/validation';

/** The input of each of the announcement state machine's tasks, as its `Parameters` shape it. */
export const announcerTaskSchema = z.discriminatedUnion('task', [
  z.strictObject({ task: z.literal('plan'), announcement: announcementSchema }),
  z.strictObject({ task: z.literal('deliver'), delivery: deliverySchema }),
  z.strictObject({ task: z.literal('dead-letter'), delivery: deliverySchema, reason: z.string() }),
]);

export type AnnouncerTask = z.input<typeof announcerTaskSchema>;

/**
 * The function that serves the announcement state machine's tasks: plans the deliveries, makes one attempt
 * of one, or dead-letters one. Delivery errors propagate by name, which the state machine retries or catches.
 */
export function createHandler({ announcements, logger }: { announcements: AnnouncementDeps; logger: Logger }) {
  return async (event: AnnouncerTask) => {
    const task = parseInput(announcerTaskSchema, event, 'announcer task');
    if (task.task === 'plan') return planAnnouncement(announcements, task.announcement);
    logger.appendKeys({ deliveryId: task.delivery.deliveryId });
    try {
      if (task.task === 'deliver') return await deliver(announcements, task.delivery);
      const reason = lambdaErrorMessage(task.reason);
      logger.warn('webhook delivery dead-lettered', { reason });
      return await deadLetter(announcements, task.delivery, reason);
    } finally {
      logger.resetKeys();
    }
  };
}

/** A Catch's `Cause`: in AWS, a Lambda error's JSON (`errorMessage`, ...); locally, the message itself. */
function lambdaErrorMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

export const handler = builtOnFirstCall(async () => createHandler({ announcements: await announcerDepsFromEnv(), logger: createLogger('announcer') }));
