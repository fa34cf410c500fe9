import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { IncidentAnnouncer } from '../domain/webhooks/ports';
import { type Announcement, announcementId } from '../domain/webhooks/webhook';

/**
 * Announces as executions of the announcement state machine, each named by {@link announcementId}: Step
 * Functions refuses a second execution of a name, so an announcement made twice is delivered once.
 */
export class SfnAnnouncer implements IncidentAnnouncer {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    /** Where a failure to start goes: the caller's outcome stands whatever happens here. */
    private readonly onFailure: (error: unknown, announcement: Announcement) => void,
  ) {}

  async announce(announcement: Announcement): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: announcementId(announcement), input: JSON.stringify(announcement) }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) this.onFailure(error, announcement);
    }
  }
}
