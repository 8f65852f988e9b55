// Between two iterations, the continuations of async-function tasks must run,
// as a Python task's step would: both drivers (EventLoop on Node's loop,
// SelectorEventLoop on a selector) let the microtask queue drain through this
// one helper before they run the next iteration. asyncio needs nothing of the
// kind: its coroutines only ever run inside the loop's callbacks.
import type { BaseEventLoop } from '../base-event-loop.js';

/** How many microtask hops may wait for async functions to go quiet between two iterations. */
const MAX_MICROTASK_HOPS = 64;

/**
 * Hops in a row without a call into the loop that count as quiet. Some steps
 * reach the loop only a few microtasks later without calling it in between:
 * an async function's return settles its promise a tick later, and each
 * async helper it awaited adds a tick.
 */
const QUIET_HOPS = 4;

/**
 * Runs a driver's next pump once the async functions resumed by the last
 * iteration have gone quiet. An `await future` registers with the Future a
 * microtask after it starts (V8's thenable job), so one microtask is not
 * enough: hop on until a few hops in a row saw no async code call into the
 * loop, up to a bound (an async loop that never awaits the loop must not
 * starve it).
 */
export class MicrotaskHops {
  readonly #loop: BaseEventLoop;
  readonly #pump: () => void;
  /** True while the next pump follows the continuations of async functions resumed by the last iteration. */
  #afterContinuations = false;
  #hops = 0;
  #quietHops = 0;
  #seenActivity = 0;
  /** In debug mode: when the hop was queued and which tasks it lets resume, to time their continuations. */
  #queuedAt: number | null = null;
  #resuming = '';

  /** `pump` runs the driver's next iteration (in the loop's async scope). */
  constructor(loop: BaseEventLoop, pump: () => void) {
    this.#loop = loop;
    this.#pump = pump;
  }

  /**
   * The last iteration resumed async functions: the next pump follows their
   * continuations, whether it comes from hops (start()) or a new macrotask.
   */
  expectContinuations(): void {
    this.#afterContinuations = true;
    // In debug mode, time them either way: a busy loop whose slice ran out
    // (a new macrotask next) must report a slow continuation as well.
    const loop = this.#loop;
    if (loop.getDebug()) {
      this.#queuedAt = loop.time();
      this.#resuming = loop.describeResumingTasks();
    }
  }

  /** Calls the pump once the async functions have gone quiet (see the class). */
  start(): void {
    this.expectContinuations();
    this.#hops = 0;
    this.#quietHops = 0;
    this.#seenActivity = this.#loop.outsideActivity;
    queueMicrotask(this.#hop);
  }

  /**
   * At the start of a pump: true when it follows continuations (which ran as
   * part of the last iteration, so a stop() they made takes effect before
   * another iteration). In debug mode, reports them when they were slow.
   */
  arrived(): boolean {
    if (this.#queuedAt !== null) {
      const elapsed = this.#loop.time() - this.#queuedAt;
      this.#queuedAt = null;
      if (elapsed >= this.#loop.slowCallbackDuration) this.#loop.reportSlowCallback(this.#resuming, elapsed);
    }
    const after = this.#afterContinuations;
    this.#afterContinuations = false;
    return after;
  }

  readonly #hop = () => {
    const activity = this.#loop.outsideActivity;
    if (activity !== this.#seenActivity) {
      this.#seenActivity = activity;
      this.#quietHops = 0;
    } else {
      this.#quietHops++;
    }
    if (this.#quietHops < QUIET_HOPS && ++this.#hops < MAX_MICROTASK_HOPS) {
      queueMicrotask(this.#hop);
      return;
    }
    this.#pump();
  };
}
