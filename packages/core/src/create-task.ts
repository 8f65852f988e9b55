/** createTask(): schedule a coroutine on the running loop (asyncio.create_task). */
import type { CoroutineLike } from './coroutines.js';
import { getRunningLoop } from './events.js';
import type { Task, TaskOptions } from './task.js';

/**
 * Wraps `coro` in a Task on the running loop; it starts on the next iteration
 * (at once with an eager task factory).
 * @throws RuntimeError when no loop is running; TypeError when coro is not a coroutine.
 * @example
 * const task = createTask(worker('Task-1', 2), { name: 'worker-1' });
 */
export function createTask<T>(coro: CoroutineLike<T>, options: Omit<TaskOptions, 'loop'> = {}): Task<T> {
  return getRunningLoop().createTask(coro, options);
}
