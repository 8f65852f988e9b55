/**
 * The portal back: code running on a LoopThread's loop calls a function on
 * the thread that started it (as anyio's BlockingPortal lets both sides call
 * each other).
 *
 * The starting thread runs the call when its event loop runs, or at once
 * while it blocks in a RemoteFuture's result() (it drains its port then), so
 * `runCoroutine(...).result()` can be served by callbacks into its caller.
 * A function that returns a promise replies when the promise settles, which
 * needs the starting thread's event loop: while it blocks, use synchronous
 * functions.
 */
import type { Future } from '@asyncio-ts/core';
import { RuntimeError, type WorkerArgs, type WorkerResult } from '@asyncio-ts/executors';
import { loopContext } from './internal/loop-context.js';

/**
 * Calls `fn(...args)` on the thread that started this LoopThread and returns
 * a loop Future of its result (await it, or `yield*` it).
 * @throws RuntimeError outside a LoopThread's loop; TypeError when `fn`
 *   cannot cross a thread.
 * @example
 * // on the loop thread
 * const answer = await runInStartingThread((question: string) => prompt(question), 'name?');
 */
export function runInStartingThread<F>(fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>> {
  const context = loopContext();
  if (context === null) throw new RuntimeError('runInStartingThread() is called outside a LoopThread; call it from code running on a LoopThread\'s loop');
  return context.primary.callOtherSide('runInStartingThread()', fn, args);
}
