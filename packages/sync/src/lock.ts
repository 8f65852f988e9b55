/**
 * Lock: mutual exclusion between tasks (asyncio.Lock).
 *
 * Waiters are served first come, first served: release() hands the lock to
 * the first waiter, and an acquire() that comes later waits behind every
 * waiter, even one that was woken and has not run yet.
 *
 * Differences from asyncio:
 * - acquire() returns a loop Future (`await` it, or `yield*` it in a
 *   generator); `hold()` gives a Releaser for `using`, in place of
 *   `async with lock:`.
 * - release() hands the lock over: it stays locked for the woken waiter,
 *   where asyncio unlocks it and lets that waiter lock it again when it
 *   runs. Nobody can take it in between in either, but locked() is true
 *   here during that iteration.
 */
import { inspect } from 'node:util';
import { getRunningLoop, RuntimeError, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { LoopBound } from './internal/loop-bound.js';
import { OnceReleaser, type Releaser } from './internal/releaser.js';
import { doneOn, Waiter, type WaiterOwner } from './internal/waiter.js';
import { WaiterList } from './internal/waiter-list.js';

/**
 * A lock for tasks: one holder at a time, waiters served in FIFO order.
 * @example
 * const lock = new Lock();
 * // async function
 * using held = await lock.hold();
 * // generator coroutine
 * yield* lock.acquire();
 * try { ... } finally { lock.release(); }
 */
export class Lock extends LoopBound {
  #locked = false;
  readonly #waiters = new WaiterList<Waiter<unknown>>();
  #done: Waiter<true> | null = null;
  #owner: WaiterOwner | null = null;

  /** True when the lock is held. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquires the lock: a Future that resolves to true once this caller holds
   * it. When the lock is free it is already done (and may be the same Future
   * as an earlier call's: a done Future never changes).
   * @throws RuntimeError when no loop is running, or the lock waits on another loop.
   * @example
   * await lock.acquire();      // async function
   * yield* lock.acquire();     // generator coroutine
   */
  acquire(): Future<true> {
    const loop = getRunningLoop();
    // Free means no waiters too: a release() with waiters hands the lock on.
    if (!this.#locked) {
      this.#locked = true;
      return (this.#done = doneOn(this.#done, loop, true));
    }
    return this.#wait(loop, true as const);
  }

  /**
   * Acquires the lock and gives a Releaser that releases it once, for `using`.
   * @throws RuntimeError as acquire().
   * @example
   * using held = await lock.hold();      // async function
   * using held = yield* lock.hold();     // generator coroutine
   */
  hold(): Future<Releaser> {
    const loop = getRunningLoop();
    const releaser = new OnceReleaser(this);
    if (!this.#locked) {
      this.#locked = true;
      return Waiter.resolved<Releaser>(loop, releaser);
    }
    return this.#wait<Releaser>(loop, releaser);
  }

  /**
   * Releases the lock, handing it to the first waiter if there is one.
   * @throws RuntimeError when the lock is not locked.
   */
  release(): void {
    if (!this.#locked) throw new RuntimeError('Lock is not acquired; release() must follow a successful acquire()');
    this.#handOff();
  }

  #wait<R>(loop: BaseEventLoop, value: R): Future<R> {
    this.bindLoop(loop);
    // A waiter cancelled after the lock was handed to it passes it on
    // (asyncio's _wake_up_first on CancelledError).
    this.#owner ??= { resumed: ignore, abandoned: () => this.release(), left: ignore };
    const waiter = new Waiter<R>(loop, this.#owner, value);
    this.#waiters.push(waiter as Waiter<unknown>);
    return waiter;
  }

  /** Hands the lock to the first waiter; unlocks when nobody waits. */
  #handOff(): void {
    const next = this.#waiters.shift();
    if (next === null) this.#locked = false;
    else next.handOver();
  }

  /** Binds the lock to `loop`, as a Condition on it starts waiting. @internal */
  override bindLoop(loop: BaseEventLoop): void {
    super.bindLoop(loop);
  }

  /** `Lock [locked, waiters:2]`, as asyncio's repr. */
  override toString(): string {
    const waiters = this.#waiters.length;
    return `Lock [${this.#locked ? 'locked' : 'unlocked'}${waiters > 0 ? `, waiters:${waiters}` : ''}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function ignore(): void {}
