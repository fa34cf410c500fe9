import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';

/**
 * Keeps the SES v2 emulator's sent mail in a file (one JSON message a line), so that its viewer still shows
 * the pages sent before a restart. The emulator holds mail in a module-level store and has no hook of its
 * own: after each request to it, what the store gained is appended (or the file rewritten, after the
 * viewer's "clear"), and at start the file's mail is put back into the store.
 */
export function archiveSentMail(ses: Server, file: string): void {
  const store = getStoreReadonly();
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as (typeof store.emails)[number]);
    const present = new Set(store.emails.map((email) => email.messageId));
    store.emails.unshift(...kept.filter((email) => !present.has(email.messageId)));
  }
  let archived = store.emails.length;
  writeFileSync(file, lines(store.emails));
  ses.on('request', (_req, res) => {
    res.once('finish', () => {
      const { emails } = store;
      if (emails.length < archived) writeFileSync(file, lines(emails));
      else if (emails.length > archived) appendFileSync(file, lines(emails.slice(archived)));
      archived = emails.length;
    });
  });
}

const lines = (emails: readonly unknown[]) => emails.map((email) => `${JSON.stringify(email)}\n`).join('');
