// The machinery behind timeout() and taskGroup(): a body that runs inside the
// *current* task, in the task's own shape, between an enter and an exit step
// that sees how the body ended (Python's `async with`).
//
// The result is a ScopedFuture. Nothing starts until it is awaited: `await`
// runs the async path (in the awaiting async function's task), `yield*` runs
// the generator path inline (in the generator task's own steps). The exit
// step is written once, as a generator, and driven by either path.
import type { BaseEventLoop } from '../base-event-loop.js';
import { isGenerator, isThenable, type Coroutine } from '../coroutines.js';
import { CancelledError, RuntimeError } from '../errors.js';
import { Future } from '../future.js';
import { getRunningLoop } from '../events.js';
import { currentTask } from '../current-task.js';
import type { Task } from '../task.js';
import { BodyFuture } from '../task.js';
import { neverAwaited } from './never-awaited.js';
import { sleep } from '../sleep.js';

/** How the body ended, as the exit step sees it. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A context manager in the shape of asyncio's: enter, then exit with the body's outcome. */
export interface Scope<S, T> {
  /** Enters; returns what the body receives. Throws to refuse. */
  enter(task: Task<unknown>, loop: BaseEventLoop): S;
  /** Exits: returns the result (or throws) given the body's outcome; may yield futures. */
  exit(outcome: Outcome<T>): Coroutine<T>;
}

export type Body<S, T> = (scope: S) => Coroutine<T> | PromiseLike<T> | T;

/** A Future whose work, a body inside the current task, starts when it is first awaited. */
export class ScopedFuture<S, T> extends Future<T> {
  readonly #name: string;
  readonly #scope: Scope<S, T>;
  readonly #body: Body<S, T>;
  #started = false;

  constructor(name: string, scope: Scope<S, T>, body: Body<S, T>) {
    if (typeof body !== 'function') {
      throw new TypeError(`${name}() expects a body function (an async function or a function*) receiving the scope, got ${typeof body}`);
    }
    super({ loop: getRunningLoop() });
    this.#name = name;
    this.#scope = scope;
    this.#body = body;
    neverAwaited.watch(this, name, this.getLoop().getDebug() ? new Error().stack : undefined);
  }

  /** The scope belongs to the task's own cancellation: it is not cancelled on its own. */
  override cancel(): boolean {
    return false;
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (!this.#started) this.#startAsync();
    return super.then(onFulfilled, onRejected);
  }

  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    if (this.#started) return super[Symbol.iterator]();
    this.#markStarted();
    return this.#runInline();
  }

  #markStarted(): void {
    this.#started = true;
    neverAwaited.forget(this);
  }

  #enter(): S {
    const loop = this.getLoop();
    const task = currentTask(loop);
    if (task === null) throw new RuntimeError(`${this.#name}() must be awaited inside a task (run(), createTask())`);
    return this.#scope.enter(task, loop);
  }

  /** The generator path: enter, body, exit, all as steps of the generator task. */
  *#runInline(): Coroutine<T> {
    let scope: S;
    try {
      scope = this.#enter();
    } catch (error) {
      // Refused to enter (no task, entered twice): neither body nor exit runs.
      this.#settle({ ok: false, error });
      throw error;
    }
    let outcome: Outcome<T>;
    try {
      const started = this.#body(scope);
      let value: T;
      if (isGenerator(started)) value = yield* started as Coroutine<T>;
      else if (isThenable(started)) value = yield* promiseFuture(this.getLoop(), started as PromiseLike<T>);
      else value = started as T;
      outcome = { ok: true, value };
    } catch (error) {
      outcome = { ok: false, error };
    }
    try {
      const value = yield* this.#scope.exit(outcome);
      this.#settle({ ok: true, value });
      return value;
    } catch (error) {
      this.#settle({ ok: false, error });
      throw error;
    }
  }

  /** The async path: the same steps, awaited in the async function's task. */
  #startAsync(): void {
    this.#markStarted();
    const run = async (): Promise<T> => {
      // A refusal to enter rejects at once: neither body nor exit runs.
      const scope = this.#enter();
      let outcome: Outcome<T>;
      try {
        const started = this.#body(scope);
        const value = isGenerator(started) ? await driveGenerator(this.getLoop(), started as Coroutine<T>) : await started;
        outcome = { ok: true, value };
      } catch (error) {
        outcome = { ok: false, error };
      }
      return driveGenerator(this.getLoop(), this.#scope.exit(outcome));
    };
    run().then(
      (value) => this.#settle({ ok: true, value }),
      (error) => this.#settle({ ok: false, error }),
    );
  }

  #settle(outcome: Outcome<T>): void {
    if (this.done()) return;
    if (outcome.ok) {
      this.setResult(outcome.value);
    } else if (CancelledError.isInstance(outcome.error)) {
      super.cancel((outcome.error as Error).message || undefined);
    } else {
      this.setException(outcome.error);
    }
  }
}

/** A Future that settles as `promise` does. */
function promiseFuture<T>(loop: BaseEventLoop, promise: PromiseLike<T>): Future<T> {
  return new BodyFuture(loop, promise);
}

/**
 * Drives a generator coroutine from an async function: each Future it yields
 * is awaited (so the async task's cancellation reaches it), a bare yield
 * waits one loop iteration, a yielded promise is awaited.
 */
export async function driveGenerator<T>(loop: BaseEventLoop, generator: Coroutine<T>): Promise<T> {
  let next: IteratorResult<unknown, T> = generator.next();
  for (;;) {
    if (next.done) return next.value;
    let value: unknown;
    try {
      const yielded = next.value;
      if (yielded === undefined || yielded === null) {
        // A bare yield (sleep(0) in the generator): one loop iteration.
        value = await sleep(0);
      } else {
        value = await (yielded as PromiseLike<unknown>);
      }
    } catch (error) {
      next = generator.throw(error);
      continue;
    }
    next = generator.next(value);
  }
}
