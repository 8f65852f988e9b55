// SelectorEventLoop: the loop driven by a selector's blocking select(), as
// CPython's. It runs callbacks, timers and tasks of both shapes in asyncio's
// order; it waits in select() rather than spinning; it gives Node turns, so
// Node's timers, a worker's message (and callSoonThreadsafe from its handler)
// and a signal reach it while it waits; its self-pipe; its selector;
// Runner with loopFactory; and the errors.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  EventLoop,
  RuntimeError,
  Runner,
  SelectorEventLoop,
  createTask,
  getRunningLoop,
  sleep,
  type BaseEventLoop,
  type Coroutine,
} from '@asyncio-ts/core';
import { EpollSelector, PollSelector, os } from '@asyncio-ts/selectors';
import { shapes, useLoopGuard } from './fixtures/loop-guard.js';
import { useFdCleanup } from './fixtures/io-loops.js';

const guard = useLoopGuard();
useFdCleanup();

/** Starts a worker thread running `source` (CommonJS) with `workerData`; resolves once it exited. */
function runWorker(source: string, workerData: unknown, onMessage?: (message: unknown) => void): Promise<void> {
  const worker = new Worker(source, { eval: true, workerData });
  if (onMessage !== undefined) worker.on('message', onMessage);
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
}

/** The trace of an async-function task and a generator task taking turns through sleep(0), and callbacks. */
async function interleavingTrace(loop: BaseEventLoop): Promise<string[]> {
  const trace: string[] = [];
  await loop.runUntilComplete(async () => {
    const asyncTask = createTask(async () => {
      for (let step = 1; step <= 3; step++) {
        trace.push(`async ${step}`);
        await sleep(0);
      }
    });
    const generatorTask = createTask(function* () {
      for (let step = 1; step <= 3; step++) {
        trace.push(`generator ${step}`);
        yield* sleep(0);
      }
    });
    loop.callSoon(() => trace.push('callSoon'));
    loop.callLater(0.02, () => trace.push('callLater 0.02'));
    loop.callLater(0.01, () => trace.push('callLater 0.01'));
    await asyncTask;
    await generatorTask;
    await sleep(0.03);
  });
  return trace;
}

