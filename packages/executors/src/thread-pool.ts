/**
 * ThreadPoolExecutor: runs calls on a pool of worker threads
 * (concurrent.futures.ThreadPoolExecutor, on Node's worker_threads).
 *
 * Differences from concurrent.futures:
 * - Worker threads share no memory with the caller: the function is a
 *   module reference or a self-contained function (see function-reference.ts),
 *   and arguments and results are structured-cloned (or transferred).
 * - A worker that dies (an uncaught error, process.exit(), out of memory)
 *   breaks the pool with BrokenThreadPool; Python's threads cannot die alone.
 * - Running calls can be cancelled cooperatively (`future.cancel({ running: true })`);
 *   a call that ignores its signal for `cancelGrace` seconds has its worker
 *   killed and replaced.
 * - `chunksize` in map() batches calls here too.
 */
import { availableParallelism } from 'node:os';
import { BrokenThreadPool } from './errors.js';
import { resolveFunction, type WorkerFunction } from './function-reference.js';
import { checkCount, checkTimeout, describe } from './internal/checks.js';
import { PoolExecutor } from './internal/pool-executor.js';
import type { ResourceLimits } from 'node:worker_threads';

export interface ThreadPoolExecutorOptions {
  /** The most threads to start. Default: min(32, CPUs + 4), as Python's. */
  maxWorkers?: number;
  /** Called in each worker, before its first call (a module reference or a self-contained function). */
  initializer?: WorkerFunction | null;
  /** The initializer's arguments. */
  initargs?: unknown[];
  /**
   * Seconds a call cancelled with `{ running: true }` has to stop before its
   * worker is killed and replaced. Default 1; Infinity never kills.
   */
  cancelGrace?: number;
  /** Node's resourceLimits for each worker thread (heap sizes in MB). */
  resourceLimits?: ResourceLimits;
}

/**
 * An executor that runs calls on worker threads, started lazily and reused.
 * @example
 * await using executor = new ThreadPoolExecutor({ maxWorkers: 2 });
 * const future = executor.submit((n: number) => n * 2, 21);
 * console.log(await future); // 42
 */
export class ThreadPoolExecutor extends PoolExecutor {
  /**
   * @throws RangeError when maxWorkers < 1; TypeError for an initializer that cannot run in a worker.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    const maxWorkers = checkCount('ThreadPoolExecutor', 'maxWorkers', options.maxWorkers, 1) ?? Math.min(32, availableParallelism() + 4);
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) throw new TypeError(`ThreadPoolExecutor expects initargs as an array, got ${describe(initargs)}`);
    super({
      kind: 'thread',
      maxWorkers,
      initializer: options.initializer == null ? null : resolveFunction('ThreadPoolExecutor initializer', options.initializer),
      initargs,
      cancelGrace: checkTimeout('ThreadPoolExecutor', 'cancelGrace', options.cancelGrace) ?? 1,
      resourceLimits: options.resourceLimits,
      child: undefined,
      broken: (message, errorOptions) => new BrokenThreadPool(message, errorOptions),
    });
  }
}
