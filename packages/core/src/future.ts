/**
 * Future: a result that will be set later, owned by a loop (asyncio.Future).
 *
 * A Future is awaitable in both coroutine shapes: `await fut` in an async
 * function (it is a thenable) and `yield* fut` in a generator coroutine (it is
 * an iterable that yields itself once, then returns its result).
 *
 * Differences from asyncio:
 * - Done callbacks are scheduled with callSoon, as asyncio's, but the
 *   continuations of `await` (then) are settled at once when the Future
 *   completes; the promise machinery already defers them to a microtask, which
 *   the loop runs before its next iteration.
 * - `exception()` returns null when the Future finished without one.
 */
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import { CancelledError, InvalidStateError } from './errors.js';
import { taskStorage, type ContextRunner } from './internal/context.js';
import { captureLoop } from './internal/default-loop.js';
import { checkCallback, describe } from './internal/checks.js';
import { reportNeverRetrieved, forgetNeverRetrieved } from './internal/never-retrieved.js';

export type FutureState = 'pending' | 'cancelled' | 'finished';

export interface FutureOptions {
  /** The loop the Future belongs to; the running (or current) loop by default. */
  loop?: BaseEventLoop;
}

type DoneCallback<T> = (future: Future<T>) => unknown;

/** A done callback with the context it runs in, or a settle function for a promise that awaits. */
interface CallbackEntry<T> {
  // `any`: a Future<T> must stay assignable to Future<unknown> (callbacks are contravariant).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  callback: (future: any) => unknown;
  context: ContextRunner | null;
  /** Settles an awaiting promise: called at completion, not scheduled. */
  direct: boolean;
}

const futureMarker = Symbol.for('asyncio-ts.future');

/** What a Future needs of an async-function task that awaits it (see Task). */
interface AwaitingTask {
  /** Returns an error when the task may not await this Future (itself, another loop's). */
  noteAwaiting?: (future: Future<unknown>) => Error | null;
  noteWoken: (future: Future<unknown>) => void;
}

/** True when `value` is a Future of asyncio-ts (from any copy of the package). */
export function isFuture(value: unknown): value is Future<unknown> {
  return typeof value === 'object' && value !== null && (value as { [futureMarker]?: boolean })[futureMarker] === true;
}

export class Future<T = unknown> implements PromiseLike<T> {
  declare readonly [futureMarker]: true;
  #state: FutureState = 'pending';
  #result: T | undefined = undefined;
  #exception: unknown = undefined;
  #hasException = false;
  #callbacks: CallbackEntry<T>[] | null = null;
  readonly #loop: BaseEventLoop;
  #cancelMessage: string | undefined = undefined;
  /** The CancelledError that cancelled this Future, kept as the cause of the one result() throws. */
  #cancelledError: CancelledError | null = null;
  /** True while an exception is set that nobody has retrieved. */
  #unretrieved = false;
  /** Where the Future was created, in debug mode. @internal */
  sourceTraceback: string | undefined;

