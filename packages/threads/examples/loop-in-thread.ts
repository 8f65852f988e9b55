// The asyncio guide's "a new event loop for a specific thread": a loop
// running forever in another thread, and work scheduled on it from this one
// with runCoroutineThreadsafe(). Run it:
// npx tsx --conditions=@asyncio-ts/source examples/loop-in-thread.ts
//
// Differences from the Python: `new LoopThread().start()` is
// new_event_loop() + a Thread whose target runs set_event_loop() and
// run_forever(); the loop is addressed through a handle, which any thread
// can hold, and the coroutine is this module's export.
import { pathToFileURL } from 'node:url';
import { currentTask, sleep } from '@asyncio-ts/core';
import { LoopThread, runCoroutineThreadsafe } from '../src/index.js';

export function* someCoroutine(label: string) {
  yield* sleep(0.05);
  return `${label} ran in task ${currentTask()?.getName()}`;
}

export function main(): string {
  // Create a new event loop for a specific thread
  const thread = new LoopThread().start();
  const newLoop = thread.handle();

  // Schedule work on that loop from another thread
  const future = runCoroutineThreadsafe({ module: import.meta.url, export: 'someCoroutine' }, newLoop, 'someCoroutine');
  const result = future.result(10) as string;
  console.log(result);

  thread.stop();
  thread.join();
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
