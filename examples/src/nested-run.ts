/**
 * Anti-pattern: nested run(). Inside a running loop, run() throws
 * RuntimeError at once, as asyncio.run() does; await the coroutine instead.
 *
 * The guide only comments the bad call out; this example makes it and shows
 * the error. Prints:
 *   run() inside a running loop: RuntimeError: run() cannot be called from a running event loop; await the coroutine instead
 *   inner() returned: Success
 *
 * Passing `inner` (the function) rather than `inner()` to run() matters in
 * JavaScript: calling an async function starts it, so the failed run() would
 * leave it running unawaited. (Python's asyncio.run(inner()) leaves the
 * coroutine object unawaited and warns "coroutine 'inner' was never awaited".)
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's inner(), as an async function. */
export async function inner(): Promise<string> {
  return 'Success';
}

/** inner() as a generator. */
export function* innerGenerator(): asyncio.Coroutine<string> {
  return 'Success';
}

function showError(error: unknown): void {
  console.log(`run() inside a running loop: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
}

/** The guide's outer(), as an async function. */
export async function outer(): Promise<void> {
  // NEVER DO THIS - throws RuntimeError
  try {
    await asyncio.run(inner);
  } catch (error) {
    showError(error);
  }

  // Instead, just await the coroutine
  console.log(`inner() returned: ${await inner()}`);
}

/** outer() as a generator: `yield*` is its await. */
export function* outerGenerator(): asyncio.Coroutine<void> {
  try {
    // run() throws before it returns anything to wait for.
    void asyncio.run(innerGenerator);
  } catch (error) {
    showError(error);
  }
  console.log(`inner() returned: ${yield* innerGenerator()}`);
}

/** Runs the example: `asyncio.run(outer())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(outerGenerator());
  else await asyncio.run(outer);
}
