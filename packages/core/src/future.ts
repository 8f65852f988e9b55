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
    loop.enqueueSoon(this.context, this.callback, future);
  }
}

/** The callbacks given to then(), when the caller is not an `await`. */
interface ThenCallbacks {
  onFulfilled: ((value: never) => unknown) | null | undefined;
  onRejected: ((reason: unknown) => unknown) | null | undefined;
}

/**
 * A then() caller: `await future` in an async function (V8's resolving
 * functions, no callbacks), or a promise then() returned, settled when the
 * Future completes, with then()'s callbacks applied. Five fields and no
 * private methods (each class with one costs every instance a field): there
 * is one per pending `await`.
 */
class ThenListener implements DoneListener {
  constructor(
    /** then()'s callbacks; null for an `await` (the usual case). */
    readonly callbacks: ThenCallbacks | null,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    /** The async-function task whose body awaits, if any: told once the outcome is on its way. */
    readonly task: AwaitingTask | null,
    /** Told as the caller is settled, when the Future's outcome is a hand-over (see thenHandingOver()). */
    readonly handOver: AwaitedHandOver | null,
  ) {}

  /**
   * The awaited Future completed: as asyncio schedules a task's wake-up, an
   * awaiting task resumes on the next iteration, unless the Future says its
   * completion already took that iteration (sleep(0)). A promise chain that
   * belongs to no task settles at once.
   */
  futureDone(future: Future<unknown>, loop: BaseEventLoop): void {
    if (this.task === null || future.wakesAwaitersInline() || !loop.isRunning()) this.wake(future, loop);
    else loop.enqueueSoon(null, wakeThenListener, this, future);
  }

  /**
   * Settles the promise now. A task whose cancellation is pending resumes
   * with CancelledError instead, as asyncio's __step throws it in. @internal
   */
  wake(future: Future<unknown>, loop: BaseEventLoop): void {
    loop.promiseWork = true;
    const cancellation = this.task === null ? undefined : this.task.awaitedDone(future, true);
    if (this.task !== null && loop.inCallbacks && loop.steppedInIteration()) {
      // Woken by a callback of an iteration in which a task stepped: resume
      // a microtask later, so that a task whose step awaited a done Future
      // (its then() is called a microtask after the step) goes on first, as
      // its step would have in asyncio. With no step before it in the
      // iteration there is no such then() to wait for: settle at once.
      queueMicrotask(() => settleListener(this, future, cancellation));
      return;
    }
    settleListener(this, future, cancellation);
  }

  /**
   * The Future was done when it was awaited: asyncio does not suspend there,
   * so this is no point to deliver a pending cancellation at. @internal
   */
  wakeAtOnce(future: Future<unknown>, loop: BaseEventLoop): void {
    loop.promiseWork = true;
    if (this.task !== null) this.task.awaitedDone(future, false);
    settleListener(this, future, undefined);
  }

  /** Rejects at once: the awaiting task may not await this Future. @internal */
  refuse(error: Error): void {
    rejectListener(this, error);
  }
}

/** Settles a then() caller with the Future's outcome (or `cancellation`), through its callbacks if any. */
function settleListener(listener: ThenListener, future: Future<unknown>, cancellation: Error | undefined): void {
  let value: unknown;
  try {
    if (cancellation !== undefined) throw cancellation;
    value = future.result();
    // A Future whose result is itself (a task returning currentTask()) would
    // be adopted by its own promise forever: reject, as a promise resolved
    // with itself does.
    if (value === future) throw new TypeError(`Chaining cycle detected: the result of ${future} is the Future itself`);
  } catch (error) {
    return rejectListener(listener, failHandOver(listener.handOver, error));
  }
  if (listener.handOver !== null) {
    try {
      listener.handOver.awaiterResumed();
    } catch (error) {
      // The hand-over failed as it became final: the caller gets that error.
      return rejectListener(listener, error);
    }
  }
  const onFulfilled = listener.callbacks?.onFulfilled;
  if (typeof onFulfilled !== 'function') return listener.resolve(value);
  applyCallback(listener, onFulfilled as (value: unknown) => unknown, value);
}

/** Tells a hand-over that its caller gets `error` instead; returns the error to reject with (its own, should it throw). */
function failHandOver(handOver: AwaitedHandOver | null, error: unknown): unknown {
  if (handOver === null) return error;
  try {
    handOver.awaiterFailed(error);
    return error;
  } catch (thrown) {
    return thrown;
  }
}

function rejectListener(listener: ThenListener, error: unknown): void {
  const onRejected = listener.callbacks?.onRejected;
  if (typeof onRejected !== 'function') return listener.reject(error);
  applyCallback(listener, onRejected, error);
}

