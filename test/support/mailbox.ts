/** One email the SES emulator holds. */
export interface SentEmail {
  readonly messageId: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: { name: string; value: string }[];
}

/** Every email the SES v2 emulator has accepted, oldest first. */
export async function sentEmails(sesUrl: string): Promise<SentEmail[]> {
  const { emails } = (await (await fetch(`${sesUrl}/store`)).json()) as {
    emails: { messageId: string; destination: { to: string[] }; subject: string; body: { text?: string; html?: string }; headers?: { name: string; value: string }[] }[];
  };
  return emails.map((e) => ({
    messageId: e.messageId,
    to: e.destination.to,
    subject: e.subject,
    text: e.body.text ?? '',
    html: e.body.html ?? '',
    headers: e.headers ?? [],
  }));
}
