// Condition: asyncio.Condition's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (ConditionTests, with Python 3.13's
// cancellation tests: a cancelled waiter passes its notification on), in
// both coroutine shapes.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  RuntimeError,
  TimeoutError,
  createTask,
  gather,
  getRunningLoop,
  sleep,
  timeout,
  waitFor,
  type Coroutine,
} from '@asyncio-ts/core';
import { Condition, Lock } from '../src/index.js';
import { opsOf, outcomes, RUNS, settleAll, shapeOf, targetOf, taskSpec } from './fixtures/schedules.js';
import { flush, idle, runVirtual, shapes, type CoroutineFunction, type Shape } from './helpers.js';

/**
 * The consumer of test_cancelled_wakeup: holding the condition, it waits
 * for state != 0 and takes one unit, until state goes negative.
 */
function consumer(shape: Shape, condition: Condition, state: { value: number }): CoroutineFunction<void> {
  if (shape.name === 'function*') {
    return function* (): Coroutine<void> {
      using held = yield* condition.hold();
      for (;;) {
        yield* condition.waitFor(() => state.value !== 0);
        if (state.value < 0) return;
        state.value--;
      }
    };
  }
  return async () => {
    using held = await condition.hold();
    for (;;) {
      await condition.waitFor(() => state.value !== 0);
      if (state.value < 0) return;
      state.value--;
    }
  };
}

