/** ensureFuture(): a Future for anything awaitable (asyncio.ensure_future). */
import type { BaseEventLoop } from './base-event-loop.js';
import { isCoroutine, type Awaitable } from './coroutines.js';
import { getEventLoop } from './events.js';
import { ValueError } from './errors.js';
import { Future, isFuture } from './future.js';
import { describe } from './internal/checks.js';

/**
 * Returns a Future or Task as it is; wraps a coroutine, promise or function in
 * a Task on the loop.
 * @throws TypeError when `awaitable` is none of those; ValueError when a Future belongs to another loop.
 */
export function ensureFuture<T>(awaitable: Awaitable<T>, options: { loop?: BaseEventLoop } = {}): Future<T> {
  if (isFuture(awaitable)) {
    if (options.loop !== undefined && awaitable.getLoop() !== options.loop) {
      throw new ValueError(
        `ensureFuture(): ${awaitable} belongs to another loop than the one given; create it on that loop, or pass its own loop`,
      );
    }
    return awaitable as Future<T>;
  }
  if (typeof awaitable === 'function' || isCoroutine(awaitable)) {
    return (options.loop ?? getEventLoop()).createTask(awaitable);
  }
  throw new TypeError(
    `ensureFuture() expects a Future, a coroutine, a promise or a function returning one, got ${describe(awaitable)}`,
  );
}
