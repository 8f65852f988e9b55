/**
 * Future: the outcome of work running elsewhere (concurrent.futures.Future).
 *
 * `result(timeout)` and `exception(timeout)` block the calling thread, the
 * main thread included, until the work is done or the timeout passes (see
 * internal/blocking.ts for how). The Future is also a thenable, so
 * `await future` waits without blocking.
 *
 * Differences from concurrent.futures:
 * - A Future belongs to the thread that made it; workers report to it by
 *   message. Done callbacks run on that thread, when the report is handled.
 * - `cancel({ running: true })` also cancels work that has started: the
 *   function sees its AbortSignal aborted and can stop cleanly, and the
 *   Future is cancelled at once (see ThreadPoolExecutor's `cancelGrace`).
 *   Plain `cancel()` keeps Python's rule: running work is not cancelled.
 * - `exception()` returns null when the Future has a result.
 * - Timeouts are seconds, as in Python; null or undefined mean no limit.
 */
import { inspect } from 'node:util';
import { CancelledError, InvalidStateError, TimeoutError } from './errors.js';
import { blockUntil } from './internal/blocking.js';
import { checkTimeout, describe } from './internal/checks.js';

/** A Future's state, as concurrent.futures names them. */
export type FutureState = 'PENDING' | 'RUNNING' | 'CANCELLED' | 'FINISHED';

export const PENDING = 'PENDING';
export const RUNNING = 'RUNNING';
export const CANCELLED = 'CANCELLED';
export const FINISHED = 'FINISHED';

/** Options of Future.cancel(). */
export interface CancelOptions {
  /**
   * Also cancel work that is already running: its AbortSignal is aborted and
   * the Future is cancelled at once. Default false, as Python's cancel().
   */
  running?: boolean;
  /**
   * Seconds the running work has to stop once its signal is aborted before
   * its worker is killed; the executor's `cancelGrace` by default.
   */
  grace?: number;
}

/**
 * What an executor lets a Future do about its work. @internal
 */
export interface FutureWork {
  /** Stops work that has not started; false when it has started meanwhile. */
  cancelPending(): boolean;
  /** Asks running work to stop (its signal is aborted); false when it has finished meanwhile. */
  abortRunning(grace: number | undefined): boolean;
  /** True once the work has started in its worker. */
  started(): boolean;
}

const futureMarker = Symbol.for('asyncio-ts.executors.future');

/** True when `value` is a concurrent Future of this package (from any copy of it). */
export function isConcurrentFuture(value: unknown): value is Future<unknown> {
  return typeof value === 'object' && value !== null && (value as { [futureMarker]?: boolean })[futureMarker] === true;
}

/**
 * The outcome of work submitted to an executor.
 * @example
 * const future = executor.submit(fib, 30);
 * future.result(5); // blocks up to 5 seconds
 * await future;     // or waits without blocking
 */
export class Future<T = unknown> implements PromiseLike<T> {
  declare readonly [futureMarker]: true;
  #state: FutureState = PENDING;
  #result: T | undefined = undefined;
  #exception: unknown = undefined;
  #hasException = false;
  // `any`: a Future<number> must stay assignable to Future<unknown> (callbacks are contravariant).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #callbacks: ((future: any) => unknown)[] | null = null;
  #work: FutureWork | null = null;

