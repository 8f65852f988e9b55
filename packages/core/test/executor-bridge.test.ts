// The loop's executor bridge: runInExecutor(), the default executor,
// toThread() and wrapFuture(), in both coroutine shapes, on real time (the
// calls run in worker threads). Ported from CPython's
// Lib/test/test_asyncio/test_base_events.py (test_run_in_executor*,
// test_set_default_executor*), test_threads.py and test_futures.py
// (test_wrap_future*), and the guide's blocking_io example.
import { ThreadPoolExecutor, Future as ConcurrentFuture, isConcurrentFuture, type Executor, type WorkerArgs, type WorkerFunction, type WorkerResult } from '@asyncio-ts/executors';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  EventLoop,
  Future,
  Runner,
  RuntimeError,
  TimeoutError,
  gather,
  getRunningLoop,
  run,
  sleep,
  waitFor,
  type Coroutine,
} from '@asyncio-ts/core';
import {
  closeDefaultExecutor,
  runInExecutor,
  setDefaultExecutor,
  shutdownDefaultExecutor,
  toThread,
  wrapFuture,
  type ShutdownDefaultExecutorOptions,
} from '../src/executor-bridge.js';

/**
 * An EventLoop with the methods BaseEventLoop delegates to the bridge. They
 * are set on the prototype (and declared by the interface below), so that
 * this stays valid once BaseEventLoop has them itself.
 */
class BridgedLoop extends EventLoop {
  override close(): void {
    if (!this.isRunning()) closeDefaultExecutor(this);
    super.close();
  }
}

interface BridgedLoop {
  runInExecutor<F extends WorkerFunction>(executor: Executor | null, fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>>;
  setDefaultExecutor(executor: Executor): void;
  shutdownDefaultExecutor(options?: ShutdownDefaultExecutorOptions): Future<void>;
}

Object.assign(BridgedLoop.prototype, {
  runInExecutor(this: BridgedLoop, executor: Executor | null, fn: WorkerFunction, ...args: unknown[]) {
    return runInExecutor(this, executor, fn, ...args);
  },
  setDefaultExecutor(this: BridgedLoop, executor: Executor) {
    setDefaultExecutor(this, executor);
  },
  shutdownDefaultExecutor(this: BridgedLoop, options?: ShutdownDefaultExecutorOptions) {
    return shutdownDefaultExecutor(this, options);
  },
});

/** Runs `main` on a BridgedLoop; an exception-handler call fails the test. */
async function runBridged<T>(main: () => Coroutine<T> | PromiseLike<T>): Promise<T> {
  const runner = new Runner({ loopFactory: () => new BridgedLoop() });
  const reported: string[] = [];
  runner.getLoop().setExceptionHandler((_loop, context) => reported.push(context.message));
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
    expect(reported, 'exception handler calls').toEqual([]);
  }
}

function bridgedLoop(): BridgedLoop {
  return getRunningLoop() as BridgedLoop;
}

// Worker functions, sent as source: self-contained.
const blockingIo = (duration: number): string => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, duration * 1000);
  return `Blocked for ${duration}s`;
};
const square = (x: number): number => x * x;
const fail = (message: string): never => {
  throw new RangeError(message);
};
const threadIdOf = async (): Promise<number> => (await import('node:worker_threads')).threadId;
const spinUntilCancelled = function (this: { signal: AbortSignal }, seconds: number): string {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) if (this.signal.aborted) return 'stopped';
  return 'finished';
};

/** One body per coroutine shape: `await future` or `yield* future`. */
interface Shape {
  name: string;
  awaitResult: <T>(make: () => Future<T>) => () => Coroutine<T> | PromiseLike<T>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    awaitResult: (make) => async () => await make(),
  },
  {
    name: 'generator',
    awaitResult: (make) =>
      function* () {
        return yield* make();
      },
  },
];

