/**
 * ProcessPoolExecutor: runs calls in child processes
 * (concurrent.futures.ProcessPoolExecutor, on Node's child_process).
 *
 * Differences from concurrent.futures:
 * - Arguments and results are copied with Node's "advanced" serialization
 *   (structured clone); a MessagePort cannot be sent.
 * - Each child has a small proxy thread in this process, so that result()
 *   can block on the main thread and a dead child breaks the pool at once
 *   (BrokenProcessPool) even while the caller blocks.
 * - Cancelling a running call (`future.cancel({ running: true })`) sends its
 *   child an abort message: the function's AbortSignal fires when the child
 *   next reaches its event loop (a child shares no memory, so a busy loop
 *   sees it only then); a child that has not finished the call after
 *   `cancelGrace` seconds is killed and replaced.
 */
import { availableParallelism } from 'node:os';
import { bootFor, entryExecArgv } from './entries.js';
import { BrokenProcessPool } from './errors.js';
import { resolveFunction, type WorkerFunction } from './function-reference.js';
import { checkCount, checkTimeout, describe } from './internal/checks.js';
import { PoolExecutor } from './internal/pool-executor.js';

export interface ProcessPoolExecutorOptions {
  /** The most processes to start. Default: the number of CPUs. */
  maxWorkers?: number;
  /** Called in each child process, before its first call. */
  initializer?: WorkerFunction | null;
  /** The initializer's arguments. */
  initargs?: unknown[];
  /** Replace a child after it has run this many calls (Python's max_tasks_per_child). Default: never. */
  maxTasksPerChild?: number | null;
  /** Seconds a call cancelled with `{ running: true }` has to end before its child is killed. Default 1. */
  cancelGrace?: number;
  /** Node options for the children (`process.execArgv`'s form). Default none. */
  execArgv?: string[];
}

/**
 * An executor that runs calls in child processes, started lazily and reused.
 * @example
 * await using executor = new ProcessPoolExecutor({ maxWorkers: 2 });
 * const pid = await executor.submit(() => process.pid);
 */
export class ProcessPoolExecutor extends PoolExecutor {
  /**
   * @throws RangeError when maxWorkers or maxTasksPerChild < 1; TypeError for an initializer that cannot run in a child.
   */
  constructor(options: ProcessPoolExecutorOptions = {}) {
    const maxWorkers = checkCount('ProcessPoolExecutor', 'maxWorkers', options.maxWorkers, 1) ?? availableParallelism();
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) throw new TypeError(`ProcessPoolExecutor expects initargs as an array, got ${describe(initargs)}`);
    const execArgv = options.execArgv ?? [];
    if (!Array.isArray(execArgv) || execArgv.some((each) => typeof each !== 'string')) {
      throw new TypeError(`ProcessPoolExecutor expects execArgv as an array of strings, got ${describe(execArgv)}`);
    }
    super({
      kind: 'process',
      maxWorkers,
      initializer: options.initializer == null ? null : resolveFunction('ProcessPoolExecutor initializer', options.initializer),
      initargs,
      cancelGrace: checkTimeout('ProcessPoolExecutor', 'cancelGrace', options.cancelGrace) ?? 1,
      resourceLimits: undefined,
      child: {
        boot: bootFor('child'),
        execArgv: [...entryExecArgv(), ...execArgv],
        maxTasksPerChild: checkCount('ProcessPoolExecutor', 'maxTasksPerChild', options.maxTasksPerChild, 1) ?? null,
      },
      broken: (message, errorOptions) => new BrokenProcessPool(message, errorOptions),
    });
  }
}
