/**
 * Debugging with debug mode: run(main, { debug: true }) makes the loop log a
 * warning for every callback or task step that holds the loop for longer
 * than loop.slowCallbackDuration (0.1 s by default).
 *
 * The guide's example says `await asyncio.sleep(0.15)` "will trigger slow
 * callback warning". It does not, in CPython or here: sleeping suspends the
 * task, so no single step is slow. CPython 3.11 prints only its DEBUG lines:
 *   DEBUG:asyncio:Using selector: EpollSelector
 *   DEBUG:asyncio:Close <_UnixSelectorEventLoop running=False closed=False debug=True>
 * What does trigger it is a step that blocks, e.g. a 0.15 s busy-wait; CPython:
 *   WARNING:asyncio:Executing <Task finished name='Task-4' coro=<busy() ...> took 0.150 seconds
 *
 * This example runs both. Python's logging.basicConfig(level=logging.DEBUG)
 * becomes setLogger() with a logger that prints every level as LEVEL:name:message.
 * Prints:
 *   The guide's version: await sleep(0.15)
 *   DEBUG:asyncio-ts:Close <EventLoop #1 running=false closed=false debug=true>
 *   A step that blocks: busy-wait for 0.15 s
 *   WARNING:asyncio-ts:Executing <Handle stepTask(<Task pending name='Task-1' coro=<busyCallback()>>) created at ...> took 0.150 seconds
 *   DEBUG:asyncio-ts:Close <EventLoop #2 running=false closed=false debug=true>
 * The EventLoop runs on Node's own event loop, so there is no selector line.
 */
import * as asyncio from 'asyncio-ts';
import { format } from 'node:util';
import { resolveOptions, type ExampleOptions } from './options.js';

/** How long the blocking variant holds the loop: above slowCallbackDuration (0.1 s), whatever the scale. */
const BUSY_SECONDS = 0.15;

/** The guide's slow_callback(), as an async function: it sleeps, which does not block the loop. */
export async function slowCallback(scale = 1): Promise<void> {
  await asyncio.sleep(0.15 * scale); // The guide expects a warning here; there is none (see above)
}

/** slow_callback() as a generator. */
export function* slowCallbackGenerator(scale = 1): asyncio.Coroutine<void> {
  yield* asyncio.sleep(0.15 * scale);
}

/** Holds the thread for `seconds` without yielding: the kind of step debug mode reports. */
export function busyWait(seconds: number): void {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    // spin: the point is to hold the loop
  }
}

/** A coroutine whose first step blocks the loop for 0.15 s, as an async function. */
export async function busyCallback(): Promise<void> {
  busyWait(BUSY_SECONDS);
}

/** The same, as a generator. */
export function* busyCallbackGenerator(): asyncio.Coroutine<void> {
  busyWait(BUSY_SECONDS);
}

/** logging.basicConfig(level=logging.DEBUG): every level, printed as Python's logging does. */
function printingLogger(name: string): asyncio.Logger {
  const print =
    (level: string) =>
    (message: string, ...details: unknown[]) =>
      console.log(`${level}:${name}:${format(message, ...details)}`);
  return { debug: print('DEBUG'), info: print('INFO'), warn: print('WARNING'), error: print('ERROR') };
}

/** Runs the guide's version, then the blocking variant, both in debug mode. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  const previous = asyncio.setLogger(printingLogger('asyncio-ts'));
  try {
    console.log("The guide's version: await sleep(0.15)");
    if (shape === 'generator') await asyncio.run(slowCallbackGenerator(scale), { debug: true });
    else await asyncio.run(() => slowCallback(scale), { debug: true });

    console.log(`A step that blocks: busy-wait for ${BUSY_SECONDS} s`);
    // The function rather than the generator object: a generator object does
    // not know its function's name, and the warning should show it.
    if (shape === 'generator') await asyncio.run(busyCallbackGenerator, { debug: true });
    else await asyncio.run(busyCallback, { debug: true });
  } finally {
    asyncio.setLogger(previous);
  }
}
