/** currentTask() and allTasks(): which task runs, and which are pending. */
import type { BaseEventLoop } from './base-event-loop.js';
import { getRunningLoop } from './events.js';
import { taskStorage } from './internal/context.js';
import { Task } from './task.js';

/**
 * The task running now, or null. Inside an async-function task it is found
 * through AsyncLocalStorage, so it holds across awaits.
 * @throws RuntimeError when no loop is running and none is given.
 */
export function currentTask(loop: BaseEventLoop = getRunningLoop()): Task<unknown> | null {
  if (loop.stepping !== null) return loop.stepping;
  // In a plain callback of the loop there is no current task.
  if (loop.inCallbacks) return null;
  const task = taskStorage.getStore();
  return task instanceof Task && task.getLoop() === loop && !task.done() ? task : null;
}

/** Every task of the loop that is not done yet. */
export function allTasks(loop: BaseEventLoop = getRunningLoop()): Set<Task<unknown>> {
  return new Set(loop.pendingTasks().filter((task) => !task.done()));
}
