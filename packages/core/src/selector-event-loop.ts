/**
 * SelectorEventLoop: the event loop driven by a selector's blocking
 * `select(timeout)`, as CPython's (selector_events.BaseSelectorEventLoop).
 *
 * It owns its thread, as CPython's loop does: between iterations it blocks in
 * select() until one of its fds is ready or its next timer is due, and while
 * it blocks Node's own event loop waits. Node gets a turn (one macrotask)
 * after every 2 ms of running, time spent blocked included, and whenever Node
 * has I/O ready: the selector also watches Node's own loop fd (nodeLoopFd()),
 * so Node's sockets, a worker's message, the completion of fs or dns work and
 * a signal Node listens for wake the loop at once. Node's timers (and Node
 * handles started since Node last polled) have no fd to wake it: one wait
 * lasts at most 50 ms, so they run at most that late. Use it where the I/O
 * goes through the loop itself (addReader, the sock* methods, its selector
 * transports), in a thread given over to fds; use EventLoop (hosted on Node's
 * loop) everywhere else.
 *
 * Differences from asyncio: runForever() and runUntilComplete() return
 * promises; the continuations of async-function tasks (microtasks) run
 * between iterations, as on EventLoop; JavaScript cannot run on this thread
 * while the loop blocks, so callSoonThreadsafe() and signal handlers need no
 * wake-up byte here, and another thread wakes the loop by writing to
 * `wakeupFd` (the write end of the self-pipe) — the loop then gives Node a
 * turn, as it does when Node's loop fd is ready (a message posted to this
 * thread wakes it that way without any byte).
 */
import { DefaultSelector, nodeLoopFd, type BaseSelector } from '@asyncio-ts/selectors';
import { BaseEventLoop, type EventLoopOptions } from './base-event-loop.js';
import { describe } from './internal/checks.js';
import type { IoEntry } from './internal/io-registry.js';
import { MicrotaskDrain } from './internal/microtask-drain.js';
import { SelfPipe } from './internal/self-pipe.js';
import { logger } from './logger.js';

/** How long the loop runs (blocking in select() included) before it gives Node's own loop a turn. */
const SLICE_MS = 2;

/**
 * The longest select() wait (asyncio's is a day): Node's timers have no fd
 * to wake the loop, so they run at most this late while it waits.
 */
const MAXIMUM_SELECT_TIMEOUT = 0.05;

// 'scheduled': a Node macrotask (setImmediate) will run the next pump;
// 'draining': a tick will, once async-function continuations have drained
// the microtask queue.
type PumpState = 'idle' | 'scheduled' | 'draining' | 'pumping';

/**
 * An event loop that waits for I/O in its selector's blocking select()
 * (CPython's default loop on Unix). Its transports do their own non-blocking
 * syscalls (`ownsSockets`).
 * @example
 * const runner = new Runner({ loopFactory: () => new SelectorEventLoop() });
 * await runner.run(main);
 * await runner.close();
 */
export class SelectorEventLoop extends BaseEventLoop {
  readonly #selector: BaseSelector<IoEntry>;
  readonly #selfPipe: SelfPipe;
  #pumpState: PumpState = 'idle';
  #done: (() => void) | null = null;
  /** When the running slice ends (performance.now() milliseconds). */
  #sliceEnd = 0;
  /** Set when the self-pipe was written to: give Node a turn before the next iteration. */
  #nodeTurn = false;
  /**
   * True only for the first iteration of a pump that began as a macrotask:
   * only then have all microtasks run, so only then may select() block. A
   * chain of promises still settling would otherwise stall until an fd is
   * ready or the wait times out.
   */
  #mayBlock = false;
  readonly #pumpInScope = () => this.scope.resource.runInAsyncScope(this.#pump, this);
  readonly #drain = new MicrotaskDrain(this, this.#pumpInScope);

