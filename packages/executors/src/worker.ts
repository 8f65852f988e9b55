/**
 * What a function running in a worker can use: `import { currentSignal }
 * from '@asyncio-ts/executors/worker'`.
 *
 * Differences from concurrent.futures: Python cannot cancel a call that has
 * started; here the caller's `future.cancel({ running: true })` aborts the
 * call's AbortSignal, which the function can watch to stop cleanly.
 */
import { currentContext } from './internal/task-context.js';

export { transfer } from './transfer.js';
export type { WorkerContext } from './function-reference.js';

/**
 * The AbortSignal of the call running in this worker: aborted when its
 * future is cancelled with `{ running: true }`. Its `aborted` reads shared
 * memory, so a loop that polls it sees the cancellation at once; work that
 * awaits gets the 'abort' event. (`this.signal` in the function is the same.)
 * @throws Error when called outside a call run by an executor.
 * @example
 * export function crunch(items: number[]) {
 *   const signal = currentSignal();
 *   for (const item of items) {
 *     signal.throwIfAborted();
 *     work(item);
 *   }
 * }
 */
export function currentSignal(): AbortSignal {
  const context = currentContext();
  if (context === null) {
    throw new Error('currentSignal() is called outside a call run by an executor; call it from the worker function (before its first await, or keep the signal)');
  }
  return context.signal;
}
