/**
 * runSync(): call async code from synchronous code and block for its result
 * (what synckit does), on one LoopThread per calling thread, started on the
 * first call and left running as a daemon (it does not keep the process alive).
 */
import type { WorkerArgs, WorkerResult } from '@asyncio-ts/executors';
import { LoopThread } from './loop-thread.js';

let shared: LoopThread | null = null;

/** The shared LoopThread runSync() uses, started when needed. */
export function sharedLoopThread(): LoopThread {
  if (shared === null || !shared.isAlive()) shared = new LoopThread({ daemon: true, name: 'asyncio-ts runSync' }).start();
  return shared;
}

/**
 * Runs `fn(...args)` on the shared loop thread and blocks this thread until
 * it is done; returns its result.
 * @throws the remote error (class name, message, remote stack);
 *   TimeoutError when `timeout` seconds pass first (the remote work goes on);
 *   RuntimeError when called on the shared loop's own thread.
 * @example
 * const text = runSync(async (url: string) => (await fetch(url)).text(), 'https://example.com');
 */
export function runSync<F>(fn: F, ...args: WorkerArgs<F>): WorkerResult<F> {
  return sharedLoopThread().runCoroutine(fn, ...args).result();
}

/** Stops the shared loop thread (a new one starts on the next runSync()); resolves once it exited. */
export async function shutdownRunSync(): Promise<void> {
  const thread = shared;
  shared = null;
  if (thread !== null) await thread.shutdown();
}