  constructor(options: FutureOptions = {}) {
    this.#loop = options.loop ?? captureLoop('Future');
    if (this.#loop.getDebug()) this.sourceTraceback = new Error().stack;
  }

  /** The loop this Future belongs to. */
  getLoop(): BaseEventLoop {
    return this.#loop;
  }

  /** True when the Future has a result or an exception, or was cancelled. */
  done(): boolean {
    return this.#state !== 'pending';
  }

  /** True when the Future was cancelled. */
  cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  /** The state as a string: 'pending', 'cancelled' or 'finished'. */
  get state(): FutureState {
    return this.#state;
  }

  /**
   * The result. Throws the exception if one was set.
   * @throws CancelledError when cancelled; InvalidStateError when not done yet.
   */
  result(): T {
    if (this.#state === 'cancelled') throw this.makeCancelledError();
    if (this.#state === 'pending') throw new InvalidStateError('Result is not ready.');
    if (this.#hasException) {
      this.#markRetrieved();
      throw this.#exception;
    }
    return this.#result as T;
  }

  /**
   * The exception that was set, or null when the Future has a result.
   * @throws CancelledError when cancelled; InvalidStateError when not done yet.
   */
  exception(): unknown {
    if (this.#state === 'cancelled') throw this.makeCancelledError();
    if (this.#state === 'pending') throw new InvalidStateError('Exception is not set.');
    this.#markRetrieved();
    return this.#hasException ? this.#exception : null;
  }

  /**
   * Sets the result and schedules the done callbacks.
   * @throws InvalidStateError when the Future is already done.
   */
  setResult(result: T): void {
    if (this.#state !== 'pending') throw this.#notPending('setResult');
    this.#result = result;
    this.#state = 'finished';
    this.scheduleCallbacks();
  }

  /**
   * Sets the exception and schedules the done callbacks. An exception that no
   * one retrieves is reported when the Future is collected.
   * @throws InvalidStateError when the Future is already done.
   */
  setException(exception: unknown): void {
    if (this.#state !== 'pending') throw this.#notPending('setException');
    if (typeof exception === 'function' && exception.prototype instanceof Error) {
      exception = new (exception as new () => Error)();
    }
    this.#exception = exception;
    this.#hasException = true;
    this.#state = 'finished';
    this.#unretrieved = true;
    reportNeverRetrieved(this, this.#loop, exception);
    this.scheduleCallbacks();
  }

  /**
   * Cancels the Future and schedules the done callbacks.
   * @returns false when the Future was already done.
   */
  cancel(message?: string): boolean {
    this.#markRetrieved();
    if (this.#state !== 'pending') return false;
    this.#state = 'cancelled';
    this.#cancelMessage = message;
    this.scheduleCallbacks();
    return true;
  }

  /**
   * Calls `callback(future)` on the loop once the Future is done (at once, on
   * the next iteration, when it is already done). It runs in the caller's
   * async context.
   */
  addDoneCallback(callback: (future: this) => unknown): void {
    checkCallback('addDoneCallback', callback);
    this.addCallback(callback as unknown as DoneCallback<T>, this.#loop.scope.capture());
  }

  /** Removes every registration of `callback`; returns how many there were. */
  removeDoneCallback(callback: (future: this) => unknown): number {
    const callbacks = this.#callbacks;
    if (callbacks === null) return 0;
    const kept = callbacks.filter((entry) => entry.callback !== (callback as unknown));
    this.#callbacks = kept;
    return callbacks.length - kept.length;
  }

  /** addDoneCallback() with a given context and no checks. @internal */
  addCallback(callback: DoneCallback<T>, context: ContextRunner | null): void {
    if (this.#state !== 'pending') {
      this.#loop.scheduleSoonIn(context, callback as (future: unknown) => unknown, [this]);
      return;
    }
    (this.#callbacks ??= []).push({ callback, context, direct: false });
  }

  /** Makes `await future` work: the promise settles with the result, or rejects. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return new Promise<R1 | R2>((resolve, reject) => {
      const settle = (refusal: Error | null) => {
        // A Future whose result is itself (a task returning currentTask())
        // would be adopted by its own promise forever: reject, as a promise
        // resolved with itself does.
        const cycle = this.#state === 'finished' && !this.#hasException && (this.#result as unknown) === this;
        if (refusal === null && this.#state === 'finished' && !this.#hasException && !cycle) {
          if (typeof onFulfilled !== 'function') return resolve(this.#result as unknown as R1);
          try {
            resolve(onFulfilled(this.#result as T));
          } catch (error) {
            reject(error);
          }
          return;
        }
        let error: unknown;
        if (refusal !== null) {
          error = refusal;
        } else if (cycle) {
          error = new TypeError(`Chaining cycle detected: the result of ${this} is the Future itself`);
        } else {
          try {
            this.result();
          } catch (thrown) {
            error = thrown;
          }
        }
        if (typeof onRejected !== 'function') return reject(error);
        try {
          resolve(onRejected(error));
        } catch (thrown) {
          reject(thrown);
        }
      };
      this.#listen(settle);
    });
  }

  /** Makes `yield* future` work in a generator coroutine. */
  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return new FutureIterator(this);
  }

  /** Registers a promise settle function; it runs at completion, not on the next iteration. */
  #listen(settle: (refusal: Error | null) => void): void {
    // An async-function task awaits this Future: it is the task's waiter, so
    // that cancelling the task cancels what it awaits; and it learns when the
    // outcome is on its way to the body (settling queues the continuation).
    // A task may not await itself, nor a Future of another loop.
    const task = taskStorage.getStore() as AwaitingTask | undefined;
    if (task?.noteAwaiting !== undefined) {
      const refusal = task.noteAwaiting(this as Future<unknown>);
      if (refusal !== null) {
        settle(refusal);
        return;
      }
      const settleOnly = settle;
      settle = () => {
        settleOnly(null);
        task.noteWoken(this as Future<unknown>);
      };
    }
    if (this.#state !== 'pending') {
      this.#loop.promiseWork = true;
      settle(null);
      return;
    }
    const settleNow = settle;
    (this.#callbacks ??= []).push({ callback: () => settleNow(null), context: null, direct: true });
  }

  /** Runs the settle functions and schedules the done callbacks, in registration order. @internal */
  protected scheduleCallbacks(): void {
    const callbacks = this.#callbacks;
    if (callbacks === null) return;
    this.#callbacks = null;
    for (const entry of callbacks) {
      if (entry.direct) {
        this.#loop.promiseWork = true;
        entry.callback(this);
      } else {
        this.#loop.scheduleSoonIn(entry.context, entry.callback as (future: unknown) => unknown, [this]);
      }
    }
  }

  /** The CancelledError that result() throws for a cancelled Future. @internal */
  makeCancelledError(): CancelledError {
    // A Task cancelled by a CancelledError escaping its coroutine rethrows that
    // very error, message and stack included (asyncio's _cancelled_exc).
    return this.#cancelledError ?? new CancelledError(this.#cancelMessage);
  }

  /** Records the CancelledError that cancelled a Task, for the error result() throws. @internal */
  protected setCancelledError(error: CancelledError | null, message: string | undefined): void {
    this.#cancelledError = error;
    if (message !== undefined) this.#cancelMessage = message;
  }

  /** The message given to cancel(). @internal */
  get cancelMessage(): string | undefined {
    return this.#cancelMessage;
  }

  /** Marks the exception as seen, so it is not reported when collected. @internal */
  protected markRetrieved(): void {
    this.#markRetrieved();
  }

  #markRetrieved(): void {
    if (!this.#unretrieved) return;
    this.#unretrieved = false;
    forgetNeverRetrieved(this);
  }

  #notPending(method: string): InvalidStateError {
    return new InvalidStateError(`${method}() on a ${this.#state} Future: ${this}; a Future's outcome can be set once, while it is pending`);
  }

  /** `<Future pending>`, `<Future finished result=1>`, ... */
  toString(): string {
    return `<${this.constructor.name} ${this.describeState()}>`;
  }

  /** @internal */
  describeState(): string {
    const parts: string[] = [this.#state];
    if (this.#state === 'finished') {
      const result = (this.#result as unknown) === this ? '<itself>' : describe(this.#result);
      parts.push(this.#hasException ? `exception=${describeError(this.#exception)}` : `result=${result}`);
    }
    const waiting = this.#callbacks?.length ?? 0;
    if (waiting > 0) parts.push(`callbacks=${waiting}`);
    return parts.join(' ');
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

Object.defineProperty(Future.prototype, futureMarker, { value: true });

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}(${JSON.stringify(error.message)})`;
  return describe(error);
}

/** The iterator behind `yield* future`: yields the Future while pending, then returns its result. */
class FutureIterator<T> implements Iterator<unknown, T, unknown> {
  readonly #future: Future<T>;
  #yielded = false;

  constructor(future: Future<T>) {
    this.#future = future;
  }

  next(): IteratorResult<unknown, T> {
    if (!this.#yielded && !this.#future.done()) {
      this.#yielded = true;
      return { done: false, value: this.#future };
    }
    return { done: true, value: this.#future.result() };
  }

  /** An error thrown into the generator at this `yield*` surfaces there. */
  throw(error: unknown): IteratorResult<unknown, T> {
    throw error;
  }

  return(value?: T): IteratorResult<unknown, T> {
    return { done: true, value: value as T };
  }

  [Symbol.iterator](): this {
    return this;
  }
}