  /**
   * @param selector the selector to wait in (a DefaultSelector by default:
   * epoll on Linux, kqueue on macOS); the loop closes it when it closes.
   * @throws TypeError when selector is not a selector; NativeAddonError when
   * @asyncio-ts/selectors' addon is not built.
   */
  constructor(selector: BaseSelector | null = null, options: EventLoopOptions = {}) {
    super(options);
    if (selector !== null && !isSelector(selector)) {
      throw new TypeError(`SelectorEventLoop() expects a selector (e.g. new DefaultSelector()) or nothing, got ${describe(selector)}`);
    }
    this.#selector = (selector ?? new DefaultSelector<IoEntry>()) as BaseSelector<IoEntry>;
    if (this.getDebug()) logger.debug(`Using selector: ${this.#selector.constructor.name}`);
    this.#selfPipe = new SelfPipe();
    this.ioAddReader(this.#selfPipe.readFd, this.#readFromSelf, null);
    // Node's own loop fd, to give Node a turn when it has I/O ready; not in a
    // kqueue, where libuv says a nested kqueue may never fire (the bounded
    // wait still gives Node its turns there).
    const nodeFd = (this.#selector as { kind?: string }).kind === 'kqueue' ? -1 : nodeLoopFd();
    if (nodeFd >= 0) this.ioAddReader(nodeFd, this.#nodeReady, null);
  }

  /** The write end of the self-pipe: a byte written to it (from any thread) wakes the loop; -1 once closed. */
  get wakeupFd(): number {
    return this.isClosed() ? -1 : this.#selfPipe.writeFd;
  }

  /** @internal */
  override get ownsSockets(): boolean {
    return true;
  }

  /**
   * Closes the self-pipe, the loop, and its selector.
   * @throws RuntimeError when the loop is running.
   */
  override close(): void {
    if (this.isRunning() || this.isClosed()) return super.close();
    this.ioRemoveReader(this.#selfPipe.readFd);
    this.#selfPipe.close();
    super.close();
  }

  protected override createSelector(): BaseSelector<IoEntry> {
    return this.#selector;
  }

  /**
   * Until the next timer is due, 0 when callbacks are ready; never longer
   * than MAXIMUM_SELECT_TIMEOUT; 0 unless every microtask has run.
   */
  protected override ioTimeout(): number {
    if (!this.#mayBlock) return 0;
    return Math.min(this.nextTimeout(), MAXIMUM_SELECT_TIMEOUT);
  }

  protected startRunning(done: () => void): void {
    this.#done = done;
    this.#schedulePump();
  }

  // While it runs, the loop is never idle: it pumps (perhaps blocked in
  // select()), waits for the microtasks to drain, or has a pump scheduled,
  // and each pump looks at the ready queue and the timers afresh.
  protected readyWhileIdle(): void {}

  protected timerAddedWhileIdle(): void {}

  readonly #readFromSelf = () => {
    this.#selfPipe.drain();
    // Another thread woke the loop: what it sent (a message) waits in Node's loop.
    this.#nodeTurn = true;
  };

  /** Node's loop fd is readable: Node has I/O to handle; give it a turn (which reads it). */
  readonly #nodeReady = () => {
    this.#nodeTurn = true;
  };

  #schedulePump(): void {
    this.#pumpState = 'scheduled';
    this.#nodeTurn = false;
    setImmediate(this.#pumpInScope);
  }

  /** Runs iterations (each blocking in select() when nothing is ready) until the loop stops or gives Node a turn. */
  #pump(): void {
    if (this.#done === null) return;
    // The async functions that just resumed ran as part of the last
    // iteration: a stop() they made takes effect before another one.
    if (this.#drain.arrived() && this.stopping) return this.#finish();
    let mayBlock = this.#pumpState === 'scheduled';
    if (mayBlock) this.#sliceEnd = performance.now() + SLICE_MS;
    this.#pumpState = 'pumping';
    for (;;) {
      this.promiseWork = false;
      this.#mayBlock = mayBlock;
      mayBlock = false;
      this.runOnce();
      this.#mayBlock = false;
      if (this.stopping) return this.#finish();
      const nodeTurn = this.#nodeTurn || performance.now() >= this.#sliceEnd;
      if (this.promiseWork) {
        // Let the awaiting async functions resume before the next iteration.
        if (!nodeTurn) {
          this.#pumpState = 'draining';
          this.#drain.start();
        } else {
          this.#drain.expectContinuations();
          this.#schedulePump();
        }
        return;
      }
      // Nothing to run: wait in select() from a fresh macrotask, after every
      // microtask (a foreign promise chain, say) has had its turn.
      if (nodeTurn || this.nextTimeout() > 0) return this.#schedulePump();
    }
  }

  #finish(): void {
    this.#pumpState = 'idle';
    this.#nodeTurn = false;
    const done = this.#done!;
    this.#done = null;
    this.finishRunning();
    done();
  }
}

function isSelector(value: unknown): value is BaseSelector {
  const selector = value as Partial<BaseSelector> | null;
  return typeof selector === 'object' && selector !== null && typeof selector.select === 'function' && typeof selector.register === 'function' && typeof selector.getMap === 'function';
}
