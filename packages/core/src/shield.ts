/** shield(): protect an awaitable from being cancelled by its awaiter (asyncio.shield). */
import type { Awaitable } from './coroutines.js';
import { ensureFuture } from './ensure-future.js';
import { Future } from './future.js';

class ShieldFuture<T> extends Future<T> {
  constructor(readonly inner: Future<T>) {
    super({ loop: inner.getLoop() });
  }

  /** @internal */
  components(): Future<unknown>[] {
    return [this.inner as Future<unknown>];
  }
}

/**
 * Returns a Future for `awaitable` that can be cancelled without cancelling
 * the awaitable itself, which runs on.
 * @example
 * const result = await shield(saveToDatabase(record));
 */
export function shield<T>(awaitable: Awaitable<T>): Future<T> {
  const inner = ensureFuture(awaitable);
  if (inner.done()) return inner;
  const outer = new ShieldFuture(inner);
  const onInnerDone = () => {
    if (outer.cancelled()) {
      if (!inner.cancelled()) inner.exception(); // retrieved: no one else will
      return;
    }
    if (inner.cancelled()) {
      outer.cancel();
      return;
    }
    const error = inner.exception();
    if (error !== null) outer.setException(error);
    else outer.setResult(inner.result());
  };
  inner.addCallback(onInnerDone, null);
  outer.addCallback(() => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  }, null);
  return outer;
}
