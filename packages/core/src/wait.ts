/**
 * wait() and waitFor(): wait for futures with a timeout (asyncio.wait,
 * asyncio.wait_for). waitFor follows Python 3.12: on timeout the inner
 * awaitable is cancelled and awaited, then TimeoutError is thrown.
 */
import { isCoroutine, type Awaitable } from './coroutines.js';
import { ensureFuture } from './ensure-future.js';
import { TimeoutError, ValueError } from './errors.js';
import { getRunningLoop } from './events.js';
import { Future, isFuture } from './future.js';
import type { TimerHandle } from './handle.js';
import { checkTimeout, describe } from './internal/checks.js';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export interface WaitOptions {
  /** Seconds to wait at most; when it passes, wait() resolves with what is done. */
  timeout?: number | null;
  /** When to return: ALL_COMPLETED (default), FIRST_COMPLETED or FIRST_EXCEPTION. */
  returnWhen?: ReturnWhen;
}

/** A Future that can report the futures it waits for (for task dumps). @internal */
class WaitingFuture<T> extends Future<T> {
  constructor(
    loop: ReturnType<typeof getRunningLoop>,
    readonly waitedFor: Future<unknown>[],
  ) {
    super({ loop });
  }

  /** @internal */
  components(): Future<unknown>[] {
    return this.waitedFor;
  }
}

type DoneAndPending<T> = [Set<Future<T>>, Set<Future<T>>];

/**
 * The Future wait() returns. It completes when the condition holds, but the
 * futures are sorted into done and pending as late as asyncio sorts them,
 * when the waiting task resumes: a future that completed in between (its
 * done callbacks not run yet) counts as done.
 * - A generator task resumes in a later iteration and reads result(): the
 *   sets are made then.
 * - An async function resumes in a microtask after the iteration that
 *   completed the wait, but its promise is settled during that iteration:
 *   the sets are made then, and sorted again in a microtask queued ahead of
 *   its continuation, before it can see them.
 */
class WaitFuture<T> extends WaitingFuture<DoneAndPending<T>> {
  readonly #futures: Set<Future<T>>;
  #partition: DoneAndPending<T> | null = null;

  constructor(loop: ReturnType<typeof getRunningLoop>, futures: Set<Future<T>>) {
    super(loop, [...futures] as Future<unknown>[]);
    this.#futures = futures;
  }

  /** Completes the wait; the sets are made when the result is read. */
  release(): void {
    if (!this.done()) this.setResult(null as unknown as DoneAndPending<T>);
  }

  override result(): DoneAndPending<T> {
    super.result(); // throws when cancelled or pending
    return this.#sort();
  }

  override then<R1 = DoneAndPending<T>, R2 = never>(
    onFulfilled?: ((value: DoneAndPending<T>) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return super.then((): R1 | PromiseLike<R1> => {
      const first = this.#partition === null;
      const value = this.#sort();
      if (first) queueMicrotask(() => this.#resort());
      return typeof onFulfilled === 'function' ? onFulfilled(value) : (value as unknown as R1);
    }, onRejected);
  }

  #sort(): DoneAndPending<T> {
    if (this.#partition === null) {
      const done = new Set<Future<T>>();
      const pending = new Set<Future<T>>();
      for (const future of this.#futures) (future.done() ? done : pending).add(future);
      this.#partition = [done, pending];
    }
    return this.#partition;
  }

  /** Moves what completed since the sets were made from pending to done. */
  #resort(): void {
    const [done, pending] = this.#partition!;
    for (const future of pending) {
      if (!future.done()) continue;
      pending.delete(future);
      done.add(future);
    }
  }
}

/**
 * asyncio's check that wait() and asCompleted() get a collection, not one
 * awaitable (a Future and a generator are iterable too). @internal
 */
export function checkCollection(method: string, value: unknown, items = 'futures'): void {
  const iterable = typeof value === 'object' && value !== null && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
  if (!iterable || isFuture(value) || isCoroutine(value)) {
    throw new TypeError(`${method}() expects an iterable of ${items} (an array or a Set), got ${describe(value)}; pass [future] for one`);
  }
}

/**
 * Waits for the futures until the condition in `returnWhen` holds or the
 * timeout passes; resolves to `[done, pending]`, two Sets. It never throws
 * the futures' errors, and never cancels them.
 * @throws TypeError for a coroutine or promise (wrap it with createTask() first, as asyncio requires); ValueError for an empty set or a bad returnWhen.
 * @example
 * const [done, pending] = await wait(tasks, { returnWhen: FIRST_COMPLETED });
 */
export function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): Future<[Set<Future<T>>, Set<Future<T>>]> {
  checkCollection('wait', futures);
  const timeout = checkTimeout('wait', options.timeout);
  const returnWhen = options.returnWhen ?? ALL_COMPLETED;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new ValueError(`wait(): invalid returnWhen ${describe(returnWhen)}; use FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED`);
  }
  const set = new Set(futures);
  if (set.size === 0) throw new ValueError('wait(): the set of Tasks/Futures is empty; pass at least one');
  for (const future of set) {
    if (!isFuture(future)) {
      throw new TypeError(`wait() takes Futures and Tasks, got ${describe(future)}; wrap coroutines and promises with createTask() first`);
    }
  }
  const loop = getRunningLoop();
  const outer = new WaitFuture<T>(loop, set);
  let remaining = set.size;
  let timer: TimerHandle | null = null;

  const onCompletion = (future: Future<T>) => {
    remaining--;
    if (
      remaining <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !future.cancelled() && future.exception() !== null)
    ) {
      outer.release();
    }
  };
  for (const future of set) future.addCallback(onCompletion, null);
  if (timeout !== null) timer = loop.scheduleAt(loop.time() + timeout, () => outer.release(), []);
  outer.addCallback(() => {
    timer?.cancel();
    for (const future of set) future.removeDoneCallback(onCompletion);
  }, null);
  return outer;
}

