/**
 * run() and Runner: create a loop, run a main coroutine to completion, then
 * cancel what is left and close the loop (asyncio's runners module).
 *
 * Differences from asyncio: run() returns a promise (JavaScript cannot block
 * on the loop that runs its own thread); called while a loop is running it
 * still throws RuntimeError at once. `main` may be a coroutine or a function
 * returning one (an async function or a `function*`).
 */
import { isMainThread } from 'node:worker_threads';
import type { BaseEventLoop } from './base-event-loop.js';
import { CancelledError, KeyboardInterrupt, RuntimeError, ValueError } from './errors.js';
import { isCoroutine, type CoroutineLike } from './coroutines.js';
import { newEventLoop, setEventLoop, tryGetRunningLoop } from './events.js';
import { describe } from './internal/checks.js';
import { gather } from './gather.js';
import type { Task } from './task.js';

export interface RunnerOptions {
  /** Debug mode for the loop (see loop.setDebug). */
  debug?: boolean;
  /** Makes the loop; newEventLoop() by default (and then it is set as the current loop). */
  loopFactory?: () => BaseEventLoop;
}

type RunnerState = 'created' | 'initialized' | 'closed';

/**
 * Runs coroutines on one loop, then closes it.
 * @example
 * await using runner = new Runner();
 * await runner.run(main);
 */
export class Runner {
  #state: RunnerState = 'created';
  #loop: BaseEventLoop | null = null;
  readonly #options: RunnerOptions;
  #setEventLoop = false;
  #interrupts = 0;

  constructor(options: RunnerOptions = {}) {
    this.#options = options;
  }

  /** The runner's loop, made on first use. */
  getLoop(): BaseEventLoop {
    this.#lazyInit();
    return this.#loop!;
  }

  /**
   * Runs `main` to completion on the runner's loop and returns its result.
   * @throws RuntimeError when called while a loop is running; TypeError when main is not awaitable.
   */
  run<T>(main: CoroutineLike<T>): Promise<T> {
    checkMain(main);
    if (tryGetRunningLoop() !== null) throw new RuntimeError('Runner.run() cannot be called from a running event loop; await the coroutine instead');
    this.#lazyInit();
    const loop = this.#loop!;
    const task = loop.createTask(main);
    return this.#runMain(loop, task);
  }

  async #runMain<T>(loop: BaseEventLoop, task: Task<T>): Promise<T> {
    // Ctrl+C cancels the main task, as asyncio's Runner does; a second one
    // falls back to Node's default and ends the process.
    const onInterrupt = () => {
      // A SIGINT listener added since (loop.addSignalHandler('SIGINT', ...))
      // takes over, as in asyncio, where it replaces the runner's handler.
      if (process.listenerCount('SIGINT') > 1) return;
      this.#interrupts++;
      if (this.#interrupts > 1 || task.done()) {
        process.removeListener('SIGINT', onInterrupt);
        process.kill(process.pid, 'SIGINT');
        return;
      }
      loop.callSoonThreadsafe(() => task.cancel());
    };
    const handleInterrupts = isMainThread && process.listenerCount('SIGINT') === 0;
    if (handleInterrupts) process.on('SIGINT', onInterrupt);
    this.#interrupts = 0;
    try {
      return await loop.runUntilComplete(task);
    } catch (error) {
      if (CancelledError.isInstance(error) && this.#interrupts > 0 && task.uncancel() === 0) {
        throw new KeyboardInterrupt();
      }
      throw error;
    } finally {
      if (handleInterrupts) process.removeListener('SIGINT', onInterrupt);
    }
  }

  /** Cancels the tasks left, shuts down the default executor, and closes the loop. */
  async close(): Promise<void> {
    if (this.#state !== 'initialized') return;
    const loop = this.#loop!;
    try {
      await cancelAllTasks(loop);
      const shutdown = (loop as { shutdownDefaultExecutor?: () => unknown }).shutdownDefaultExecutor;
      if (typeof shutdown === 'function') await loop.runUntilComplete(shutdown.call(loop) as Task<unknown>);
    } finally {
      if (this.#setEventLoop) setEventLoop(null);
      loop.close();
      this.#loop = null;
      this.#state = 'closed';
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #lazyInit(): void {
    if (this.#state === 'closed') throw new RuntimeError('Runner is closed; make a new Runner');
    if (this.#state === 'initialized') return;
    if (this.#options.loopFactory === undefined) {
      this.#loop = newEventLoop();
      setEventLoop(this.#loop);
      this.#setEventLoop = true;
    } else {
      this.#loop = this.#options.loopFactory();
    }
    if (this.#options.debug !== undefined) this.#loop.setDebug(this.#options.debug);
    this.#state = 'initialized';
  }
}

/**
 * Runs `main` on a new loop until it completes, then cancels the remaining
 * tasks and closes the loop; resolves to main's result. `options` are
 * Runner's: `debug`, and `loopFactory` to run on another kind of loop (as
 * Python 3.12's `asyncio.run(main, loop_factory=...)`).
 * @throws RuntimeError at once when a loop is already running (await main instead).
 * @example
 * await run(async () => { await sleep(1); return 'done'; });
 * await run(main, { loopFactory: () => new SelectorEventLoop() });
 */
export function run<T>(main: CoroutineLike<T>, options: RunnerOptions = {}): Promise<T> {
  checkMain(main);
  if (tryGetRunningLoop() !== null) {
    throw new RuntimeError('run() cannot be called from a running event loop; await the coroutine instead');
  }
  const runner = new Runner(options);
  return (async () => {
    try {
      return await runner.run(main);
    } finally {
      await runner.close();
    }
  })();
}

function checkMain(main: unknown): void {
  if (typeof main === 'function' || isCoroutine(main)) return;
  throw new ValueError(
    `a coroutine was expected, got ${describe(main)}; pass a coroutine (main() or a promise) or a function returning one (main)`,
  );
}

/** Cancels every pending task and waits for them; reports errors they end with. */
async function cancelAllTasks(loop: BaseEventLoop): Promise<void> {
  const pending = loop.pendingTasks();
  if (pending.length === 0) return;
  for (const task of pending) task.cancel();
  await loop.runUntilComplete(gather(...pending, { returnExceptions: true }));
  for (const task of pending) {
    if (task.cancelled()) continue;
    const error = task.exception();
    if (error !== null) {
      loop.callExceptionHandler({ message: 'unhandled exception during run() shutdown', exception: error, task });
    }
  }
}