describe.each(shapes)('runInExecutor() ($name)', ({ awaitResult }) => {
  it('runs the call in the executor and settles the loop Future with its result', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    expect(await runBridged(awaitResult(() => bridgedLoop().runInExecutor(executor, square, 7)))).toBe(49);
  });

  it('settles with the error the call threw', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    await expect(runBridged(awaitResult(() => bridgedLoop().runInExecutor(executor, fail, 'in the worker')))).rejects.toThrow(RangeError);
  });

  it('makes a default ThreadPoolExecutor on first use and reuses it', async () => {
    const threads = await runBridged(
      awaitResult(() => {
        const loop = bridgedLoop();
        const first = loop.runInExecutor(null, threadIdOf);
        const both = new Future<number[]>({ loop });
        first.addDoneCallback(() => {
          loop.runInExecutor(null, threadIdOf).addDoneCallback((second) => both.setResult([first.result(), second.result()]));
        });
        return both;
      }),
    );
    expect(threads[0]).toBeGreaterThan(0);
    expect(threads[1]).toBe(threads[0]);
  });

  it('cancels the call when the loop Future is cancelled: running work sees its signal and stops', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const worker = executor.submit(threadIdOf).result(30);
    const start = performance.now();
    await expect(runBridged(awaitResult(() => waitFor(bridgedLoop().runInExecutor(executor, spinUntilCancelled, 30), 0.05)))).rejects.toThrow(TimeoutError);
    // The worker stopped at once, without being killed: the same thread is free again.
    expect(executor.submit(threadIdOf).result(5)).toBe(worker);
    expect((performance.now() - start) / 1000).toBeLessThan(2);
  });
});

describe('runInExecutor() misuse', () => {
  it('throws RuntimeError on a closed loop, and TypeError for a generator function or a non-executor', async () => {
    const loop = new BridgedLoop();
    expect(() => loop.runInExecutor({} as Executor, square, 1)).toThrow(/expects an Executor or null/);
    expect(() => loop.runInExecutor(null, function* () {} as unknown as () => void)).toThrow(/generator coroutine/);
    loop.close();
    expect(() => loop.runInExecutor(null, square, 1)).toThrow(RuntimeError);
  });

  it('throws RuntimeError for the default executor after shutdownDefaultExecutor()', async () => {
    await runBridged(async () => {
      const loop = bridgedLoop();
      await loop.shutdownDefaultExecutor();
      expect(() => loop.runInExecutor(null, square, 1)).toThrow('Executor shutdown has been called');
    });
  });
});

describe('setDefaultExecutor()', () => {
  it('makes runInExecutor(null) and toThread() use the given executor', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const worker = executor.submit(threadIdOf).result(30);
    const threads = await runBridged(async () => {
      bridgedLoop().setDefaultExecutor(executor);
      return [await bridgedLoop().runInExecutor(null, threadIdOf), await toThread(threadIdOf)];
    });
    expect(threads).toEqual([worker, worker]);
  });

  it('refuses what is not an executor', () => {
    expect(() => new BridgedLoop().setDefaultExecutor({} as Executor)).toThrow(TypeError);
  });
});

describe.each(shapes)('toThread() ($name)', ({ awaitResult }) => {
  it("runs the call in the running loop's default executor", async () => {
    expect(await runBridged(awaitResult(() => toThread(square, 9)))).toBe(81);
  });

  it('throws RuntimeError outside a running loop', () => {
    expect(() => toThread(square, 1)).toThrow(RuntimeError);
  });
});

