// Waiter: the one Future class a primitive returns, waiting or already done,
// and the hand-over rule every primitive of this package follows.
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
// - A coroutine awaits it (a generator with `yield*`, through this class's
//   iterator methods; an async function with `await`, through then()): the
//   Future completes at once, and the coroutine's resumption reports back
//   to the primitive (the waiter's owner): resumed() (final), or abandoned()
//   when its task was cancelled first and resumes with CancelledError
//   instead (give the resource back, which wakes the next waiter).
// - Nothing awaits it as a coroutine (gather(), a done callback): the Future
//   completes on the next iteration, when an asyncio task would resume;
//   cancelled before that, it gives the resource back and ends cancelled.
// Nothing is lost and no counter drifts.
//
// Why one class for every primitive, with the primitive's part behind a
// WaiterOwner rather than in subclasses: core's Future code (its field
// initializers, done(), result(), setResult()...) runs on every Future class
// of a program, and V8 makes those accesses megamorphic (several times
// slower) once more than four classes reach them. Core has Task, SleepFuture
// and gather()'s Future in the hot paths already; this package adds one.
import { CancelledError, Future, type AwaitedHandOver, type BaseEventLoop } from '@asyncio-ts/core';
import type { Linked, WaiterList } from './waiter-list.js';

/** What a primitive does as the hand-over to one of its waiters ends. */
export interface WaiterOwner {
  /** The waiter resumed with what it was handed: the hand-over is final. May throw: the awaiter gets that error. */
  resumed(waiter: Waiter<unknown>): void;
  /** The waiter's awaiter was cancelled (or its generator closed) after the hand-over: give the resource back. */
  abandoned(waiter: Waiter<unknown>): void;
  /** The waiter was cancelled while it waited; it is out of its list. */
  left(waiter: Waiter<unknown>): void;
}

/** A generator awaits the waiter with `yield*`. */
const DRIVEN = 1;
/** An async function (or any then()) awaits the waiter. */
const AWAITED = 2;
/** Completed by a hand-over; final once the awaiting coroutine resumes. */
const IN_TRANSIT = 4;
/** Handed over while nothing awaited it as a coroutine: it completes on the next iteration. */
const RESERVED = 8;
/** Completes with undefined, not with its payload (a putter carries its item). */
const VOID_RESULT = 16;
/** Made done by resolved(): its payload is null, or what `yield*` returns, made once. */
const RESOLVED = 32;

export class Waiter<T> extends Future<T> implements Linked, Iterator<unknown, T, unknown>, AwaitedHandOver {
  // Fields are set in the constructor only (`declare`), once each: waiters
  // come by the 100,000.
  /** The list the waiter is in (see WaiterList). */
  declare list: WaiterList<Linked> | null;
  /** The primitive told when a hand-over ends; null for a plain wake-up (Event.wait(), join()). */
  declare readonly owner: WaiterOwner | null;
  /**
   * What the waiter carries: the value it completes with when handed over
   * (true, a Releaser, a getter's item), or a putter's item.
   */
  declare payload: unknown;
  /** DRIVEN | AWAITED | IN_TRANSIT | RESERVED | VOID_RESULT | RESOLVED. */
  #flags: number;

  /**
   * @param owner The primitive to tell as a hand-over ends, or null.
   * @param payload See `payload`.
   * @param voidResult Completes with undefined rather than the payload.
   */
  constructor(loop: BaseEventLoop, owner: WaiterOwner | null, payload: unknown, voidResult = false) {
    super({ loop });
    this.list = null;
    this.owner = owner;
    this.payload = payload;
    this.#flags = voidResult ? VOID_RESULT : 0;
  }

  /**
   * A Waiter already done with `value`: the result of a call that did not
   * have to wait. `yield*` on it returns at once and allocates nothing, so
   * such a call costs about what asyncio's does, a flag and a return.
   */
  static resolved<T>(loop: BaseEventLoop, value: T): Waiter<T> {
    const waiter = new Waiter<T>(loop, null, null);
    waiter.#flags = RESOLVED;
    waiter.setResult(value);
    return waiter;
  }

  /** A Waiter that already failed with `error`: an outcome known at once (QueueShutDown, ...). */
  static failed<T>(loop: BaseEventLoop, error: unknown): Waiter<T> {
    const waiter = new Waiter<T>(loop, null, undefined);
    waiter.setException(error);
    return waiter;
  }

  /** Hands the resource over (see the file header): resumed() or abandoned() follows. */
  handOver(): void {
    const flags = this.#flags;
    if ((flags & (DRIVEN | AWAITED)) !== 0) {
      this.#flags = flags | IN_TRANSIT;
      this.setResult((flags & VOID_RESULT) !== 0 ? (undefined as T) : (this.payload as T));
      return;
    }
    this.#flags = flags | RESERVED;
    this.getLoop().callSoon(completeReserved, this);
  }