/**
 * The Future waitFor() returns: it ends as the inner awaitable ends. Cancelling
 * it cancels the inner one and waits for it to end, as Python 3.12's
 * wait_for awaits the inner awaitable in the cancelled task: an inner that
 * ignores the cancellation delivers its result after all.
 */
class WaitForFuture<T> extends WaitingFuture<T> {
  #cancelRequested = false;
  #cancelMessage: string | undefined = undefined;

  constructor(
    loop: ReturnType<typeof getRunningLoop>,
    readonly inner: Future<T>,
  ) {
    super(loop, [inner as Future<unknown>]);
  }

  override cancel(message?: string): boolean {
    if (this.done()) return false;
    // The inner one ended already (its outcome is on its way): the cancellation wins.
    if (this.inner.done()) return super.cancel(message);
    this.#cancelRequested = true;
    this.#cancelMessage = message;
    this.inner.cancel(message);
    return true;
  }

  /** Mirrors the inner awaitable's outcome; `timedOut` turns its cancellation into TimeoutError. */
  settle(timedOut: boolean, seconds: number | null): void {
    const inner = this.inner;
    if (this.done()) {
      if (!inner.cancelled()) inner.exception(); // retrieved: its waiter is gone
      return;
    }
    if (inner.cancelled()) {
      if (timedOut && !this.#cancelRequested) {
        this.setException(new TimeoutError(`waitFor() timed out after ${seconds} seconds`, { cause: inner.makeCancelledError() }));
      } else {
        super.cancel(this.#cancelMessage ?? inner.cancelMessage);
      }
      return;
    }
    const error = inner.exception();
    if (error !== null) this.setException(error);
    else this.setResult(inner.result());
  }
}

/**
 * Waits for one awaitable with a timeout in seconds (null: no timeout). On
 * timeout the awaitable is cancelled and, once it has ended, TimeoutError is
 * thrown (its own outcome, when it ignored the cancellation). Cancelling the
 * returned Future (or the task awaiting it) cancels the awaitable and waits
 * for it to end.
 * @throws TypeError for a bad awaitable or timeout; ValueError for a negative timeout.
 * @example
 * const data = await waitFor(fetchData(), 2.5);
 */
export function waitFor<T>(awaitable: Awaitable<T>, timeout: number | null): Future<T> {
  const seconds = checkTimeout('waitFor', timeout);
  const loop = getRunningLoop();
  const inner = ensureFuture(awaitable, { loop });
  const outer = new WaitForFuture<T>(loop, inner);
  let timedOut = false;
  let timer: TimerHandle | null = null;

  inner.addCallback(() => {
    timer?.cancel();
    outer.settle(timedOut, seconds);
  }, null);

  const expire = () => {
    timedOut = true;
    if (!inner.done()) inner.cancel();
  };
  if (seconds !== null) {
    if (seconds <= 0) expire();
    else timer = loop.scheduleAt(loop.time() + seconds, expire, []);
  }
  return outer;
}
