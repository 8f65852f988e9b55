/**
 * A new event loop for a specific thread (the guide's "Creating custom event
 * loop instances is necessary when running asyncio in multiple threads"):
 * a loop running forever in another thread, and work scheduled on it from
 * this one with runCoroutineThreadsafe().
 *
 * Prints:
 *   some_coroutine ran on the loop thread, in Task-1
 *
 * Differences from asyncio: `new LoopThread().start()` is new_event_loop()
 * plus a thread whose target runs set_event_loop() and run_forever(); the
 * loop is addressed through its handle, which any thread may hold; the
 * coroutine crosses the thread as a module's export (thread-work.ts) with
 * its arguments, not as a coroutine object.
 */
import { LoopThread, runCoroutineThreadsafe } from '@asyncio-ts/threads';
import { resolveOptions, type ExampleOptions } from './options.js';
import { threadWork } from './thread-work.js';

export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  // Create a new event loop for a specific thread
  const thread = new LoopThread().start();
  try {
    // Schedule work on that loop from another thread (this one), and block for its result
    const someCoroutine = threadWork(import.meta.url, shape === 'generator' ? 'someCoroutineGenerator' : 'someCoroutine');
    const future = runCoroutineThreadsafe(someCoroutine, thread.handle(), 'some_coroutine', scale);
    console.log(future.result());
  } finally {
    thread.stop();
    thread.join();
  }
}
