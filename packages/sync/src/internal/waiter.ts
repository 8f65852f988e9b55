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
// - A generator awaits with `yield*`, through this file's iterator: the
//   Future completes at once, and the iterator reports how the generator
//   comes back: resumed() (final) or abandoned() (a CancelledError arrived
//   first: give the resource back, which wakes the next waiter).
// - Any other awaiter: the Future completes on the next iteration, when an
//   asyncio task would resume; cancelled before that, it gives the resource
//   back and ends cancelled, so an async function gets CancelledError at its
//   await, as a coroutine would.
// Nothing is lost and no counter drifts.
import { Future, type BaseEventLoop } from '@asyncio-ts/core';
import type { Linked, WaiterList } from './waiter-list.js';

export abstract class Waiter<T> extends Future<T> implements Linked {
  prevWaiter: Linked | null = null;
  nextWaiter: Linked | null = null;
  list: WaiterList<Linked> | null = null;
  /** A generator awaits this waiter with `yield*`: it completes at the hand-over, final when the generator resumes. */
  driven = false;
  /** Driven, completed by a hand-over, and not yet resumed from or given back. */
  handedOver = false;
  /** Not driven and handed over: the resource is set aside, the Future completes on the next iteration. */
  #reserved = false;
  #reservedValue: T | undefined = undefined;

  constructor(loop: BaseEventLoop) {
    super({ loop });
  }

  /** Hands the resource over (see the file header): resumed() or abandoned() follows. */
  handOver(value: T): void {
    if (this.driven) {
      this.handedOver = true;
      this.setResult(value);
      return;
    }
    this.#reserved = true;
    this.#reservedValue = value;
    this.getLoop().callSoon(completeReserved, this);
  }

  /** The next iteration after a hand-over to an awaiter that is not a generator. @internal */
  completeReserved(): void {
    if (!this.#reserved) return;
    this.#reserved = false;
    const value = this.#reservedValue as T;
    this.#reservedValue = undefined;
    try {
      this.resumed();
    } catch (error) {
      this.setException(error);
      return;
    }
    this.setResult(value);
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
    if (yielded && waiter.handedOver) {
      waiter.handedOver = false;
      waiter.resumed();
    }
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
    } else if (waiter.handedOver) {
      waiter.handedOver = false;
      waiter.abandoned();
    } else if (!waiter.cancelled()) {
      // The waiter failed, and the error the generator leaves with replaces
      // that failure: mark it seen, or it would be reported as never retrieved.
      waiter.exception();
    }
  }

  [Symbol.iterator](): this {
    return this;
  }
}