describe('SelectorEventLoop', () => {
  it('runs callbacks, timers and both shapes of task in the order EventLoop does', async () => {
    const hosted = guard.track(new EventLoop());
    const expected = await interleavingTrace(hosted);
    hosted.close();
    const loop = guard.track(new SelectorEventLoop());
    expect(await interleavingTrace(loop)).toEqual(expected);
    expect(expected.slice(0, 3)).toEqual(['async 1', 'generator 1', 'callSoon']);
    expect(expected.slice(-2)).toEqual(['callLater 0.01', 'callLater 0.02']);
    loop.close();
  });

  describe.each(shapes)('running a main %s', (shape) => {
    it('waits in select() for a timer, without spinning', async () => {
      const loop = guard.track(new SelectorEventLoop());
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const result = await loop.runUntilComplete(
        shape === 'async function'
          ? async () => {
              await sleep(0.2);
              return getRunningLoop() === loop;
            }
          : function* (): Coroutine<boolean> {
              yield* sleep(0.2);
              return getRunningLoop() === loop;
            },
      );
      const elapsed = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      expect(result).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(199);
      // A loop that spun would use about as much CPU time as it waited.
      expect((cpu.user + cpu.system) / 1000).toBeLessThan(elapsed / 2);
      loop.close();
    });

    it('runs under a Runner made with loopFactory', async () => {
      const runner = new Runner({ loopFactory: () => guard.track(new SelectorEventLoop()) });
      try {
        const result = await runner.run(
          shape === 'async function'
            ? async () => {
                await sleep(0.01);
                return getRunningLoop() instanceof SelectorEventLoop;
              }
            : function* (): Coroutine<boolean> {
                yield* sleep(0.01);
                return getRunningLoop() instanceof SelectorEventLoop;
              },
        );
        expect(result).toBe(true);
      } finally {
        await runner.close();
      }
      expect(runner.getLoop.bind(runner)).toThrow(RuntimeError);
    });
  });

  it('gives Node\'s own timers a turn while it waits', async () => {
    const loop = guard.track(new SelectorEventLoop());
    const events: string[] = [];
    await loop.runUntilComplete(async () => {
      setTimeout(() => events.push('node timer'), 20);
      await sleep(0.3);
      events.push('loop sleep over');
    });
    expect(events).toEqual(['node timer', 'loop sleep over']);
    loop.close();
  });

  it('lets a chain of foreign promises settle before it blocks in select()', async () => {
    // A selector that notes each wait made while the chain was still settling.
    let settling = false;
    const waitsWhileSettling: number[] = [];
    class WatchedSelector extends EpollSelector {
      override select(timeout?: number | null) {
        if (settling && timeout !== 0) waitsWhileSettling.push(timeout ?? Infinity);
        return super.select(timeout);
      }
    }
    const loop = guard.track(new SelectorEventLoop(new WatchedSelector()));
    await loop.runUntilComplete(async () => {
      for (let round = 0; round < 5; round++) {
        settling = true;
        // Far more microtask hops than the loop waits for between iterations.
        let chain: Promise<number> = Promise.resolve(0);
        for (let link = 0; link < 500; link++) chain = chain.then((value) => value + 1);
        expect(await chain).toBe(500);
        settling = false;
        await sleep(0);
      }
    });
    expect(waitsWhileSettling).toEqual([]);
    loop.close();
  });

  it('is woken by a worker\'s message, whose handler calls callSoonThreadsafe()', async () => {
    const loop = guard.track(new SelectorEventLoop());
    const started = performance.now();
    let wokenAfter = -1;
    let thread: Promise<void> | null = null;
    await loop.runUntilComplete(async () => {
      const woken = loop.createFuture<void>();
      thread = runWorker(
        "const { parentPort } = require('node:worker_threads'); setTimeout(() => parentPort.postMessage('wake'), 50);",
        null,
        () =>
          loop.callSoonThreadsafe(() => {
            wokenAfter = performance.now() - started;
            woken.setResult();
          }),
      );
      // The loop's only timer is far away: only the message can end this soon.
      const far = loop.callLater(30, () => {});
      await woken;
      far.cancel();
    });
    await thread;
    expect(wokenAfter).toBeGreaterThanOrEqual(45);
    expect(wokenAfter).toBeLessThan(10_000);
    loop.close();
  });

  it('runs a signal handler for a signal sent while it waits', async () => {
    const loop = guard.track(new SelectorEventLoop());
    let signals = 0;
    let thread: Promise<void> | null = null;
    await loop.runUntilComplete(async () => {
      const got = loop.createFuture<void>();
      loop.addSignalHandler('SIGUSR2', () => {
        signals++;
        got.setResult();
      });
      thread = runWorker("setTimeout(() => process.kill(process.pid, 'SIGUSR2'), 50);", null);
      await got;
      expect(loop.removeSignalHandler('SIGUSR2')).toBe(true);
    });
    await thread;
    expect(signals).toBe(1);
    loop.close();
  });

  it('drains what another thread writes to wakeupFd', async () => {
    const selector = new PollSelector();
    const loop = guard.track(new SelectorEventLoop(selector));
    const fd = loop.wakeupFd;
    expect(fd).toBeGreaterThanOrEqual(0);
    await loop.runUntilComplete(async () => {
      await runWorker("require('node:fs').writeSync(require('node:worker_threads').workerData, 'abc');", fd);
      await sleep(0.05);
    });
    // The loop's selector (the one given) has nothing left to report.
    expect(selector.select(0)).toEqual([]);
    loop.close();
    expect(loop.wakeupFd).toBe(-1);
  });

  it('uses the selector it is given, and closes it with itself', async () => {
    for (const selector of [new PollSelector(), new EpollSelector()]) {
      const loop = guard.track(new SelectorEventLoop(selector));
      expect(await loop.runUntilComplete(() => sleep(0.01, 'done'))).toBe('done');
      expect(selector.closed).toBe(false);
      loop.close();
      expect(selector.closed).toBe(true);
    }
  });

  it('stops after the iteration that called stop(), and runs again', async () => {
    const loop = guard.track(new SelectorEventLoop());
    const calls: string[] = [];
    loop.callSoon(() => {
      calls.push('first');
      loop.stop();
    });
    loop.callSoon(() => calls.push('same iteration'));
    await loop.runForever();
    loop.callSoon(() => calls.push('next run'));
    await loop.runUntilComplete(() => sleep(0));
    expect(calls).toEqual(['first', 'same iteration', 'next run']);
    loop.close();
  });

  describe('errors', () => {
    it('refuses something that is not a selector', () => {
      expect(() => new SelectorEventLoop({} as never)).toThrow(/SelectorEventLoop\(\) expects a selector/);
    });

    it('cannot close while running, nor run once closed', async () => {
      const loop = guard.track(new SelectorEventLoop());
      let closeError: unknown;
      await loop.runUntilComplete(async () => {
        try {
          loop.close();
        } catch (error) {
          closeError = error;
        }
      });
      expect(closeError).toBeInstanceOf(RuntimeError);
      loop.close();
      loop.close();
      expect(() => loop.runForever()).toThrow(RuntimeError);
      expect(() => loop.callSoon(() => {})).toThrow(/Event loop is closed/);
    });

    it('throws RuntimeError when stopped before the future is done', async () => {
      const loop = guard.track(new SelectorEventLoop());
      const never = loop.createFuture();
      loop.callSoon(() => loop.stop());
      await expect(loop.runUntilComplete(never)).rejects.toThrow(/stopped before Future completed/);
      loop.close();
    });

    it('leaves no fd of its own open once closed', () => {
      const [probeRead, probeWrite] = os.pipe();
      os.close(probeRead);
      os.close(probeWrite);
      const loop = new SelectorEventLoop();
      loop.close();
      // The lowest fds are free again: the selector and the self-pipe are closed.
      const [readFd, writeFd] = os.pipe();
      os.close(readFd);
      os.close(writeFd);
      expect([readFd, writeFd]).toEqual([probeRead, probeWrite]);
    });
  });
});
