import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ThreadPoolExecutor } from '../src/index.js';
import { cancelFixture, elapsed, mathFixture } from './helpers.js';

describe('cancellation on a ThreadPoolExecutor', () => {
  const executor = new ThreadPoolExecutor({ maxWorkers: 1, cancelGrace: 0.2 });
  let workerThread = 0;
  beforeAll(async () => {
    workerThread = await executor.submit(mathFixture('whichThread'));
  });
  afterAll(() => executor.shutdown());

  it('cancels a call that has not started: cancel() is true and it never runs', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const blocker = executor.submit(mathFixture('sleepBlocking'), 0.1);
    const queued = executor.submit(cancelFixture('mark'), shared, 0);
    await Promise.resolve(); // dispatched to the busy worker, queued in it
    expect(queued.cancel()).toBe(true);
    expect(queued.cancelled()).toBe(true);
    expect(() => queued.result()).toThrow(CancelledError);
    expect(blocker.result(10)).toBe(0.1);
    expect(await executor.submit(cancelFixture('mark'), shared, 1)).toBe(1);
    expect([...shared]).toEqual([0, 1]);
  });

  it('does not cancel a running call with plain cancel(), as Python', async () => {
    const running = executor.submit(mathFixture('sleepBlocking'), 0.1);
    while (!running.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(running.cancel()).toBe(false);
    expect(await running).toBe(0.1);
  });

  it('lets a running call see its cancellation through shared memory and stop, keeping the worker', async () => {
    const running = executor.submit(cancelFixture('spinUntilCancelled'), 10);
    while (!running.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    const start = performance.now();
    expect(running.cancel({ running: true })).toBe(true);
    expect(running.cancelled()).toBe(true);
    await expect(running).rejects.toThrow(CancelledError);
    // The worker stopped at once and is free again: the same thread runs the next call.
    expect(executor.submit(mathFixture('whichThread')).result(5)).toBe(workerThread);
    expect(elapsed(start)).toBeLessThan(2);
  });

  it('aborts `this.signal` too, so throwIfAborted() stops the call', async () => {
    const running = executor.submit(cancelFixture('spinWithThis'), 10);
    while (!running.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(running.cancel({ running: true })).toBe(true);
    expect(executor.submit(mathFixture('whichThread')).result(5)).toBe(workerThread);
  });

  it("fires the signal's abort event for a call that awaits", async () => {
    const running = executor.submit(cancelFixture('awaitAbort'), 10);
    while (!running.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(running.cancel({ running: true })).toBe(true);
    expect(await executor.submit(mathFixture('whichThread'))).toBe(workerThread);
  });

  it('kills and replaces a worker whose call ignores its cancellation past the grace period; queued calls still run', async () => {
    const deaf = executor.submit(cancelFixture('spinIgnoring'), 30);
    const queued = executor.submit((x: number) => x * 2, 21);
    while (!deaf.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    const start = performance.now();
    expect(deaf.cancel({ running: true })).toBe(true);
    expect(queued.result(10)).toBe(42);
    expect(elapsed(start)).toBeGreaterThanOrEqual(0.19);
    const replacement = await executor.submit(mathFixture('whichThread'));
    expect(replacement).not.toBe(workerThread);
    workerThread = replacement;
  });

  it('takes a grace period per call', async () => {
    const deaf = executor.submit(cancelFixture('spinIgnoring'), 30);
    while (!deaf.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    const start = performance.now();
    expect(deaf.cancel({ running: true, grace: 0.01 })).toBe(true);
    workerThread = await executor.submit(mathFixture('whichThread'));
    expect(elapsed(start)).toBeLessThan(5);
  });

  it('leaves a finished call alone', async () => {
    const future = executor.submit((x: number) => x, 1);
    expect(await future).toBe(1);
    expect(future.cancel({ running: true })).toBe(false);
    expect(future.result()).toBe(1);
  });
});
