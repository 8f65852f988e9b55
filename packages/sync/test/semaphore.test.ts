// Semaphore and BoundedSemaphore: asyncio's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (SemaphoreTests, 3.12+ FIFO rules), in
// both coroutine shapes, plus the seed guide's scraper: Semaphore(3) over 10
// tasks never lets more than 3 run at once.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError, TimeoutError, ValueError, createTask, gather, getRunningLoop, sleep, waitFor } from '@asyncio-ts/core';
import { BoundedSemaphore, Semaphore } from '../src/index.js';
import { runVirtual, settle, shapes } from './helpers.js';

describe('Semaphore', () => {
  it('is locked from the start with value 0', () => {
    expect(new Semaphore(0).locked()).toBe(true);
    expect(new Semaphore().locked()).toBe(false);
    expect(new Semaphore().value).toBe(1);
  });

  it('refuses a value that is not a whole number >= 0', () => {
    expect(() => new Semaphore(-1)).toThrow(ValueError);
    expect(() => new Semaphore(-1)).toThrow('Semaphore() expects value >= 0, got -1');
    expect(() => new Semaphore(1.5)).toThrow(ValueError);
    expect(() => new Semaphore('2' as unknown as number)).toThrow(TypeError);
    expect(() => new BoundedSemaphore(-1)).toThrow('BoundedSemaphore() expects value >= 0');
  });

  it('prints its state as asyncio does', async () => {
    await runVirtual(async () => {
      const sem = new Semaphore();
      expect(inspect(sem)).toBe('Semaphore [unlocked, value:1]');
      await sem.acquire();
      expect(String(sem)).toBe('Semaphore [locked]');
      const waiters = [createTask(async () => sem.acquire()), createTask(async () => sem.acquire())];
      await sleep(0);
      expect(inspect(sem)).toBe('Semaphore [locked, waiters:2]');
      for (const waiter of waiters) waiter.cancel();
      await sleep(0);
      expect(inspect(new BoundedSemaphore(2))).toBe('BoundedSemaphore [unlocked, value:2]');
    });
  });

  it('throws RuntimeError from acquire() when no loop is running', () => {
    expect(() => new Semaphore().acquire()).toThrow(RuntimeError);
  });

  it('counts a release without waiters up', async () => {
    // test_release_no_waiters
    await runVirtual(async () => {
      const sem = new Semaphore();
      await sem.acquire();
      expect(sem.locked()).toBe(true);
      sem.release();
      expect(sem.locked()).toBe(false);
      sem.release();
      expect(sem.value).toBe(2);
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    it('hands permits to waiters first come, first served', async () => {
      // test_acquire
      await runVirtual(async () => {
        const sem = new Semaphore(3);
        const result: number[] = [];
        expect(await sem.acquire()).toBe(true);
        expect(await sem.acquire()).toBe(true);
        expect(sem.locked()).toBe(false);
        const task = (n: number) => createTask(shape.seq(() => sem.acquire(), () => result.push(n)));
        const t1 = task(1);
        const t2 = task(2);
        const t3 = task(3);
        await settle(shape);
        expect(result).toEqual([1]);
        expect(sem.locked()).toBe(true);
        expect(inspect(sem)).toBe('Semaphore [locked, waiters:2]');
        const t4 = task(4);
        sem.release();
        sem.release();
        expect(sem.value).toBe(0);
        await sleep(0);
        expect(sem.value).toBe(0);
        expect(result).toEqual([1, 2, 3]);
        expect(inspect(sem)).toBe('Semaphore [locked, waiters:1]');
        sem.release();
        await gather(t1, t2, t3, t4);
        expect(result).toEqual([1, 2, 3, 4]);
      });
    });

    it('keeps FIFO order across release and re-acquire', async () => {
      // test_acquire_fifo_order
      await runVirtual(async () => {
        const sem = new Semaphore(1);
        const result: string[] = [];
        const coro = (tag: string) =>
          createTask(
            shape.seq(
              () => sem.acquire(),
              () => result.push(`${tag}_1`),
              () => sleep(0.01),
              () => sem.release(),
              () => sem.acquire(),
              () => result.push(`${tag}_2`),
              () => sleep(0.01),
              () => sem.release(),
            ),
          );
        await gather(coro('c1'), coro('c2'), coro('c3'));
        expect(result).toEqual(['c1_1', 'c2_1', 'c3_1', 'c1_2', 'c2_2', 'c3_2']);
      });
    });

    it('makes a task that releases and re-acquires wait behind the waiters', async () => {
      // test_acquire_fifo_order_2
      await runVirtual(async () => {
        const sem = new Semaphore(1);
        const result: number[] = [];
        const t1 = createTask(shape.seq(() => sem.acquire(), () => result.push(1)));
        const t2 = createTask(
          shape.seq(
            () => sem.acquire(),
            () => result.push(2),
            () => sem.release(),
            () => sem.acquire(),
            () => result.push(4),
          ),
        );
        const t3 = createTask(shape.seq(() => sem.acquire(), () => result.push(3)));
        await sleep(0);
        sem.release();
        sem.release();
        await gather(t1, t2, t3);
        expect(result).toEqual([1, 2, 3, 4]);
      });
    });

    it('skips a waiter cancelled before any permit was free', async () => {
      // test_acquire_fifo_order_3
      await runVirtual(async () => {
        const sem = new Semaphore(0);
        const result: number[] = [];
        const task = (n: number) => createTask(shape.seq(() => sem.acquire(), () => result.push(n)));
        const tasks = [task(1), task(2), task(3)];
        await sleep(0);
        tasks[0]!.cancel();
        await sleep(0);
        sem.release();
        sem.release();
        await gather(...tasks, { returnExceptions: true });
        expect(result).toEqual([2, 3]);
      });
    });

    it('gives a released permit to the first waiter that was not cancelled', async () => {
      // test_acquire_cancel_before_awoken
      await runVirtual(async () => {
        const sem = new Semaphore(0);
        const tasks = [1, 2, 3, 4].map(() => createTask(shape.seq(() => sem.acquire())));
        await sleep(0);
        tasks[0]!.cancel();
        tasks[1]!.cancel();
        sem.release();
        await expect(tasks[2]).resolves.toEqual([true]);
        expect(tasks[3]!.done()).toBe(false);
        tasks[3]!.cancel();
        await expect(tasks[3]).rejects.toThrow(CancelledError);
        expect(inspect(sem)).toBe('Semaphore [locked]');
      });
    });

    it('does not hang when a waiter is cancelled as the permit is released', async () => {
      // test_acquire_hang
      await runVirtual(async () => {
        const sem = new Semaphore(0);
        const t1 = createTask(shape.seq(() => sem.acquire()));
        const t2 = createTask(shape.seq(() => sem.acquire()));
        await sleep(0);
        t1.cancel();
        sem.release();
        await expect(t2).resolves.toEqual([true]);
        expect(sem.locked()).toBe(true);
      });
    });

    it('passes on a permit handed to a task cancelled before it ran', async () => {
      // test_acquire_no_hang: c1 releases, then cancels c2, which was just
      // handed the permit. A generator meets the CancelledError in acquire()
      // and gives the permit back; an async function holds it (its Future is
      // done) and meets the cancellation at its next await, with `using`
      // giving the permit back. Either way the semaphore is free afterwards.
      await runVirtual(async () => {
        const sem = new Semaphore(1);
        const log: string[] = [];
        let t2: ReturnType<typeof createTask<unknown[]>> | null = null;
        const t1 = createTask(shape.using(() => sem.hold(), [() => sleep(0), () => log.push('c1')]));
        t1.addDoneCallback(() => t2!.cancel());
        const c1Done = createTask(shape.seq(() => t1, () => t2!.cancel()));
        t2 = createTask(shape.using(() => sem.hold(), [() => log.push('c2'), () => sleep(0), () => log.push('c2 after')]));
        const [r1, , r2] = await gather(t1, c1Done, t2, { returnExceptions: true });
        expect(Array.isArray(r1)).toBe(true);
        expect(r2).toBeInstanceOf(CancelledError);
        expect(log).not.toContain('c2 after');
        await waitFor(sem.acquire(), 1);
        expect(sem.value).toBe(0);
        sem.release();
        expect(sem.value).toBe(1);
      });
    });

    it('never lets more than 3 of 10 scraper tasks run at once', async () => {
      // The seed guide's AsyncScraper: `async with self.semaphore` around each fetch.
      await runVirtual(async () => {
        const sem = new Semaphore(3);
        let active = 0;
        let peak = 0;
        const started: number[] = [];
        const fetchUrl = (n: number) =>
          createTask(
            shape.using(
              () => sem.hold(),
              [
                () => {
                  started.push(n);
                  active++;
                  peak = Math.max(peak, active);
                },
                () => sleep(1),
                () => active--,
              ],
            ),
          );
        const begin = getRunningLoop().time();
        await gather(...Array.from({ length: 10 }, (_, n) => fetchUrl(n)));
        expect(peak).toBe(3);
        expect(active).toBe(0);
        expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        // Four rounds of one second: 3 + 3 + 3 + 1.
        expect(getRunningLoop().time() - begin).toBeCloseTo(4, 6);
        expect(inspect(sem)).toBe('Semaphore [unlocked, value:3]');
      });
    });

    it('leaves no waiter behind when waitFor() times out on acquire()', async () => {
      await runVirtual(async () => {
        const sem = new Semaphore(0);
        await expect(createTask(shape.seq(() => waitFor(sem.acquire(), 0.2)))).rejects.toThrow(TimeoutError);
        expect(inspect(sem)).toBe('Semaphore [locked]');
        sem.release();
        expect(sem.value).toBe(1);
      });
    });
  });
});

describe('BoundedSemaphore', () => {
  it('throws ValueError naming the bound when released too often', async () => {
    // test_release_not_acquired
    const sem = new BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(ValueError);
    expect(() => sem.release()).toThrow(/released too many times.*bound of 2/);
    await runVirtual(async () => {
      await sem.acquire();
      sem.release();
      expect(() => sem.release()).toThrow(ValueError);
      expect(sem.value).toBe(2);
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    it('hands a permit to a waiter without going past its bound', async () => {
      await runVirtual(async () => {
        const sem = new BoundedSemaphore(1);
        await sem.acquire();
        const waiter = createTask(shape.using(() => sem.hold(), [() => sem.value]));
        await sleep(0);
        sem.release();
        expect(await waiter).toEqual([expect.anything(), 0]);
        expect(sem.value).toBe(1);
        expect(() => sem.release()).toThrow(ValueError);
      });
    });
  });
});
