/**
 * The benchmark's senders: a separate process, as monitoring systems are, so that their HTTP client does
 * not share a thread with the system under test. Told what to send over IPC; answers with the phase timing.
 */
import { validEvent } from '../support/fixtures';
import { requestJson } from '../support/harness';
import { measure } from './measure';

export interface LoadRequest {
  readonly url: string;
  readonly key: string;
  readonly operations: number;
  /** Every request a new title (new incidents), or one title repeated (dedup). */
  readonly titles: 'unique' | 'repeated';
  readonly label: string;
  readonly expectStatus: number;
}

process.on('message', async (request: LoadRequest) => {
  try {
    const phase = await measure(request.operations, async (i) => {
      const title = request.titles === 'unique' ? `${request.label} ${i}` : request.label;
      const res = await requestJson(request.url, 'PUT', '/incidents', { key: request.key, body: validEvent({ title }) });
      if (res.status !== request.expectStatus) throw new Error(`expected ${request.expectStatus}, got ${res.status}: ${JSON.stringify(res.body)}`);
    });
    process.send!({ phase });
  } catch (error) {
    process.send!({ error: (error as Error).message });
  }
});
