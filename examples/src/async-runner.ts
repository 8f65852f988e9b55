/**
 * Running asyncio code from synchronous code (the guide's "Advanced
 * Patterns: Custom Event Loops and Thread Integration"): an AsyncRunner owns
 * a loop in a thread of its own; runCoroutine() hands it a coroutine and
 * returns a concurrent Future whose result() blocks until it is done.
 *
 * Prints:
 *   Result from async   (after one second)
 *
 * Differences from asyncio: LoopThread is the thread and its loop in one;
 * the coroutine crosses the thread as a module's export (thread-work.ts)
 * with its arguments, not as a coroutine object.
 */
import type { Future } from '@asyncio-ts/executors';
import { LoopThread } from '@asyncio-ts/threads';
import { resolveOptions, type ExampleOptions } from './options.js';
import { threadWork } from './thread-work.js';

export class AsyncRunner {
  readonly #thread = new LoopThread({ daemon: true }).start();

  /** Runs a coroutine of thread-work.ts from sync code; returns a concurrent Future. */
  runCoroutine<T>(name: string, ...args: unknown[]): Future<T> {
    return this.#thread.runCoroutine(threadWork(import.meta.url, name), ...args) as Future<T>;
  }

  shutdown(): void {
    this.#thread.stop(); // loop.call_soon_threadsafe(loop.stop)
    this.#thread.join();
  }
}

export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  const runner = new AsyncRunner();
  try {
    const future = runner.runCoroutine<string>(shape === 'generator' ? 'asyncOperationGenerator' : 'asyncOperation', scale);
    const result = future.result(); // Blocks until complete
    console.log(result);
  } finally {
    runner.shutdown();
  }
}