describe.each(shapes)('wrapFuture() ($name)', ({ awaitResult }) => {
  it('follows a concurrent Future: its result, on the loop', async () => {
    await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    expect(await runBridged(awaitResult(() => wrapFuture(executor.submit(square, 5))))).toBe(25);
  });

  it('follows its error and its cancellation', async () => {
    await runBridged(async () => {
      const failed = new ConcurrentFuture<number>();
      const wrappedFailure = wrapFuture(failed);
      failed.setException(new RangeError('copied'));
      await expect(wrappedFailure).rejects.toThrow('copied');

      const cancelled = new ConcurrentFuture<number>();
      const wrappedCancel = wrapFuture(cancelled);
      cancelled.cancel();
      await expect(wrappedCancel).rejects.toThrow(CancelledError);
      expect(wrappedCancel.cancelled()).toBe(true);
    });
  });

  it('cancels the concurrent Future when cancelled', async () => {
    await runBridged(async () => {
      const source = new ConcurrentFuture<number>();
      const wrapped = wrapFuture(source);
      wrapped.cancel();
      await expect(wrapped).rejects.toThrow(CancelledError);
      // The cancellation reaches the source in a done callback, on the next
      // iteration (asyncio's test_wrap_future_cancel runs the loop briefly).
      await sleep(0);
      expect(source.cancelled()).toBe(true);
    });
  });

  it('returns a loop Future as it is, and refuses anything else', async () => {
    await runBridged(async () => {
      const future = getRunningLoop().createFuture();
      expect(wrapFuture(future)).toBe(future);
      expect(() => wrapFuture(Promise.resolve(1) as never)).toThrow(/expects a concurrent Future/);
      expect(isConcurrentFuture(new ConcurrentFuture())).toBe(true);
    });
  });
});

describe('shutdownDefaultExecutor()', () => {
  it('completes once the default executor has finished its work', async () => {
    const order = await runBridged(async () => {
      const loop = bridgedLoop();
      const log: string[] = [];
      const call = loop.runInExecutor(null, blockingIo, 0.05);
      call.addDoneCallback(() => log.push('call done'));
      await loop.shutdownDefaultExecutor();
      log.push('shut down');
      return log;
    });
    expect(order).toEqual(['call done', 'shut down']);
  });

  it('is called by the Runner at the end: the default executor is shut down', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    await runBridged(async () => {
      bridgedLoop().setDefaultExecutor(executor);
      return toThread(square, 2);
    });
    expect(() => executor.submit(square, 3)).toThrow(/after shutdown/);
  });

  it('is called by run() once BaseEventLoop has the method', async () => {
    if (typeof (EventLoop.prototype as { shutdownDefaultExecutor?: unknown }).shutdownDefaultExecutor !== 'function') return;
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    await run(async () => {
      (getRunningLoop() as BridgedLoop).setDefaultExecutor(executor);
      return toThread(square, 2);
    });
    expect(() => executor.submit(square, 3)).toThrow(/after shutdown/);
  });
});

describe("the guide's blocking_io example", () => {
  it('runs three blocking calls concurrently: they take about the longest, not the sum', async () => {
    const { results, seconds } = await runBridged(async () => {
      const loop = bridgedLoop();
      using executor = new ThreadPoolExecutor({ maxWorkers: 3 });
      // Start the three workers first: a thread starts at once in Python.
      await gather(...[0, 0, 0].map(() => loop.runInExecutor(executor, blockingIo, 0.05)));
      const start = loop.time();
      // The guide's 2, 1 and 3 seconds, shortened.
      const futures = [loop.runInExecutor(executor, blockingIo, 0.4), loop.runInExecutor(executor, blockingIo, 0.2), loop.runInExecutor(executor, blockingIo, 0.6)];
      const results = await gather(...futures);
      return { results, seconds: loop.time() - start };
    });
    expect(results).toEqual(['Blocked for 0.4s', 'Blocked for 0.2s', 'Blocked for 0.6s']);
    expect(seconds).toBeGreaterThanOrEqual(0.59);
    expect(seconds).toBeLessThan(1.1); // the sum would be 1.2
  });
});

describe('closing the loop', () => {
  it('shuts the default executor down without waiting, as asyncio does', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const loop = new BridgedLoop();
    loop.setDefaultExecutor(executor);
    loop.close();
    expect(() => executor.submit(square, 1)).toThrow(/after shutdown/);
  });
});
