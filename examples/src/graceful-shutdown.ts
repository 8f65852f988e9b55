/**
 * A long-running service with direct control over the loop's lifecycle:
 * newEventLoop(), signal handlers for a graceful shutdown, runForever(),
 * close().
 *
 * The guide says "run with Ctrl+C to test"; here the service sends SIGTERM
 * to its own process after about two and a half iterations, so it ends by
 * itself. Prints:
 *   Loop running: false          (printed before runForever() starts, as in the guide)
 *   Background task iteration 1
 *   Background task iteration 2
 *   Background task iteration 3
 *   Shutting down gracefully...
 *   Loop closed: false           (printed before close(), as in the guide)
 *
 * Differences from the guide: runForever() returns a promise that resolves
 * when stop() takes effect. The guide closes the loop with background_task
 * still pending, and CPython then reports "Task was destroyed but it is
 * pending!" at exit; this example cancels the task before close(), so the
 * shutdown is graceful for the task too.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's background_task(), as an async function: one iteration a second, forever. */
export async function backgroundTask(scale = 1): Promise<never> {
  let counter = 0;
  for (;;) {
    counter += 1;
    console.log(`Background task iteration ${counter}`);
    await asyncio.sleep(1 * scale);
  }
}

/** The same coroutine as a generator. */
export function* backgroundTaskGenerator(scale = 1): asyncio.Coroutine<never> {
  let counter = 0;
  for (;;) {
    counter += 1;
    console.log(`Background task iteration ${counter}`);
    yield* asyncio.sleep(1 * scale);
  }
}

/** The guide's shutdown(loop): a plain callback, run by the loop when a signal arrives. */
export function shutdown(loop: asyncio.BaseEventLoop): void {
  console.log('Shutting down gracefully...');
  loop.stop();
}

/** The guide's run_service(). Resolves once the service has shut down. */
export async function runService(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  const loop = asyncio.newEventLoop();
  asyncio.setEventLoop(loop);

  // Register signal handlers for graceful shutdown
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    loop.addSignalHandler(signal, () => shutdown(loop));
  }

  // Schedule background work
  const task = loop.createTask(shape === 'generator' ? backgroundTaskGenerator(scale) : () => backgroundTask(scale));

  // Instead of Ctrl+C: SIGTERM to this very process, between iterations 3 and 4.
  loop.callLater(2.5 * scale, () => process.kill(process.pid, 'SIGTERM'));

  try {
    console.log(`Loop running: ${loop.isRunning()}`);
    await loop.runForever();
  } finally {
    console.log(`Loop closed: ${loop.isClosed()}`);
    task.cancel();
    await loop.runUntilComplete(asyncio.gather(task, { returnExceptions: true }));
    loop.close();
  }
}

/** Runs the example: `run_service()`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  await runService(options);
}
