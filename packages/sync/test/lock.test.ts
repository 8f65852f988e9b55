// Lock: asyncio.Lock's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (LockTests), in both coroutine shapes.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  RuntimeError,
  TimeoutError,
  createTask,
  currentTask,
  getRunningLoop,
  isFuture,
  sleep,
  waitFor,
  type Coroutine,
  type Future,
} from '@asyncio-ts/core';
import { Lock } from '../src/index.js';
import { opsOf, outcomes, RUNS, settleAll, shapeOf, sleeps, targetOf, taskSpec } from './fixtures/schedules.js';
import { flush, runVirtual, shapes } from './helpers.js';

describe('Lock', () => {
  it('prints its state as asyncio does', async () => {
    await runVirtual(async () => {
      const lock = new Lock();
      expect(inspect(lock)).toBe('Lock [unlocked]');
      await lock.acquire();
      expect(String(lock)).toBe('Lock [locked]');
      const waiters = [createTask(async () => lock.acquire()), createTask(async () => lock.acquire())];
      await flush();
      expect(inspect(lock)).toBe('Lock [locked, waiters:2]');
      for (const waiter of waiters) waiter.cancel();
      await flush();
      expect(inspect(lock)).toBe('Lock [locked]');
    });
  });

  it('throws RuntimeError when released while unlocked', async () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(RuntimeError);
    expect(() => lock.release()).toThrow('Lock is not acquired');
  });

  it('throws RuntimeError from acquire() when no loop is running', () => {
    expect(() => new Lock().acquire()).toThrow(RuntimeError);
  });

  it('may be taken without contention on any loop, but waits on one loop only', async () => {
    // asyncio binds a lock to a loop when it first makes a waiter
    // (test_ambiguous_loops): the fast path touches no loop.
    const lock = new Lock();
    await runVirtual(async () => {
      await lock.acquire();
      const waiter = createTask(async () => lock.acquire());
      await flush();
      lock.release();
      await waiter;
      lock.release();
    });
    await runVirtual(async () => {
      await lock.acquire();
      expect(() => lock.acquire()).toThrow(/bound to a different event loop/);
      lock.release();
      expect(lock.locked()).toBe(false);
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    it('acquires a free lock at once, with a Future that is already done', async () => {
      await runVirtual(async () => {
        const lock = new Lock();
        const future = lock.acquire();
        expect(isFuture(future)).toBe(true);
        expect(future.done()).toBe(true);
        lock.release();
        const result = await createTask(shape.seq(() => lock.acquire(), () => lock.locked()));
        expect(result).toEqual([true, true]);
        lock.release();
        expect(lock.locked()).toBe(false);
      });
    });

    it('takes a free lock even when its task is being cancelled, which then lands at the next wait', async () => {
      // An uncontended `await lock.acquire()` does not suspend in asyncio, so
      // it is no cancellation point: a task whose cancellation is pending
      // gets the lock, and the CancelledError at its next real wait.
      await runVirtual(async () => {
        const lock = new Lock();
        const log: unknown[] = [];
        const task = createTask(
          shape.tryFinally(
            [() => currentTask()!.cancel(), () => lock.acquire(), () => log.push(lock.locked()), () => sleep(0), () => log.push('past the wait')],
            [() => lock.release()],
          ),
        );
        await expect(task).rejects.toThrow(CancelledError);
        expect(log).toEqual([true]);
        expect(lock.locked()).toBe(false);
      });
    });

    it('wakes its waiters first come, first served', async () => {
      // test_acquire. The test itself is a generator, so that it counts
      // iterations as asyncio's does (see Shape.settle()).
      await runVirtual(function* (): Coroutine<void> {
        const lock = new Lock();
        const result: number[] = [];
        expect(yield* lock.acquire()).toBe(true);
        const task = (n: number) => createTask(shape.seq(() => lock.acquire(), () => result.push(n)));
        const t1 = task(1);
        const t2 = task(2);
        yield* shape.settle();
        expect(result).toEqual([]);
        lock.release();
        yield* shape.settle();
        expect(result).toEqual([1]);
        yield* shape.settle();
        expect(result).toEqual([1]);
        const t3 = task(3);
        lock.release();
        yield* shape.settle();
        expect(result).toEqual([1, 2]);
        lock.release();
        yield* shape.settle();
        expect(result).toEqual([1, 2, 3]);
        for (const t of [t1, t2, t3]) expect((yield* t)[0]).toBe(true);
        lock.release();
      });
    });

    it('hands the lock to a woken waiter before a later acquire()', async () => {
      await runVirtual(function* (): Coroutine<void> {
        const lock = new Lock();
        const order: string[] = [];
        yield* lock.acquire();
        const waiter = createTask(shape.seq(() => lock.acquire(), () => order.push('waiter'), () => sleep(0), () => lock.release()));
        yield* shape.settle();
        lock.release();
        // The waiter was woken but has not run: a new acquire() waits behind it.
        const again = lock.acquire();
        expect(again.done()).toBe(false);
        expect(lock.locked()).toBe(true);
        yield* again;
        order.push('main');
        expect(order).toEqual(['waiter', 'main']);
        yield* waiter;
        lock.release();
      });
    });

    it('releases a lock taken with hold() on the way out of `using`', async () => {
      await runVirtual(async () => {
        const lock = new Lock();
        const inside = await createTask(shape.using(() => lock.hold(), [() => lock.locked()]));
        expect(inside[1]).toBe(true);
        expect(lock.locked()).toBe(false);
      });
    });

    it('releases a lock taken with hold() when the body throws', async () => {
      await runVirtual(async () => {
        const lock = new Lock();
        const boom = new Error('boom');
        const task = createTask(
          shape.using(
            () => lock.hold(),
            [
              () => {
                throw boom;
              },
            ],
          ),
        );
        await expect(task).rejects.toBe(boom);
        expect(lock.locked()).toBe(false);
      });
    });

    it('takes a waiter cancelled before it was woken out of the queue', async () => {
      // test_acquire_cancel
      await runVirtual(async () => {
        const lock = new Lock();
        await lock.acquire();
        const task = createTask(shape.seq(() => lock.acquire()));
        getRunningLoop().callSoon(() => task.cancel());
        await expect(task).rejects.toThrow(CancelledError);
        expect(inspect(lock)).toBe('Lock [locked]');
        lock.release();
        expect(lock.locked()).toBe(false);
      });
    });

    it('passes the lock over a waiter cancelled as the lock is released', async () => {
      // test_cancel_race: A holds the lock, B and C wait. B is cancelled in
      // the same iteration as A releases: C must get the lock.
      await runVirtual(async () => {
        const lock = new Lock();
        const log: string[] = [];
        const lockit = (name: string, blocker: Future<void> | null) =>
          createTask(shape.using(() => lock.hold(), [() => log.push(name), () => blocker]));
        const blocker = getRunningLoop().createFuture<void>();
        const a = lockit('A', blocker);
        await flush();
        expect(lock.locked()).toBe(true);
        const b = lockit('B', null);
        await flush();
        const c = lockit('C', null);
        await flush();
        expect(inspect(lock)).toBe('Lock [locked, waiters:2]');
        blocker.setResult();
        b.cancel();
        await flush();
        await c;
        expect(a.done() && !a.cancelled()).toBe(true);
        expect(b.cancelled()).toBe(true);
        expect(log).toEqual(['A', 'C']);
        expect(inspect(lock)).toBe('Lock [unlocked]');
      });
    });

    it('lets only one waiter take the lock when another is cancelled as it is released', async () => {
      // test_cancel_release_race (bpo-32734)
      await runVirtual(async () => {
        const lock = new Lock();
        let calls = 0;
        let taken = 0;
        const lockit = () =>
          createTask(
            shape.seq(
              () => calls++,
              () => lock.acquire(),
              () => taken++,
            ),
          );
        await lock.acquire();
        const t1 = lockit();
        const t2 = lockit();
        const t3 = lockit();
        await flush();
        getRunningLoop().callSoon(() => {
          t1.cancel();
          lock.release();
        });
        await expect(t1).rejects.toThrow(CancelledError);
        await flush();
        expect(taken).toBe(1);
        expect(calls).toBe(3);
        expect(t1.cancelled()).toBe(true);
        await t2;
        t3.cancel();
        await expect(t3).rejects.toThrow(CancelledError);
        lock.release();
        expect(inspect(lock)).toBe('Lock [unlocked]');
      });
    });

    it('does not lose the lock to a woken waiter cancelled before it runs', async () => {
      // test_finished_waiter_cancelled, with the cancellation after the
      // hand-over and before B runs: B gets CancelledError from its
      // acquire(), as an asyncio coroutine would, and the lock goes on to C.
      await runVirtual(async () => {
        const lock = new Lock();
        const log: string[] = [];
        await lock.acquire();
        const b = createTask(shape.using(() => lock.hold(), [() => log.push('B'), () => sleep(0)]));
        const c = createTask(shape.using(() => lock.hold(), [() => log.push('C')]));
        await flush();
        expect(inspect(lock)).toBe('Lock [locked, waiters:2]');
        lock.release();
        b.cancel();
        await expect(b).rejects.toThrow(CancelledError);
        await c;
        expect(log).toEqual(['C']);
        expect(inspect(lock)).toBe('Lock [unlocked]');
      });
    });

    it('serves its waiters in order after most of them were cancelled in the middle of the queue', async () => {
      await runVirtual(async () => {
        const lock = new Lock();
        await lock.acquire();
        const order: number[] = [];
        const tasks = Array.from({ length: 100 }, (_, i) =>
          createTask(shape.seq(() => lock.acquire(), () => order.push(i), () => lock.release())),
        );
        await flush();
        expect(inspect(lock)).toBe('Lock [locked, waiters:100]');
        tasks.forEach((task, i) => i % 3 !== 0 && task.cancel());
        await flush();
        expect(inspect(lock)).toBe('Lock [locked, waiters:34]');
        lock.release();
        await tasks[99];
        expect(order).toEqual(Array.from({ length: 34 }, (_, i) => 3 * i));
        expect(inspect(lock)).toBe('Lock [unlocked]');
      });
    });

    it('leaves no waiter behind when waitFor() times out on acquire()', async () => {
      await runVirtual(async () => {
        const lock = new Lock();
        await lock.acquire();
        const task = createTask(shape.seq(() => waitFor(lock.acquire(), 0.5)));
        await expect(task).rejects.toThrow(TimeoutError);
        expect(getRunningLoop().time()).toBeGreaterThanOrEqual(0.5);
        expect(inspect(lock)).toBe('Lock [locked]');
        lock.release();
        expect(lock.locked()).toBe(false);
      });
    });
  });

  it('gives a Releaser that releases once', async () => {
    await runVirtual(async () => {
      const lock = new Lock();
      const held = await lock.hold();
      expect(held.released).toBe(false);
      held.release();
      expect(held.released).toBe(true);
      expect(lock.locked()).toBe(false);
      await lock.acquire();
      held[Symbol.dispose]();
      expect(lock.locked()).toBe(true);
      lock.release();
    });
  });
});

describe('Lock under random schedules', () => {
  it('keeps mutual exclusion, loses no wake-up and ends unlocked', async () => {
    // Tasks of both shapes take the lock, hold it for a few iterations and
    // release it; the driver takes it when free, releases it, cancels
    // tasks, and releases and cancels a waiter in the same step (the
    // hand-over race). After every operation: at most one holder, a holder
    // means locked, and an unlocked lock has no waiter. At the end every
    // task is done, each task that was not cancelled held the lock once,
    // and the lock is free.
    const schedule = fc.record({
      tasks: fc.array(taskSpec, { minLength: 1, maxLength: 6 }),
      ops: opsOf(['cancel', 'grab', 'drop', 'dropAndCancel'] as const),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async ({ tasks: specs, ops }) => {
        await runVirtual(function* (): Coroutine<void> {
          const lock = new Lock();
          let driverHolds = false;
          const inside = specs.map(() => false);
          const entries = specs.map(() => 0);
          const check = (where: string) => {
            const holders = inside.filter(Boolean).length + (driverHolds ? 1 : 0);
            expect(holders, where).toBeLessThanOrEqual(1);
            if (holders === 1) expect(lock.locked(), where).toBe(true);
            if (!lock.locked()) expect(inspect(lock), where).toBe('Lock [unlocked]');
          };
          const tasks = specs.map((spec, i) =>
            createTask(
              shapeOf(spec).tryFinally(
                [
                  () => lock.acquire(),
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
                    lock.release();
                  },
                ],
              ),
            ),
          );
          for (const op of ops) {
            const target = targetOf(tasks, op);
            if (op.kind === 'tick') yield* sleep(0);
            else if (op.kind === 'cancel') target?.cancel();
            else if (op.kind === 'grab' && !lock.locked()) {
              expect(lock.acquire().done()).toBe(true);
              driverHolds = true;
            } else if ((op.kind === 'drop' || op.kind === 'dropAndCancel') && driverHolds) {
              driverHolds = false;
              lock.release();
              if (op.kind === 'dropAndCancel') target?.cancel();
            }
            check(`after ${op.kind}`);
          }
          if (driverHolds) {
            driverHolds = false;
            lock.release();
          }
          yield* settleAll(tasks, check);
          expect(tasks.every((task) => task.done())).toBe(true);
          expect(inspect(lock)).toBe('Lock [unlocked]');
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
