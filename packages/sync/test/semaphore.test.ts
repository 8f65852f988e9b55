// Semaphore and BoundedSemaphore: asyncio's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (SemaphoreTests, 3.12+ FIFO rules), in
// both coroutine shapes, plus the seed guide's scraper: Semaphore(3) over 10
// tasks never lets more than 3 run at once.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  RuntimeError,
  TimeoutError,
  ValueError,
  createTask,
  gather,
  getRunningLoop,
  sleep,
  waitFor,
  type Coroutine,
} from '@asyncio-ts/core';
import { BoundedSemaphore, Semaphore } from '../src/index.js';
import { opsOf, outcomes, RUNS, settleAll, shapeOf, sleeps, targetOf, taskSpec } from './fixtures/schedules.js';
import { flush, runVirtual, shapes } from './helpers.js';

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
      await flush();
      expect(inspect(sem)).toBe('Semaphore [locked, waiters:2]');
      for (const waiter of waiters) waiter.cancel();
      await flush();
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
      // test_acquire. The test itself is a generator, so that it counts
      // iterations as asyncio's does (see Shape.settle()).
      await runVirtual(function* (): Coroutine<void> {
        const sem = new Semaphore(3);
        const result: number[] = [];
        expect(yield* sem.acquire()).toBe(true);
        expect(yield* sem.acquire()).toBe(true);
        expect(sem.locked()).toBe(false);
        const task = (n: number) => createTask(shape.seq(() => sem.acquire(), () => result.push(n)));
        const t1 = task(1);
        const t2 = task(2);
        const t3 = task(3);
        yield* shape.settle();
        expect(result).toEqual([1]);
        expect(sem.locked()).toBe(true);
        expect(inspect(sem)).toBe('Semaphore [locked, waiters:2]');
        const t4 = task(4);
        sem.release();
        sem.release();
        expect(sem.value).toBe(0);
        yield* shape.settle();
        expect(sem.value).toBe(0);
        expect(result).toEqual([1, 2, 3]);
        expect(inspect(sem)).toBe('Semaphore [locked, waiters:1]');
        sem.release();
        yield* gather(t1, t2, t3, t4);
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
        await flush();
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
        await flush();
        tasks[0]!.cancel();
        await flush();
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
        await flush();
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
        await flush();
        t1.cancel();
        sem.release();
        await expect(t2).resolves.toEqual([true]);
        expect(sem.locked()).toBe(true);
      });
    });

    it('passes on a permit handed to a task cancelled before it ran', async () => {
      // test_acquire_no_hang: c1 releases, then cancels c2, which was just
      // handed the permit: c2 meets the CancelledError in acquire() and gives
      // the permit back, and its body never runs.
      await runVirtual(async () => {
        const sem = new Semaphore(1);
        const log: string[] = [];
        let t2: ReturnType<typeof createTask<unknown[]>> | null = null;
        // c1: `async with sem: await sleep(0)`, then t2.cancel() in the same step.
        const t1 = createTask(
          shape.seq(
            () => sem.acquire(),
            () => sleep(0),
            () => log.push('c1'),
            () => sem.release(),
            () => t2!.cancel(),
          ),
        );
        t2 = createTask(shape.using(() => sem.hold(), [() => log.push('c2')]));
        const [r1, r2] = await gather(t1, t2, { returnExceptions: true });
        expect(Array.isArray(r1)).toBe(true);
        expect(r2).toBeInstanceOf(CancelledError);
        expect(log).toEqual(['c1']);
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
        await flush();
        sem.release();
        expect(await waiter).toEqual([expect.anything(), 0]);
        expect(sem.value).toBe(1);
        expect(() => sem.release()).toThrow(ValueError);
      });
    });
  });
});

describe.each([
  { name: 'Semaphore', make: (value: number) => new Semaphore(value) },
  { name: 'BoundedSemaphore', make: (value: number) => new BoundedSemaphore(value) },
])('$name under random schedules', ({ name, make }) => {
  it('never lets more than its value in, loses no permit and ends full', async () => {
    // Tasks of both shapes take a permit, keep it a few iterations and give
    // it back; the driver takes free permits, gives them back, cancels
    // tasks, and gives a permit back and cancels a waiter in the same step.
    // After every operation: at most `value` holders, and holders plus free
    // permits never more than `value` (no permit made twice). At the end
    // every permit is free again (none lost; a BoundedSemaphore would throw
    // on one released twice) and each task that was not cancelled got one.
    const schedule = fc.record({
      value: fc.integer({ min: 1, max: 3 }),
      tasks: fc.array(taskSpec, { minLength: 1, maxLength: 7 }),
      ops: opsOf(['cancel', 'grab', 'drop', 'dropAndCancel'] as const),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async ({ value, tasks: specs, ops }) => {
        await runVirtual(function* (): Coroutine<void> {
          const sem = make(value);
          let driverHolds = 0;
          const inside = specs.map(() => false);
          const entries = specs.map(() => 0);
          const check = (where: string) => {
            const holders = inside.filter(Boolean).length + driverHolds;
            expect(holders, where).toBeLessThanOrEqual(value);
            expect(holders + sem.value, where).toBeLessThanOrEqual(value);
            expect(sem.value, where).toBeGreaterThanOrEqual(0);
          };
          const tasks = specs.map((spec, i) =>
            createTask(
              shapeOf(spec).tryFinally(
                [
                  () => sem.acquire(),
                  () => {
                    inside[i] = true;
                    entries[i]!++;
                    check(`task ${i} entered`);
                  },
                  ...sleeps(spec.hold),
                ],
                [
                  () => {
                    if (!inside[i]) return;
                    inside[i] = false;
                    sem.release();
                  },
                ],
              ),
            ),
          );
          for (const op of ops) {
            const target = targetOf(tasks, op);
            if (op.kind === 'tick') yield* sleep(0);
            else if (op.kind === 'cancel') target?.cancel();
            else if (op.kind === 'grab' && !sem.locked()) {
              expect(sem.acquire().done()).toBe(true);
              driverHolds++;
            } else if ((op.kind === 'drop' || op.kind === 'dropAndCancel') && driverHolds > 0) {
              driverHolds--;
              sem.release();
              if (op.kind === 'dropAndCancel') target?.cancel();
            }
            check(`after ${op.kind}`);
          }
          for (; driverHolds > 0; driverHolds--) sem.release();
          yield* settleAll(tasks, check);
          expect(tasks.every((task) => task.done())).toBe(true);
          expect(inspect(sem)).toBe(`${name} [unlocked, value:${value}]`);
          outcomes(tasks).forEach((outcome, i) => {
            if ('error' in outcome) throw outcome.error;
            if ('value' in outcome) expect(entries[i]).toBe(1);
          });
        });
      }),
      { numRuns: RUNS },
    );
  });
});
