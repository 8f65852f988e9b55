/**
 * The loop's side of @asyncio-ts/executors: runInExecutor(), the default
 * executor (setDefaultExecutor, shutdownDefaultExecutor), toThread() and
 * wrapFuture() (asyncio's base_events.run_in_executor, threads.to_thread and
 * futures.wrap_future).
 *
 * Differences from asyncio:
 * - Cancelling the loop Future cancels the concurrent one with
 *   `{ running: true }`: work that has started sees its AbortSignal aborted
 *   and can stop (asyncio can only drop the result of a running call).
 * - setDefaultExecutor() takes any Executor (asyncio insists on a
 *   ThreadPoolExecutor), since every executor here takes the same functions.
 * - toThread() returns a loop Future; context variables (AsyncLocalStorage)
 *   do not cross threads.
 * - shutdownDefaultExecutor() returns a loop Future (asyncio's is a coroutine).
 */
import {
  CancelledError as FuturesCancelledError,
  ThreadPoolExecutor,
  TimeoutError as FuturesTimeoutError,
  isConcurrentFuture,
  type Executor,
  type Future as ConcurrentFuture,
  type WorkerArgs,
  type WorkerFunction,
  type WorkerResult,
} from '@asyncio-ts/executors';
import type { BaseEventLoop } from './base-event-loop.js';
import { CancelledError, RuntimeError, TimeoutError } from './errors.js';
import { Future, isFuture } from './future.js';
import { describe } from './internal/checks.js';
import { captureLoop } from './internal/default-loop.js';
import { loops } from './internal/running.js';
import { logger } from './logger.js';

interface DefaultExecutorState {
  executor: Executor | null;
  /** shutdownDefaultExecutor() was called: no new default executor (asyncio's _executor_shutdown_called). */
  shutDown: boolean;
}

const states = new WeakMap<BaseEventLoop, DefaultExecutorState>();

function stateOf(loop: BaseEventLoop): DefaultExecutorState {
  let state = states.get(loop);
  if (state === undefined) states.set(loop, (state = { executor: null, shutDown: false }));
  return state;
}

/**
 * Runs `fn(...args)` in `executor` (the loop's default ThreadPoolExecutor
 * when null, made on first use) and returns a loop Future of its result.
 * @throws RuntimeError when the loop is closed, or (default executor) after
 *   shutdownDefaultExecutor(); TypeError for a generator function.
 * @example
 * const text = await loop.runInExecutor(null, { module: new URL('./io.js', import.meta.url), export: 'readBig' }, path);
 */
