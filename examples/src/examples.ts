/**
 * The seed guide's examples, in the guide's order: what main.ts runs and
 * what the tests walk through.
 */
import * as asyncRunner from './async-runner.js';
import * as basicRun from './basic-run.js';
import * as blockingAntiPattern from './blocking-anti-pattern.js';
import * as blockingIo from './blocking-io.js';
import * as boundedConcurrency from './bounded-concurrency.js';
import * as callSoon from './call-soon.js';
import * as concurrentTasks from './concurrent-tasks.js';
import * as debugMode from './debug-mode.js';
import * as delayedCallbacks from './delayed-callbacks.js';
import * as fetchData from './fetch-data.js';
import * as gracefulShutdown from './graceful-shutdown.js';
import * as legacyLoop from './legacy-loop.js';
import * as loopInThread from './loop-in-thread.js';
import * as loopState from './loop-state.js';
import * as nestedRun from './nested-run.js';
import type { ExampleOptions } from './options.js';

export interface Example {
  /** The file's name under src/, without .ts. */
  name: string;
  /** The guide's idea it shows, in a few words. */
  title: string;
  main: (options?: ExampleOptions) => Promise<void>;
}

export const examples: readonly Example[] = [
  { name: 'basic-run', title: 'asyncio.run(): the event-loop lifecycle', main: basicRun.main },
  { name: 'fetch-data', title: 'run() returns the coroutine’s result', main: fetchData.main },
  { name: 'legacy-loop', title: 'getEventLoop() + runUntilComplete() + close()', main: legacyLoop.main },
  { name: 'loop-in-thread', title: 'a loop running forever in another thread, and runCoroutineThreadsafe()', main: loopInThread.main },
  { name: 'call-soon', title: 'loop.callSoon(): callbacks on the next iteration', main: callSoon.main },
  { name: 'delayed-callbacks', title: 'loop.callLater() and loop.callAt()', main: delayedCallbacks.main },
  { name: 'concurrent-tasks', title: 'createTask() + gather(): Task-2 finishes before Task-1', main: concurrentTasks.main },
  { name: 'graceful-shutdown', title: 'runForever() with signal handlers, ended by SIGTERM', main: gracefulShutdown.main },
  { name: 'loop-state', title: 'isRunning(), isClosed(), time()', main: loopState.main },
  { name: 'async-runner', title: 'AsyncRunner: coroutines run from sync code through a loop thread, result() blocks', main: asyncRunner.main },
  { name: 'blocking-io', title: 'loop.runInExecutor() with a ThreadPoolExecutor: blocking calls side by side', main: blockingIo.main },
  { name: 'blocking-anti-pattern', title: 'a blocking sleep freezes the loop', main: blockingAntiPattern.main },
  { name: 'nested-run', title: 'run() inside a running loop throws; await instead', main: nestedRun.main },
  { name: 'debug-mode', title: 'run(main, { debug: true }) and slow-callback warnings', main: debugMode.main },
  { name: 'bounded-concurrency', title: 'the web scraper’s pattern without the network: Semaphore(3) + asCompleted()', main: boundedConcurrency.main },
];

/** The guide's examples that need a package not written yet. */
export const waitingFor: readonly { example: string; packages: string }[] = [
  { example: 'the concurrent web scraper with real requests (ClientSession); its Semaphore + asCompleted() pattern runs as bounded-concurrency', packages: '@asyncio-ts/http' },
];
