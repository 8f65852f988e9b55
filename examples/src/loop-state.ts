/**
 * Checking loop state from inside a coroutine: the running loop is running
 * and not closed, and has its own monotonic clock in seconds.
 *
 * Prints:
 *   Is running: true
 *   Is closed: false
 *   Loop time: 12345.678901   (seconds of a monotonic clock; the figure varies)
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's check_loop_state(), as an async function. */
export async function checkLoopState(): Promise<void> {
  const loop = asyncio.getRunningLoop();

  console.log(`Is running: ${loop.isRunning()}`); // true
  console.log(`Is closed: ${loop.isClosed()}`); // false

  // Access loop time (monotonic clock)
  console.log(`Loop time: ${loop.time()}`);
}

/** The same coroutine as a generator (it never suspends, which a coroutine may). */
export function* checkLoopStateGenerator(): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  console.log(`Is running: ${loop.isRunning()}`);
  console.log(`Is closed: ${loop.isClosed()}`);
  console.log(`Loop time: ${loop.time()}`);
}

/** Runs the example: `asyncio.run(check_loop_state())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(checkLoopStateGenerator());
  else await asyncio.run(checkLoopState);
}
