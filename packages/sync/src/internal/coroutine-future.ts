// CoroutineFuture: a Future completed by a generator coroutine, for the
// methods asyncio writes as `async def` over other awaits (Condition.wait(),
// Barrier.wait(): release, wait, take the lock back...).
//
// asyncio runs such a coroutine inside the task that awaits it. So does this
// Future when a generator awaits it with `yield*`: the generator takes the
// coroutine over and its task steps it, so cancellation lands where the
// coroutine waits and every wake-up takes the iterations it takes in
// asyncio. For any other awaiter (an async function's await, gather(), a
// done callback) the Future steps the coroutine itself, from the done
// callbacks of what it waits for, as a Task would, without being one.
//
// The coroutine starts at once, in the caller's step, as an awaited asyncio
// coroutine does.
import { CancelledError, Future, RuntimeError, isFuture, type BaseEventLoop, type Coroutine, type Handle } from '@asyncio-ts/core';
import { describe } from './checks.js';
import { Waiter, type WaiterOwner } from './waiter.js';

export class CoroutineFuture<T> extends Waiter<T> {
  #coroutine: Coroutine<T> | null = null;
  /** 'self': this Future steps the coroutine; 'inline': a generator awaiting it does. */
  #driver: 'self' | 'inline' = 'self';
  /** The Future the coroutine waits for now. */
  #current: Future<unknown> | null = null;
  /** The next step after a bare `yield` (sleep(0)). */
  #soon: Handle | null = null;
  #mustCancel = false;
  #cancelMessage: string | undefined = undefined;
  readonly #wakeUp = (future: Future<unknown>) => this.#resume(future);

  /** @param owner Told when the Future is abandoned after it completed (see Waiter), or null. */
  constructor(loop: BaseEventLoop, owner: WaiterOwner | null = null) {
    super(loop, owner, null);
  }

  /** Runs `coroutine` up to its first wait. */
  start(coroutine: Coroutine<T>): void {
    this.#coroutine = coroutine;
    this.#step(false, undefined);
  }

  /** One step of the coroutine, with a value or an error sent in (as Task's step). */
  #step(hasError: boolean, sent: unknown): void {
    this.#soon = null;
    if (this.done() || this.#driver !== 'self') return;
    if (this.#mustCancel) {
      this.#mustCancel = false;
      if (!hasError || !CancelledError.isInstance(sent)) {
        hasError = true;
        sent = new CancelledError(this.#cancelMessage);
      }
    }
    let result: IteratorResult<unknown, T>;
    try {
      result = hasError ? this.#coroutine!.throw(sent) : this.#coroutine!.next(sent);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (result.done) {
      this.completeWith(result.value);
      return;
    }
    this.#wait(result.value);
  }

  #wait(yielded: unknown): void {
    const loop = this.getLoop();
    if (yielded === undefined || yielded === null) {
      // A bare yield (sleep(0)): step again on the next iteration.
      this.#soon = loop.callSoon(() => this.#step(false, undefined));
      return;
    }
    if (!isFuture(yielded)) {
      this.#soon = loop.callSoon(() =>
        this.#step(true, new RuntimeError(`a coroutine of asyncio-ts/sync yielded ${describe(yielded)}; yield* a Future`)),
      );
      return;
    }
    this.#current = yielded;
    yielded.addDoneCallback(this.#wakeUp);
    if (this.#mustCancel && yielded.cancel(this.#cancelMessage)) this.#mustCancel = false;
  }

  #resume(future: Future<unknown>): void {
    this.#current = null;
    let value: unknown;
    try {
      value = future.result();
    } catch (error) {
      this.#step(true, error);
      return;
    }
    this.#step(false, value);
  }

  #fail(error: unknown): void {
    if (CancelledError.isInstance(error)) super.cancel((error as Error).message || undefined);
    else this.setException(error);
  }

  /** A generator that awaits this with `yield*` takes the coroutine over, from where it waits. */
  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    if (this.#driver !== 'self' || this.done() || this.#coroutine === null) {
      return this;
    }
    this.#driver = 'inline';
    let waitingFor: unknown = undefined;
    if (this.#current !== null) {
      this.#current.removeDoneCallback(this.#wakeUp);
      waitingFor = this.#current;
    } else {
      this.#soon?.cancel();
      this.#soon = null;
    }
    return this.#inline(waitingFor);
  }

  *#inline(waitingFor: unknown): Coroutine<T> {
    const coroutine = this.#coroutine!;
    let yielded = waitingFor;
    for (;;) {
      let hasError = false;
      let sent: unknown;
      this.#current = isFuture(yielded) ? yielded : null;
      try {
        sent = yield yielded;
      } catch (error) {
        hasError = true;
        sent = error;
      }
      this.#current = null;
      if (this.#mustCancel) {
        this.#mustCancel = false;
        if (!hasError || !CancelledError.isInstance(sent)) {
          hasError = true;
          sent = new CancelledError(this.#cancelMessage);
        }
      }
      let result: IteratorResult<unknown, T>;
      try {
        result = hasError ? coroutine.throw(sent) : coroutine.next(sent);
      } catch (error) {
        this.#fail(error);
        // The generator gets the error itself.
        if (!this.cancelled()) this.exception();
        throw error;
      }
      if (result.done) {
        this.setResult(result.value);
        return result.value;
      }
      yielded = result.value;
    }
  }

  /**
   * A request, as Task.cancel(): CancelledError is thrown into the coroutine
   * where it waits, and the Future ends as the coroutine does.
   */
  override cancel(message?: string): boolean {
    if (this.done()) return super.cancel(message);
    if (this.#current !== null && this.#current.cancel(message)) return true;
    // Between a wake-up and the next step: thrown in at that step.
    this.#mustCancel = true;
    this.#cancelMessage = message;
    return true;
  }
}
