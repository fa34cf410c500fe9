import type { IncidentAnnouncer, WebhookDirectory } from './ports';
import { type Announcement, webhooksFor } from './webhook';
import { isCanaryService } from '../canary/canary-service';

/**
 * Announces only what someone listens for: an event a webhook wants, or, where Slack is set up, a claim or
 * resolve whose Slack messages need updating. Anything else costs no execution and no wait. When the webhooks
 * cannot be read, it announces anyway: the announcement's own plan reads them again. The canary's incidents
 * are heard by nobody: no webhook may name its reserved service or team, and its pages go by email only.
 */
export class ListenedAnnouncer implements IncidentAnnouncer {
  constructor(
    private readonly inner: IncidentAnnouncer,
    private readonly webhooks: WebhookDirectory,
    private readonly slackMessages: boolean,
  ) {}

  async announce(announcement: Announcement): Promise<void> {
    if (await this.heard(announcement)) await this.inner.announce(announcement);
  }

  private async heard(announcement: Announcement): Promise<boolean> {
    if (isCanaryService(announcement.incident.service)) return false;
    if (this.slackMessages && (announcement.type === 'claimed' || announcement.type === 'resolved')) return true;
    try {
      return webhooksFor(await this.webhooks.list(), announcement).length > 0;
    } catch {
      return true;
    }
  }
}
