/**
 * wait() and asCompleted(): block until futures are done
 * (concurrent.futures.wait and as_completed).
 *
 * Differences from concurrent.futures: wait() returns `[done, notDone]`
 * (two Sets, also named `.done` and `.notDone`); asCompleted() is also
 * async-iterable, and `for await` gives the results in completion order
 * without blocking (as @asyncio-ts/core's asCompleted).
 */
import { inspect } from 'node:util';
import { TimeoutError } from './errors.js';
import { isConcurrentFuture, type Future } from './future.js';
import { blockUntil } from './internal/blocking.js';
import { checkTimeout, describe } from './internal/checks.js';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export interface WaitOptions {
  /** Seconds to wait at most (null: no limit); what is not done by then is returned as not done. */
  timeout?: number | null;
  /** When to return: ALL_COMPLETED (default), FIRST_COMPLETED or FIRST_EXCEPTION. */
  returnWhen?: ReturnWhen;
}

/** wait()'s result: `[done, notDone]`, also as named properties. */
export type DoneAndNotDoneFutures<T> = readonly [done: Set<Future<T>>, notDone: Set<Future<T>>] & {
  readonly done: Set<Future<T>>;
  readonly notDone: Set<Future<T>>;
};

/**
 * Blocks until the futures are done (or, with `returnWhen`, the first one,
 * or the first that fails), or the timeout passes.
 * @throws TypeError when an item is not a concurrent Future; RangeError for an unknown returnWhen.
 * @example
 * const [done, notDone] = wait(futures, { timeout: 5, returnWhen: FIRST_COMPLETED });
 */
export function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): DoneAndNotDoneFutures<T> {
  const all = checkFutures('wait', futures);
  const timeout = checkTimeout('wait', 'timeout', options.timeout);
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== ALL_COMPLETED && returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION) {
    throw new RangeError(`wait() expects returnWhen to be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${describe(returnWhen)}`);
  }
  const satisfied = (): boolean => {
    let doneCount = 0;
    for (const future of all) {
      if (!future.done()) continue;
      doneCount++;
      if (returnWhen === FIRST_COMPLETED) return true;
      if (returnWhen === FIRST_EXCEPTION && !future.cancelled() && future.exception() !== null) return true;
    }
    return doneCount === all.size;
  };
  if (!satisfied()) blockUntil(satisfied, timeout, 'wait()');
  const done = new Set<Future<T>>();
  const notDone = new Set<Future<T>>();
  for (const future of all) (future.done() ? done : notDone).add(future);
  return Object.assign([done, notDone] as const, { done, notDone });
}

export interface AsCompletedOptions {
  /** Seconds (from the call) within which every future must complete; null for no limit. */
  timeout?: number | null;
}

/**
 * The futures in the order they complete: those already done first. Plain
 * iteration blocks for each next one and gives the futures; `for await`
 * waits without blocking and gives their results.
 */
export class AsCompleted<T> implements IterableIterator<Future<T>>, AsyncIterable<T> {
  readonly #completed: Future<T>[] = [];
  #head = 0;
  readonly #total: number;
  #handedOut = 0;
  readonly #deadline: number | null;
  readonly #timeout: number | null;
  #wakeUp: (() => void) | null = null;

  /** @internal */
  constructor(futures: Set<Future<T>>, timeout: number | null) {
    this.#total = futures.size;
    this.#timeout = timeout;
    this.#deadline = timeout === null ? null : performance.now() + timeout * 1000;
    const pending: Future<T>[] = [];
    for (const future of futures) (future.done() ? this.#completed : pending).push(future);
    for (const future of pending) {
      future.addDoneCallback(() => {
        this.#completed.push(future);
        this.#wakeUp?.();
      });
    }
  }

  /**
   * The next future to complete, blocking until there is one.
   * @throws TimeoutError when the timeout passes first.
   */
  next(): IteratorResult<Future<T>, undefined> {
    if (this.#handedOut === this.#total) return { done: true, value: undefined };
    if (this.#head === this.#completed.length) {
      const remaining = this.#remaining();
      if (!blockUntil(() => this.#head < this.#completed.length, remaining, 'asCompleted()')) throw this.#timedOut();
    }
    return { done: false, value: this.#take() };
  }

  [Symbol.iterator](): this {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (this.#handedOut < this.#total) {
      if (this.#head === this.#completed.length) await this.#arrival();
      yield await this.#take();
    }
  }

  #take(): Future<T> {
    this.#handedOut++;
    const future = this.#completed[this.#head]!;
    this.#completed[this.#head++] = undefined as unknown as Future<T>;
    return future;
  }

  /** Resolves when a future completes; rejects with TimeoutError past the deadline. */
  #arrival(): Promise<void> {
    const remaining = this.#remaining();
    return new Promise<void>((resolve, reject) => {
      const timer = remaining === null ? null : setTimeout(() => reject(this.#timedOut()), Math.ceil(remaining * 1000));
      this.#wakeUp = () => {
        this.#wakeUp = null;
        if (timer !== null) clearTimeout(timer);
        resolve();
      };
    });
  }

  #remaining(): number | null {
    return this.#deadline === null ? null : Math.max(0, (this.#deadline - performance.now()) / 1000);
  }

  #timedOut(): TimeoutError {
    return new TimeoutError(`${this.#total - this.#handedOut} (of ${this.#total}) futures unfinished after ${this.#timeout} seconds`);
  }

  [inspect.custom](): string {
    return `AsCompleted [${this.#handedOut} of ${this.#total} handed out]`;
  }
}

/**
 * Iterates the futures as they complete (duplicates once).
 * @throws TypeError when an item is not a concurrent Future.
 * @example
 * for (const future of asCompleted(futures, { timeout: 10 })) console.log(future.result());
 * for await (const result of asCompleted(futures)) console.log(result);
 */
export function asCompleted<T>(futures: Iterable<Future<T>>, options: AsCompletedOptions = {}): AsCompleted<T> {
  const all = checkFutures('asCompleted', futures);
  return new AsCompleted(all, checkTimeout('asCompleted', 'timeout', options.timeout));
}

function checkFutures<T>(method: string, futures: Iterable<Future<T>>): Set<Future<T>> {
  if (futures === null || typeof (futures as Iterable<Future<T>>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`${method}() expects an iterable of futures (an array of executor.submit() results, say), got ${describe(futures)}`);
  }
  const all = new Set(futures);
  for (const future of all) {
    if (!isConcurrentFuture(future)) {
      throw new TypeError(`${method}() expects concurrent Futures (from executor.submit()), got ${describe(future)}; for loop futures use @asyncio-ts/core's ${method}()`);
    }
  }
  return all;
}