export function runInExecutor<F extends WorkerFunction>(loop: BaseEventLoop, executor: Executor | null, fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>> {
  if (loop.isClosed()) throw new RuntimeError('runInExecutor(): Event loop is closed; create a new one with newEventLoop()');
  if (typeof fn === 'function' && Object.prototype.toString.call(fn) === '[object GeneratorFunction]') {
    throw new TypeError(`runInExecutor() cannot run the generator coroutine ${describe(fn)} in a thread; use createTask() for a coroutine`);
  }
  if (executor === null) {
    const state = stateOf(loop);
    if (state.shutDown) throw new RuntimeError('Executor shutdown has been called');
    executor = state.executor ??= new ThreadPoolExecutor();
  } else if (!isExecutor(executor)) {
    throw new TypeError(`runInExecutor() expects an Executor or null, got ${describe(executor)}`);
  }
  return wrapFuture(executor.submit(fn, ...args), { loop });
}

/**
 * Makes `executor` the one runInExecutor(null, ...) and toThread() use.
 * @throws TypeError when it is not an Executor.
 */
export function setDefaultExecutor(loop: BaseEventLoop, executor: Executor): void {
  if (!isExecutor(executor)) {
    throw new TypeError(`setDefaultExecutor() expects an Executor (a ThreadPoolExecutor, say), got ${describe(executor)}`);
  }
  stateOf(loop).executor = executor;
}

export interface ShutdownDefaultExecutorOptions {
  /** Seconds to wait for the executor; past it a warning is logged and the Future completes. Default: no limit. */
  timeout?: number | null;
}

/**
 * Shuts the default executor down and returns a loop Future that completes
 * once its work is done and its workers have ended; later runInExecutor(null)
 * calls throw. run() calls it when its main coroutine is done.
 */
export function shutdownDefaultExecutor(loop: BaseEventLoop, options: ShutdownDefaultExecutorOptions = {}): Future<void> {
  const state = stateOf(loop);
  state.shutDown = true;
  const done = new Future<void>({ loop });
  const executor = state.executor;
  if (executor === null) {
    done.setResult(undefined);
    return done;
  }
  const timeout = options.timeout ?? null;
  const finish = () => {
    if (!done.done() && !loop.isClosed()) done.setResult(undefined);
  };
  let timer: NodeJS.Timeout | null = null;
  if (timeout !== null) {
    timer = setTimeout(() => {
      logger.warn(`The executor did not finish joining its workers within ${timeout} seconds.`);
      loop.callSoonThreadsafe(finish);
    }, timeout * 1000);
  }
  executor.shutdown({ wait: true }).then(
    () => {
      if (timer !== null) clearTimeout(timer);
      if (!loop.isClosed()) loop.callSoonThreadsafe(finish);
    },
    (error: unknown) => {
      if (timer !== null) clearTimeout(timer);
      if (!loop.isClosed()) loop.callSoonThreadsafe(() => done.done() || done.setException(error));
    },
  );
  return done;
}

/**
 * What BaseEventLoop.close() does with the default executor: shuts it down
 * without waiting, as asyncio's close() does.
 */
export function closeDefaultExecutor(loop: BaseEventLoop): void {
  const state = states.get(loop);
  if (state?.executor == null) return;
  const { executor } = state;
  state.executor = null;
  void executor.shutdown({ wait: false });
}

/**
 * Runs `fn(...args)` in the running loop's default executor and returns a
 * loop Future of its result (asyncio.to_thread).
 * @throws RuntimeError when no loop is running.
 * @example
 * const sum = await toThread((n: number) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }, 1e7);
 */
export function toThread<F extends WorkerFunction>(fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>> {
  const loop = loops.running;
  if (loop === null) throw new RuntimeError('toThread(): no running event loop; call it from a coroutine run by run() or a loop');
  return runInExecutor(loop, null, fn, ...args);
}

/**
 * A loop Future that follows a concurrent Future (from an executor):
 * settled on the loop (through callSoonThreadsafe) when the concurrent one
 * is done; cancelling it cancels the concurrent one, running work included.
 * A loop Future is returned as it is.
 * @throws TypeError for anything else.
 */
export function wrapFuture<T>(future: ConcurrentFuture<T> | Future<T>, options: { loop?: BaseEventLoop } = {}): Future<T> {
  if (isFuture(future)) return future;
  if (!isConcurrentFuture(future)) {
    throw new TypeError(`wrapFuture() expects a concurrent Future (from executor.submit()) or a Future, got ${describe(future)}`);
  }
  const source = future as ConcurrentFuture<T>;
  const loop = options.loop ?? captureLoop('wrapFuture()');
  const destination = new Future<T>({ loop });
  destination.addDoneCallback(() => {
    if (destination.cancelled()) source.cancel({ running: true });
  });
  source.addDoneCallback(() => {
    // Settled on the loop, in its order, as asyncio's _call_set_state does.
    if (loop.isClosed()) return;
    loop.callSoonThreadsafe(copyState, source, destination);
  });
  return destination;
}

function copyState<T>(source: ConcurrentFuture<T>, destination: Future<T>): void {
  if (destination.done()) return;
  if (source.cancelled()) {
    destination.cancel();
    return;
  }
  const error = source.exception();
  if (error === null) destination.setResult(source.result());
  else destination.setException(convertError(error));
}

/** The executors' CancelledError and TimeoutError become core's (asyncio's _convert_future_exc). */
function convertError(error: unknown): unknown {
  if (FuturesCancelledError.isInstance(error)) return new CancelledError((error as Error).message, { cause: error });
  if (FuturesTimeoutError.isInstance(error)) return new TimeoutError((error as Error).message, { cause: error });
  return error;
}

function isExecutor(value: unknown): value is Executor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Executor).submit === 'function' &&
    typeof (value as Executor).shutdown === 'function'
  );
}
