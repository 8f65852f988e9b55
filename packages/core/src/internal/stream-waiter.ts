// StreamWaiter: the Future a StreamReader read returns when it has to wait
// for data, and the hand-over that keeps a cancelled read from losing bytes.
//
// asyncio's read coroutines wait on a bare future and take the bytes out of
// the buffer themselves when their task resumes, one iteration after the
// data came; a task cancelled in between resumes with CancelledError instead
// and the bytes stay buffered. Here read() returns the Future itself, and
// whoever holds it (an await, gather(), a done callback) must find the bytes
// in it when it completes. So the reader takes the bytes out as it completes
// the waiter (the hand-over), and the hand-over becomes final when the
// coroutine awaiting it resumes:
// - with the bytes (`await` settles, `yield*` returns): final;
// - with CancelledError instead (its task was cancelled in between): the
//   bytes go back to the front of the buffer, for the next read.
// A waiter completed while no coroutine awaited it (a done callback,
// gather()) is final at once. A waiter cancelled while it waits took nothing.
import { CancelledError } from '../errors.js';
import { Future, type AwaitedHandOver } from '../future.js';
import type { BaseEventLoop } from '../base-event-loop.js';

/** What a StreamWaiter tells the reader that made it. */
export interface StreamWaiterOwner<T> {
  /** The waiter was cancelled while it waited: the reader stops serving it. */
  waiterCancelled(waiter: StreamWaiter<T>): void;
  /** The coroutine handed `value` resumed with CancelledError: put the bytes back. */
  giveBack(value: T): void;
}

export class StreamWaiter<T> extends Future<T> implements AwaitedHandOver {
  readonly #owner: StreamWaiterOwner<T>;
  /** A coroutine awaits this waiter (`await` or `yield*`). */
  #awaited = false;
  /** Completed by a hand-over that is not final yet. */
  #inTransit = false;

  constructor(loop: BaseEventLoop, owner: StreamWaiterOwner<T>) {
    super({ loop });
    this.#owner = owner;
  }

  /** Completes the waiter with what it waited for; see the file header. */
  handOver(value: T): void {
    this.#inTransit = this.#awaited;
    this.setResult(value);
  }

  /** A waiter cancelled while it waits tells its reader, which took nothing for it yet. */
  override cancel(message?: string): boolean {
    if (!this.done()) this.#owner.waiterCancelled(this);
    return super.cancel(message);
  }

  /** @internal */
  markAwaited(): void {
    this.#awaited = true;
  }

  /** The coroutine that awaited the hand-over resumed: with the value (final) or without it (give it back). @internal */
  finishHandOver(resumed: boolean): void {
    if (!this.#inTransit) return;
    this.#inTransit = false;
    if (!resumed) this.#owner.giveBack(this.result());
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.done() && !this.#inTransit) return super.then(onFulfilled, onRejected);
    this.#awaited = true;
    return this.thenHandingOver(this, onFulfilled, onRejected);
  }

  /** The awaiting coroutine resumes with the bytes: final. @internal */
  awaiterResumed(): void {
    this.finishHandOver(true);
  }

  /** The awaiting coroutine resumes with `error` instead: its task was cancelled after the hand-over, before it resumed. @internal */
  awaiterFailed(error: unknown): void {
    if (CancelledError.isInstance(error) && !this.cancelled()) this.finishHandOver(false);
  }

  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return new StreamWaiterIterator(this);
  }
}

/** `yield* waiter`: yields the waiter while it is pending, then reports how the generator came back. */
class StreamWaiterIterator<T> implements Iterator<unknown, T, unknown> {
  readonly #waiter: StreamWaiter<T>;
  #yielded = false;

  constructor(waiter: StreamWaiter<T>) {
    this.#waiter = waiter;
  }

  next(): IteratorResult<unknown, T> {
    const waiter = this.#waiter;
    if (!waiter.done()) {
      this.#yielded = true;
      waiter.markAwaited();
      return { done: false, value: waiter };
    }
    const value = waiter.result();
    if (this.#yielded) {
      this.#yielded = false;
      waiter.finishHandOver(true);
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
    if (!this.#yielded) return;
    this.#yielded = false;
    const waiter = this.#waiter;
    if (!waiter.done()) waiter.cancel();
    else if (!waiter.cancelled()) {
      // Its failure (if any) is replaced by the error the generator leaves with: mark it seen.
      if (waiter.exception() === null) waiter.finishHandOver(false);
    }
  }

  [Symbol.iterator](): this {
    return this;
  }
}