describe('Condition', () => {
  it('prints its state as asyncio does', async () => {
    await runVirtual(async () => {
      const cond = new Condition();
      expect(inspect(cond)).toBe('Condition [unlocked]');
      await cond.acquire();
      expect(String(cond)).toBe('Condition [locked]');
      cond.release();
      const waiter = function* (): Coroutine<void> {
        using held = yield* cond.hold();
        yield* cond.waitFor(() => false);
      };
      const waiters = [createTask(waiter), createTask(waiter)];
      await sleep(0);
      // The waiters released the lock when they started waiting.
      expect(inspect(cond)).toBe('Condition [unlocked, waiters:2]');
      for (const waiter of waiters) waiter.cancel();
      await gather(...waiters, { returnExceptions: true });
      expect(inspect(cond)).toBe('Condition [unlocked]');
    });
  });

  it('refuses a lock that is not a Lock', () => {
    expect(() => new Condition({} as Lock)).toThrow(TypeError);
    expect(() => new Condition({} as Lock)).toThrow(/expects a Lock/);
  });

  it('throws RuntimeError from notify() and notifyAll() without the lock', () => {
    // test_notify_unacquired, test_notify_all_unacquired
    const cond = new Condition();
    expect(() => cond.notify()).toThrow(RuntimeError);
    expect(() => cond.notifyAll()).toThrow('cannot notify on un-acquired lock');
  });

  it('refuses a predicate that is not a function', async () => {
    await runVirtual(async () => {
      const cond = new Condition();
      expect(() => cond.waitFor(true as unknown as () => boolean)).toThrow(TypeError);
    });
  });

  it('uses the Lock it is given, and several conditions may share one', async () => {
    // test_explicit_lock
    await runVirtual(async () => {
      const lock = new Lock();
      const a = new Condition(lock);
      const b = new Condition(lock);
      {
        using held = await a.hold();
        expect(lock.locked() && a.locked() && b.locked()).toBe(true);
      }
      expect(lock.locked() || a.locked() || b.locked()).toBe(false);
      {
        using held = await lock.hold();
        expect(a.locked()).toBe(true);
      }
      expect(a.locked()).toBe(false);
    });
  });

  it('waits on one loop only, with its lock', async () => {
    // test_ambiguous_loops
    const lock = new Lock();
    await runVirtual(async () => {
      await lock.acquire();
      const waiter = createTask(async () => lock.acquire());
      await sleep(0);
      lock.release();
      await waiter;
      lock.release();
    });
    await runVirtual(async () => {
      const cond = new Condition(lock);
      await cond.acquire();
      expect(() => cond.acquire()).toThrow(/bound to a different event loop/);
      expect(() => cond.wait()).toThrow(/bound to a different event loop/);
      expect(cond.locked()).toBe(true);
      cond.release();
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    it('wakes waiters one by one, each taking the lock in turn', async () => {
      // test_wait. The test itself is a generator, so that it counts
      // iterations as asyncio's does (see Shape.settle()).
      await runVirtual(function* (): Coroutine<void> {
        const cond = new Condition();
        const result: number[] = [];
        const task = (n: number) => createTask(shape.seq(() => cond.acquire(), () => cond.wait(), () => result.push(n)));
        const tasks = [task(1), task(2), task(3)];
        yield* shape.settle();
        expect(result).toEqual([]);
        expect(cond.locked()).toBe(false);
        expect(yield* cond.acquire()).toBe(true);
        cond.notify();
        yield* shape.settle();
        expect(result).toEqual([]);
        expect(cond.locked()).toBe(true);
        cond.release();
        yield* shape.settle();
        expect(result).toEqual([1]);
        expect(cond.locked()).toBe(true);
        cond.notify(2);
        yield* shape.settle();
        expect(result).toEqual([1]);
        cond.release();
        yield* shape.settle();
        expect(result).toEqual([1, 2]);
        cond.release();
        yield* shape.settle();
        expect(result).toEqual([1, 2, 3]);
        expect(cond.locked()).toBe(true);
        for (const t of tasks) expect((yield* t).slice(0, 2)).toEqual([true, true]);
        cond.release();
      });
    });

    it('takes the lock back when cancelled while waiting', async () => {
      // test_wait_cancel
      await runVirtual(async () => {
        const cond = new Condition();
        await cond.acquire();
        const waiter = createTask(shape.seq(() => cond.wait()));
        getRunningLoop().callSoon(() => waiter.cancel());
        await expect(waiter).rejects.toThrow(CancelledError);
        expect(inspect(cond)).toBe('Condition [locked]');
        cond.release();
      });
    });

    it('ends a wait cancelled while the lock is contested with the lock held', async () => {
      // test_wait_cancel_contested
      await runVirtual(async () => {
        const cond = new Condition();
        await cond.acquire();
        const waitTask = createTask(shape.seq(() => cond.wait()));
        await flush();
        expect(cond.locked()).toBe(false);
        await cond.acquire();
        cond.notify();
        getRunningLoop().callSoon(() => waitTask.cancel());
        getRunningLoop().callSoon(() => cond.release());
        await gather(waitTask, { returnExceptions: true });
        expect(cond.locked()).toBe(true);
        cond.release();
      });
    });

    it('throws CancelledError once the lock is back when cancelled after notify()', async () => {
      // test_wait_cancel_after_notify (bpo-32841)
      await runVirtual(async () => {
        const cond = new Condition();
        let waited = false;
        const waiter = createTask(
          shape.using(
            () => cond.hold(),
            [
              () => {
                waited = true;
              },
              () => cond.wait(),
            ],
          ),
        );
        await flush();
        await cond.acquire();
        cond.notify();
        await flush();
        waiter.cancel();
        await flush();
        cond.release();
        await expect(waiter).rejects.toThrow(CancelledError);
        expect(waited).toBe(true);
        expect(cond.locked()).toBe(false);
      });
    });

    it('throws RuntimeError from wait() without the lock', async () => {
      // test_wait_unacquired
      await runVirtual(async () => {
        const cond = new Condition();
        await expect(createTask(shape.seq(() => cond.wait()))).rejects.toThrow(RuntimeError);
        await expect(createTask(shape.seq(() => cond.wait()))).rejects.toThrow('cannot wait on un-acquired lock');
      });
    });

    it('waits until the predicate holds', async () => {
      // test_wait_for
      await runVirtual(async () => {
        const cond = new Condition();
        let ready = false;
        const result: number[] = [];
        const task = createTask(
          shape.seq(
            () => cond.acquire(),
            () => cond.waitFor(() => ready),
            () => result.push(1),
            () => cond.release(),
          ),
        );
        await flush();
        expect(result).toEqual([]);
        await cond.acquire();
        cond.notify();
        cond.release();
        await flush();
        expect(result).toEqual([]);
        ready = true;
        await cond.acquire();
        cond.notify();
        cond.release();
        expect((await task)[1]).toBe(true);
        expect(result).toEqual([1]);
        expect(cond.locked()).toBe(false);
      });
    });

    it('returns a predicate that holds at once without the lock, and waits only with it', async () => {
      // test_wait_for_unacquired
      await runVirtual(async () => {
        const cond = new Condition();
        expect(await createTask(shape.seq(() => cond.waitFor(() => [1, 2, 3])))).toEqual([[1, 2, 3]]);
        await expect(createTask(shape.seq(() => cond.waitFor(() => false)))).rejects.toThrow(RuntimeError);
      });
    });

    it('fails waitFor() with the predicate error, holding the lock', async () => {
      await runVirtual(async () => {
        const cond = new Condition();
        const boom = new Error('boom');
        let calls = 0;
        const task = createTask(
          shape.tryFinally(
            [
              () => cond.acquire(),
              () =>
                cond.waitFor(() => {
                  if (++calls === 2) throw boom;
                  return false;
                }),
            ],
            [() => cond.locked(), () => cond.release()],
          ),
        );
        await flush();
        await cond.acquire();
        cond.notify();
        cond.release();
        await expect(task).rejects.toBe(boom);
        expect(cond.locked()).toBe(false);
      });
    });

    it('wakes at most n waiters with notify(n), and all with notifyAll()', async () => {
      // test_notify, test_notify_all
      await runVirtual(async () => {
        const cond = new Condition();
        const result: number[] = [];
        const task = (n: number) =>
          createTask(shape.seq(() => cond.acquire(), () => cond.wait(), () => result.push(n), () => cond.release()));
        const tasks = [task(1), task(2), task(3)];
        await flush();
        await cond.acquire();
        cond.notify(1);
        cond.release();
        await tasks[0];
        expect(result).toEqual([1]);
        await cond.acquire();
        cond.notify(1);
        cond.notify(2048);
        cond.release();
        await gather(...tasks);
        expect(result).toEqual([1, 2, 3]);
        const more = [task(4), task(5)];
        await flush();
        await cond.acquire();
        cond.notifyAll();
        cond.release();
        await gather(...more);
        expect(result).toEqual([1, 2, 3, 4, 5]);
      });
    });

    it('times out a wait() with the lock held again', async () => {
      // test_timeout_in_block
      await runVirtual(async () => {
        const cond = new Condition();
        const task = createTask(shape.using(() => cond.hold(), [() => waitFor(cond.wait(), 0.5)]));
        await expect(task).rejects.toThrow(TimeoutError);
        expect(cond.locked()).toBe(false);
      });
    });

    it('rethrows the CancelledError of a cancelled wait, with its message', async () => {
      // test_cancelled_error_wakeup and test_cancelled_error_re_aquire
      await runVirtual(async () => {
        for (const notifyFirst of [false, true]) {
          const cond = new Condition();
          let wake = false;
          const task = createTask(shape.using(() => cond.hold(), [() => cond.waitFor(() => wake)]));
          await flush();
          if (notifyFirst) {
            await cond.acquire();
            wake = true;
            cond.notify();
            await flush();
            task.cancel('foo');
            cond.release();
          } else {
            task.cancel('foo');
          }
          const error = await task.then(
            () => null,
            (thrown: unknown) => thrown,
          );
          expect(error).toBeInstanceOf(CancelledError);
          expect((error as Error).message).toBe('foo');
          expect(cond.locked()).toBe(false);
        }
      });
    });

    it('does not lose a notification to a waiter cancelled as it is woken', async () => {
      // test_cancelled_wakeup: one item, one notify(); the notified consumer
      // is cancelled before it runs, so the other must take the item.
      await runVirtual(async () => {
        const condition = new Condition();
        const state = { value: 0 };
        const consumers = [createTask(consumer(shape, condition, state)), createTask(consumer(shape, condition, state))];
        await flush();
        {
          using held = await condition.hold();
          state.value++;
          condition.notify(1);
          consumers[0]!.cancel();
          await timeout(0.01, async () => condition.waitFor(() => state.value === 0)).then(
            () => undefined,
            (error: unknown) => expect(error).toBeInstanceOf(TimeoutError),
          );
          expect(state.value).toBe(0);
          state.value = -1;
          condition.notifyAll();
        }
        await consumers[1];
        await expect(consumers[0]).rejects.toThrow(CancelledError);
      });
    });

    it('does not lose a notification to a waiter cancelled as it takes the lock back', async () => {
      // test_cancelled_wakeup_relock
      await runVirtual(async () => {
        const condition = new Condition();
        const state = { value: 0 };
        const consumers = [createTask(consumer(shape, condition, state)), createTask(consumer(shape, condition, state))];
        await flush();
        {
          using held = await condition.hold();
          state.value++;
          condition.notify(1);
          await flush();
          consumers[0]!.cancel();
          await timeout(0.01, async () => condition.waitFor(() => state.value === 0)).then(
            () => undefined,
            (error: unknown) => expect(error).toBeInstanceOf(TimeoutError),
          );
          expect(state.value).toBe(0);
          state.value = -1;
          condition.notifyAll();
        }
        await consumers[1];
        await expect(consumers[0]).rejects.toThrow(CancelledError);
      });
    });
  });

  describe.each(shapes)('from an $name, notify() after a cancel', (shape) => {
    it('skips a waiter cancelled before it ran, and notifies the next one', async () => {
      // Found by the random schedules: a waiter is cancelled, and notify()
      // comes before it has run (it is still queued, as in asyncio). notify()
      // must skip it and wake the next waiter instead.
      await runVirtual(function* (): Coroutine<void> {
        const condition = new Condition();
        let state = 0;
        const waiter = () => createTask(shape.using(() => condition.hold(), [() => condition.waitFor(() => state > 0)]));
        const a = waiter();
        const b = waiter();
        yield* shape.settle();
        expect(inspect(condition)).toBe('Condition [unlocked, waiters:2]');
        a.cancel();
        yield* condition.acquire();
        state = 1;
        condition.notify(1);
        condition.release();
        yield* b;
        expect(a.cancelled()).toBe(true);
        expect(condition.locked()).toBe(false);
      });
    });
  });

  it('passes the notification on when a generator is cancelled before it runs', async () => {
    // a is notified and cancelled before it runs: it takes the lock back,
    // ends cancelled (releasing the lock on the way out) and b is notified
    // in its place.
    await runVirtual(async () => {
      const condition = new Condition();
      const log: string[] = [];
      const waiter = (name: string) =>
        createTask(function* (): Coroutine<void> {
          using held = yield* condition.hold();
          yield* condition.wait();
          log.push(name);
        });
      const a = waiter('a');
      const b = waiter('b');
      await sleep(0);
      await condition.acquire();
      condition.notify(1);
      condition.release();
      a.cancel();
      await expect(a).rejects.toThrow(CancelledError);
      await b;
      expect(log).toEqual(['b']);
      expect(condition.locked()).toBe(false);
    });
  });
});

describe('Condition under random schedules', () => {
  it('loses no notification to a cancellation', async () => {
    // Consumer tasks of both shapes wait for `state > 0` and take one unit
    // each time; the driver produces units with notify(1) or notifyAll(),
    // cancels consumers, and produces and cancels a consumer in the same
    // step (a notified waiter cancelled before it runs). After every
    // operation: produced = consumed + state. Once the driver stops and the
    // loop settles, no unit is left while a consumer still waits: a
    // cancelled consumer passed its notification on.
    const schedule = fc.record({
      tasks: fc.array(taskSpec, { minLength: 1, maxLength: 6 }),
      ops: opsOf(['cancel', 'produce', 'produceAll', 'produceAndCancel'] as const),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async ({ tasks: specs, ops }) => {
        await runVirtual(function* (): Coroutine<void> {
          const condition = new Condition();
          let state = 0;
          let produced = 0;
          let consumed = 0;
          const check = (where: string) => {
            expect(produced, where).toBe(consumed + Math.max(state, 0));
          };
          const consumers = specs.map((spec) => {
            const pause = () => sleep(0);
            if (shapeOf(spec).name === 'function*') {
              return createTask(function* (): Coroutine<void> {
                using held = yield* condition.hold();
                for (;;) {
                  yield* condition.waitFor(() => state !== 0);
                  if (state < 0) return;
                  state--;
                  consumed++;
                  for (let i = 0; i < spec.hold; i++) yield* pause();
                }
              });
            }
            return createTask(async () => {
              using held = await condition.hold();
              for (;;) {
                await condition.waitFor(() => state !== 0);
                if (state < 0) return;
                state--;
                consumed++;
                for (let i = 0; i < spec.hold; i++) await pause();
              }
            });
          });
          for (const op of ops) {
            const target = targetOf(consumers, op);
            if (op.kind === 'tick') yield* sleep(0);
            else if (op.kind === 'cancel') target?.cancel();
            else if (!condition.locked()) {
              expect(condition.acquire().done()).toBe(true);
              state++;
              produced++;
              if (op.kind === 'produceAll') condition.notifyAll();
              else condition.notify(1);
              condition.release();
              if (op.kind === 'produceAndCancel') target?.cancel();
            }
            check(`after ${op.kind}`);
          }
          for (let i = 0; i < 200; i++) {
            yield* sleep(0);
            check(`settling, iteration ${i}`);
          }
          yield* idle();
          check('idle');
          const waiting = consumers.filter((task) => !task.done()).length;
          if (waiting > 0) expect(state, `${waiting} consumers wait`).toBe(0);
          yield* condition.acquire();
          state = -1;
          condition.notifyAll();
          condition.release();
          yield* settleAll(consumers, () => undefined);
          expect(consumers.every((task) => task.done())).toBe(true);
          for (const outcome of outcomes(consumers)) if ('error' in outcome) throw outcome.error;
          expect(condition.locked()).toBe(false);
        });
      }),
      { numRuns: RUNS },
    );
  });
});
