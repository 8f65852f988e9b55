/**
 * Executor: the base of ThreadPoolExecutor and ProcessPoolExecutor
 * (concurrent.futures.Executor): submit(), map(), shutdown(), and `using` /
 * `await using` disposal.
 *
 * Differences from concurrent.futures:
 * - Options are objects: `map(fn, xs, { timeout, chunksize, buffersize })`,
 *   `shutdown({ wait, cancelFutures })`.
 * - shutdown() returns a promise (resolved once the work is done and the
 *   workers have ended, or at once with `wait: false`); JavaScript cannot
 *   block on it without stopping the workers' messages, so only `using`
 *   blocks, as Python's `with` does.
 * - `with executor:` is `using executor = new ThreadPoolExecutor()` (blocks
 *   on exit until the submitted work is done) or `await using` (awaits it).
 */
import { inspect } from 'node:util';
import { checkCount, checkTimeout, describe } from './internal/checks.js';
import type { WorkerArgs, WorkerFunction, WorkerResult } from './function-reference.js';
import type { Future } from './future.js';
import { MapIterator } from './map.js';

/** Options of Executor.map(). */
export interface MapOptions {
  /** Seconds, from the map() call, within which every result must be ready; null for no limit. */
  timeout?: number | null;
  /** How many calls go to a worker as one task (fewer messages for many small calls). Default 1. */
  chunksize?: number;
  /**
   * How many tasks may be submitted ahead of the result being read (Python
   * 3.14's buffersize); the input is then read lazily. Default: all at once.
   */
  buffersize?: number | null;
}

/** Options of Executor.shutdown(). */
export interface ShutdownOptions {
  /** Resolve only once the submitted work is done and the workers have ended. Default true. */
  wait?: boolean;
  /** Cancel the calls that have not started. Default false. */
  cancelFutures?: boolean;
}

/** One iterable per argument of `A`. */
export type IterablesFor<A extends unknown[]> = { [K in keyof A]: Iterable<A[K]> };

export abstract class Executor implements Disposable, AsyncDisposable {
  /**
   * Schedules `fn(...args)` and returns a Future of its result.
   * @throws RuntimeError after shutdown(); BrokenExecutor when broken;
   *   TypeError when fn cannot run in a worker.
   */
  abstract submit<F extends WorkerFunction>(fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>>;

  /**
   * Signals that no more work will be submitted; the work already submitted
   * still runs (unless `cancelFutures`), then the workers end.
   */
  abstract shutdown(options?: ShutdownOptions): Promise<void>;

  /**
   * Calls `fn` on each tuple of items of `iterables` (zipped, shortest
   * first) and iterates the results in input order. Pass options last.
   * @throws RangeError for a chunksize or buffersize below 1.
   * @example
   * for (const square of executor.map(square, [1, 2, 3])) console.log(square);
   * for await (const page of executor.map(fetchPage, urls, { timeout: 30 })) save(page);
   */
  map<F extends WorkerFunction>(fn: F, ...iterables: [...IterablesFor<WorkerArgs<F>>, MapOptions] | IterablesFor<WorkerArgs<F>>): MapIterator<WorkerResult<F>>;
  map(fn: WorkerFunction, ...rest: unknown[]): MapIterator<unknown> {
    const last = rest[rest.length - 1];
    const options: MapOptions = rest.length > 0 && isOptions(last) ? (rest.pop() as MapOptions) : {};
    const timeout = checkTimeout('map', 'timeout', options.timeout);
    const chunksize = checkCount('map()', 'chunksize', options.chunksize, 1) ?? 1;
    const buffersize = checkCount('map()', 'buffersize', options.buffersize, 1) ?? null;
    rest.forEach((iterable, index) => {
      if (iterable === null || typeof (iterable as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
        throw new TypeError(`map() expects iterables after the function, got ${describe(iterable)} as argument ${index + 2}`);
      }
    });
    const deadline = timeout === null ? null : performance.now() + timeout * 1000;
    const calls = zip(rest as Iterable<unknown>[]);
    const chunked = chunksize > 1 && this.canSubmitChunks();
    const nextTask = (): Future<unknown> | null => {
      if (!chunked) {
        const step = calls.next();
        return step.done === true ? null : (this.submit(fn, ...(step.value as never[])) as Future<unknown>);
      }
      const chunk: unknown[][] = [];
      while (chunk.length < chunksize) {
        const step = calls.next();
        if (step.done === true) break;
        chunk.push(step.value);
      }
      return chunk.length === 0 ? null : this.submitChunk(fn, chunk);
    };
    const futures: Future<unknown>[] = [];
    for (let future = nextTask(); future !== null; future = futures.length === buffersize ? null : nextTask()) futures.push(future);
    return new MapIterator({ futures, submitNext: buffersize === null ? null : nextTask, chunked, deadline, timeout });
  }

  /** True when submitChunk() runs a chunk as one task; otherwise map() ignores chunksize, as Python's base Executor. */
  protected canSubmitChunks(): boolean {
    return false;
  }

  /** Submits calls of `fn` (a list of argument lists) as one task whose result is the list of results. */
  protected submitChunk(fn: WorkerFunction, chunk: unknown[][]): Future<unknown> {
    throw new TypeError(`${this.constructor.name} cannot run chunks of ${describe(fn)} (${chunk.length} calls); override canSubmitChunks() and submitChunk()`);
  }

  /** Waits, blocking, until the submitted work is done (for `using`); nothing by default. */
  protected waitForWork(): void {}

  /** `using executor = ...`: shuts down and blocks until the submitted work is done, as Python's `with`. */
  [Symbol.dispose](): void {
    void this.shutdown({ wait: false });
    this.waitForWork();
  }

  /** `await using executor = ...`: shuts down and awaits the work and the workers' end. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  [inspect.custom](): string {
    return `${this.constructor.name} {}`;
  }
}

function isOptions(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function';
}

/** The tuples of the iterables' items, until the shortest ends (Python's zip). */
function* zip(iterables: Iterable<unknown>[]): Generator<unknown[], void, undefined> {
  if (iterables.length === 0) return;
  const iterators = iterables.map((iterable) => iterable[Symbol.iterator]());
  try {
    for (;;) {
      const tuple: unknown[] = [];
      for (const iterator of iterators) {
        const step = iterator.next();
        if (step.done === true) return;
        tuple.push(step.value);
      }
      yield tuple;
    }
  } finally {
    for (const iterator of iterators) iterator.return?.();
  }
}
