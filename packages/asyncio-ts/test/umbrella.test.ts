import { describe, expect, it } from 'vitest';
import * as asyncio from 'asyncio-ts';
import * as core from '@asyncio-ts/core';
import * as executors from '@asyncio-ts/executors';
import * as selectors from '@asyncio-ts/selectors';
import * as sync from '@asyncio-ts/sync';

describe('the asyncio-ts umbrella', () => {
  it('re-exports every name of @asyncio-ts/core at the top level', () => {
    for (const name of Object.keys(core)) expect(asyncio[name as keyof typeof asyncio]).toBe(core[name as keyof typeof core]);
  });

  it('re-exports every name of @asyncio-ts/sync at the top level', () => {
    for (const name of Object.keys(sync)) expect(asyncio[name as keyof typeof asyncio]).toBe(sync[name as keyof typeof sync]);
  });

  it('has no name that core and sync both export (export * would drop it silently)', () => {
    const clashes = Object.keys(sync).filter((name) => name in core);
    expect(clashes).toEqual([]);
  });

  it('re-exports every name of @asyncio-ts/executors under futures (concurrent.futures)', () => {
    expect(Object.keys(asyncio.futures).sort()).toEqual(Object.keys(executors).sort());
    for (const name of Object.keys(executors)) {
      expect(asyncio.futures[name as keyof typeof asyncio.futures]).toBe(executors[name as keyof typeof executors]);
    }
  });

  it('re-exports every name of @asyncio-ts/selectors under selectors', () => {
    expect(Object.keys(asyncio.selectors).sort()).toEqual(Object.keys(selectors).sort());
    for (const name of Object.keys(selectors)) {
      expect(asyncio.selectors[name as keyof typeof asyncio.selectors]).toBe(selectors[name as keyof typeof selectors]);
    }
  });

  it('keeps core’s names at the top level where executors clash with them', () => {
    expect(asyncio.Future).toBe(core.Future);
    expect(asyncio.wait).toBe(core.wait);
    expect(asyncio.CancelledError).toBe(core.CancelledError);
    expect(asyncio.futures.Future).toBe(executors.Future);
  });

  it('runs a coroutine with import * as asyncio', async () => {
    const result = await asyncio.run(async () => {
      await asyncio.sleep(0.01);
      return 'done';
    });
    expect(result).toBe('done');
  });

  describe.each(['async', 'generator'] as const)('a Semaphore from the umbrella (%s)', (shape) => {
    it('lets at most two of five workers in at once', async () => {
      let inside = 0;
      let most = 0;
      const order: number[] = [];
      async function worker(semaphore: asyncio.Semaphore, index: number): Promise<number> {
        await semaphore.acquire();
        try {
          most = Math.max(most, ++inside);
          await asyncio.sleep(0.01);
          order.push(index);
          return index * 10;
        } finally {
          inside--;
          semaphore.release();
        }
      }
      function* workerGenerator(semaphore: asyncio.Semaphore, index: number): asyncio.Coroutine<number> {
        yield* semaphore.acquire();
        try {
          most = Math.max(most, ++inside);
          yield* asyncio.sleep(0.01);
          order.push(index);
          return index * 10;
        } finally {
          inside--;
          semaphore.release();
        }
      }
      const results = await asyncio.run(async () => {
        const semaphore = new asyncio.Semaphore(2);
        const tasks = [0, 1, 2, 3, 4].map((index) =>
          shape === 'async'
            ? asyncio.createTask(() => worker(semaphore, index))
            : asyncio.createTask(workerGenerator(semaphore, index)),
        );
        return await asyncio.gather(...tasks);
      });
      expect(results).toEqual([0, 10, 20, 30, 40]);
      expect(most).toBe(2);
      expect(order).toEqual([0, 1, 2, 3, 4]);
    });

    it('gives back its slot when a waiting worker is cancelled', async () => {
      const locked = await asyncio.run(async () => {
        const semaphore = new asyncio.Semaphore(1);
        await semaphore.acquire();
        const waiter =
          shape === 'async'
            ? asyncio.createTask(async () => {
                await semaphore.acquire();
              })
            : asyncio.createTask(
                (function* () {
                  yield* semaphore.acquire();
                })(),
              );
        await asyncio.sleep(0);
        waiter.cancel();
        await expect(waiter).rejects.toBeInstanceOf(asyncio.CancelledError);
        semaphore.release();
        return semaphore.locked();
      });
      expect(locked).toBe(false);
    });
  });
});
