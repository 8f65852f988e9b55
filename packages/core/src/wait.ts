/**
 * wait() and waitFor(): wait for futures with a timeout (asyncio.wait,
 * asyncio.wait_for). waitFor follows Python 3.12: on timeout the inner
 * awaitable is cancelled and awaited, then TimeoutError is thrown.
 */
import type { Awaitable } from './coroutines.js';
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

/**
 * Waits for the futures until the condition in `returnWhen` holds or the
 * timeout passes; resolves to `[done, pending]`, two Sets. It never throws
 * the futures' errors, and never cancels them.
 * @throws TypeError for a coroutine or promise (wrap it with createTask() first, as asyncio requires); ValueError for an empty set or a bad returnWhen.
 */
export function wait<T>(futures: Iterable<Future<T>>, options: WaitOptions = {}): Future<[Set<Future<T>>, Set<Future<T>>]> {
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
  const outer = new WaitingFuture<[Set<Future<T>>, Set<Future<T>>]>(loop, [...set] as Future<unknown>[]);
  let remaining = set.size;
  let timer: TimerHandle | null = null;

  const finish = () => {
    if (outer.done()) return;
    const done = new Set<Future<T>>();
    const pending = new Set<Future<T>>();
    for (const future of set) (future.done() ? done : pending).add(future);
    outer.setResult([done, pending]);
  };
  const onCompletion = (future: Future<T>) => {
    remaining--;
    if (
      remaining <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !future.cancelled() && future.exception() !== null)
    ) {
      finish();
    }
  };
  for (const future of set) future.addCallback(onCompletion, null);
  if (timeout !== null) timer = loop.scheduleAt(loop.time() + timeout, finish, []);
  outer.addCallback(() => {
    timer?.cancel();
    for (const future of set) future.removeDoneCallback(onCompletion);
  }, null);
  return outer;
}

/**
 * Waits for one awaitable with a timeout in seconds (null: no timeout). On
 * timeout the awaitable is cancelled and, once it has ended, TimeoutError is
 * thrown. Cancelling the returned Future cancels the awaitable.
 * @example
 * const data = await waitFor(fetchData(), 2.5);
 */
export function waitFor<T>(awaitable: Awaitable<T>, timeout: number | null): Future<T> {
  const seconds = checkTimeout('waitFor', timeout);
  const loop = getRunningLoop();
  const inner = ensureFuture(awaitable, { loop });
  const outer = new WaitingFuture<T>(loop, [inner as Future<unknown>]);
  let timedOut = false;
  let timer: TimerHandle | null = null;

  inner.addCallback(() => {
    timer?.cancel();
    if (outer.done()) {
      if (!inner.cancelled()) inner.exception(); // retrieved: its waiter is gone
      return;
    }
    if (inner.cancelled()) {
      if (timedOut) outer.setException(new TimeoutError(`waitFor() timed out after ${seconds} seconds`, { cause: inner.makeCancelledError() }));
      else outer.cancel(inner.cancelMessage);
      return;
    }
    const error = inner.exception();
    if (error !== null) outer.setException(error);
    else outer.setResult(inner.result());
  }, null);

  const expire = () => {
    timedOut = true;
    if (!inner.done()) inner.cancel();
  };
  if (seconds !== null) {
    if (seconds <= 0) expire();
    else timer = loop.scheduleAt(loop.time() + seconds, expire, []);
  }
  // Cancelling waitFor() (the awaiting task was cancelled) cancels the inner one.
  outer.addCallback(() => {
    if (outer.cancelled()) {
      timer?.cancel();
      inner.cancel();
    }
  }, null);
  return outer;
}

