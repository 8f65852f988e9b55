/**
 * EventLoop: the default loop, hosted on Node's own event loop (libuv), as
 * uvloop hosts asyncio on libuv. Node's timers, sockets and promises keep
 * working inside it.
 *
 * How it is driven: one Node macrotask (setImmediate) runs iterations back to
 * back for up to a slice of time, then yields so Node can poll for I/O; when
 * nothing is ready it arms one Node timer for the earliest deadline and waits.
 * When an iteration settled promises that async-function tasks await, the next
 * iteration is queued as a microtask instead, so their continuations run
 * between iterations, as a Python task's step would.
 */
import type { TimerHandle } from './handle.js';
import { BaseEventLoop, type EventLoopOptions } from './base-event-loop.js';
import { secondsToTimerMs } from './internal/time.js';

/** How long one Node macrotask may run iterations before it yields to Node's I/O. */
const SLICE_MS = 2;

/** How many microtask hops may wait for async functions to go quiet between two iterations. */
const MAX_MICROTASK_HOPS = 64;

/**
 * Hops in a row without a call into the loop that count as quiet. Some steps
 * reach the loop only a few microtasks later without calling it in between:
 * an async function's return settles its promise a tick later, and each
 * async helper it awaited adds a tick.
 */
const QUIET_HOPS = 4;

// 'hopping': the next pump is a microtask, queued after an iteration so that
// promise continuations run between iterations.
type PumpState = 'idle' | 'scheduled' | 'hopping' | 'pumping';

export class EventLoop extends BaseEventLoop {
  #pumpState: PumpState = 'idle';
  #timer: NodeJS.Timeout | null = null;
  #timerDeadline = Infinity;
  #keepAlive: NodeJS.Timeout | null = null;
  /** In debug mode: when the hop was queued and which tasks it lets resume, to time their continuations. */
  #hopQueuedAt: number | null = null;
  #resuming = '';
  #done: (() => void) | null = null;
  readonly #pumpInScope = () => this.scope.resource.runInAsyncScope(this.#pump, this);

  constructor(options: EventLoopOptions = {}) {
    super(options);
  }

  protected startRunning(done: () => void): void {
    this.#done = done;
    // Python's run_forever blocks its thread until stop(); here the process
    // must likewise stay alive while the loop runs, even with nothing to do.
    this.#keepAlive = setInterval(() => {}, 2 ** 31 - 1);
    this.#schedulePump();
  }

  protected readyWhileIdle(): void {
    if (this.#pumpState === 'idle' && this.#done !== null) this.#schedulePump();
  }

  protected timerAddedWhileIdle(timer: TimerHandle): void {
    if (this.#pumpState === 'idle' && this.#done !== null && timer.when() < this.#timerDeadline) this.#schedulePump();
  }

  /**
   * Waits `delay` seconds (> 0) for the next timer, letting Node run I/O meanwhile.
   * A test loop with virtual time overrides this to jump its clock instead.
   */
  protected waitForTimer(delay: number): void {
    const deadline = this.time() + delay;
    if (this.#timer !== null && this.#timerDeadline === deadline) return;
    this.#clearTimer();
    this.#timerDeadline = deadline;
    this.#timer = setTimeout(this.#pumpFromTimer, secondsToTimerMs(delay));
  }

  /** Runs the loop soon if it waits (for subclasses whose waitForTimer() does not arm a timer). */
  protected wake(): void {
    if (this.#pumpState === 'idle' && this.#done !== null) this.#schedulePump();
  }

  /** Schedules a pump as a new Node macrotask. */
  #schedulePump(): void {
    this.#pumpState = 'scheduled';
    setImmediate(this.#pumpInScope);
  }

  readonly #pumpFromTimer = () => {
    this.#timer = null;
    this.#timerDeadline = Infinity;
    if (this.#pumpState === 'idle' && this.#done !== null) this.#pumpInScope();
  };

  #clearTimer(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerDeadline = Infinity;
  }

  /** Runs iterations until the loop stops, goes idle, or the slice is used up. */
  #pump(): void {
    if (this.#done === null) return;
    if (this.#hopQueuedAt !== null) this.#timeContinuations(this.#hopQueuedAt);
    // The async functions that just resumed ran as part of the last
    // iteration, as a task's step would: a stop() they made takes effect now,
    // before another iteration.
    const afterContinuations = this.#afterContinuations;
    this.#afterContinuations = false;
    if (afterContinuations && this.stopping) return this.#finish();
    // A hop continues the slice of the macrotask it started in: a fresh
    // slice per hop would never give Node's I/O its turn.
    if (this.#pumpState !== 'hopping') this.#sliceEnd = performance.now() + SLICE_MS;
    const sliceEnd = this.#sliceEnd;
    this.#pumpState = 'pumping';
    for (let iteration = 1; ; iteration++) {
      this.promiseWork = false;
      this.runOnce();
      if (this.stopping) return this.#finish();
      if (this.promiseWork) {
        // Let the awaiting async functions resume before the next iteration.
        this.#afterContinuations = true;
        if (performance.now() < sliceEnd) {
          this.#pumpState = 'hopping';
          this.#afterMicrotasks();
        } else {
          this.#pumpState = 'scheduled';
          setImmediate(this.#pumpInScope);
        }
        return;
      }
      const timeout = this.nextTimeout();
      if (timeout > 0) {
        this.#pumpState = 'idle';
        if (timeout !== Infinity) this.waitForTimer(timeout);
        return;
      }
      // Reading the clock costs more than a short iteration: look every 16.
      if ((iteration & 15) === 0 && performance.now() >= sliceEnd) return this.#schedulePump();
    }
  }

  /**
   * Runs the next iteration once the async functions have gone quiet. An
   * `await future` registers with the Future a microtask after it starts
   * (V8's thenable job), so one microtask is not enough: hop on until a few
   * hops in a row saw no async code call into the loop, up to a bound (an
   * async loop that never awaits the loop must not starve it).
   */
  #afterMicrotasks(): void {
    if (this.getDebug()) {
      this.#hopQueuedAt = this.time();
      this.#resuming = this.describeResumingTasks();
    }
    this.#hops = 0;
    this.#quietHops = 0;
    this.#seenActivity = this.outsideActivity;
    queueMicrotask(this.#hop);
  }

  /** True while the next pump follows the continuations of async functions resumed by the last iteration. */
  #afterContinuations = false;
  /** When the running macrotask's slice ends (performance.now() milliseconds). */
  #sliceEnd = 0;
  #hops = 0;
  #quietHops = 0;
  #seenActivity = 0;
  readonly #hop = () => {
    if (this.outsideActivity !== this.#seenActivity) {
      this.#seenActivity = this.outsideActivity;
      this.#quietHops = 0;
    } else {
      this.#quietHops++;
    }
    if (this.#quietHops < QUIET_HOPS && ++this.#hops < MAX_MICROTASK_HOPS) {
      queueMicrotask(this.#hop);
      return;
    }
    this.#pumpInScope();
  };

  /** Debug mode: the microtasks since the hop held the loop as a callback would; report them when slow. */
  #timeContinuations(queuedAt: number): void {
    this.#hopQueuedAt = null;
    const elapsed = this.time() - queuedAt;
    if (elapsed >= this.slowCallbackDuration) this.reportSlowCallback(this.#resuming, elapsed);
  }

  #finish(): void {
    this.#pumpState = 'idle';
    this.#clearTimer();
    if (this.#keepAlive !== null) clearInterval(this.#keepAlive);
    this.#keepAlive = null;
    const done = this.#done!;
    this.#done = null;
    this.finishRunning();
    done();
  }
}
