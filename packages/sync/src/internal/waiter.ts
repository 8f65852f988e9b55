// Waiter: the Future a primitive returns when its caller has to wait, and the
// hand-over rule every primitive of this package follows.
//
// asyncio wakes a waiter by completing a bare future; the waiting coroutine
// then takes the lock (or the item) itself when it resumes, one iteration
// later. Here acquire()/get()/put() return the Future itself, and whoever
// holds it (an async function's await, gather(), waitFor(), a done
// callback) must find the resource theirs when it completes. So a primitive
// hands the resource over when it wakes a waiter: the lock stays locked for
// it, the permit is counted out for it, the item is its result.
//
// A generator coroutine awaits with `yield*`, through this file's iterator,
// and so it can be cancelled between the hand-over and its resumption, as an
// asyncio coroutine can. That is the one window where a hand-over can be
// lost, so the iterator reports both endings to the waiter: resumed() (the
// hand-over is final) or abandoned() (a CancelledError arrived first: give
// the resource back, which wakes the next waiter). Nothing is lost and no
// counter drifts. An async function cannot be cancelled in that window:
// cancel() reaches only the Future it awaits, which is done by then, so the
// cancellation lands at its next await.
import { Future, type BaseEventLoop } from '@asyncio-ts/core';
import type { Linked, WaiterList } from './waiter-list.js';

export abstract class Waiter<T> extends Future<T> implements Linked {
  prevWaiter: Linked | null = null;
  nextWaiter: Linked | null = null;
  list: WaiterList<Linked> | null = null;
  /** A generator awaits this waiter with `yield*`: the hand-over is final only when it resumes. */
  driven = false;
  /** Handed over (completed with a result) and not yet resumed from or given back. */
  handedOver = false;

  constructor(loop: BaseEventLoop) {
    super({ loop });
  }

  /** Completes the waiter with what the primitive hands it. */
  handOver(value: T): void {
    this.handedOver = true;
    this.setResult(value);
  }

  /** Cancelling a waiter that still waits takes it out of its queue. */
  override cancel(message?: string): boolean {
    if (!this.done()) this.list?.remove(this);
    return super.cancel(message);
  }

  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return new WaiterIterator(this);
  }

  /** The generator that waited resumed with the result: the hand-over is final. */
  resumed(): void {}

  /** The generator that waited was cancelled or closed after the hand-over: give the resource back. */
  abandoned(): void {}
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
