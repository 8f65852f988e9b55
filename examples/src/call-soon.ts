/**
 * Immediate callback scheduling: loop.callSoon() queues a plain function for
 * the loop's next iteration; callbacks run in the order they were scheduled.
 *
 * Prints:
 *   Callback executed with 1
 *   Callback executed with 2
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's callback(n): a plain function, not a coroutine. */
export function callback(n: number): void {
  console.log(`Callback executed with ${n}`);
}

/** The guide's main(), as an async function. */
export async function scheduleCallbacks(scale = 1): Promise<void> {
  const loop = asyncio.getRunningLoop();

  // Schedule callback to run on next loop iteration
  loop.callSoon(callback, 1);
  loop.callSoon(callback, 2);

  await asyncio.sleep(0.1 * scale); // Give callbacks time to execute
}

/** The same coroutine as a generator. */
export function* scheduleCallbacksGenerator(scale = 1): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  loop.callSoon(callback, 1);
  loop.callSoon(callback, 2);
  yield* asyncio.sleep(0.1 * scale);
}

/** Runs the example: `asyncio.run(main())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(scheduleCallbacksGenerator(scale));
  else await asyncio.run(() => scheduleCallbacks(scale));
}
