/**
 * Handling blocking operations: three blocking calls (2 s, 1 s and 3 s) run
 * in a ThreadPoolExecutor of three workers through loop.runInExecutor(), and
 * gather() awaits them. They block worker threads, not the event loop, and
 * run side by side: the whole takes about the longest call (3 s), not the
 * sum (6 s).
 *
 * Prints (the last figure varies a little):
 *   ['Blocked for 2s', 'Blocked for 1s', 'Blocked for 3s']
 *   Took 3.05 s: about the longest call (3 s), not their sum (6 s)
 *
 * Where it differs from the guide:
 * - A worker thread cannot see this module's variables, so blocking_io
 *   reaches it by name, as a module reference `{ module: import.meta.url,
 *   export: 'blockingIo' }`, which the worker imports (Python pickles the
 *   function by its name the same way). Run from the TypeScript sources
 *   (vitest), import.meta.url is this .ts file and the worker loads it with
 *   tsx; run from the bundle (`npm start`), it is examples/dist/main.js,
 *   which re-exports blockingIo for that reason.
 * - `with ThreadPoolExecutor(max_workers=3) as executor:` is `using executor
 *   = new ThreadPoolExecutor({ maxWorkers: 3 })`: leaving the block shuts the
 *   pool down and waits for its work, as Python's `with` does.
 * - time.sleep() is Atomics.wait() on a SharedArrayBuffer: it blocks the
 *   worker's thread as time.sleep blocks Python's.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

// from concurrent.futures import ThreadPoolExecutor
const { ThreadPoolExecutor } = asyncio.futures;

/** The guide's blocking_io(duration): simulates blocking I/O. Runs in a worker thread. */
export function blockingIo(duration: number): string {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, duration * 1000);
  return `Blocked for ${duration}s`;
}

/** How blockingIo reaches a worker: by module and export name. */
const blockingIoReference: asyncio.futures.ModuleReference<typeof blockingIo> = { module: import.meta.url, export: 'blockingIo' };

/** The guide's durations times `scale`, in whole milliseconds (so that 3 × 0.2 prints 0.6, not 0.6000000000000001). */
function durations(scale: number): number[] {
  return [2, 1, 3].map((seconds) => Math.round(seconds * scale * 1000) / 1000);
}

/** A list of strings as Python prints it: ['a', 'b']. */
function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(', ')}]`;
}

function report(results: readonly string[], start: number, scale: number): void {
  const [longest, sum] = [3 * scale, 6 * scale].map((seconds) => Number(seconds.toFixed(3)));
  console.log(pythonList(results));
  console.log(`Took ${((performance.now() - start) / 1000).toFixed(2)} s: about the longest call (${longest} s), not their sum (${sum} s)`);
}

/** The guide's main(), as an async function. */
export async function runBlockingIo(scale = 1): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const start = performance.now();

  // Run blocking operation in thread pool
  using executor = new ThreadPoolExecutor({ maxWorkers: 3 });
  // Execute multiple blocking operations concurrently
  const futures = durations(scale).map((duration) => loop.runInExecutor(executor, blockingIoReference, duration));

  const results = await asyncio.gather(...futures);
  report(results, start, scale);
}

/** The same main as a generator: `yield*` for `await`. */
export function* runBlockingIoGenerator(scale = 1): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  const start = performance.now();
  using executor = new ThreadPoolExecutor({ maxWorkers: 3 });
  const futures = durations(scale).map((duration) => loop.runInExecutor(executor, blockingIoReference, duration));
  const results = yield* asyncio.gather(...futures);
  report(results, start, scale);
}

/** Runs the example: `asyncio.run(main())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(runBlockingIoGenerator(scale));
  else await asyncio.run(() => runBlockingIo(scale));
}
