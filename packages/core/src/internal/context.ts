// AsyncLocalStorage is our contextvars. A callback runs in the async context
// it was scheduled in, as asyncio's Handle runs in the Context it captured.
//
// Capturing a context costs an AsyncResource (~200 ns), too much for every
// callSoon. Most callbacks are scheduled by another callback of the same
// loop, in the context that callback already runs in; that context can be
// handed on as it is, as long as no AsyncLocalStorage store has changed since
// the callback started. Node has no event for a store change, so the store
// changing methods of AsyncLocalStorage are wrapped, once per process, to
// count them (`storeVersion`); comparing that count is all a callSoon pays.
import { AsyncLocalStorage, AsyncResource, executionAsyncId, executionAsyncResource } from 'node:async_hooks';

/** Runs `fn` in a captured async context. */
export type ContextRunner = AsyncResource;

interface VersionState {
  version: number;
  enterWith: (this: AsyncLocalStorage<unknown>, store: unknown) => void;
  /** Absent in the state an older copy of this package made. */
  disable?: (this: AsyncLocalStorage<unknown>) => void;
}

const key = Symbol.for('asyncio-ts.store-version');
const holder = globalThis as typeof globalThis & { [key]?: VersionState };

function countStoreChanges(): VersionState {
  const prototype = AsyncLocalStorage.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const state: VersionState = {
    version: 0,
    enterWith: prototype.enterWith as VersionState['enterWith'],
    disable: prototype.disable as VersionState['disable'],
  };
  for (const method of ['run', 'enterWith', 'exit', 'disable']) {
    const original = prototype[method];
    if (typeof original !== 'function') continue;
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      state.version++;
      return original.apply(this, args);
    };
  }
  return state;
}

// Shared by every copy of this package, so the methods are wrapped only once.
const versions: VersionState = (holder[key] ??= countStoreChanges());

/** The store that tells an async-function task which Task it belongs to. */
export const taskStorage = new AsyncLocalStorage<object>();

/** Sets the task store for a step without counting it as a user's store change. */
export function enterTaskStore(store: object | undefined): void {
  versions.enterWith.call(taskStorage as AsyncLocalStorage<unknown>, store);
}

// Node 20's AsyncLocalStorage keeps each store on the current async resource
// under its own symbol (kResourceStore): getStore() and enterWith() each
// look the resource up again, about 100 ns once hooks are on. A task step
// reads, sets and restores its store on one resource, so it looks the
// resource up once. Where the internals differ (a Node whose
// AsyncLocalStorage stands on AsyncContextFrame), enterWith() is used.
interface StorageInternals {
  kResourceStore?: unknown;
  enabled?: unknown;
  _enable?: unknown;
}
const internals = taskStorage as unknown as StorageInternals;
const resourceStore =
  typeof internals.kResourceStore === 'symbol' && typeof internals._enable === 'function' && typeof internals.enabled === 'boolean'
    ? internals.kResourceStore
    : null;

/** Where a step's task store goes: the current async resource, or null where the internals differ. */
export type StoreResource = Record<symbol, object | undefined> | null;

/** The resource a step sets its task store on (looked up once per step); enables the store. */
export function taskStoreResource(): StoreResource {
  if (resourceStore === null) return null;
  if (internals.enabled !== true) (internals._enable as () => void).call(taskStorage);
  return executionAsyncResource() as Record<symbol, object | undefined>;
}

/**
 * Sets the task store on `resource` (from taskStoreResource(), in the same
 * synchronous run) and returns the store it replaces.
 */
export function swapTaskStore(resource: StoreResource, store: object | undefined): object | undefined {
  if (resource === null) {
    const previous = taskStorage.getStore();
    enterTaskStore(store);
    return previous;
  }
  const previous = resource[resourceStore as symbol];
  resource[resourceStore as symbol] = store;
  return previous;
}

let releaseScheduled = false;

/**
 * A loop stopped: once no loop runs on this thread through a whole turn of
 * Node's event loop, disable the task store. While an AsyncLocalStorage is
 * enabled, Node runs its promise hooks on every promise of the process,
 * which makes each one slower (about 30% of an await) and bigger; the next
 * task step enables the store again. (A user's own AsyncLocalStorage keeps
 * the hooks on, as it would without us.)
 */
export function releaseTaskStoreWhenIdle(idle: () => boolean): void {
  if (releaseScheduled) return;
  releaseScheduled = true;
  setImmediate(() => {
    releaseScheduled = false;
    if (!idle()) return;
    const disable = versions.disable ?? (AsyncLocalStorage.prototype.disable as (this: AsyncLocalStorage<unknown>) => void);
    disable.call(taskStorage as AsyncLocalStorage<unknown>);
  }).unref();
}

/** A captured async context (what asyncio keeps a contextvars.Context for). */
class CapturedContext extends AsyncResource {
  constructor() {
    super('asyncio-ts.context');
  }
}

/** The async scope a loop's own callbacks run in. */
export class LoopScope {
  readonly resource = new AsyncResource('asyncio-ts.loop');
  /** The store version when the running callback started. */
  #versionAtStart = -1;

  /** A callback starts: contexts may be handed on until a store changes. */
  callbackStarting(): void {
    this.#versionAtStart = versions.version;
  }

  /** The loop's resource by its async id, which Node reads in one load. */
  readonly #resourceId = this.resource.asyncId();

  /** The context the loop entered to run handles in it, and its async id (-1: none). */
  #entered: ContextRunner | null = null;
  #enteredId = -1;

  /**
   * Runs `fn` in `context` (a handle's), as the loop does for the handles
   * scheduled in it: capture() then knows that context by its id.
   */
  enter<Self, Result>(context: ContextRunner, fn: (this: Self, context: ContextRunner, count: number) => Result, self: Self, count: number): Result {
    const outer = this.#entered;
    const outerId = this.#enteredId;
    this.#entered = context;
    this.#enteredId = context.asyncId();
    try {
      return context.runInAsyncScope(fn, self, context, count);
    } finally {
      this.#entered = outer;
      this.#enteredId = outerId;
    }
  }

  /** The caller's context, or null when it is the loop's own scope, unchanged. */
  capture(): ContextRunner | null {
    if (versions.version === this.#versionAtStart) {
      // executionAsyncResource() costs about 100 ns once hooks are on (it
      // looks the public resource up); the async id tells the loop's own
      // scope, or the context the loop entered, for a load.
      const id = executionAsyncId();
      if (id === this.#resourceId) return null;
      if (id === this.#enteredId) return this.#entered;
      const current = executionAsyncResource();
      if (current instanceof CapturedContext) return current;
    }
    return new CapturedContext();
  }

  /** True when the caller runs in this loop's scope. */
  isCurrent(): boolean {
    return executionAsyncId() === this.#resourceId;
  }
}
