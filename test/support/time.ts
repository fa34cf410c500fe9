import { vi } from 'vitest';

/** The real timers, taken before any test replaces them. */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/**
 * Polls `probe` on real time until it answers something truthy: for work that runs on real I/O (DynamoDB
 * Local, the SES emulator). Fails after `limitMs` of real time.
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

/** Where the local Step Functions interpreter's code lives: its timers are the ones made virtual. */
const INTERPRETER_MODULE = 'aws-local-stepfunctions';

interface VirtualTimer {
  readonly dueAt: number;
  readonly order: number;
  readonly fire: () => void;
}

/**
 * Virtual time for the state machines, real time for everything else. `Date` is fake and moves only when a
 * test says so; the timers the Step Functions interpreter sets (Wait states, retry intervals, task timeouts)
 * wait on it; every other timer (the SDK's retry backoff and socket handling, the local servers' limits) runs
 * in real time, so that work under way on real I/O always completes.
 *
 * `advance` moves time as a scheduler would: it first lets the running tasks finish, then fires the earliest
 * due timer at its own instant, lets what that started finish, and so on. So a step that fires at 10:10 runs
 * with the clock at 10:10, and when `advance` returns every execution waits on the clock or has ended.
 */
export class StateMachineClock {
  private readonly timers = new Set<VirtualTimer>();
  private order = 0;

  /** `runningTasks` answers how many state machine tasks run now, in every runtime the test uses. */
  constructor(private readonly runningTasks: () => number) {}

  /** Freezes `Date` at `start` and takes over the interpreter's timers: in `beforeEach`. */
  install(start: string): void {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(start));
    const timers = this.timers;
    globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      if (!new Error().stack?.includes(INTERPRETER_MODULE)) return realSetTimeout(callback, ms, ...args);
      const timer: VirtualTimer = { dueAt: Date.now() + Math.max(0, ms ?? 0), order: this.order++, fire: () => callback(...args) };
      timers.add(timer);
      return timer;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((handle: unknown) => {
      if (!timers.delete(handle as VirtualTimer)) realClearTimeout(handle as NodeJS.Timeout);
    }) as typeof clearTimeout;
  }

  /** Gives the timers back and drops the virtual ones (what still waits on them waits for ever): in `afterEach`. */
  uninstall(): void {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
    this.timers.clear();
    vi.useRealTimers();
  }

  /** Moves the clock to `at` (an ISO instant, later than now), firing what falls due on the way. */
  advanceTo(at: string): Promise<void> {
    return this.advance(Date.parse(at) - Date.now());
  }

  minutes(n: number): Promise<void> {
    return this.advance(n * 60_000);
  }

  async advance(ms: number): Promise<void> {
    const target = Date.now() + ms;
    for (;;) {
      await this.settle();
      const next = this.earliest();
      if (!next || next.dueAt > target) break;
      this.timers.delete(next);
      if (next.dueAt > Date.now()) vi.setSystemTime(next.dueAt);
      next.fire();
    }
    vi.setSystemTime(target);
  }

  /**
   * Waits, on real time, until no state machine task runs for a few turns of the event loop: every execution
   * then waits on the virtual clock or has ended (between two tasks the interpreter does no I/O).
   */
  async settle(limitMs = 15_000): Promise<void> {
    const deadline = performance.now() + limitMs;
    for (let quietTurns = 0; quietTurns < 3; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.runningTasks() === 0) {
        quietTurns++;
        continue;
      }
      quietTurns = 0;
      if (performance.now() > deadline) throw new Error(`${this.runningTasks()} state machine task(s) still running after ${limitMs} ms`);
      await new Promise((resolve) => realSetTimeout(resolve, 5));
    }
  }

  private earliest(): VirtualTimer | undefined {
    let earliest: VirtualTimer | undefined;
    for (const timer of this.timers) {
      if (!earliest || timer.dueAt < earliest.dueAt || (timer.dueAt === earliest.dueAt && timer.order < earliest.order)) earliest = timer;
    }
    return earliest;
  }
}
