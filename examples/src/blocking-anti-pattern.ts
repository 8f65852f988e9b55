/**
 * Anti-pattern: blocking the event loop. A blocking sleep inside a coroutine
 * freezes the whole loop: no other task or callback runs meanwhile. An
 * asyncio sleep suspends only the coroutine that awaits it.
 *
 * To make that visible, a heartbeat task ticks every 0.1 s while each
 * approach runs, and the example prints the longest gap between heartbeats.
 * Prints (figures vary a little):
 *   bad_approach returned Done after 2.00 s; the heartbeat stalled for 2.00 s
 *   good_approach returned Done after 2.00 s; the heartbeat stalled for 0.10 s
 *
 * Python's time.sleep() is Atomics.wait() here: it blocks the thread, as
 * time.sleep does. Blocking work belongs in an executor, where it blocks a
 * worker thread instead: loop.runInExecutor() or toThread(), with a
 * ThreadPoolExecutor from @asyncio-ts/executors (asyncio.futures in the
 * umbrella); blocking-io.ts shows it.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** Python's time.sleep(seconds): blocks the whole thread, the event loop with it. */
export function blockingSleep(seconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

/** The guide's bad_approach(), as an async function. */
export async function badApproach(scale = 1): Promise<string> {
  // DON'T DO THIS - blocks entire event loop
  blockingSleep(2 * scale);
  return 'Done';
}

/** The guide's good_approach(), as an async function. */
export async function goodApproach(scale = 1): Promise<string> {
  // Use async sleep instead
  await asyncio.sleep(2 * scale);
  return 'Done';
}

/** bad_approach() as a generator: it never yields, so the loop waits for all of it. */
export function* badApproachGenerator(scale = 1): asyncio.Coroutine<string> {
  blockingSleep(2 * scale);
  return 'Done';
}

/** good_approach() as a generator. */
export function* goodApproachGenerator(scale = 1): asyncio.Coroutine<string> {
  yield* asyncio.sleep(2 * scale);
  return 'Done';
}

/** Ticks every `interval` seconds, recording the loop time of each tick. */
async function heartbeat(ticks: number[], interval: number): Promise<never> {
  const loop = asyncio.getRunningLoop();
  for (;;) {
    await asyncio.sleep(interval);
    ticks.push(loop.time());
  }
}

/** The longest time without a heartbeat between `start` and the first tick after `end`. */
function longestStall(ticks: readonly number[], start: number, end: number): number {
  const during = ticks.filter((tick) => tick > start && tick <= end);
  const after = ticks.find((tick) => tick > end);
  const points = [start, ...during, ...(after === undefined ? [] : [after])];
  let longest = 0;
  for (let index = 1; index < points.length; index++) longest = Math.max(longest, points[index]! - points[index - 1]!);
  return longest;
}

type Approach = (scale: number) => Promise<string> | asyncio.Coroutine<string>;

/** Runs both approaches beside the heartbeat and prints how long the heartbeat stalled. */
export async function compareApproaches(shape: 'async' | 'generator', scale = 1): Promise<void> {
  const loop = asyncio.getRunningLoop();
  const interval = 0.1 * scale;
  const ticks: number[] = [];
  const beat = asyncio.createTask(() => heartbeat(ticks, interval));
  const approaches: [string, Approach][] =
    shape === 'generator'
      ? [['bad_approach', badApproachGenerator], ['good_approach', goodApproachGenerator]]
      : [['bad_approach', badApproach], ['good_approach', goodApproach]];
  await asyncio.sleep(interval * 1.5); // let the heartbeat get going
  for (const [name, approach] of approaches) {
    const start = loop.time();
    // Each approach runs as a task of its own, in its own coroutine shape.
    const result = await asyncio.createTask(() => approach(scale));
    const end = loop.time();
    // Wait for the first heartbeat after the approach, which ends the last stall.
    while (!ticks.some((tick) => tick > end)) await asyncio.sleep(interval / 2);
    const stall = longestStall(ticks, start, end);
    console.log(`${name} returned ${result} after ${(end - start).toFixed(2)} s; the heartbeat stalled for ${stall.toFixed(2)} s`);
  }
  beat.cancel();
}

/** Runs the example. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  await asyncio.run(() => compareApproaches(shape, scale));
}
