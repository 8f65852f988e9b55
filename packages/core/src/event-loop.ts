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
 *
 * Its readers and writers (addReader, the sock* methods) sit in a selector
 * (DefaultSelector: epoll, kqueue) made on first use; libuv watches that
 * selector's own fd (an FdWatcher, as uvloop's UVPoll), so the loop wakes when
 * an fd is ready without ever blocking Node, and each iteration takes in the
 * ready fds with a select(0) while any is registered.
 */
import { DefaultSelector, EVENT_READ, FdWatcher, NotImplementedError, type BaseSelector } from '@asyncio-ts/selectors';
import type { TimerHandle } from './handle.js';
import { BaseEventLoop, type EventLoopOptions } from './base-event-loop.js';
import type { IoEntry } from './internal/io-registry.js';
import { MicrotaskDrain } from './internal/microtask-drain.js';
import { secondsToTimerMs } from './internal/time.js';

/** How long one Node macrotask may run iterations before it yields to Node's I/O. */
const SLICE_MS = 2;

// 'draining': the next pump comes once the microtask queue has drained (see
// MicrotaskDrain), queued after an iteration so that promise continuations run
// between iterations.
type PumpState = 'idle' | 'scheduled' | 'draining' | 'pumping';

export class EventLoop extends BaseEventLoop {
  #pumpState: PumpState = 'idle';
  #timer: NodeJS.Timeout | null = null;
  #timerDeadline = Infinity;
  #keepAlive: NodeJS.Timeout | null = null;
  #done: (() => void) | null = null;
  /** When the running macrotask's slice ends (performance.now() milliseconds). */
  #sliceEnd = 0;
  readonly #pumpInScope = () => this.scope.resource.runInAsyncScope(this.#pump, this);
  readonly #drain = new MicrotaskDrain(this, this.#pumpInScope);
  /** The selector of the readers and writers, once the first one was added. */
  #selector: DefaultSelector<IoEntry> | null = null;
  /** Watches the selector's fd on Node's loop while fds are registered and the loop runs. */
  #watcher: FdWatcher | null = null;
  #ioActive = false;

  constructor(options: EventLoopOptions = {}) {
    super(options);
  }

  protected startRunning(done: () => void): void {
    this.#done = done;
    // Python's run_forever blocks its thread until stop(); here the process
    // must likewise stay alive while the loop runs, even with nothing to do.
    this.#keepAlive = setInterval(() => {}, 2 ** 31 - 1);
    this.#watchIo();
    this.#schedulePump();
  }

  /**
   * Closes the loop, and its selector and fd watcher if it made them.
   * @throws RuntimeError when the loop is running.
   */
  override close(): void {
    if (!this.isRunning() && this.#watcher !== null) {
      this.#watcher.close();
      this.#watcher = null;
    }
    super.close();
  }

  protected override createSelector(): BaseSelector<IoEntry> {
    const selector = new DefaultSelector<IoEntry>();
    if (selector.fileno() < 0) {
      selector.close();
      throw new NotImplementedError(`EventLoop: this system has no epoll or kqueue (its selector is ${selector.kind}), so Node cannot watch the loop's fds; use SelectorEventLoop`);
    }
    this.#selector = selector;
    return selector;
  }

  protected override ioActiveChanged(active: boolean): void {
    this.#ioActive = active;
    this.#watchIo();
  }

  /** Watches the selector's fd exactly while fds are registered and the loop runs. */
  #watchIo(): void {
    if (this.#ioActive && this.#done !== null && this.#selector !== null) {
      this.#watcher ??= new FdWatcher(this.#selector.fileno(), this.#ioReady);
      if (this.#watcher.events === 0) this.#watcher.start(EVENT_READ);
    } else if (this.#watcher !== null && this.#watcher.events !== 0) {
      this.#watcher.stop();
    }
  }

  /** Node found the selector's fd readable: some registered fd is ready; run now, as for a timer. */
  readonly #ioReady = () => {
    if (this.#pumpState === 'idle' && this.#done !== null) this.#pumpInScope();
  };

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
    // The async functions that just resumed ran as part of the last
    // iteration, as a task's step would: a stop() they made takes effect now,
    // before another iteration.
    if (this.#drain.arrived() && this.stopping) return this.#finish();
    // A pump after continuations continues the slice of the macrotask it
    // started in: a fresh slice each time would never give Node's I/O its turn.
    if (this.#pumpState !== 'draining') this.#sliceEnd = performance.now() + SLICE_MS;
    const sliceEnd = this.#sliceEnd;
    this.#pumpState = 'pumping';
    for (let iteration = 1; ; iteration++) {
      this.promiseWork = false;
      this.runOnce();
      if (this.stopping) return this.#finish();
      if (this.promiseWork) {
        // Let the awaiting async functions resume before the next iteration.
        if (performance.now() < sliceEnd) {
          this.#pumpState = 'draining';
          this.#drain.start();
        } else {
          this.#drain.expectContinuations();
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

  #finish(): void {
    this.#pumpState = 'idle';
    this.#clearTimer();
    if (this.#keepAlive !== null) clearInterval(this.#keepAlive);
    this.#keepAlive = null;
    const done = this.#done!;
    this.#done = null;
    this.#watchIo();
    this.finishRunning();
    done();
  }
}