function applyCallback(listener: ThenListener, callback: (value: unknown) => unknown, argument: unknown): void {
  try {
    listener.resolve(callback(argument));
  } catch (error) {
    listener.reject(error);
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

// A Future's state and flags in one small integer (tasks come by the 100,000).
const PENDING = 0;
const CANCELLED = 1;
const FINISHED = 2;
const STATE = 3;
const HAS_EXCEPTION = 4;
const UNRETRIEVED = 8;
const STATE_NAMES: readonly FutureState[] = ['pending', 'cancelled', 'finished'];

/** Where each Future was created, in debug mode only: kept apart so that Futures stay small. */
const sourceTracebacks = new WeakMap<Future<unknown>, string>();

/** What a Future needs of an async-function task that awaits it (see Task). */
interface AwaitingTask {
  /** Returns an error when the task may not await this Future (itself, another loop's). */
  noteAwaiting?: (future: Future<unknown>) => Error | null;
  /** The awaited Future is done: the error to resume with instead of its outcome, if any (only at a suspension). */
  awaitedDone: (future: Future<unknown>, suspended: boolean) => Error | undefined;
}

/**
 * What a Future whose outcome is a hand-over does as each then() caller
 * (an `await`) is settled with it: a stream read that took bytes out of the
 * buffer, a lock handed to its waiter. The hand-over becomes final when the
 * awaiter resumes with the result, and is given back when it resumes with an
 * error instead (its task was cancelled in between). See thenHandingOver().
 */
export interface AwaitedHandOver {
  /** The caller gets the result: the hand-over is final. May throw: the caller gets that error instead. */
  awaiterResumed(): void;
  /** The caller gets `error` instead of the result (a CancelledError when its task was cancelled meanwhile). */
  awaiterFailed(error: unknown): void;
}

/** True when `value` is a Future of asyncio-ts (from any copy of the package). */
export function isFuture(value: unknown): value is Future<unknown> {
  return typeof value === 'object' && value !== null && (value as { [futureMarker]?: boolean })[futureMarker] === true;
}

export class Future<T = unknown> implements PromiseLike<T> {
  declare readonly [futureMarker]: true;
  // Five fields: every Task, sleep() and waiter is a Future, and a loop can
  // hold a 100,000 of them at once.
  /** The state (PENDING, CANCELLED, FINISHED) | HAS_EXCEPTION | UNRETRIEVED. */
  #bits = PENDING;
  /** The result, or the exception when HAS_EXCEPTION is set. */
  #result: T | undefined = undefined;
  /** Who waits: none, one listener, or several (most Futures have exactly one). */
  #listeners: DoneListener | DoneListener[] | null = null;
  readonly #loop: BaseEventLoop;
  /** The message given to cancel(), and the CancelledError that cancelled a Task (rarely set: one field for both). */
  #cancellation: { message: string | undefined; error: CancelledError | null } | null = null;

  constructor(options?: FutureOptions) {
    const loop = options?.loop ?? captureLoop('Future');
    this.#loop = loop;
    if (loop.getDebug()) sourceTracebacks.set(this as Future<unknown>, new Error().stack ?? '');
  }

  /** Where the Future was created, in debug mode. @internal */
  get sourceTraceback(): string | undefined {
    return sourceTracebacks.get(this as Future<unknown>);
  }

  /** The loop this Future belongs to. */
  getLoop(): BaseEventLoop {
    return this.#loop;
  }

  /** True when the Future has a result or an exception, or was cancelled. */
  done(): boolean {
    return this.#bits !== PENDING;
  }

  /** True when the Future was cancelled. */
  cancelled(): boolean {
    return (this.#bits & STATE) === CANCELLED;
  }

  /** The state as a string: 'pending', 'cancelled' or 'finished'. */
  get state(): FutureState {
    return STATE_NAMES[this.#bits & STATE]!;
  }

  /**
   * The result. Throws the exception if one was set.
   * @throws CancelledError when cancelled; InvalidStateError when not done yet.
   */
  result(): T {
    const bits = this.#bits;
    if (bits === FINISHED) return this.#result as T;
    if (bits === PENDING) throw new InvalidStateError('Result is not ready.');
    if (bits === CANCELLED) throw this.makeCancelledError();
    Future.#markRetrieved(this);
    throw this.#result;
  }

  /**
   * The exception that was set, or null when the Future has a result.
   * @throws CancelledError when cancelled; InvalidStateError when not done yet.
   */
  exception(): unknown {
    const bits = this.#bits;
    if (bits === CANCELLED) throw this.makeCancelledError();
    if (bits === PENDING) throw new InvalidStateError('Exception is not set.');
    Future.#markRetrieved(this);
    return (bits & HAS_EXCEPTION) !== 0 ? this.#result : null;
  }

  /**
   * Sets the result and schedules the done callbacks.
   * @throws InvalidStateError when the Future is already done.
   */
  setResult(result: T): void {
    if (this.#bits !== PENDING) throw Future.#notPending(this, 'setResult');
    this.#result = result;
    this.#bits = FINISHED;
    this.scheduleCallbacks();
  }

  /**
   * Sets the exception and schedules the done callbacks. An exception that no
   * one retrieves is reported when the Future is collected.
   * @throws InvalidStateError when the Future is already done.
   */
  setException(exception: unknown): void {
    if (this.#bits !== PENDING) throw Future.#notPending(this, 'setException');
    if (typeof exception === 'function' && exception.prototype instanceof Error) {
      exception = new (exception as new () => Error)();
    }
    this.#result = exception as T;
    this.#bits = FINISHED | HAS_EXCEPTION | UNRETRIEVED;
    reportNeverRetrieved(this, this.#loop, exception);
    this.scheduleCallbacks();
  }

  /**
   * Cancels the Future and schedules the done callbacks.
   * @returns false when the Future was already done.
   */
  cancel(message?: string): boolean {
    Future.#markRetrieved(this);
    if (this.#bits !== PENDING) return false;
    this.#bits = CANCELLED;
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
    if (this.#bits !== PENDING) {
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
    return Future.#then(this, null, onFulfilled, onRejected);
  }

  /**
   * then() for a subclass whose outcome is a hand-over: `handOver` is told as
   * each caller is settled (see AwaitedHandOver), before its callbacks run.
   * What a subclass's then() calls in place of super.then() while a
   * hand-over may be on its way to the caller.
   */
  protected thenHandingOver<R1 = T, R2 = never>(
    handOver: AwaitedHandOver,
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return Future.#then(this, handOver, onFulfilled, onRejected);
  }

  static #then<T, R1, R2>(
    future: Future<T>,
    handOver: AwaitedHandOver | null,
    onFulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    onRejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
  ): Promise<R1 | R2> {
    // `await future` passes V8's own resolving functions and drops what then()
    // returns: that promise (~350 ns with AsyncLocalStorage's hooks) is made
    // only for a caller who can use it.
    const awaited = isAwaitResolution(onFulfilled, onRejected);
    const promise = awaited ? (undefined as unknown as Promise<R1 | R2>) : new Promise<R1 | R2>(parkResolvers as never);
    const resolve = awaited ? (onFulfilled as (value: unknown) => void) : parkedResolve;
    const reject = awaited ? (onRejected as (reason: unknown) => void) : parkedReject;
    if (awaited) onFulfilled = onRejected = null;
    // An async-function task awaits this Future: it is the task's waiter, so
    // that cancelling the task cancels what it awaits; and it learns when the
    // outcome is on its way to the body (settling queues the continuation).
    // A task may not await itself, nor a Future of another loop.
    const task = taskStorage.getStore() as AwaitingTask | undefined;
    const awaiting = task?.noteAwaiting !== undefined ? task : null;
    const callbacks = onFulfilled == null && onRejected == null ? null : { onFulfilled: onFulfilled as (value: never) => unknown, onRejected };
    const listener = new ThenListener(callbacks, resolve, reject, awaiting, handOver);
    const refusal = awaiting?.noteAwaiting!(future as Future<unknown>) ?? null;
    if (refusal !== null) listener.refuse(refusal);
    else future.addListener(listener);
    return promise;
  }

  /** Makes `yield* future` work in a generator coroutine. */
  [Symbol.iterator](): Iterator<unknown, T, unknown> {
    return new FutureIterator(this);
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
    Future.#markRetrieved(this);
  }

  // Static: a private instance method would cost every Future a field (V8's brand).
  static #markRetrieved(future: Future<unknown>): void {
    if ((future.#bits & UNRETRIEVED) === 0) return;
    future.#bits &= ~UNRETRIEVED;
    forgetNeverRetrieved(future);
  }

  static #notPending(future: Future<unknown>, method: string): InvalidStateError {
    return new InvalidStateError(`${method}() on a ${future.state} Future: ${future}; a Future's outcome can be set once, while it is pending`);
  }

  /** `<Future pending>`, `<Future finished result=1>`, ... */
  toString(): string {
    return `<${this.constructor.name} ${this.describeState()}>`;
  }

  /** @internal */
  describeState(): string {
    const parts: string[] = [this.state];
    if ((this.#bits & STATE) === FINISHED) {
      const result = (this.#result as unknown) === this ? '<itself>' : describe(this.#result);
      parts.push((this.#bits & HAS_EXCEPTION) !== 0 ? `exception=${describeError(this.#result)}` : `result=${result}`);
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
 * The iterator behind `yield* future`, one per `yield*` and stateless: it yields
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
