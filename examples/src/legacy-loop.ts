/**
 * Manual loop management, the pre-3.7 pattern: get the loop, run a coroutine
 * until it completes, close the loop.
 *
 * Prints:
 *   Complete        (after one second)
 *
 * Difference from asyncio: runUntilComplete() returns a promise (JavaScript
 * cannot block its own thread on the loop that runs on it). Python 3.12+
 * deprecates get_event_loop() outside a running loop; newEventLoop() plus
 * setEventLoop() is the forward-looking spelling of the same pattern.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's legacy_main(), as an async function. */
export async function legacyMain(scale = 1): Promise<string> {
  await asyncio.sleep(1 * scale);
  return 'Complete';
}

/** The same coroutine as a generator. */
export function* legacyMainGenerator(scale = 1): asyncio.Coroutine<string> {
  yield* asyncio.sleep(1 * scale);
  return 'Complete';
}

/** Runs the example with the loop managed by hand. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  const loop = asyncio.getEventLoop();
  try {
    const result = await loop.runUntilComplete(shape === 'generator' ? legacyMainGenerator(scale) : () => legacyMain(scale));
    console.log(result);
  } finally {
    loop.close();
  }
}
