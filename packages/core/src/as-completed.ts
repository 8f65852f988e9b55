/**
 * asCompleted(): futures in the order they complete (asyncio.as_completed).
 *
 * Plain iteration gives one Future per input; the n-th settles with the
 * outcome of the n-th awaitable to complete. `for await` gives the results
 * themselves. With a timeout, what has not completed by then throws
 * TimeoutError.
 */
import type { Awaitable, AwaitedResult } from './coroutines.js';
import { ensureFuture } from './ensure-future.js';
import { TimeoutError } from './errors.js';
import { getEventLoop } from './events.js';
import { Future } from './future.js';
import type { TimerHandle } from './handle.js';
import { checkTimeout } from './internal/checks.js';
import { Deque } from './internal/deque.js';
import { checkCollection } from './wait.js';

export interface AsCompletedOptions {
  /** Seconds after which the awaitables not yet completed throw TimeoutError. */
  timeout?: number | null;
}

export class AsCompleted<T> implements Iterable<Future<T>>, AsyncIterable<T> {
  readonly #completed = new Deque<Future<T> | null>();
  readonly #waiters = new Deque<Future<T>>();
  readonly #todo: Set<Future<T>>;
  #handedOut = 0;
  readonly #total: number;
  #timer: TimerHandle | null = null;

  constructor(awaitables: Iterable<Awaitable<T>>, timeout: number | null) {
    const loop = getEventLoop();
    this.#todo = new Set([...new Set(awaitables)].map((each) => ensureFuture(each, { loop })));
    this.#total = this.#todo.size;
    for (const future of this.#todo) future.addCallback(this.#onCompletion, null);
    if (this.#total > 0 && timeout !== null) this.#timer = loop.scheduleAt(loop.time() + timeout, this.#onTimeout, []);
  }

  readonly #onCompletion = (future: Future<T>) => {
    if (!this.#todo.delete(future)) return;
    this.#deliver(future);
    if (this.#todo.size === 0) this.#timer?.cancel();
  };

  readonly #onTimeout = () => {
    for (const future of this.#todo) future.removeDoneCallback(this.#onCompletion);
    for (let i = 0; i < this.#todo.size; i++) this.#deliver(null);
    this.#todo.clear();
  };

  /** Hands a completed future (null: timed out) to the oldest waiter that still waits. */
  #deliver(future: Future<T> | null): void {
    for (;;) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) {
        this.#completed.push(future);
        return;
      }
      if (waiter.done()) continue; // cancelled by its awaiter: the outcome goes to the next one
      settleFrom(waiter, future);
      return;
    }
  }

  /** The next Future in completion order. */
  #next(): Future<T> {
    this.#handedOut++;
    const waiter = getEventLoop().createFuture<T>();
    if (this.#completed.length > 0) settleFrom(waiter, this.#completed.shift()!);
    else this.#waiters.push(waiter);
    return waiter;
  }

  *[Symbol.iterator](): Iterator<Future<T>> {
    while (this.#handedOut < this.#total) yield this.#next();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (this.#handedOut < this.#total) yield await this.#next();
  }
}

function settleFrom<T>(waiter: Future<T>, future: Future<T> | null): void {
  if (future === null) {
    waiter.setException(new TimeoutError('asCompleted(): timed out before every awaitable completed'));
    return;
  }
  if (future.cancelled()) {
    waiter.cancel(future.cancelMessage);
    return;
  }
  const error = future.exception();
  if (error !== null) waiter.setException(error);
  else waiter.setResult(future.result());
}

/**
 * Iterates the awaitables in the order they complete.
 * @example
 * for (const next of asCompleted(tasks)) console.log(await next);
 * for await (const result of asCompleted(tasks)) console.log(result);
 */
export function asCompleted<A extends Awaitable>(awaitables: Iterable<A>, options: AsCompletedOptions = {}): AsCompleted<AwaitedResult<A>> {
  checkCollection('asCompleted', awaitables, 'awaitables');
  const timeout = checkTimeout('asCompleted', options.timeout);
  return new AsCompleted(awaitables as Iterable<Awaitable<AwaitedResult<A>>>, timeout);
}
