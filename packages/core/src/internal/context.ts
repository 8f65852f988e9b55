// AsyncLocalStorage is our contextvars. A callback runs in the async context
// it was scheduled in, as asyncio's Handle runs in the Context it captured.
//
// Capturing a context costs an AsyncResource (~200 ns), too much for every
// callSoon; but almost every callback is scheduled by another callback of the
// same loop, which already runs in the loop's own scope. So a context is only
// captured when the caller is somewhere else: a promise continuation, a Node
// callback, a user's AsyncLocalStorage.run().
import { AsyncLocalStorage, AsyncResource, executionAsyncResource } from 'node:async_hooks';

/** Runs `fn` in a captured async context. */
export type ContextRunner = AsyncResource;

/** The store that tells an async-function task which Task it belongs to. */
export const taskStorage = new AsyncLocalStorage<object>();

/** A captured async context (what asyncio keeps a contextvars.Context for). */
class CapturedContext extends AsyncResource {
  constructor() {
    super('asyncio-ts.context');
  }
}

/** The async scope a loop's own callbacks run in. */
export class LoopScope {
  readonly resource = new AsyncResource('asyncio-ts.loop');

  /**
   * The caller's context, or null when the caller is already in this scope.
   * A callback that runs in a captured context and schedules more work hands
   * that same context on instead of capturing a copy: the cost of a context
   * stays one per entry into the loop, not one per callback. (Unlike
   * asyncio's copies, an `enterWith()` in such a callback is then seen by
   * its siblings.)
   */
  capture(): ContextRunner | null {
    const current = executionAsyncResource();
    if (current === this.resource) return null;
    if (current instanceof CapturedContext) return current;
    return new CapturedContext();
  }

  /** True when the caller runs in this loop's scope. */
  isCurrent(): boolean {
    return executionAsyncResource() === this.resource;
  }
}
