/**
 * Task: a coroutine scheduled on a loop and driven step by step (asyncio.Task).
 *
 * Both coroutine shapes:
 * - a generator coroutine is stepped with next()/throw() from loop callbacks,
 *   exactly as asyncio steps a coroutine with send()/throw();
 * - an async function (or a promise) runs on its own; the Task learns which
 *   loop Future it awaits (through AsyncLocalStorage), so cancel() throws
 *   CancelledError right there; while it awaits a foreign promise, `signal`
 *   is aborted and CancelledError is thrown at its next loop await.
 *
 * Differences from asyncio: `signal` (an AbortSignal aborted with a
 * CancelledError while a cancellation is requested, renewed by uncancel());
 * `yield promise` in a generator awaits the promise and sends its value back.
 */
import { inspect } from 'node:util';
import { CancelledError, InvalidStateError, RuntimeError } from './errors.js';
import { Future, isFuture } from './future.js';
import { coroutineName, isGenerator, isThenable, type Coroutine, type CoroutineLike } from './coroutines.js';
import type { BaseEventLoop } from './base-event-loop.js';
import { describe } from './internal/checks.js';
import { swapTaskStore, taskStorage, taskStoreResource, type ContextRunner } from './internal/context.js';
import { watchDestroyedPending } from './internal/destroyed-pending.js';

export interface TaskOptions {
  /** The loop to run on; the running loop by default. */
  loop?: BaseEventLoop;
  /** The task's name; `Task-<n>` by default. */
  name?: string;
  /** Run the first step at once, inside the constructor, when the loop is running (Python 3.12's eager_start). */
  eagerStart?: boolean;
}

const STARTED = 1;
const MUST_CANCEL = 2;
const CANCEL_AFTER_STEP = 4;
const QUIET_IF_DESTROYED = 8;

/** What few tasks need: kept out of the Task, which must stay small. */
interface RareTaskState {
  /** In a generator task, the loop Future its async body awaits now. */
  bodyWaiter: Future<unknown> | null;
  cancelMessage: string | undefined;
  abort: AbortController | null;
  /** How many cancel() calls uncancel() has not taken back. */
  cancelsRequested: number;
}

let taskNameCounter = 0;
let taskSerial = 0;

export class Task<T = unknown> extends Future<T> {
  readonly #coro: CoroutineLike<T>;
  #generator: Coroutine<T> | null = null;
  /** STARTED | MUST_CANCEL | CANCEL_AFTER_STEP | QUIET_IF_DESTROYED: booleans in one field (tasks come by the 100,000). */
  #flags = 0;
  /** What few tasks need: a body waiter, a cancel message, an AbortController, a count of cancel requests. */
  #rare: RareTaskState | null = null;
  /** The name, or the number N of the default name `Task-N` (a string is made only when asked). */
  #name: string | number;
  /** Creation order, for listings. @internal */
  readonly serial = ++taskSerial;
  /** Where the loop's registry holds this task; -1 when it does not. @internal */
  registryIndex = -1;
  /** The Future this task waits on (asyncio's _fut_waiter). */
  #waiter: Future<unknown> | null = null;

  /**
   * An async body's step runs on in the microtasks after the iteration it
   * started in: the iteration of the step now running, or -1. A cancel() from
   * a later callback of that iteration came, in asyncio, after the step.
   */
  #asyncStepIteration = -1;
  readonly #context: ContextRunner | null;

  // No private methods or accessors: each class with one costs every
  // instance a field (V8's brand check); static ones cost nothing.
  static #rareOf(task: Task<unknown>): RareTaskState {
    return (task.#rare ??= { bodyWaiter: null, cancelMessage: undefined, abort: null, cancelsRequested: 0 });
  }

