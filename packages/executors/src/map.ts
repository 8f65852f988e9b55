/**
 * MapIterator: the results of Executor.map(), in input order.
 *
 * `next()` blocks until the next result is ready, as Python's map iterator
 * does; `for await` waits without blocking. With a timeout (seconds, counted
 * from the map() call), a result not ready in time throws TimeoutError. An
 * error, a timeout, or leaving the loop early cancels the calls not started.
 *
 * Differences from concurrent.futures: chunksize also batches calls on a
 * ThreadPoolExecutor (Python ignores it there); buffersize is Python 3.14's.
 */
import { inspect } from 'node:util';
import { TimeoutError } from './errors.js';
import type { Future } from './future.js';
import { Deque } from './internal/deque.js';

/** What a MapIterator needs: the queued futures, and how to submit more. @internal */
export interface MapPlan {
  /** The futures submitted so far, in input order. */
  futures: Future<unknown>[];
  /** Submits the next call (buffersize): null when the input is exhausted. */
  submitNext: (() => Future<unknown> | null) | null;
  /** Each future's result is a list of results (chunksize > 1). */
  chunked: boolean;
  /** performance.now() deadline in ms, or null. */
  deadline: number | null;
  timeout: number | null;
}

export class MapIterator<R> implements IterableIterator<R>, AsyncIterable<R>, Disposable {
  readonly #futures = new Deque<Future<unknown>>();
  readonly #plan: MapPlan;
  #buffer: unknown[] = [];
  #bufferIndex = 0;
  #closed = false;

  /** @internal */
  constructor(plan: MapPlan) {
    this.#plan = plan;
    for (const future of plan.futures) this.#futures.push(future);
    plan.futures = [];
  }

  /**
   * The next result, blocking until it is ready.
   * @throws the call's error; TimeoutError past the map's timeout.
   */
  next(): IteratorResult<R, undefined> {
    const buffered = this.#fromBuffer();
    if (buffered !== null) return buffered;
    const future = this.#take();
    if (future === null) return { done: true, value: undefined };
    let value: unknown;
    try {
      value = future.result(this.#remaining());
    } catch (error) {
      this.#fail(future);
      throw this.#timeoutMessage(error);
    }
    return this.#deliver(value);
  }

  /** Stops early: cancels the calls that have not started. */
  return(): IteratorResult<R, undefined> {
    this.#close();
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    const iterator: AsyncIterableIterator<R> = {
      next: () => this.#nextAsync(),
      return: async () => this.return(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  [Symbol.dispose](): void {
    this.#close();
  }

  async #nextAsync(): Promise<IteratorResult<R, undefined>> {
    const buffered = this.#fromBuffer();
    if (buffered !== null) return buffered;
    const future = this.#take();
    if (future === null) return { done: true, value: undefined };
    let value: unknown;
    try {
      value = await withDeadline(future, this.#remaining());
    } catch (error) {
      this.#fail(future);
      throw this.#timeoutMessage(error);
    }
    return this.#deliver(value);
  }

  #fromBuffer(): IteratorResult<R, undefined> | null {
    if (this.#bufferIndex >= this.#buffer.length) return null;
    const value = this.#buffer[this.#bufferIndex];
    this.#buffer[this.#bufferIndex++] = undefined;
    return { done: false, value: value as R };
  }

  /** The next future in input order, after topping up the buffer (Python 3.14's order). */
  #take(): Future<unknown> | null {
    if (this.#closed) return null;
    if (this.#plan.submitNext !== null && this.#futures.length > 0) {
      const submitted = this.#plan.submitNext();
      if (submitted === null) this.#plan.submitNext = null;
      else this.#futures.push(submitted);
    }
    const future = this.#futures.shift();
    if (future === undefined) {
      this.#closed = true;
      return null;
    }
    return future;
  }

  #deliver(value: unknown): IteratorResult<R, undefined> {
    if (!this.#plan.chunked) return { done: false, value: value as R };
    this.#buffer = value as unknown[];
    this.#bufferIndex = 0;
    return this.#fromBuffer() ?? this.next();
  }

  #remaining(): number | null {
    const { deadline } = this.#plan;
    return deadline === null ? null : Math.max(0, (deadline - performance.now()) / 1000);
  }

  #fail(future: Future<unknown>): void {
    future.cancel();
    this.#close();
  }

  #timeoutMessage(error: unknown): unknown {
    if (!TimeoutError.isInstance(error)) return error;
    return new TimeoutError(`map(): a result was not ready within the timeout of ${this.#plan.timeout} seconds`, { cause: error });
  }

  #close(): void {
    this.#closed = true;
    this.#plan.submitNext = null;
    for (const future of this.#futures) future.cancel();
    this.#futures.filter(() => false);
    this.#buffer = [];
  }

  [inspect.custom](): string {
    return `MapIterator [${this.#closed ? 'closed' : `${this.#futures.length} pending`}]`;
  }
}

/** The future's result, awaited; rejects with TimeoutError after `timeout` seconds (null: never). */
function withDeadline<T>(future: Future<T>, timeout: number | null): Promise<T> {
  if (timeout === null || future.done()) return Promise.resolve(future);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError()), Math.ceil(timeout * 1000));
    future.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
