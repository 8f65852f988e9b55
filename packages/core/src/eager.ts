/**
 * Eager tasks (Python 3.12): a task whose first step runs inside
 * createTask(), so a coroutine that finishes without suspending never touches
 * the loop's queue.
 */
import type { BaseEventLoop, TaskFactory } from './base-event-loop.js';
import type { CoroutineLike } from './coroutines.js';
import { Task, type TaskOptions } from './task.js';

/**
 * A task factory for loop.setTaskFactory(): tasks start eagerly.
 * @example
 * getRunningLoop().setTaskFactory(eagerTaskFactory);
 */
export const eagerTaskFactory: TaskFactory = <T>(loop: BaseEventLoop, coro: CoroutineLike<T>, options: TaskOptions) =>
  new Task<T>(coro, { ...options, loop, eagerStart: true });

/** A task factory that makes eager tasks with `make` (a Task subclass's constructor). */
export function createEagerTaskFactory(make: new <T>(coro: CoroutineLike<T>, options: TaskOptions) => Task<T>): TaskFactory {
  return <T>(loop: BaseEventLoop, coro: CoroutineLike<T>, options: TaskOptions) => new make<T>(coro, { ...options, loop, eagerStart: true });
}
