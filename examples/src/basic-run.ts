/**
 * The event-loop lifecycle (the guide's "Introduction to the Event Loop"):
 * run() creates a loop, runs the main coroutine to completion, then closes
 * the loop.
 *
 * Prints:
 *   Starting
 *   Finished        (one second later)
 *
 * Difference from asyncio: run() returns a promise, so the caller awaits it.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's main(), as an async function. */
export async function lifecycle(scale = 1): Promise<void> {
  console.log('Starting');
  await asyncio.sleep(1 * scale); // Yields control to the event loop
  console.log('Finished');
}

/** The same coroutine as a generator: like a Python coroutine, it does not start until its Task steps it. */
export function* lifecycleGenerator(scale = 1): asyncio.Coroutine<void> {
  console.log('Starting');
  yield* asyncio.sleep(1 * scale); // Yields control to the event loop
  console.log('Finished');
}

/** Runs the example: `asyncio.run(main())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  // Modern approach: creates a loop, runs main, closes the loop. An async
  // function is passed as a function, so that its body starts inside the
  // loop's task, as a Python coroutine would.
  if (shape === 'generator') await asyncio.run(lifecycleGenerator(scale));
  else await asyncio.run(() => lifecycle(scale));
}
