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

/**
 * Virtual time moved per step while waiting on real work: about four times real time, far too slow for a
 * step stuck on I/O to reach the state machine's 90 s task timeout before a test's own time limit.
 */
const VIRTUAL_STEP_MS = 20;

/**
 * Runs `work` while moving virtual time forward in small steps: for work on real I/O that also waits on
 * timers (the SDK defers some of its socket handling with setTimeout), such as starting a runtime under a
 * fake clock. Moves the clock by a few seconds at most.
 */
export async function whileAdvancingTime<T>(work: Promise<T>, advance: (ms: number) => Promise<unknown>): Promise<T> {
  let settled = false;
  const tracked = work.finally(() => (settled = true));
  while (!settled) {
    await advance(VIRTUAL_STEP_MS);
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
  return tracked;
}

/** Lets work already under way (on real I/O and SDK timers) finish while moving virtual time a few seconds. */
export async function settle(advance: (ms: number) => Promise<unknown>, virtualMs = 4_000): Promise<void> {
  for (let moved = 0; moved < virtualMs; moved += VIRTUAL_STEP_MS) {
    await advance(VIRTUAL_STEP_MS);
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

/**
 * Polls like {@link eventually} while moving virtual time a millisecond between polls: a step under way on
 * real I/O may be waiting on one of the SDK's own timers (a retry's backoff, say), which a fake clock that
 * never moves would never fire. What that step stamps may then be a few milliseconds late: use it where no
 * exact time is asserted.
 */
export function eventuallyNudging<T>(what: string, probe: () => Promise<T | undefined | false>, advance: (ms: number) => Promise<unknown>): Promise<T> {
  return eventually(what, async () => {
    const value = await probe();
    if (!value) await advance(1);
    return value;
  });
}