  /** The next iteration after a hand-over that no coroutine awaited. @internal */
  completeReserved(): void {
    const flags = this.#flags;
    if ((flags & RESERVED) === 0) return;
    this.#flags = flags & ~RESERVED;
    const value = (flags & VOID_RESULT) !== 0 ? (undefined as T) : (this.payload as T);
    if ((flags & (DRIVEN | AWAITED)) !== 0) {
      // A coroutine started to await it meanwhile: final when it resumes.
      this.#flags |= IN_TRANSIT;
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
    if ((this.#flags & AWAITED) !== 0) this.#flags |= IN_TRANSIT;
    this.setResult(value);
  }

  /** The coroutine that awaited the hand-over resumed with it, or with CancelledError instead. @internal */
  finishHandOver(resumed: boolean): void {
    const flags = this.#flags;
    if ((flags & IN_TRANSIT) === 0) return;
    this.#flags = flags & ~IN_TRANSIT;
    if (resumed) this.resumed();
    else this.abandoned();
  }

  /**
   * Cancelling a waiter that still waits takes it out of its queue; one that
   * was handed the resource and has not completed gives it back.
   */
  override cancel(message?: string): boolean {
    const flags = this.#flags;
    if ((flags & RESERVED) !== 0) {
      this.#flags = flags & ~RESERVED;
      this.abandoned();
      return super.cancel(message);
    }
    if (this.done()) return super.cancel(message);
    this.list?.remove(this);
    const cancelled = super.cancel(message);
    if (cancelled) this.owner?.left(this as Waiter<unknown>);
    return cancelled;
  }

  /** `await waiter`: the awaiting task's resumption makes the hand-over final, or gives it back. */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // Done and final, or a plain wake-up: nothing to report back. (Awaiting
    // a done Future is no cancellation point, as in asyncio: core sees to that.)
    if (this.owner === null || (this.done() && (this.#flags & IN_TRANSIT) === 0)) return super.then(onFulfilled, onRejected);
    this.#flags |= AWAITED;
    return this.thenHandingOver(this, onFulfilled, onRejected);
  }

  /**
   * The awaiter resumes with what it was handed: final. Should that fail (a
   * putter refused by shutdown()), the awaiter gets the error. @internal
   */
  awaiterResumed(): void {
    this.finishHandOver(true);
  }

  /** The awaiter resumes with `error` instead: cancelled after the hand-over, it gives the resource back. @internal */
  awaiterFailed(error: unknown): void {
    if (CancelledError.isInstance(error) && !this.cancelled()) this.finishHandOver(false);
  }

  // `yield* waiter`: the waiter is its own iterator, and keeps no state for
  // it (so several generators may await it): it yields itself while
  // pending, then returns the result, making a hand-over in transit final.

  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return this;
  }

  next(): IteratorResult<unknown, T> {
    if ((this.#flags & RESOLVED) !== 0) {
      return (this.payload ??= Object.freeze({ done: true, value: this.result() })) as IteratorReturnResult<T>;
    }
    if (!this.done()) {
      this.#flags |= DRIVEN;
      return { done: false, value: this };
    }
    const value = this.result();
    if ((this.#flags & IN_TRANSIT) !== 0) this.finishHandOver(true);
    return { done: true, value };
  }

  /** An error thrown into the generator at its `yield*` (it yielded this waiter). */
  throw(error: unknown): IteratorResult<unknown, T> {
    Waiter.#leave(this);
    throw error;
  }

  /** The generator is closed at its `yield*` (it yielded this waiter). */
  return(value?: T): IteratorResult<unknown, T> {
    Waiter.#leave(this);
    return { done: true, value: value as T };
  }

  /**
   * The generator leaves the `yield*` by an error or a return rather than by
   * the waiter's result. (Static: a private instance method would cost every
   * Waiter a field.)
   */
  static #leave(waiter: Waiter<unknown>): void {
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

  /** The waiter resumed with the resource: the hand-over is final. */
  protected resumed(): void {
    this.owner?.resumed(this as Waiter<unknown>);
  }

  /** The waiter was cancelled (or its generator closed) after the hand-over: give the resource back. */
  protected abandoned(): void {
    this.owner?.abandoned(this as Waiter<unknown>);
  }
}

function completeReserved(waiter: Waiter<unknown>): void {
  waiter.completeReserved();
}

/** The done Waiter in `cache` if it belongs to `loop`, else a new one for it (a done Future never changes, so calls may share it). */
export function doneOn<T>(cache: Waiter<T> | null, loop: BaseEventLoop, value: T): Waiter<T> {
  return cache !== null && cache.getLoop() === loop ? cache : Waiter.resolved(loop, value);
}
