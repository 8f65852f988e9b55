/**
 * TestLoop: an EventLoop on virtual time, for tests (CPython's
 * test_asyncio.utils.TestLoop). When nothing is ready, its clock jumps to the
 * next timer instead of waiting, so a test of a 60 s timeout runs in
 * milliseconds, with the same ordering as real time.
 */
import { EventLoop } from '../event-loop.js';
import type { EventLoopOptions } from '../base-event-loop.js';
import type { Clock } from '../internal/time.js';

/** A clock that only moves when told to. */
export class VirtualClock implements Clock {
  #now: number;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void {
    if (seconds > 0) this.#now += seconds;
  }
}

export class TestLoop extends EventLoop {
  readonly clock: VirtualClock;

  constructor(options: Omit<EventLoopOptions, 'clock'> & { start?: number } = {}) {
    const clock = new VirtualClock(options.start ?? 0);
    super({ ...options, clock });
    this.clock = clock;
  }

  /**
   * Instead of waiting for the next timer, jump to it, after one round of
   * Node's own I/O, unless an fd registered with the loop is ready by then.
   * The jump is measured then, not now: async code may add an earlier timer
   * meanwhile.
   */
  protected override waitForTimer(_delay: number): void {
    setImmediate(() => {
      // Ready I/O comes first: the clock never jumps past it.
      if (!this.isRunning() || this.readyCount > 0 || this.ioReadyNow()) return this.wake();
      const next = this.nextTimeout();
      if (next !== Infinity) this.clock.advance(next);
      this.wake();
    });
  }
}
