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
import { CancelledError, RuntimeError, getRunningLoop, type Coroutine, type Future } from '@asyncio-ts/core';
import { CoroutineFuture } from './internal/coroutine-future.js';
import { describe } from './internal/checks.js';
import { LoopBound } from './internal/loop-bound.js';
import type { Releaser } from './internal/releaser.js';
import { Waiter, type WaiterOwner } from './internal/waiter.js';
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
  // The wait()s under way, each a CoroutineFuture running #run(); its
  // payload is the Future that notify() completes, while it has one.
  readonly #waiters = new WaiterList<CoroutineFuture<unknown>>();
  #owner: WaiterOwner | null = null;

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
    if (result) return Waiter.resolved(loop, result);
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
    // The wait ended with the lock held, and the async function awaiting it
    // was cancelled before it resumed: it gets CancelledError from wait(),
    // so the notification moves on, as for any error out of asyncio's wait().
    this.#owner ??= { resumed: ignore, abandoned: () => this.#notify(1), left: ignore };
    const waiter = new CoroutineFuture<T>(loop, this.#owner);
    waiter.start(this.#run(waiter, predicate));
    return waiter;
  }

  #notify(n: number): void {
    for (let woken = 0; woken < n; ) {
      const waiter = this.#waiters.shift();
      if (waiter === null) return;
      // A waiter cancelled while waiting stays queued until it runs, as in
      // asyncio; it is skipped, and not counted. The chosen one wakes up on
      // the next iteration, as asyncio's task would.
      const notification = waiter.payload as Waiter<void> | null;
      if (notification === null || notification.done()) continue;
      notification.setResult();
      woken++;
    }
  }

  /**
   * asyncio's Condition.wait() from its release() on, with wait_for()'s loop
   * around it: wait for notify(), take the lock back even when cancelled,
   * then check the predicate. `waiter` is the Future that runs it.
   */
  *#run<T>(waiter: CoroutineFuture<T>, predicate: (() => T) | null): Coroutine<T> {
    const loop = waiter.getLoop();
    const lock = this.#lock;
    for (;;) {
      lock.release();
      this.#waiters.push(waiter as CoroutineFuture<unknown>);
      try {
        let error: unknown = null;
        try {
          const notification = new Waiter<void>(loop, null, undefined);
          waiter.payload = notification;
          yield* notification;
        } catch (thrown) {
          error = thrown;
          waiter.list?.remove(waiter);
        } finally {
          waiter.payload = null;
        }
        // Must take the lock back even if cancelled; only a cancellation is
        // caught here, so that no other error makes it spin.
        for (;;) {
          try {
            yield* lock.acquire();
            break;
          } catch (thrown) {
            if (!CancelledError.isInstance(thrown)) throw thrown;
            error = thrown;
          }
        }
        if (error !== null) throw error;
      } catch (error) {
        // It may have been notified before the error: notify another
        // instead (Python 3.13's _notify(1)).
        this.#notify(1);
        throw error;
      }
      if (predicate === null) return true as T;
      const result = predicate();
      if (result) return result;
    }
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

function ignore(): void {}
