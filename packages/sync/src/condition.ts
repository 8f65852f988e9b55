/**
 * Condition: wait until notified, with a lock held around the shared state
 * (asyncio.Condition).
 *
 * wait() releases the lock, waits for notify(), and takes the lock back
 * before it returns, even when cancelled (a cancelled wait() throws
 * CancelledError with the lock held, as asyncio's). A waiter that ends with
 * an error passes its notification on to the next one (Python 3.13), so no
 * notification is lost to a cancellation.
 *
 * wait() and waitFor() run asyncio's coroutine step for step: inside the
 * generator that awaits them with `yield*`, as a coroutine runs inside the
 * task that awaits it, or else stepped by the Future itself (see
 * internal/coroutine-future.ts). So a notified waiter
 * asks for the lock when it next runs, one iteration after notify(), as in
 * asyncio, and a task that releases the lock and re-acquires it at once
 * gets it first.
 *
 * Differences from asyncio: wait() and waitFor() return loop Futures;
 * hold() gives a Releaser for `using`, in place of `async with cond:`.
 * Cancelling the Future of a wait() is a request, as cancelling a Task:
 * cancel() returns true, and the Future ends cancelled once the lock is held
 * again. An async function awaiting wait() resumes after the iteration in
 * which the wait ended (its continuation is a microtask), where an asyncio
 * coroutine goes on in the same step.
 */
import { inspect } from 'node:util';
import { CancelledError, Future, RuntimeError, getRunningLoop, type BaseEventLoop, type Coroutine } from '@asyncio-ts/core';
import { CoroutineFuture } from './internal/coroutine-future.js';
import { describe } from './internal/checks.js';
import { DoneFuture } from './internal/done-future.js';
import { LoopBound } from './internal/loop-bound.js';
import type { Releaser } from './internal/releaser.js';
import { WaiterList } from './internal/waiter-list.js';
import { Lock } from './lock.js';

/**
 * A condition variable over a Lock (a new one, or the one given).
 * @example
 * const cond = new Condition();
 * const items: string[] = [];
 * // consumer (async function)
 * using held = await cond.hold();
 * await cond.waitFor(() => items.length > 0);
 * const item = items.shift();
 * // producer (generator coroutine)
 * yield* cond.acquire();
 * try { items.push('x'); cond.notify(); } finally { cond.release(); }
 */
export class Condition extends LoopBound {
  readonly #lock: Lock;
  readonly #waiters = new WaiterList<ConditionWaiter<unknown>>();

