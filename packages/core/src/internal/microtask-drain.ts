// Between two iterations, the continuations of async-function tasks must run,
// as a Python task's step would: both drivers (EventLoop on Node's loop,
// SelectorEventLoop on a selector) let the microtask queue drain through this
// one helper before they run the next iteration. asyncio needs nothing of the
// kind: its coroutines only ever run inside the loop's callbacks.
import type { BaseEventLoop } from '../base-event-loop.js';

/**
 * Runs a driver's next pump once the async functions resumed by the last
 * iteration have gone quiet: once the microtask queue has drained. An
 * `await future` registers with the Future a microtask after it starts (V8's
 * thenable job), an async function's return settles its promise a tick
 * later, each async helper adds ticks: no count of hops fits them all, and
 * every hop costs a microtask (an AsyncResource each, under Node 20's hooks).
 * Node runs a process.nextTick callback queued from a microtask only after
 * the microtask queue is empty; so a microtask queues the pump as a tick.
 * (A microtask loop that never ends starves the loop, as it starves Node's
 * own I/O and timers.)
 */
export class MicrotaskDrain {
  readonly #loop: BaseEventLoop;
  readonly #pump: () => void;
  /** True while the next pump follows the continuations of async functions resumed by the last iteration. */
  #afterContinuations = false;
  /** In debug mode: when the wait began and which tasks it lets resume, to time their continuations. */
  #queuedAt: number | null = null;
  #resuming = '';

  /** `pump` runs the driver's next iteration (in the loop's async scope). */
  constructor(loop: BaseEventLoop, pump: () => void) {
    this.#loop = loop;
    this.#pump = pump;
  }

  /**
   * The last iteration resumed async functions: the next pump follows their
   * continuations, whether it comes after the drain (start()) or from a new macrotask.
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
    queueMicrotask(this.#pumpAfterDrain);
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

  readonly #pumpAfterDrain = () => {
    process.nextTick(this.#pump);
  };
}
