import { describe, expect, it } from 'vitest';
import { BrokenExecutor, BrokenThreadPool, ThreadPoolExecutor } from '../src/index.js';
import { dieFixture, mathFixture } from './helpers.js';

describe('a worker that dies', () => {
  it('breaks the pool: every pending future gets BrokenThreadPool, even one blocked in result() on the main thread', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
    const slow = executor.submit(mathFixture('sleepBlocking'), 0.3);
    const exiting = executor.submit(dieFixture('exitWorker'), 3);
    const queued = [1, 2, 3].map((value) => executor.submit((x: number) => x, value));
    // Blocks this thread with no timeout: the supervisor's report must wake it.
    expect(() => exiting.result()).toThrow(BrokenThreadPool);
    const error = exiting.exception() as BrokenThreadPool;
    expect(error.message).toBe('A worker thread terminated abruptly (exit code 3), the thread pool is not usable anymore');
    expect(BrokenExecutor.isInstance(error)).toBe(true);
    expect(error.code).toBe('ASYNCIO_BROKEN_THREAD_POOL');
    for (const future of [slow, ...queued]) {
      expect(future.done()).toBe(true);
      expect(BrokenThreadPool.isInstance(future.exception())).toBe(true);
    }
    expect(() => executor.submit((x: number) => x, 4)).toThrow(/terminated abruptly/);
    await executor.shutdown();
  });

  it('breaks the pool on an error thrown outside any call, with that error as the cause', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const crashing = executor.submit(dieFixture('crashLater'));
    await expect(crashing).rejects.toThrow(BrokenThreadPool);
    const error = crashing.exception() as Error;
    expect(error.message).toContain('uncaught in the worker');
    expect((error.cause as Error).message).toBe('uncaught in the worker');
    await executor.shutdown();
  });

  it('breaks the pool when a worker runs out of memory', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    const hungry = executor.submit(dieFixture('exhaustMemory'));
    const next = executor.submit((x: number) => x, 1);
    expect(() => hungry.result(30)).toThrow(BrokenThreadPool);
    expect(String((hungry.exception() as Error).message)).toMatch(/terminated abruptly.*memory/i);
    expect(BrokenThreadPool.isInstance(next.exception(0))).toBe(true);
    await executor.shutdown();
  });
});
