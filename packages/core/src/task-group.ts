/**
 * TaskGroup: structured concurrency (asyncio.TaskGroup, Python 3.11+).
 *
 * The body starts tasks with `group.createTask()`; the group waits for all of
 * them. The first task to fail cancels the others and the body; every error
 * is then thrown together as an ExceptionGroup (CancelledErrors left out).
 *
 * Differences from asyncio: `async with TaskGroup() as tg:` becomes
 * `await taskGroup(async (tg) => …)` or `yield* taskGroup(function* (tg) {…})`;
 * the body's return value is the result. `cancel()` (as Python 3.15 plans)
 * stops the whole group quietly.
 */
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import type { Coroutine, CoroutineLike } from './coroutines.js';
import { CancelledError, ExceptionGroup, KeyboardInterrupt, RuntimeError } from './errors.js';
import { Future } from './future.js';
import { ScopedFuture, type Body, type Outcome, type Scope } from './internal/scoped.js';
import type { Task, TaskOptions } from './task.js';

/**
 * The Future a group's exit waits on until its tasks are done. It names the
 * group's tasks as what it stands for, so that task dumps show them under
 * the parent task while it waits.
 */
class GroupExit extends Future<boolean> {
  constructor(
    loop: BaseEventLoop,
    readonly group: TaskGroup,
  ) {
    super({ loop });
  }

  /** @internal */
  components(): Future<unknown>[] {
    return [...this.group.tasks];
  }
}

export class TaskGroup implements Scope<TaskGroup, unknown> {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: BaseEventLoop | null = null;
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  #cancelledByUser = false;
  readonly #tasks = new Set<Task<unknown>>();
  #errors: unknown[] = [];
  #baseError: unknown = null;
  #onCompleted: Future<boolean> | null = null;

  /**
   * Starts `coro` as a task of the group.
   * @throws RuntimeError when the group has not started, is finished, or is shutting down.
   */
  createTask<T>(coro: CoroutineLike<T>, options: Omit<TaskOptions, 'loop'> = {}): Task<T> {
    if (!this.#entered) throw new RuntimeError(`TaskGroup ${this} has not been entered; use taskGroup(body)`);
    if (this.#exiting && this.#tasks.size === 0) throw new RuntimeError(`TaskGroup ${this} is finished`);
    if (this.#aborting) throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    const task = this.#loop!.createTask(coro, options);
    if (task.done()) {
      // An eager task may finish in createTask(): account for it at once.
      this.#onTaskDone(task as Task<unknown>);
    } else {
      this.#tasks.add(task as Task<unknown>);
      task.addCallback(this.#onTaskDone as (future: Future<T>) => void, null);
    }
    return task;
  }

  /**
   * Cancels every task of the group and the body; the group then ends
   * without an error (unless a task failed before).
   */
  cancel(): void {
    if (!this.#entered || this.#cancelledByUser) return;
    this.#cancelledByUser = true;
    if (!this.#aborting) this.#abort();
    if (!this.#exiting && !this.#parentCancelRequested && !this.#parentTask!.done()) {
      this.#parentCancelRequested = true;
      this.#parentTask!.cancel();
    }
  }

  /** The tasks of the group that have not finished. */
  get tasks(): ReadonlySet<Task<unknown>> {
    return this.#tasks;
  }

  /** @internal */
  enter(task: Task<unknown>, loop: BaseEventLoop): TaskGroup {
    if (this.#entered) throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    this.#loop = loop;
    this.#parentTask = task;
    this.#entered = true;
    return this;
  }

  /** Waits for every task, then throws what went wrong (asyncio's __aexit__). @internal */
  *exit(outcome: Outcome<unknown>): Coroutine<unknown> {
    this.#exiting = true;
    const error = outcome.ok ? undefined : outcome.error;
    if (!outcome.ok && isBaseError(error) && this.#baseError === null) this.#baseError = error;
    let propagateCancellation: unknown = !outcome.ok && CancelledError.isInstance(error) ? error : null;
    if (this.#parentCancelRequested && this.#parentTask!.uncancel() === 0) propagateCancellation = null;
    if (!outcome.ok && !this.#aborting) this.#abort();

    while (this.#tasks.size > 0) {
      this.#onCompleted ??= new GroupExit(this.#loop!, this);
      try {
        yield* this.#onCompleted;
      } catch (thrown) {
        if (!CancelledError.isInstance(thrown)) throw thrown;
        if (!this.#aborting) {
          propagateCancellation = thrown;
          this.#abort();
        }
      }
      this.#onCompleted = null;
    }

    if (this.#baseError !== null) throw this.#baseError;
    if (propagateCancellation !== null && this.#errors.length === 0 && !this.#cancelledByUser) throw propagateCancellation;
    if (!outcome.ok && !CancelledError.isInstance(error)) this.#errors.push(error);
    if (this.#errors.length > 0) {
      const errors = this.#errors;
      this.#errors = [];
      throw new ExceptionGroup('unhandled errors in a TaskGroup', errors);
    }
    if (this.#cancelledByUser) return undefined;
    if (!outcome.ok) throw error;
    return outcome.value;
  }

  #abort(): void {
    this.#aborting = true;
    for (const task of this.#tasks) if (!task.done()) task.cancel();
  }

  readonly #onTaskDone = (task: Task<unknown>) => {
    this.#tasks.delete(task);
    if (this.#onCompleted !== null && this.#tasks.size === 0 && !this.#onCompleted.done()) this.#onCompleted.setResult(true);
    if (task.cancelled()) return;
    const error = task.exception();
    if (error === null) return;
    this.#errors.push(error);
    if (isBaseError(error) && this.#baseError === null) this.#baseError = error;
    const parent = this.#parentTask!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message: `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: error,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // The first failure: cancel the siblings and interrupt the body.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  };

  toString(): string {
    const info: string[] = [];
    if (this.#tasks.size > 0) info.push(`tasks=${this.#tasks.size}`);
    if (this.#errors.length > 0) info.push(`errors=${this.#errors.length}`);
    if (this.#aborting) info.push('cancelling');
    else if (this.#entered) info.push('entered');
    return `<TaskGroup${info.length > 0 ? ` ${info.join(' ')}` : ''}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Errors that stop the group at once, as Python's SystemExit and KeyboardInterrupt. */
function isBaseError(error: unknown): boolean {
  return KeyboardInterrupt.isInstance(error);
}

/**
 * Runs `body(group)` in the current task and waits for every task it starts.
 * @throws ExceptionGroup with every error when tasks (or the body) fail.
 * @example
 * await taskGroup(async (tg) => {
 *   tg.createTask(fetchOne());
 *   tg.createTask(fetchTwo());
 * });
 */
export function taskGroup<T>(body: Body<TaskGroup, T>): ScopedFuture<TaskGroup, T> {
  return new ScopedFuture('taskGroup', new TaskGroup() as unknown as Scope<TaskGroup, T>, body);
}
