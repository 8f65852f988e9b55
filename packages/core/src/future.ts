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
 * - then() given another promise's resolving functions (as `await` gives it)
 *   settles them and returns undefined instead of a new promise.
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

/**
 * What waits for a Future: told at completion, in registration order. A done
 * callback schedules itself on the loop; a promise awaiting the Future settles
 * at once; a Task schedules its wake-up. One method, no closure per await.
 * @internal
 */
export interface DoneListener {
  futureDone(future: Future<unknown>, loop: BaseEventLoop): void;
}

/** A done callback with the async context it runs in. */
class CallbackListener implements DoneListener {
  constructor(
    // `any`: a Future<T> must stay assignable to Future<unknown> (callbacks are contravariant).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly callback: (future: any) => unknown,
    readonly context: ContextRunner | null,
  ) {}

  futureDone(future: Future<unknown>, loop: BaseEventLoop): void {
    loop.scheduleSoonIn(this.context, this.callback, null, future);
  }
}

/** A promise returned by then(): settled when the Future completes, with then()'s callbacks applied. */
class ThenListener implements DoneListener {
  constructor(
    readonly onFulfilled: ((value: never) => unknown) | null | undefined,
    readonly onRejected: ((reason: unknown) => unknown) | null | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    /** The async-function task whose body awaits, if any: told once the outcome is on its way. */
    readonly task: AwaitingTask | null,
  ) {}

  /**
   * The awaited Future completed: as asyncio schedules a task's wake-up, an
   * awaiting task resumes on the next iteration, unless the Future says its
   * completion already took that iteration (sleep(0)). A promise chain that
   * belongs to no task settles at once.
   */
  futureDone(future: Future<unknown>, loop: BaseEventLoop): void {
    if (this.task === null || future.wakesAwaitersInline() || !loop.isRunning()) this.wake(future, loop);
    else loop.scheduleSoon(wakeThenListener, null, this, future);
  }

  /**
   * Settles the promise now. A task whose cancellation is pending resumes
   * with CancelledError instead, as asyncio's __step throws it in. @internal
   */
  wake(future: Future<unknown>, loop: BaseEventLoop): void {
    loop.promiseWork = true;
    const cancellation = this.task === null ? undefined : this.task.awaitedDone(future, true);
    if (this.task !== null && loop.inCallbacks) {
      // Woken by a callback of the iteration: resume a microtask later, so
      // that a task whose step in this iteration awaited a done Future (its
      // then() is called a microtask after the step) goes on first, as its
      // step would have in asyncio.
      this.#pending = future;
      this.#cancellation = cancellation;
      queueMicrotask(this.#settleLater);
      return;
    }
    this.#settle(future, cancellation);
  }

  /**
   * The Future was done when it was awaited: asyncio does not suspend there,
   * so this is no point to deliver a pending cancellation at. @internal
   */
  wakeAtOnce(future: Future<unknown>, loop: BaseEventLoop): void {
    loop.promiseWork = true;
    if (this.task !== null) this.task.awaitedDone(future, false);
    this.#settle(future, undefined);
  }

  #pending: Future<unknown> | null = null;
  #cancellation: Error | undefined = undefined;
  readonly #settleLater = () => this.#settle(this.#pending!, this.#cancellation);

  /** Rejects at once: the awaiting task may not await this Future. @internal */
  refuse(error: Error): void {
    if (typeof this.onRejected !== 'function') this.reject(error);
    else this.#apply(this.onRejected, error);
  }

  #settle(future: Future<unknown>, cancellation: Error | undefined): void {
    let value: unknown;
    try {
      if (cancellation !== undefined) throw cancellation;
      value = future.result();
      // A Future whose result is itself (a task returning currentTask()) would
      // be adopted by its own promise forever: reject, as a promise resolved
      // with itself does.
      if (value === future) throw new TypeError(`Chaining cycle detected: the result of ${future} is the Future itself`);
    } catch (error) {
      if (typeof this.onRejected !== 'function') return this.reject(error);
      return this.#apply(this.onRejected, error);
    }
    if (typeof this.onFulfilled !== 'function') return this.resolve(value);
    this.#apply(this.onFulfilled as (value: unknown) => unknown, value);
  }

  #apply(callback: (value: unknown) => unknown, argument: unknown): void {
    try {
      this.resolve(callback(argument));
    } catch (error) {
      this.reject(error);
    }
  }
}

