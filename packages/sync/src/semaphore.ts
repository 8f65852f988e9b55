/**
 * Semaphore and BoundedSemaphore: a counter of permits for tasks
 * (asyncio.Semaphore, asyncio.BoundedSemaphore).
 *
 * Waiters are served first come, first served: release() hands its permit to
 * the first waiter, and an acquire() that comes later waits behind every
 * waiter, even when a permit is free in between (asyncio 3.12's rule).
 *
 * Differences from asyncio: acquire() returns a loop Future (`await` it or
 * `yield*` it); `hold()` gives a Releaser for `using`, in place of
 * `async with sem:`. The value must be a whole number.
 */
import { inspect } from 'node:util';
import { getRunningLoop, ValueError, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { checkCount } from './internal/checks.js';
import { LoopBound } from './internal/loop-bound.js';
import { OnceReleaser, type Releaser } from './internal/releaser.js';
import { doneOn, Waiter, type WaiterOwner } from './internal/waiter.js';
import { WaiterList } from './internal/waiter-list.js';

/**
 * A semaphore: `value` permits, acquired and released by tasks, waiters
 * served in FIFO order.
 * @example
 * const sem = new Semaphore(3);       // at most 3 at once
 * async function fetchOne(url: string) {
 *   using permit = await sem.hold();
 *   return fetch(url);
 * }
 */
export class Semaphore extends LoopBound {
  #value: number;
  readonly #waiters = new WaiterList<Waiter<unknown>>();
  // Waiters handed a permit that have not resumed yet: until they run, a new
  // acquire() waits even if a permit is free (asyncio's FIFO rule: a woken
  // waiter stays in asyncio's queue until it runs).
  #woken = 0;
  // Guards wakeAll() against itself: a waiter cancelled while it is being
  // handed a permit would run it again from inside.
  #waking = false;
  #done: Waiter<true> | null = null;
  #owner: WaiterOwner | null = null;

  /**
   * @param value The number of permits, a whole number >= 0; 1 by default.
   * @throws TypeError or ValueError when value is not a whole number >= 0.
   */
  constructor(value = 1) {
    super();
    this.#value = checkCount(`${new.target.name}()`, 'value', value, 0);
  }

  /** True when acquire() would wait: no permit is free, or other tasks are first in line. */
  locked(): boolean {
    return this.#value === 0 || this.#waiters.length > 0 || this.#woken > 0;
  }

  /**
   * Takes a permit: a Future that resolves to true once this caller has one.
   * When one is free and nobody waits it is already done (and may be the
   * same Future as an earlier call's: a done Future never changes).
   * @throws RuntimeError when no loop is running, or the semaphore waits on another loop.
   * @example
   * await sem.acquire();      // async function
   * yield* sem.acquire();     // generator coroutine
   */
  acquire(): Future<true> {
    const loop = getRunningLoop();
    if (!this.locked()) {
      this.#value--;
      return (this.#done = doneOn(this.#done, loop, true));
    }
    return this.#wait(loop, true as const);
  }

  /**
   * Takes a permit and gives a Releaser that returns it once, for `using`.
   * @throws RuntimeError as acquire().
   */
  hold(): Future<Releaser> {
    const loop = getRunningLoop();
    const releaser = new OnceReleaser(this);
    if (!this.locked()) {
      this.#value--;
      return Waiter.resolved<Releaser>(loop, releaser);
    }
    return this.#wait<Releaser>(loop, releaser);
  }

  /** Returns a permit, handing it to the first waiter if there is one. */
  release(): void {
    this.giveBack();
  }

  /** The free permits now (asyncio's `_value`). */
  get value(): number {
    return this.#value;
  }

  #wait<R>(loop: BaseEventLoop, value: R): Future<R> {
    this.bindLoop(loop);
    this.#owner ??= {
      // The waiter resumed, keeping its permit.
      resumed: () => this.#wokenLeft(true),
      // Cancelled after the permit was handed to it: pass it on (asyncio's CancelledError branch).
      abandoned: () => this.#wokenLeft(false),
      // Leaving the queue unwoken also lets newcomers queued behind it in (asyncio's `finally`).
      left: () => this.#wakeAll(),
    };
    const waiter = new Waiter<R>(loop, this.#owner, value);
    this.#waiters.push(waiter as Waiter<unknown>);
    return waiter;
  }

  /** Hands a permit to the first waiter; false when nobody waits (asyncio's _wake_up_next). */
  #wakeUpNext(): boolean {
    const next = this.#waiters.shift();
    if (next === null) return false;
    this.#value--;
    // Counted out for the waiter; final when it resumes.
    this.#woken++;
    next.handOver();
    return true;
  }

  /** release() without BoundedSemaphore's check. @internal */
  giveBack(): void {
    this.#value++;
    this.#wakeUpNext();
  }

  /**
   * Wakes as many waiters as there are free permits: what asyncio's acquire()
   * does in its `finally` as a waiter leaves, since newcomers may have queued
   * behind it while a permit was free.
   */
  #wakeAll(): void {
    if (this.#waking) return;
    this.#waking = true;
    try {
      while (this.#value > 0 && this.#wakeUpNext());
    } finally {
      this.#waking = false;
    }
  }

  /** A waiter handed a permit resumed, keeping it; or it was cancelled first and gives it back. */
  #wokenLeft(keep: boolean): void {
    this.#woken--;
    if (!keep) this.#value++;
    this.#wakeAll();
  }

  /** `Semaphore [unlocked, value:2]`, `Semaphore [locked, waiters:1]`, as asyncio's repr. */
  override toString(): string {
    const state = this.locked() ? 'locked' : `unlocked, value:${this.#value}`;
    const waiters = this.#waiters.length;
    return `${this.constructor.name} [${state}${waiters > 0 ? `, waiters:${waiters}` : ''}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A semaphore that refuses to be released more often than acquired: its
 * value never goes above the initial one.
 * @example
 * const sem = new BoundedSemaphore(2);
 * sem.release(); // throws ValueError: released too many times
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  /**
   * Returns a permit.
   * @throws ValueError when every permit is already free (released more often than acquired).
   */
  override release(): void {
    if (this.value >= this.#bound) {
      throw new ValueError(
        `BoundedSemaphore released too many times: its value is already at its bound of ${this.#bound}; release() only a permit you acquired`,
      );
    }
    this.giveBack();
  }
}
