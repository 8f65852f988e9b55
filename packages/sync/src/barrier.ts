/**
 * Barrier: tasks wait until `parties` of them have arrived, then all go on
 * (asyncio.Barrier, Python 3.11).
 *
 * The algorithm is asyncio's, on a Condition: the barrier fills, drains as
 * the last party arrives (late arrivals wait for the draining to end), and
 * reset() or abort() break it for the tasks waiting in it.
 *
 * Differences from asyncio: wait(), reset() and abort() return loop Futures.
 * Their coroutines start at once and run inside a generator that awaits them
 * with `yield*`, as asyncio's run inside the awaiting task; for any other
 * awaiter the Future steps them itself. asyncio's `async with barrier` is
 * wait().
 */
import { inspect } from 'node:util';
import { getRunningLoop, type Coroutine, type Future } from '@asyncio-ts/core';
import { BrokenBarrierError } from './errors.js';
import { Condition } from './condition.js';
import { checkCount } from './internal/checks.js';
import { CoroutineFuture } from './internal/coroutine-future.js';

type BarrierState = 'filling' | 'draining' | 'resetting' | 'broken';

/**
 * A barrier for `parties` tasks.
 * @example
 * const barrier = new Barrier(3);
 * // in each of three tasks:
 * const index = await barrier.wait();     // async function: 0, 1 or 2
 * const index = yield* barrier.wait();    // generator coroutine
 */
export class Barrier {
  // Notifies every waiting task when the state changes.
  readonly #condition = new Condition();
  readonly #parties: number;
  #state: BarrierState = 'filling';
  // Tasks inside wait(): filling it, or draining out of it.
  #count = 0;

  /**
   * @param parties How many tasks must wait() before all of them go on; a whole number >= 1.
   * @throws TypeError or ValueError when parties is not a whole number >= 1.
   */
  constructor(parties: number) {
    this.#parties = checkCount('Barrier()', 'parties', parties, 1);
  }

  /** How many tasks must wait() to pass the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** How many tasks wait in the barrier now, while it fills. */
  get nWaiting(): number {
    return this.#state === 'filling' ? this.#count : 0;
  }

  /** True after abort(), until reset(). */
  get broken(): boolean {
    return this.#state === 'broken';
  }

  /**
   * Waits until `parties` tasks wait, then lets them all go on: a Future of
   * this task's arrival index, from 0 to parties - 1.
   * @throws RuntimeError when no loop is running. The Future fails with
   *   BrokenBarrierError when the barrier is broken, or reset or aborted while waiting.
   */
  wait(): Future<number> {
    return this.#start(this.#wait());
  }

  /**
   * Returns the barrier to its initial, empty state; tasks waiting in it get
   * BrokenBarrierError. A Future that resolves once done.
   */
  reset(): Future<void> {
    return this.#start(this.#reset());
  }

  /**
   * Breaks the barrier: tasks waiting in it, and every later wait(), get
   * BrokenBarrierError until reset(). A Future that resolves once done.
   */
  abort(): Future<void> {
    return this.#start(this.#abort());
  }

  /** Runs one of asyncio's coroutines as a Future (inline in a generator that awaits it with `yield*`). */
  #start<T>(coroutine: Coroutine<T>): Future<T> {
    const future = new CoroutineFuture<T>(getRunningLoop());
    future.start(coroutine);
    return future;
  }

  *#wait(): Coroutine<number> {
    yield* this.#condition.acquire();
    try {
      yield* this.#block();
      const index = this.#count++;
      try {
        if (index + 1 === this.#parties) this.#release();
        else yield* this.#waitForRelease();
        return index;
      } finally {
        this.#count--;
        this.#exit();
      }
    } finally {
      this.#condition.release();
    }
  }

  /** Waits while the barrier drains or resets; a broken barrier throws. */
  *#block(): Coroutine<void> {
    yield* this.#condition.waitFor(() => this.#state !== 'draining' && this.#state !== 'resetting');
    if (this.#state === 'broken') throw new BrokenBarrierError('Barrier aborted');
  }

  /** The last party arrived: the others may go. */
  #release(): void {
    this.#state = 'draining';
    this.#condition.notifyAll();
  }

  /** Waits in the filling barrier until it is released, reset or broken. */
  *#waitForRelease(): Coroutine<void> {
    yield* this.#condition.waitFor(() => this.#state !== 'filling');
    if (this.#state === 'broken' || this.#state === 'resetting') {
      throw new BrokenBarrierError('Abort or reset of barrier');
    }
  }

  /** The last task out of a draining or resetting barrier lets the blocked ones in. */
  #exit(): void {
    if (this.#count !== 0) return;
    if (this.#state === 'resetting' || this.#state === 'draining') this.#state = 'filling';
    this.#condition.notifyAll();
  }

  *#reset(): Coroutine<void> {
    yield* this.#condition.acquire();
    try {
      if (this.#count > 0) this.#state = 'resetting';
      else this.#state = 'filling';
      this.#condition.notifyAll();
    } finally {
      this.#condition.release();
    }
  }

  *#abort(): Coroutine<void> {
    yield* this.#condition.acquire();
    try {
      this.#state = 'broken';
      this.#condition.notifyAll();
    } finally {
      this.#condition.release();
    }
  }

  /** `Barrier [filling, waiters:1/3]`, `Barrier [broken]`, as asyncio's repr. */
  toString(): string {
    const waiting = this.#state === 'broken' ? '' : `, waiters:${this.nWaiting}/${this.#parties}`;
    return `Barrier [${this.#state}${waiting}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