function wakeThenListener(listener: ThenListener, future: Future<unknown>): void {
  listener.wake(future, future.getLoop());
}

const nativeSource = 'function () { [native code] }';

/**
 * True for a pair of promise resolving functions (anonymous, unary, native):
 * what V8 passes to a thenable's then() when code awaits it, and what
 * `new Promise((resolve, reject) => future.then(resolve, reject))` passes.
 * Neither caller reads the promise then() returns, so none is made.
 */
function isAwaitResolution(onFulfilled: unknown, onRejected: unknown): boolean {
  return (
    typeof onFulfilled === 'function' &&
    typeof onRejected === 'function' &&
    onFulfilled.name === '' &&
    onRejected.name === '' &&
    onFulfilled.length === 1 &&
    onRejected.length === 1 &&
    Function.prototype.toString.call(onFulfilled) === nativeSource &&
    Function.prototype.toString.call(onRejected) === nativeSource
  );
}

// new Promise(executor) without a closure per call: the executor parks the
// resolving functions here and then() picks them up at once.
let parkedResolve: (value: unknown) => void = () => {};
let parkedReject: (reason: unknown) => void = () => {};
function parkResolvers(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  parkedResolve = resolve;
  parkedReject = reject;
}

const futureMarker = Symbol.for('asyncio-ts.future');

const HAS_EXCEPTION = 1;
const UNRETRIEVED = 2;

/** What a Future needs of an async-function task that awaits it (see Task). */
interface AwaitingTask {
  /** Returns an error when the task may not await this Future (itself, another loop's). */
  noteAwaiting?: (future: Future<unknown>) => Error | null;
  /** The awaited Future is done: the error to resume with instead of its outcome, if any (only at a suspension). */
  awaitedDone: (future: Future<unknown>, suspended: boolean) => Error | undefined;
}

/** True when `value` is a Future of asyncio-ts (from any copy of the package). */
export function isFuture(value: unknown): value is Future<unknown> {
  return typeof value === 'object' && value !== null && (value as { [futureMarker]?: boolean })[futureMarker] === true;
}