  static #cancelMessage(task: Task<unknown>): string | undefined {
    return task.#rare?.cancelMessage;
  }

  static #cancelsRequested(task: Task<unknown>): number {
    return task.#rare?.cancelsRequested ?? 0;
  }

  static #setBodyWaiter(task: Task<unknown>, future: Future<unknown> | null): void {
    if (future !== null || task.#rare !== null) Task.#rareOf(task).bodyWaiter = future;
  }

  constructor(coro: CoroutineLike<T>, options: TaskOptions = {}) {
    const generator = checkCoroutine(coro);
    super(options);
    const loop = this.getLoop();
    this.#coro = coro;
    if (generator) this.#generator = coro as Coroutine<T>;
    // The task owns a promise's outcome from now on (its error is reported
    // through the task): a rejection before the first step is not unhandled.
    // Only a native promise: another thenable may start work on each then().
    if (coro instanceof Promise) coro.then(undefined, ignore);
    this.#name = options.name !== undefined ? String(options.name) : ++taskNameCounter;
    this.#context = loop.scope.capture();
    loop.registerTask(this as unknown as Task<unknown>);
    if (options.eagerStart === true && loop.isRunning()) this.step();
    else loop.enqueueSoon(this.#context, stepTask, this);
  }

  // --- the public face ---------------------------------------------------------

  getName(): string {
    return typeof this.#name === 'number' ? `Task-${this.#name}` : this.#name;
  }

  setName(name: unknown): void {
    this.#name = String(name);
  }

  /** The coroutine the task runs: the generator, promise or function it was given. */
  getCoro(): CoroutineLike<T> {
    return this.#coro;
  }

  /** How many cancellation requests are pending (cancel() calls not undone by uncancel()). */
  cancelling(): number {
    return Task.#cancelsRequested(this);
  }

  /**
   * Takes back one cancellation request; returns how many remain. At zero, a
   * pending cancellation is dropped and `signal` is renewed.
   */
  uncancel(): number {
    const rare = this.#rare;
    if (rare === null || rare.cancelsRequested === 0) return 0;
    rare.cancelsRequested--;
    if (rare.cancelsRequested === 0) {
      this.#flags &= ~MUST_CANCEL;
      if (rare.abort?.signal.aborted) rare.abort = null;
    }
    return rare.cancelsRequested;
  }

  /**
   * Requests that the task be cancelled: CancelledError is thrown into the
   * coroutine where it awaits. The coroutine may catch it.
   * @returns false when the task is already done.
   */
  override cancel(message?: string): boolean {
    this.markRetrieved();
    if (this.done()) return false;
    const rare = Task.#rareOf(this);
    rare.cancelsRequested++;
    if (rare.abort !== null && !rare.abort.signal.aborted) rare.abort.abort(new CancelledError(message));
    if (this.#waiter !== null && this.#waiter.cancel(message)) {
      // The waiter's cancellation wakes the task with CancelledError.
      return true;
    }
    // Awaiting an async body (which refuses to be cancelled from outside):
    // cancel what the body awaits, so the body sees the CancelledError.
    const bodyWaiter = rare.bodyWaiter;
    if (bodyWaiter !== null && this.#waiter instanceof BodyFuture && bodyWaiter.cancel(message)) {
      rare.bodyWaiter = null;
      return true;
    }
    rare.cancelMessage = message;
    // From outside the task (not its own body cancelling itself).
    const afterStep = this.#generator === null && this.#asyncStepIteration === this.getLoop().iteration && taskStorage.getStore() !== this;
    this.#flags = (this.#flags | MUST_CANCEL) & ~CANCEL_AFTER_STEP;
    if (afterStep) this.#flags |= CANCEL_AFTER_STEP;
    return true;
  }

  /**
   * An AbortSignal for foreign work the task starts (fetch, fs, timers): it
   * is aborted with a CancelledError when the task is cancelled.
   * @example
   * const response = await fetch(url, { signal: currentTask()!.signal });
   */
  get signal(): AbortSignal {
    const rare = Task.#rareOf(this);
    if (rare.abort === null) {
      rare.abort = new AbortController();
      if (rare.cancelsRequested > 0) rare.abort.abort(new CancelledError(rare.cancelMessage));
    }
    return rare.abort.signal;
  }

  /** Tasks are completed by their coroutine only. @throws RuntimeError */
  override setResult(_result: T): void {
    throw new RuntimeError('Task does not support setResult(); the coroutine sets the result by returning');
  }

  /** Tasks are completed by their coroutine only. @throws RuntimeError */
  override setException(_exception: unknown): void {
    throw new RuntimeError('Task does not support setException(); the coroutine sets it by throwing');
  }

  // --- stepping --------------------------------------------------------------

  /**
   * True once the task steps a generator: its awaits come back through done
   * callbacks, and it leaves no work in microtasks. (Before its first step, a
   * task made from a function does not know its shape yet.) @internal
   */
  get steppedAsGenerator(): boolean {
    return this.#generator !== null;
  }

  /** One step: resume the coroutine with a value or an error (asyncio's __step). @internal */
  step(error?: unknown, hasError = false, value?: unknown): void {
    if (this.done()) throw new InvalidStateError(`step(): already done: ${this}`);
    if ((this.#flags & MUST_CANCEL) !== 0) {
      if (!CancelledError.isInstance(error)) {
        error = new CancelledError(Task.#cancelMessage(this));
        hasError = true;
      }
      this.#flags &= ~MUST_CANCEL;
    }
    this.#waiter = null;
    const loop = this.getLoop();
    const previous = loop.stepping;
    loop.stepping = this as unknown as Task<unknown>;
    // The task is the async context's task while it steps, so that promises
    // made in the step (an async helper it calls) know their task.
    const resource = taskStoreResource();
    const previousStore = swapTaskStore(resource, this);
    try {
      this.runStep(error, hasError, value);
    } finally {
      swapTaskStore(resource, previousStore);
      loop.stepping = previous;
    }
  }

  /** The body of a step, run with the task as the async context's task. @internal */
  runStep(error: unknown, hasError: boolean, value: unknown): void {
    const generator = this.#generator;
    if (generator === null) {
      Task.#start(this, error, hasError);
      return;
    }
    let result: IteratorResult<unknown, T>;
    try {
      result = hasError ? generator.throw(error) : generator.next(value);
    } catch (thrown) {
      Task.#finishWithError(this, thrown);
      return;
    }
    if (result.done) Task.#finishWithResult(this, result.value);
    else Task.#awaitYielded(this, result.value);
  }

  /** The first step of a task made from a function or a promise. */
  static #start(task: Task<unknown>, error: unknown, hasError: boolean): void {
    task.#asyncStepIteration = task.getLoop().iteration;
    if ((task.#flags & STARTED) !== 0) throw new InvalidStateError(`step(): ${task} already started its body`);
    task.#flags |= STARTED;
    let body: unknown = task.#coro;
    if (hasError) {
      // Cancelled before it started: the body never runs (a promise already
      // running cannot be stopped; its outcome is ignored).
      if (isThenable(body)) Promise.resolve(body).catch(() => undefined);
      Task.#finishWithError(task, error);
      return;
    }
    if (typeof body === 'function') {
      try {
        body = (body as () => unknown)();
      } catch (thrown) {
        Task.#finishWithError(task, thrown);
        return;
      }
      if (isGenerator(body)) {
        task.#generator = body as Coroutine<unknown>;
        task.runStep(undefined, false, undefined);
        return;
      }
    }
    if (isFuture(body) || isThenable(body)) {
      // The body's first `await` of a Future registers in a microtask (V8's
      // thenable job): let microtasks run before the next iteration, or that
      // Future could complete unheard and the body resume iterations late.
      task.getLoop().promiseWork = true;
      // Bound functions: smaller than two closures and their context, and a
      // pending async-function task holds them until its body ends.
      (body as PromiseLike<unknown>).then(Task.#bodyFulfilled.bind(task), Task.#bodyRejected.bind(task));
      return;
    }
    Task.#finishWithResult(task, body);
  }

  static readonly #bodyFulfilled = function (this: Task<unknown>, value: unknown): void {
    Task.#promiseSettled(this, false, value);
  };

  static readonly #bodyRejected = function (this: Task<unknown>, error: unknown): void {
    Task.#promiseSettled(this, true, error);
  };

  /** An async-function body settled: in a microtask, outside the loop's callbacks. */
  static #promiseSettled(task: Task<unknown>, failed: boolean, outcome: unknown): void {
    if (task.done()) return;
    task.#waiter = null;
    if (failed) Task.#finishWithError(task, outcome);
    else Task.#finishWithResult(task, outcome);
  }

  static #finishWithResult(task: Task<unknown>, value: unknown): void {
    const flags = task.#flags;
    if ((flags & MUST_CANCEL) !== 0 && (flags & CANCEL_AFTER_STEP) !== 0 && task.#asyncStepIteration === task.getLoop().iteration) {
      // The body finished within the step the cancel() came after: in asyncio
      // the task was done before it, and the request found nothing to cancel.
      task.#flags &= ~MUST_CANCEL;
      const rare = Task.#rareOf(task);
      rare.cancelsRequested = Math.max(0, rare.cancelsRequested - 1);
    }
    if ((task.#flags & MUST_CANCEL) !== 0) {
      // cancel() came during the last step: the task ends cancelled.
      task.#flags &= ~MUST_CANCEL;
      Future.prototype.cancel.call(task, Task.#cancelMessage(task));
    } else {
      Future.prototype.setResult.call(task, value);
    }
  }

  static #finishWithError(task: Task<unknown>, error: unknown): void {
    if (CancelledError.isInstance(error)) {
      task.setCancelledError(error as CancelledError, undefined);
      Future.prototype.cancel.call(task);
    } else {
      Future.prototype.setException.call(task, error);
    }
  }

  /** The coroutine yielded: wait for what it yielded (asyncio's _asyncio_future_blocking dance). */
  static #awaitYielded(task: Task<unknown>, yielded: unknown): void {
    const loop = task.getLoop();
    if (yielded === undefined || yielded === null) {
      // A bare yield: give the other callbacks one iteration, as sleep(0).
      loop.enqueueSoon(task.#context, stepTask, task);
      return;
    }
    let future: Future<unknown>;
    if (isFuture(yielded)) {
      future = yielded;
    } else if (isGenerator(yielded)) {
      Task.#stepWithError(task, new RuntimeError(`yield was used instead of yield* for generator in task ${task} with ${describe(yielded)}`));
      return;
    } else if (isThenable(yielded)) {
      future = loop.createFuture();
      settleFromPromise(future, yielded);
    } else {
      Task.#stepWithError(task, new RuntimeError(`Task got bad yield: ${describe(yielded)}; yield* a Future, or yield a promise`));
      return;
    }
    if (future.getLoop() !== loop) {
      Task.#stepWithError(task, new RuntimeError(`Task ${task} got Future ${future} attached to a different loop`));
      return;
    }
    if (future === task) {
      Task.#stepWithError(task, new RuntimeError(`Task cannot await on itself: ${task}`));
      return;
    }
    future.addListener(task);
    task.#waiter = future;
    if ((task.#flags & MUST_CANCEL) !== 0 && future.cancel(Task.#cancelMessage(task))) task.#flags &= ~MUST_CANCEL;
  }

  static #stepWithError(task: Task<unknown>, error: Error): void {
    task.getLoop().enqueueSoon(task.#context, stepTaskWithError, task, error);
  }

  /** The Future this task awaits is done: schedule the wake-up, in the task's context. @internal */
  futureDone(future: Future<unknown>, loop: BaseEventLoop): void {
    loop.enqueueSoon(this.#context, wakeTask, this, future);
  }

  /** The awaited Future is done: resume with its result, or throw its error in (asyncio's __wakeup). @internal */
  resume(future: Future<unknown>): void {
    let value: unknown;
    try {
      value = future.result();
    } catch (error) {
      this.step(error, true);
      return;
    }
    this.step(undefined, false, value);
  }

  /**
   * Code running in this task awaits `future` (its then() was called): in an
   * async-function body it becomes the waiter; in a generator task, the async
   * body the generator awaits waits on it. Awaiting the task itself or a
   * Future of another loop is refused with RuntimeError, as asyncio's __step
   * refuses them, instead of waiting forever.
   * @internal
   */
  noteAwaiting(future: Future<unknown>): Error | null {
    if (this.done()) return null;
    if (future === (this as Future<unknown>)) return new RuntimeError(`Task cannot await on itself: ${this}`);
    if (future.getLoop() !== this.getLoop()) return new RuntimeError(`Task ${this} got Future ${future} attached to a different loop`);
    if (this.#generator !== null) Task.#setBodyWaiter(this, future);
    else this.#waiter = future;
    if ((this.#flags & MUST_CANCEL) !== 0 && future.cancel(Task.#cancelMessage(this))) this.#flags &= ~MUST_CANCEL;
    return null;
  }

  /**
   * The Future an async body awaited is done and the body resumes now (what
   * asyncio's __wakeup/__step do for a coroutine): the waiter is cleared, and
   * a pending cancellation is delivered as the CancelledError to resume
   * with. A CancelledError already on its way answers it. @internal
   */
  awaitedDone(future: Future<unknown>, suspended: boolean): Error | undefined {
    this.getLoop().noteResuming(this as unknown as Task<unknown>);
    if (this.#waiter === future) this.#waiter = null;
    if (this.#rare !== null && this.#rare.bodyWaiter === future) this.#rare.bodyWaiter = null;
    if (suspended) this.#asyncStepIteration = this.getLoop().iteration;
    if (!suspended || (this.#flags & MUST_CANCEL) === 0 || this.done()) return undefined;
    this.#flags &= ~MUST_CANCEL;
    if (future.cancelled()) return undefined;
    return new CancelledError(Task.#cancelMessage(this));
  }


  protected override scheduleCallbacks(): void {
    this.getLoop().unregisterTask(this as unknown as Task<unknown>);
    this.#waiter = null;
    super.scheduleCallbacks();
  }

  /** The loop closed while this task was pending: warn if it is collected so. @internal */
  watchDestroyPending(): void {
    if ((this.#flags & QUIET_IF_DESTROYED) === 0 && !this.done()) watchDestroyedPending(this, this.getLoop());
  }

  /** Whether collecting this task while pending is reported (asyncio's _log_destroy_pending). @internal */
  set logDestroyPending(value: boolean) {
    this.#flags = value ? this.#flags & ~QUIET_IF_DESTROYED : this.#flags | QUIET_IF_DESTROYED;
  }

  /** The Future this task awaits now, if any (for dumps). @internal */
  get waiter(): Future<unknown> | null {
    return this.#waiter;
  }

  override toString(): string {
    let text = `<Task ${this.state} name='${this.getName()}' coro=<${coroutineName(this.#coro)}()>`;
    if (this.state === 'finished') text += ` ${this.describeState().replace(/^finished ?/, '')}`.trimEnd();
    if (this.#waiter !== null) text += ` wait_for=${this.#waiter}`;
    return `${text}>`;
  }

  override [inspect.custom](): string {
    return this.toString();
  }
}

function ignore(): void {}

// Loop callbacks as module functions, so scheduling a task needs no closure.
function stepTask(task: Task<unknown>): void {
  task.step();
}

function stepTaskWithError(task: Task<unknown>, error: unknown): void {
  task.step(error, true);
}

function wakeTask(task: Task<unknown>, future: Future<unknown>): void {
  task.resume(future);
}

/** Checks what a Task can run; true for a generator object (checked once, here). */
function checkCoroutine(coro: unknown): boolean {
  if (typeof coro === 'function') return false;
  if (isGenerator(coro)) return true;
  if (isFuture(coro)) throw new TypeError(`a coroutine was expected, got ${coro}; use ensureFuture() for a Future`);
  if (isThenable(coro)) return false;
  throw new TypeError(
    `a coroutine was expected, got ${describe(coro)}; pass a generator (from a function*), a promise, or a function returning one`,
  );
}

/** Settles `future` with the outcome of `promise`, unless it was cancelled meanwhile. @internal */
export function settleFromPromise<T>(future: Future<T>, promise: PromiseLike<T>): void {
  promise.then(
    (value) => {
      if (!future.done()) future.setResult(value);
    },
    (error) => {
      if (future.done()) return;
      if (CancelledError.isInstance(error)) future.cancel((error as Error).message || undefined);
      else future.setException(error);
    },
  );
}

/**
 * The Future through which a generator task awaits an async body that runs
 * inside it (timeout() or taskGroup() with an async body): cancelling the
 * task must reach the body, so this bridge refuses to be cancelled itself
 * and settles only as the body ends. @internal
 */
export class BodyFuture<T> extends Future<T> {
  constructor(loop: BaseEventLoop, body: PromiseLike<T>) {
    super({ loop });
    body.then(
      (value) => {
        if (!this.done()) this.setResult(value);
      },
      (error) => {
        if (this.done()) return;
        if (CancelledError.isInstance(error)) super.cancel((error as Error).message || undefined);
        else this.setException(error);
      },
    );
  }

  override cancel(): boolean {
    return false;
  }
}
