import type { Logger } from '@aws-lambda-powertools/logger';
import { causeMessage } from '../adapters/aws-errors';
import { announcerDepsFromEnv, builtOnFirstCall, createLogger } from '../composition';
import { type AnnouncementDeps, deadLetter, deliver, planAnnouncement } from '../domain/webhooks/announcement-use-cases';
import { type AnnouncerTask, announcerTaskSchema } from '../domain/webhooks/webhook';
import { parseInput } from '../domain/shared/validation';

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
      const reason = causeMessage(task.reason);
      logger.warn('webhook delivery dead-lettered', { reason });
      return await deadLetter(announcements, task.delivery, reason);
    } finally {
      logger.resetKeys();
    }
  };
}

export const handler = builtOnFirstCall(async () => createHandler({ announcements: await announcerDepsFromEnv(), logger: createLogger('announcer') }));
