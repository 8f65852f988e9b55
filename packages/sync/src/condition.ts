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
 * Differences from asyncio:
 * - wait() and waitFor() return loop Futures; hold() gives a Releaser for
 *   `using`, in place of `async with cond:`.
 * - A notified waiter queues for the lock at notify() time, where asyncio's
 *   asks for it when it next runs: a task that releases and at once
 *   re-acquires the lock lines up behind the waiters it notified.
 * - waitFor()'s predicate runs when the lock is handed to the waiter (the
 *   state it guards cannot change in between: the waiter holds the lock).
 * - Cancelling the Future of a wait() is a request, as cancelling a Task:
 *   cancel() returns true and the Future ends cancelled once the lock is
 *   held again.
 */
import { inspect } from 'node:util';
import { getRunningLoop, RuntimeError, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { describe } from './internal/checks.js';
import { LoopBound, resolved } from './internal/loop-bound.js';
import type { Releaser } from './internal/releaser.js';
import { Waiter } from './internal/waiter.js';
import { WaiterList } from './internal/waiter-list.js';
import { Lock, type LockClaim } from './lock.js';

/**
 * A condition variable over a Lock (a new one, or the one given).
 * @example
 * const cond = new Condition();
 * const items: string[] = [];
 * // consumer (async function)
 * await using held = await cond.hold();
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
    if (result) return resolved(loop, result);
    return this.#wait(predicate);
  }

  /**
   * Wakes up to `n` waiters (1 by default), in the order they waited; each
   * takes the lock in turn once it is released.
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
    this.bindLoop(loop);
    this.#lock.bindLoop(loop);
    const waiter = new ConditionWaiter<T>(loop, this, this.#lock, predicate);
    // Queued before the release: the release may hand the lock to a waiter
    // whose predicate is still false, and that one queues again behind this one.
    this.#waiters.push(waiter);
    this.#lock.release();
    return waiter;
  }

  #notify(n: number): void {
    for (let i = 0; i < n; i++) {
      const waiter = this.#waiters.shift();
      if (waiter === null) return;
      waiter.notified();
    }
  }

  /** A waiter ended with an error, perhaps after it was notified: notify another (Python 3.13's _notify(1)). @internal */
  passOn(): void {
    this.#notify(1);
  }

  /** A waitFor() whose predicate is still false waits again. @internal */
  requeue(waiter: ConditionWaiter<unknown>): void {
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
 * A task in wait() or waitFor(): first in the condition's queue ('notify'),
 * then in the lock's ('lock'), completing when the lock is handed to it.
 */
class ConditionWaiter<T> extends Waiter<T> implements LockClaim {
  readonly #condition: Condition;
  readonly #lock: Lock;
  readonly #predicate: (() => T) | null;
  #phase: 'notify' | 'lock' = 'notify';
  #cancelRequested = false;
  #cancelMessage: string | undefined = undefined;

  constructor(loop: BaseEventLoop, condition: Condition, lock: Lock, predicate: (() => T) | null) {
    super(loop);
    this.#condition = condition;
    this.#lock = lock;
    this.#predicate = predicate;
  }

  /** notify() chose this waiter: it queues for the lock. */
  notified(): void {
    this.#phase = 'lock';
    this.#lock.claim(this);
  }

  /** The lock is handed to this waiter; false passes it on and waits for another notify(). */
  take(): boolean {
    if (this.#cancelRequested) {
      // A wait() that ends with an error hands its notification on.
      this.#condition.passOn();
      super.cancel(this.#cancelMessage);
      return true;
    }
    if (this.#predicate === null) {
      this.handOver(true as T);
      return true;
    }
    let result: T;
    try {
      result = this.#predicate();
    } catch (error) {
      // As in asyncio, the predicate's error leaves waitFor() with the lock held.
      this.setException(error);
      return true;
    }
    if (result) {
      this.handOver(result);
      return true;
    }
    this.#phase = 'notify';
    this.#condition.requeue(this);
    return false;
  }

  /**
   * A request, as Task.cancel(): the waiter leaves the condition's queue and
   * ends cancelled once it holds the lock again.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return super.cancel(message);
    if (!this.#cancelRequested) {
      this.#cancelRequested = true;
      this.#cancelMessage = message;
      if (this.#phase === 'notify') {
        this.list?.remove(this);
        this.notified();
      }
    }
    return true;
  }

  /** Cancelled after it held the lock again: the lock stays held (the caller releases it), the notification moves on. */
  override abandoned(): void {
    this.#condition.passOn();
  }
}