export class Future<T = unknown> implements PromiseLike<T> {
  declare readonly [futureMarker]: true;
  #state: FutureState = 'pending';
  #result: T | undefined = undefined;
  /** HAS_EXCEPTION | UNRETRIEVED; the exception itself is kept in #result. */
  #flags = 0;
  /** Who waits: none, one listener, or several (most Futures have exactly one). */
  #listeners: DoneListener | DoneListener[] | null = null;
  #iterator: FutureIterator<T> | null = null;
  readonly #loop: BaseEventLoop;
  /** The message given to cancel(), and the CancelledError that cancelled a Task (rarely set: one field for both). */
  #cancellation: { message: string | undefined; error: CancelledError | null } | null = null;
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
    if ((this.#flags & HAS_EXCEPTION) !== 0) {
      this.#markRetrieved();
      throw this.#result;
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
    return (this.#flags & HAS_EXCEPTION) !== 0 ? this.#result : null;
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
    this.#result = exception as T;
    this.#flags = HAS_EXCEPTION | UNRETRIEVED;
    this.#state = 'finished';
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
    if (message !== undefined) this.#cancellation = { message, error: this.#cancellation?.error ?? null };
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
    this.addCallback(callback as unknown as (future: Future<T>) => unknown, this.#loop.scope.capture());
  }

  /** Removes every registration of `callback`; returns how many there were. */
  removeDoneCallback(callback: (future: this) => unknown): number {
    const listeners = this.#listeners;
    if (listeners === null) return 0;
    const matches = (listener: DoneListener) => listener instanceof CallbackListener && listener.callback === callback;
    if (!Array.isArray(listeners)) {
      if (!matches(listeners)) return 0;
      this.#listeners = null;
      return 1;
    }
    const kept = listeners.filter((listener) => !matches(listener));
    this.#listeners = kept;
    return listeners.length - kept.length;
  }

  /** addDoneCallback() with a given context and no checks. @internal */
  addCallback(callback: (future: Future<T>) => unknown, context: ContextRunner | null): void {
    this.addListener(new CallbackListener(callback, context));
  }

  /** Registers a listener; one added to a done Future is told at once. @internal */
  addListener(listener: DoneListener): void {
    if (this.#state !== 'pending') {
      // Awaiting a done Future does not suspend, as in asyncio.
      if (listener instanceof ThenListener) listener.wakeAtOnce(this as Future<unknown>, this.#loop);
      else listener.futureDone(this as Future<unknown>, this.#loop);
      return;
    }
    const listeners = this.#listeners;
    if (listeners === null) this.#listeners = listener;
    else if (Array.isArray(listeners)) listeners.push(listener);
    else this.#listeners = [listeners, listener];
  }

  /** Makes `await future` work: the promise settles with the result, or rejects. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // `await future` passes V8's own resolving functions and drops what then()
    // returns: that promise (~350 ns with AsyncLocalStorage's hooks) is made
    // only for a caller who can use it.
    const awaited = isAwaitResolution(onFulfilled, onRejected);
    const promise = awaited ? (undefined as unknown as Promise<R1 | R2>) : new Promise<R1 | R2>(parkResolvers as never);
    const resolve = awaited ? (onFulfilled as (value: unknown) => void) : parkedResolve;
    const reject = awaited ? (onRejected as (reason: unknown) => void) : parkedReject;
    if (awaited) onFulfilled = onRejected = null;
    this.#loop.outsideActivity++;
    // An async-function task awaits this Future: it is the task's waiter, so
    // that cancelling the task cancels what it awaits; and it learns when the
    // outcome is on its way to the body (settling queues the continuation).
    // A task may not await itself, nor a Future of another loop.
    const task = taskStorage.getStore() as AwaitingTask | undefined;
    const awaiting = task?.noteAwaiting !== undefined ? task : null;
    const listener = new ThenListener(onFulfilled as (value: never) => unknown, onRejected, resolve, reject, awaiting);
    const refusal = awaiting?.noteAwaiting!(this as Future<unknown>) ?? null;
    if (refusal !== null) listener.refuse(refusal);
    else this.addListener(listener);
    return promise;
  }

  /** Makes `yield* future` work in a generator coroutine. */
  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return (this.#iterator ??= new FutureIterator(this));
  }

  /** True when awaiting code should resume in the iteration this Future completes in. @internal */
  wakesAwaitersInline(): boolean {
    return false;
  }

  /** What `yield* future` yields while the Future is pending: the Future itself. @internal */
  yieldValue(): unknown {
    return this;
  }

  /** Tells the listeners, in registration order. @internal */
  protected scheduleCallbacks(): void {
    const listeners = this.#listeners;
    if (listeners === null) return;
    this.#listeners = null;
    const self = this as Future<unknown>;
    if (!Array.isArray(listeners)) {
      listeners.futureDone(self, this.#loop);
      return;
    }
    for (const listener of listeners) listener.futureDone(self, this.#loop);
  }

  /** The CancelledError that result() throws for a cancelled Future. @internal */
  makeCancelledError(): CancelledError {
    // A Task cancelled by a CancelledError escaping its coroutine rethrows that
    // very error, message and stack included (asyncio's _cancelled_exc).
    return this.#cancellation?.error ?? new CancelledError(this.#cancellation?.message);
  }

  /** Records the CancelledError that cancelled a Task, for the error result() throws. @internal */
  protected setCancelledError(error: CancelledError | null, message: string | undefined): void {
    this.#cancellation = { message: message ?? this.#cancellation?.message, error };
  }

  /** The message given to cancel(). @internal */
  get cancelMessage(): string | undefined {
    return this.#cancellation?.message;
  }

  /** Marks the exception as seen, so it is not reported when collected. @internal */
  protected markRetrieved(): void {
    this.#markRetrieved();
  }

  #markRetrieved(): void {
    if ((this.#flags & UNRETRIEVED) === 0) return;
    this.#flags &= ~UNRETRIEVED;
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
      parts.push((this.#flags & HAS_EXCEPTION) !== 0 ? `exception=${describeError(this.#result)}` : `result=${result}`);
    }
    const listeners = this.#listeners;
    const waiting = listeners === null ? 0 : Array.isArray(listeners) ? listeners.length : 1;
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

/**
 * The iterator behind `yield* future`, one per Future and stateless: it yields
 * while the Future is pending (a task resumes only once it is done), then
 * returns the result or throws.
 */
class FutureIterator<T> implements Iterator<unknown, T, unknown> {
  readonly #future: Future<T>;

  constructor(future: Future<T>) {
    this.#future = future;
  }

  next(): IteratorResult<unknown, T> {
    const future = this.#future;
    if (!future.done()) return { done: false, value: future.yieldValue() };
    return { done: true, value: future.result() };
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
