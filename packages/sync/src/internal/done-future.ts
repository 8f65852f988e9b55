// DoneFuture: the already-done Future of a call that did not have to wait
// (an uncontended acquire(), a get() with an item, a put() with room).
//
// In asyncio, awaiting such a call does not suspend the task, so it is no
// cancellation point: a cancel() that comes meanwhile lands at the task's
// next real wait. Core makes `await` of a done Future one (it throws a
// pending cancellation out of it; reported to core), which would lose the
// lock, permit or item the call just took. So `await` on these Futures goes
// through core's then() in a scope that belongs to no task: the loop still
// sees the continuation coming (and lets it run before its next iteration),
// but no task learns of the await, and the cancellation waits for the task's
// next real wait, as in asyncio.
//
// A shared DoneFuture, never changed once made, is what acquire() returns
// again and again on the fast path; `yield*` on it allocates nothing, so the
// fast path costs what asyncio's does, a flag and a return.
import { AsyncResource } from 'node:async_hooks';
import { Future, type BaseEventLoop } from '@asyncio-ts/core';

// An async scope made at import, outside any task: then() run in it belongs to no task.
const noTask = new AsyncResource('asyncio-ts.sync.settled');

/** then() for a Future that is done, as no task's await (see above). */
export function settledThen<T, R1, R2>(
  future: Future<T>,
  onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
): Promise<R1 | R2> {
  return noTask.runInAsyncScope(Future.prototype.then, future, onFulfilled, onRejected) as Promise<R1 | R2>;
}

export class DoneFuture<T> extends Future<T> {
  readonly #value: T;
  #iterator: Iterator<unknown, T, unknown> | null = null;

  constructor(loop: BaseEventLoop, value: T) {
    super({ loop });
    this.setResult(value);
    this.#value = value;
  }

  /** `yield*` returns the value at once: the iterator and its one result are made once. */
  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    if (this.#iterator !== null) return this.#iterator;
    const result: IteratorReturnResult<T> = Object.freeze({ done: true, value: this.#value });
    return (this.#iterator = {
      next: () => result,
      return: (returned?: T) => ({ done: true, value: returned as T }),
      throw: (error: unknown) => {
        throw error;
      },
    });
  }

  /** `await` does not suspend the task on a call that did not wait, as in asyncio. */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return settledThen(this, onFulfilled, onRejected);
  }
}

/** The shared DoneFuture in `cache` if it belongs to `loop`, else a new one for it. */
export function doneOn<T>(cache: DoneFuture<T> | null, loop: BaseEventLoop, value: T): DoneFuture<T> {
  return cache !== null && cache.getLoop() === loop ? cache : new DoneFuture(loop, value);
}