  /**
   * @param lock The lock to use; a new Lock by default. Several Conditions may share one.
   * @throws TypeError when lock is not a Lock of this package.
   */
  constructor(lock?: Lock) {
    super();
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`Condition() expects a Lock or nothing, got ${describe(lock)}; pass new Lock() or leave it out`);
    }
    this.#lock = lock ?? new Lock();
  }

  /** True when the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** Acquires the underlying lock (see Lock.acquire()). */
  acquire(): Future<true> {
    return this.#lock.acquire();
  }

  /** Acquires the underlying lock and gives a Releaser for `using` (see Lock.hold()). */
  hold(): Future<Releaser> {
    return this.#lock.hold();
  }

  /**
   * Releases the underlying lock.
   * @throws RuntimeError when it is not locked.
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Releases the lock, waits until notified, then takes the lock back: a
   * Future that resolves to true, holding the lock again.
   * @throws RuntimeError when the lock is not held, no loop is running, or
   *   the condition waits on another loop.
   * @example
   * await cond.wait();      // async function, holding the lock
   * yield* cond.wait();     // generator coroutine, holding the lock
   */
  wait(): Future<true> {
    return this.#wait<true>(null);
  }

  /**
   * Waits until `predicate()` is truthy, checking it first and after each
   * notification, with the lock held; resolves to the predicate's value.
   * @throws TypeError when predicate is not a function; RuntimeError as
   *   wait() when it must wait; whatever the predicate throws.
   * @example
   * await cond.waitFor(() => queue.length > 0);
   */
  waitFor<T>(predicate: () => T): Future<T> {
    if (typeof predicate !== 'function') {
      throw new TypeError(`waitFor() expects a function as predicate, got ${describe(predicate)}; pass e.g. () => items.length > 0`);
    }
    const loop = getRunningLoop();
    const result = predicate();
    if (result) return new DoneFuture(loop, result);
    return this.#wait(predicate);
  }

  /**
   * Wakes up to `n` waiters (1 by default), in the order they waited; each
   * takes the lock back in turn once it runs.
   * @throws RuntimeError when the lock is not held.
   */
  notify(n = 1): void {
    if (!this.#lock.locked()) throw new RuntimeError('cannot notify on un-acquired lock; acquire() the condition first');
    if (typeof n !== 'number' || Number.isNaN(n)) {
      throw new TypeError(`notify() expects n as a number of waiters, got ${describe(n)}`);
    }
    this.#notify(n);
  }

  /**
   * Wakes every waiter.
   * @throws RuntimeError when the lock is not held.
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }

  #wait<T>(predicate: (() => T) | null): Future<T> {
    const loop = getRunningLoop();
    if (!this.#lock.locked()) throw new RuntimeError('cannot wait on un-acquired lock; acquire() the condition first');
    // Both bind before anything changes: asyncio would find a lock of
    // another loop only when taking it back, after the release.
    this.bindLoop(loop);
    this.#lock.bindLoop(loop);
    return new ConditionWaiter<T>(loop, this, this.#lock, predicate);
  }

  #notify(n: number): void {
    for (let woken = 0; woken < n; ) {
      const waiter = this.#waiters.shift();
      if (waiter === null) return;
      // A waiter cancelled while waiting stays queued until it runs, as in
      // asyncio; it is skipped, and not counted.
      if (waiter.notified()) woken++;
    }
  }

  /** A wait() ends with an error, perhaps after it was notified: notify another (Python 3.13's _notify(1)). @internal */
  passOn(): void {
    this.#notify(1);
  }

  /** A waiter starts waiting to be notified. @internal */
  enqueue(waiter: ConditionWaiter<unknown>): void {
    this.#waiters.push(waiter);
  }

  /** `Condition [locked, waiters:1]`, as asyncio's repr. */
  override toString(): string {
    const waiters = this.#waiters.length;
    return `Condition [${this.#lock.locked() ? 'locked' : 'unlocked'}${waiters > 0 ? `, waiters:${waiters}` : ''}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A wait() or waitFor() under way: asyncio's coroutine (#run), in the
 * condition's queue while it waits to be notified.
 */
class ConditionWaiter<T> extends CoroutineFuture<T> {
  readonly #condition: Condition;
  readonly #lock: Lock;
  readonly #predicate: (() => T) | null;
  /** Completed by notify(). */
  #notification: Future<void> | null = null;

  constructor(loop: BaseEventLoop, condition: Condition, lock: Lock, predicate: (() => T) | null) {
    super(loop);
    this.#condition = condition;
    this.#lock = lock;
    this.#predicate = predicate;
    this.start(this.#run());
  }

  /**
   * The wait ended with the lock held, and the async function awaiting it was
   * cancelled before it resumed: it gets CancelledError from wait(), so the
   * notification moves on, as for any error out of asyncio's wait().
   */
  override abandoned(): void {
    this.#condition.passOn();
  }

  /** notify() chose this waiter: it wakes up on the next iteration, as asyncio's task would; false when it was cancelled. */
  notified(): boolean {
    const notification = this.#notification;
    if (notification === null || notification.done()) return false;
    notification.setResult();
    return true;
  }

  /**
   * asyncio's Condition.wait() from its release() on, with wait_for()'s loop
   * around it: wait for notify(), take the lock back even when cancelled,
   * then check the predicate.
   */
  *#run(): Coroutine<T> {
    const loop = this.getLoop();
    for (;;) {
      this.#lock.release();
      this.#condition.enqueue(this);
      try {
        let error: unknown = null;
        try {
          this.#notification = new Future<void>({ loop });
          yield* this.#notification;
        } catch (thrown) {
          error = thrown;
          this.list?.remove(this);
        } finally {
          this.#notification = null;
        }
        // Must take the lock back even if cancelled; only a cancellation is
        // caught here, so that no other error makes it spin.
        for (;;) {
          try {
            yield* this.#lock.acquire();
            break;
          } catch (thrown) {
            if (!CancelledError.isInstance(thrown)) throw thrown;
            error = thrown;
          }
        }
        if (error !== null) throw error;
      } catch (error) {
        // It may have been notified before the error: notify another instead.
        this.#condition.passOn();
        throw error;
      }
      if (this.#predicate === null) return true as T;
      const result = this.#predicate();
      if (result) return result;
    }
  }
}
