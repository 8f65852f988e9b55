// The asyncio guide's "Advanced Patterns" AsyncRunner: run coroutines from
// synchronous code through a loop in a thread of its own, and block for the
// result. Run it: npx tsx --conditions=@asyncio-ts/source examples/async-runner.ts
//
// Differences from the Python: the coroutine crosses the thread as a module
// reference (this file's export) with its arguments, not as a coroutine
// object; LoopThread is the thread and its loop in one.
import { pathToFileURL } from 'node:url';
import { sleep } from '@asyncio-ts/core';
import type { Future } from '@asyncio-ts/executors';
import { LoopThread, type RemoteFuture } from '../src/index.js';

export class AsyncRunner {
  readonly #thread = new LoopThread({ daemon: true }).start();

  /** Runs a coroutine function from sync code; returns a concurrent Future. */
  runCoroutine<T>(name: string, ...args: unknown[]): RemoteFuture<T> {
    return this.#thread.runCoroutine({ module: import.meta.url, export: name }, ...args) as RemoteFuture<T>;
  }

  shutdown(): void {
    this.#thread.stop(); // loop.call_soon_threadsafe(loop.stop)
    this.#thread.join();
  }
}

export async function asyncOperation(seconds = 1): Promise<string> {
  await sleep(seconds);
  return 'Result from async';
}

export function main(seconds = 1): string {
  const runner = new AsyncRunner();
  const future: Future<string> = runner.runCoroutine<string>('asyncOperation', seconds);
  const result = future.result(); // Blocks until complete
  console.log(result);
  runner.shutdown();
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
