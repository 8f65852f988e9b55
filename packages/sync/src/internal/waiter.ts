// Waiter: the Future a primitive returns when its caller has to wait, and the
// hand-over rule every primitive of this package follows.
//
// asyncio wakes a waiter by completing a bare future; the waiting coroutine
// takes the lock (or the item) itself when its task resumes, one iteration
// later, and if the task is cancelled first, it passes the wake-up on. Here
// acquire()/get()/put() return the Future itself, and whoever holds it (an
// async function's await, gather(), waitFor(), a done callback) must find
// the resource theirs when it completes. So a primitive hands the resource
// over when it wakes a waiter (the lock stays locked for it, the permit is
// counted out, the item is set aside) and the hand-over becomes final when
// the waiter resumes, as asyncio's would:
// - A coroutine awaits it (a generator with `yield*`, through this file's
//   iterator; an async function with `await`, through then()): the Future
//   completes at once, and the coroutine's resumption reports back:
//   resumed() (final), or abandoned() when its task was cancelled first and
//   resumes with CancelledError instead (give the resource back, which wakes
//   the next waiter).
// - Nothing awaits it as a coroutine (gather(), a done callback): the Future
//   completes on the next iteration, when an asyncio task would resume;
//   cancelled before that, it gives the resource back and ends cancelled.
// Nothing is lost and no counter drifts.
import { CancelledError, Future, type BaseEventLoop } from '@asyncio-ts/core';
import { settledThen } from './done-future.js';
import type { Linked, WaiterList } from './waiter-list.js';

export abstract class Waiter<T> extends Future<T> implements Linked {
  prevWaiter: Linked | null = null;
  nextWaiter: Linked | null = null;
  list: WaiterList<Linked> | null = null;
  /** A generator awaits this waiter with `yield*`. */
  driven = false;
  /** An async function (or any then()) awaits this waiter. */
  #awaited = false;
  /** Completed by a hand-over; final once the awaiting coroutine resumes. */
  #inTransit = false;
  /** Handed over while nothing awaited it as a coroutine: it completes on the next iteration. */
  #reserved = false;
  #reservedValue: T | undefined = undefined;

  constructor(loop: BaseEventLoop) {
    super({ loop });
  }

  /** Hands the resource over (see the file header): resumed() or abandoned() follows. */
  handOver(value: T): void {
    if (this.driven || this.#awaited) {
      this.#inTransit = true;
      this.setResult(value);
      return;
    }
    this.#reserved = true;
    this.#reservedValue = value;
    this.getLoop().callSoon(completeReserved, this);
  }

  /** The next iteration after a hand-over that no coroutine awaited. @internal */
  completeReserved(): void {
    if (!this.#reserved) return;
    this.#reserved = false;
    const value = this.#reservedValue as T;
    this.#reservedValue = undefined;
    if (this.driven || this.#awaited) {
      // A coroutine started to await it meanwhile: final when it resumes.
      this.#inTransit = true;
      this.setResult(value);
      return;
    }
    try {
      this.resumed();
    } catch (error) {
      this.setException(error);
      return;
    }
    this.setResult(value);
  }

  /**
   * Completes the waiter with the result of its own work (not a hand-over,
   * see CoroutineFuture): final once an awaiting async function resumes.
   * @internal
   */
  completeWith(value: T): void {
    if (this.#awaited) this.#inTransit = true;
    this.setResult(value);
  }

  /** The coroutine that awaited the hand-over resumed with it, or with CancelledError instead. @internal */
  finishHandOver(resumed: boolean): void {
    if (!this.#inTransit) return;
    this.#inTransit = false;
    if (resumed) this.resumed();
    else this.abandoned();
  }

  /**
   * Cancelling a waiter that still waits takes it out of its queue; one that
   * was handed the resource and has not completed gives it back.
   */
  override cancel(message?: string): boolean {
    if (this.#reserved) {
      this.#reserved = false;
      this.#reservedValue = undefined;
      this.abandoned();
    } else if (!this.done()) {
      this.list?.remove(this);
    }
    return super.cancel(message);
  }

  /** `await waiter`: the awaiting task's resumption makes the hand-over final, or gives it back. */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // Awaiting a waiter that is already done and final does not suspend in
    // asyncio: no cancellation point (see done-future.ts).
    if (this.done() && !this.#inTransit) return settledThen(this, onFulfilled, onRejected);
    this.#awaited = true;
    return super.then(
      (value) => {
        try {
          this.finishHandOver(true);
        } catch (error) {
          // The hand-over failed as it became final (a putter refused by
          // shutdown()): the awaiter gets that error. `await` listens to its
          // callbacks only, not to the promise then() returns.
          if (typeof onRejected === 'function') return onRejected(error);
          throw error;
        }
        return typeof onFulfilled === 'function' ? onFulfilled(value) : (value as unknown as R1);
      },
      (error: unknown) => {
        if (CancelledError.isInstance(error) && !this.cancelled()) this.finishHandOver(false);
        if (typeof onRejected === 'function') return onRejected(error);
        throw error;
      },
    );
  }

  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return new WaiterIterator(this);
  }

  /** The waiter resumed with the resource: the hand-over is final. */
  resumed(): void {}

  /** The waiter was cancelled (or its generator closed) after the hand-over: give the resource back. */
  abandoned(): void {}
}

function completeReserved(waiter: Waiter<unknown>): void {
  waiter.completeReserved();
}

const FRESH = 0;
const YIELDED = 1;
const FINISHED = 2;

/** `yield* waiter`: yields the waiter while it is pending, then reports how the generator came back. */
class WaiterIterator<T> implements Iterator<unknown, T, unknown> {
  readonly #waiter: Waiter<T>;
  #state = FRESH;

  constructor(waiter: Waiter<T>) {
    this.#waiter = waiter;
  }

  next(): IteratorResult<unknown, T> {
    const waiter = this.#waiter;
    if (this.#state === FINISHED) return { done: true, value: undefined as T };
    if (!waiter.done()) {
      this.#state = YIELDED;
      waiter.driven = true;
      return { done: false, value: waiter };
    }
    const yielded = this.#state === YIELDED;
    this.#state = FINISHED;
    const value = waiter.result();
    if (yielded) waiter.finishHandOver(true);
    return { done: true, value };
  }

  throw(error: unknown): IteratorResult<unknown, T> {
    this.#leave();
    throw error;
  }

  return(value?: T): IteratorResult<unknown, T> {
    this.#leave();
    return { done: true, value: value as T };
  }

  /** The generator leaves the `yield*` by an error or a return rather than by the waiter's result. */
  #leave(): void {
    const waiter = this.#waiter;
    const yielded = this.#state === YIELDED;
    this.#state = FINISHED;
    if (!yielded) return;
    if (!waiter.done()) {
      // Thrown into while still waiting (a generator driven by hand): stop waiting.
      waiter.cancel();
    } else if (!waiter.cancelled()) {
      waiter.finishHandOver(false);
      // The waiter failed, and the error the generator leaves with replaces
      // that failure: mark it seen, or it would be reported as never retrieved.
      waiter.exception();
    }
  }

  [Symbol.iterator](): this {
    return this;
  }
}