  /** The state: 'PENDING', 'RUNNING', 'CANCELLED' or 'FINISHED'. */
  get state(): FutureState {
    if (this.#state === PENDING && this.#work?.started() === true) this.#state = RUNNING;
    return this.#state;
  }

  /** True when the Future was cancelled. */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /** True while the work runs (it started and is not done). */
  running(): boolean {
    return this.state === RUNNING;
  }

  /** True when the Future was cancelled or has a result or an exception. */
  done(): boolean {
    return this.#state === CANCELLED || this.#state === FINISHED;
  }

  /**
   * Cancels the work if it has not started (or, with `{ running: true }`,
   * also if it has). Returns true when the Future is now cancelled, false
   * when it is done or (without `running`) its work is running.
   */
  cancel(options: CancelOptions = {}): boolean {
    if (this.#state === FINISHED) return false;
    if (this.#state === CANCELLED) return true;
    if (this.#state === PENDING) {
      if (this.#work === null || this.#work.cancelPending()) {
        this.#settle(CANCELLED);
        return true;
      }
      this.#state = RUNNING;
    }
    if (options.running !== true || this.#work === null) return false;
    const grace = options.grace === undefined ? undefined : checkTimeout('cancel', 'grace', options.grace) ?? undefined;
    // The work may have just finished, its result on its way: then it is too late.
    if (!this.#work.abortRunning(grace)) return false;
    this.#settle(CANCELLED);
    return true;
  }

  /**
   * The result, once the work is done: blocks the calling thread up to
   * `timeout` seconds (null: no limit) while it is not.
   * @throws the work's error when it failed; CancelledError when cancelled;
   *   TimeoutError when the timeout passes first.
   */
  result(timeout?: number | null): T {
    this.#waitDone(timeout, 'result');
    if (this.#state === CANCELLED) throw new CancelledError();
    if (this.#hasException) throw this.#exception;
    return this.#result as T;
  }

  /**
   * The error the work failed with, or null when it succeeded; blocks like result().
   * @throws CancelledError when cancelled; TimeoutError when the timeout passes first.
   */
  exception(timeout?: number | null): unknown {
    this.#waitDone(timeout, 'exception');
    if (this.#state === CANCELLED) throw new CancelledError();
    return this.#hasException ? this.#exception : null;
  }

  /**
   * Calls `callback(future)` once the Future is done (at once when it is
   * already). An error a callback throws is reported on stderr and does not
   * stop the others.
   */
  addDoneCallback(callback: (future: this) => unknown): void {
    if (typeof callback !== 'function') {
      throw new TypeError(`addDoneCallback() expects a function (future) => void, got ${describe(callback)}`);
    }
    if (this.done()) {
      invokeCallback(callback as (future: Future<T>) => unknown, this);
      return;
    }
    (this.#callbacks ??= []).push(callback as (future: Future<T>) => unknown);
  }

  /**
   * Marks the Future running; for executors, as Python's. Returns false when
   * it was cancelled (the work must then not run).
   * @throws InvalidStateError when the Future is running or done.
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.#state === CANCELLED) return false;
    if (this.#state !== PENDING) throw new InvalidStateError(`setRunningOrNotifyCancel() on a ${this.#state} Future: ${this}`);
    this.#state = RUNNING;
    return true;
  }

  /**
   * Sets the result and calls the done callbacks; for executors.
   * @throws InvalidStateError when the Future is already done.
   */
  setResult(result: T): void {
    if (this.done()) throw new InvalidStateError(`setResult() on a ${this.#state} Future: ${this}; a Future's outcome can be set once`);
    this.#result = result;
    this.#settle(FINISHED);
  }

  /**
   * Sets the exception and calls the done callbacks; for executors.
   * @throws InvalidStateError when the Future is already done.
   */
  setException(exception: unknown): void {
    if (this.done()) throw new InvalidStateError(`setException() on a ${this.#state} Future: ${this}; a Future's outcome can be set once`);
    this.#exception = exception;
    this.#hasException = true;
    this.#settle(FINISHED);
  }

  /** Makes `await future` work: settles with the result, or rejects with the error. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const promise = new Promise<T>((resolve, reject) => {
      this.addDoneCallback(() => {
        if (this.#state === CANCELLED) reject(new CancelledError());
        else if (this.#hasException) reject(this.#exception);
        else resolve(this.#result as T);
      });
    });
    return promise.then(onFulfilled, onRejected);
  }

  /** Lets an executor cancel and observe the work behind this Future. @internal */
  attachWork(work: FutureWork): void {
    this.#work = work;
  }

  #waitDone(timeout: number | null | undefined, method: string): void {
    const seconds = checkTimeout(method, 'timeout', timeout);
    if (this.done()) return;
    if (!blockUntil(() => this.done(), seconds, `${method}()`)) {
      throw new TimeoutError(`${method}(): the future was not done within ${seconds} seconds`);
    }
  }

  #settle(state: FutureState): void {
    this.#state = state;
    this.#work = null;
    const callbacks = this.#callbacks;
    if (callbacks === null) return;
    this.#callbacks = null;
    for (const callback of callbacks) invokeCallback(callback, this);
  }

  /** `<Future running>`, `<Future finished result=1>`, ... */
  toString(): string {
    const state = this.state;
    if (state !== FINISHED) return `<Future ${state.toLowerCase()}>`;
    if (this.#hasException) {
      const error = this.#exception;
      return `<Future finished raised ${error instanceof Error ? error.name : describe(error)}>`;
    }
    return `<Future finished result=${describe(this.#result)}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

Object.defineProperty(Future.prototype, futureMarker, { value: true });

function invokeCallback<T>(callback: (future: Future<T>) => unknown, future: Future<T>): void {
  try {
    callback(future);
  } catch (error) {
    // As Python logs "exception calling callback for <Future>": report, go on.
    process.stderr.write(`exception calling callback for ${future}\n${inspect(error)}\n`);
  }
}
