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

/** The real setTimeout, taken before any test fakes timers. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Polls `probe` on real time until it answers something truthy: for work that runs on real I/O (DynamoDB
 * Local, the SES emulator) while the test's clock is fake. Fails after `limitMs` of real time.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, limitMs = 15_000): Promise<T> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, 20));
  }
}
