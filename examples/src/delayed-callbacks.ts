/**
 * Delayed execution: loop.callLater() runs a callback after a delay, and
 * loop.callAt() at a point of the loop's own clock (loop.time()).
 *
 * Prints (the callAt one first, since it is due after 1 s, the other after 2 s):
 *   Executed at specific time
 *   Scheduled: 1732467890.12, Actual: 1732467890.12
 *
 * The Scheduled/Actual figures are wall-clock seconds (Python's time.time(),
 * here Date.now() / 1000); loop.time() is a monotonic clock of its own.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** Wall-clock time in seconds, as Python's time.time(). */
function wallTime(): number {
  return Date.now() / 1000;
}

/** The guide's delayed_callback(scheduled_time). */
export function delayedCallback(scheduledTime: number): void {
  const actualTime = wallTime();
  console.log(`Scheduled: ${scheduledTime.toFixed(2)}, Actual: ${actualTime.toFixed(2)}`);
}

/** The guide's schedule_delayed(), as an async function. */
export async function scheduleDelayed(scale = 1): Promise<void> {
  const loop = asyncio.getRunningLoop();

  // Execute after 2 seconds
  loop.callLater(2 * scale, delayedCallback, wallTime() + 2 * scale);

  // Execute at specific time
  const targetTime = loop.time() + 1 * scale;
  loop.callAt(targetTime, () => console.log('Executed at specific time'));

  await asyncio.sleep(3 * scale);
}

/** The same coroutine as a generator. */
export function* scheduleDelayedGenerator(scale = 1): asyncio.Coroutine<void> {
  const loop = asyncio.getRunningLoop();
  loop.callLater(2 * scale, delayedCallback, wallTime() + 2 * scale);
  const targetTime = loop.time() + 1 * scale;
  loop.callAt(targetTime, () => console.log('Executed at specific time'));
  yield* asyncio.sleep(3 * scale);
}

/** Runs the example: `asyncio.run(schedule_delayed())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(scheduleDelayedGenerator(scale));
  else await asyncio.run(() => scheduleDelayed(scale));
}
