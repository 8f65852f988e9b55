// Barrier: asyncio.Barrier's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (BarrierTests), in both coroutine shapes.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError, ValueError, createTask, gather, sleep, wait, type Coroutine } from '@asyncio-ts/core';
import { Barrier, BrokenBarrierError } from '../src/index.js';
import { runVirtual, shapes, type CoroutineFunction, type Shape } from './helpers.js';

const N = 5;

/** The same coroutine written in both shapes; the test picks the one of its shape. */
function either<T>(shape: Shape, versions: { async: () => Promise<T>; generator: () => Coroutine<T> }): CoroutineFunction<T> {
  return shape.name === 'function*' ? versions.generator : versions.async;
}

/** Starts `n` tasks of `coro` and gathers their results. */
function gatherTasks<T>(n: number, coro: CoroutineFunction<T>) {
  return gather(...Array.from({ length: n }, () => createTask(coro)));
}

describe('Barrier', () => {
  it('refuses parties that are not a whole number >= 1', () => {
    // test_barrier_parties
    expect(() => new Barrier(0)).toThrow(ValueError);
    expect(() => new Barrier(-4)).toThrow('Barrier() expects parties >= 1, got -4');
    expect(() => new Barrier('3' as unknown as number)).toThrow(TypeError);
    expect(new Barrier(N).parties).toBe(N);
  });

  it('throws RuntimeError from wait() when no loop is running', () => {
    expect(() => new Barrier(2).wait()).toThrow(RuntimeError);
  });

  it('fails wait() at once with BrokenBarrierError once aborted', async () => {
    // test_abort_barrier
    await runVirtual(async () => {
      const barrier = new Barrier(1);
      await barrier.abort();
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(true);
      expect(inspect(barrier)).toBe('Barrier [broken]');
      await expect(barrier.wait()).rejects.toThrow(BrokenBarrierError);
      await expect(barrier.wait()).rejects.toThrow(RuntimeError);
      await barrier.reset();
      expect(barrier.broken).toBe(false);
      expect(await barrier.wait()).toBe(0);
    });
  });

  it('resets an empty barrier at once', async () => {
    // test_reset_barrier
    await runVirtual(async () => {
      const barrier = new Barrier(1);
      const reset = barrier.reset();
      expect(reset.done()).toBe(true);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    // Tests whose tasks watch the state another task leaves within the same
    // iteration: an async function's continuation runs after the iteration
    // (a microtask), so only the generator shape sees what asyncio's
    // coroutines see there.
    const itExact = shape.name === 'function*' ? it : it.skip;

    it('prints filling, draining, resetting and broken as asyncio does', async () => {
      // test_repr. The test's own coroutine is a generator, so that it counts
      // iterations as asyncio's does.
      await runVirtual(function* () {
        const barrier = new Barrier(N);
        expect(inspect(barrier)).toBe(`Barrier [filling, waiters:0/${N}]`);
        const waiters = [];
        const waitTask = () => createTask(shape.seq(() => barrier.wait()));
        for (let i = 0; i < 2; i++) waiters.push(waitTask());
        yield* sleep(0);
        expect(String(barrier)).toBe(`Barrier [filling, waiters:2/${N}]`);
        for (let i = barrier.nWaiting; i < barrier.parties; i++) waiters.push(waitTask());
        yield* sleep(0);
        expect(inspect(barrier)).toBe(`Barrier [draining, waiters:0/${N}]`);
        for (let i = 0; i < 2; i++) waiters.push(waitTask());
        yield* sleep(0);
        yield* barrier.reset();
        expect(inspect(barrier)).toBe(`Barrier [resetting, waiters:0/${N}]`);
        for (let i = 0; i < 2; i++) waiters.push(waitTask());
        yield* sleep(0);
        yield* barrier.abort();
        expect(inspect(barrier)).toBe('Barrier [broken]');
        expect(barrier.broken).toBe(true);
        yield* gather(...waiters, { returnExceptions: true });
      });
    });

    it('lets one task pass a barrier of one, twice', async () => {
      // test_filling_one_task, test_filling_one_task_twice
      await runVirtual(async () => {
        const barrier = new Barrier(1);
        expect(await createTask(shape.seq(() => barrier.wait(), () => barrier.wait()))).toEqual([0, 0]);
        expect(barrier.nWaiting).toBe(0);
        expect(barrier.broken).toBe(false);
      });
    });

    it('fills task by task, then lets all of them go', async () => {
      // test_filling_task_by_task
      await runVirtual(async () => {
        const barrier = new Barrier(3);
        const t1 = createTask(shape.seq(() => barrier.wait()));
        await sleep(0);
        expect(barrier.nWaiting).toBe(1);
        expect(inspect(barrier)).toContain('filling');
        const t2 = createTask(shape.seq(() => barrier.wait()));
        await sleep(0);
        expect(barrier.nWaiting).toBe(2);
        const t3 = createTask(shape.seq(() => barrier.wait()));
        await wait([t1, t2, t3]);
        expect([(await t1)[0], (await t2)[0], (await t3)[0]]).toEqual([0, 1, 2]);
        expect(barrier.nWaiting).toBe(0);
        expect(barrier.broken).toBe(false);
      });
    });

    it('gives each of the parties its own index, and can be passed twice', async () => {
      // test_context_manager, test_filling_tasks_wait_twice, test_filling_tasks_check_return_value
      await runVirtual(async () => {
        const barrier = new Barrier(N);
        const results: boolean[] = [];
        const indexes = await gatherTasks(
          N,
          shape.seq(
            () => barrier.wait(),
            () => results.push(true),
            () => barrier.wait(),
            () => results.push(false),
          ),
        );
        expect(indexes.map((out) => out[0]).sort()).toEqual([0, 1, 2, 3, 4]);
        expect(indexes.map((out) => out[2]).sort()).toEqual([0, 1, 2, 3, 4]);
        expect(results.filter(Boolean)).toHaveLength(N);
        expect(results.filter((value) => !value)).toHaveLength(N);
        expect(barrier.nWaiting).toBe(0);
        expect(barrier.broken).toBe(false);
      });
    });

    itExact('drains until the last task is out', async () => {
      // test_draining_state
      await runVirtual(async () => {
        const barrier = new Barrier(N);
        const results: boolean[] = [];
        await gatherTasks(N, shape.seq(() => barrier.wait(), () => results.push(inspect(barrier).includes('draining'))));
        expect(results).toHaveLength(N);
        expect(results.slice(0, N - 1).every(Boolean)).toBe(true);
        expect(results[N - 1]).toBe(false);
        expect(barrier.nWaiting).toBe(0);
      });
    });

    it('blocks new arrivals while it drains', async () => {
      // test_blocking_tasks_while_draining: success means barrierNowaiting
      // was waited for by exactly N - 2 tasks.
      await runVirtual(async () => {
        const barrier = new Barrier(N);
        const barrierNowaiting = new Barrier(N - 2);
        let rewait = 2;
        const coro = either(shape, {
          async: async () => {
            await barrier.wait();
            if (rewait > 0) {
              rewait--;
              await barrier.wait();
            } else {
              await barrierNowaiting.wait();
              await barrier.wait();
            }
          },
          *generator() {
            yield* barrier.wait();
            if (rewait > 0) {
              rewait--;
              yield* barrier.wait();
            } else {
              yield* barrierNowaiting.wait();
              yield* barrier.wait();
            }
          },
        });
        await gatherTasks(N, coro);
        expect(barrier.nWaiting).toBe(0);
        expect(barrierNowaiting.nWaiting).toBe(0);
      });
    });

    it('forgets a task cancelled while waiting', async () => {
      // test_filling_tasks_cancel_one
      await runVirtual(async () => {
        const barrier = new Barrier(3);
        const results: boolean[] = [];
        const coro = () => createTask(shape.seq(() => barrier.wait(), () => results.push(true)));
        const t1 = coro();
        await sleep(0);
        expect(barrier.nWaiting).toBe(1);
        const t2 = coro();
        await sleep(0);
        expect(barrier.nWaiting).toBe(2);
        t1.cancel();
        await expect(t1).rejects.toThrow(CancelledError);
        expect(barrier.nWaiting).toBe(1);
        const t3 = coro();
        await sleep(0);
        expect(barrier.nWaiting).toBe(2);
        const t4 = coro();
        await gather(t2, t3, t4);
        expect(results).toEqual([true, true, true]);
        expect(barrier.nWaiting).toBe(0);
        expect(barrier.broken).toBe(false);
      });
    });

    it('breaks the waiting tasks with BrokenBarrierError on reset()', async () => {
      // test_reset_barrier_while_tasks_waiting
      await runVirtual(async () => {
        const barrier = new Barrier(N);
        const results: boolean[] = [];
        const coro = either(shape, {
          async: async () => {
            try {
              await barrier.wait();
            } catch (error) {
              if (!(error instanceof BrokenBarrierError)) throw error;
              results.push(true);
            }
          },
          *generator() {
            try {
              yield* barrier.wait();
            } catch (error) {
              if (!(error instanceof BrokenBarrierError)) throw error;
              results.push(true);
            }
          },
        });
        const tasks = Array.from({ length: N - 1 }, () => createTask(coro));
        await sleep(0);
        createTask(shape.seq(() => barrier.reset()));
        await gather(...tasks);
        expect(results).toEqual(Array(N - 1).fill(true));
        expect(barrier.nWaiting).toBe(0);
        expect(inspect(barrier)).not.toContain('resetting');
        expect(barrier.broken).toBe(false);
      });
    });

    itExact('lets tasks reset it while draining and pass it again', async () => {
      // test_reset_barrier_while_tasks_draining
      await runVirtual(async () => {
        const barrier = new Barrier(N);
        const results1: boolean[] = [];
        const results2: boolean[] = [];
        const results3: boolean[] = [];
        let count = 0;
        const coro = either(shape, {
          async: async () => {
            await barrier.wait();
            count++;
            if (count === N) {
              await barrier.reset();
              await barrier.wait();
            } else {
              try {
                await barrier.wait();
                results1.push(true);
              } catch {
                results2.push(true);
              }
            }
            await barrier.wait();
            results3.push(true);
          },
          *generator() {
            yield* barrier.wait();
            count++;
            if (count === N) {
              yield* barrier.reset();
              yield* barrier.wait();
            } else {
              try {
                yield* barrier.wait();
                results1.push(true);
              } catch {
                results2.push(true);
              }
            }
            yield* barrier.wait();
            results3.push(true);
          },
        });
        await gatherTasks(N, coro);
        expect(barrier.broken).toBe(false);
        expect(results1).toHaveLength(N - 1);
        expect(results2).toHaveLength(0);
        expect(results3).toHaveLength(N);
        expect(barrier.nWaiting).toBe(0);
      });
    });

    it('breaks every waiter with BrokenBarrierError on abort()', async () => {
      // test_abort_barrier_when_exception
      await runVirtual(async () => {
        const barrier = new Barrier(N);
        const results1: boolean[] = [];
        const results2: boolean[] = [];
        const coro = either(shape, {
          async: async () => {
            try {
              const i = await barrier.wait();
              if (i === Math.floor(N / 2)) throw new RangeError('boom');
              await barrier.wait();
              results1.push(true);
            } catch (error) {
              if (error instanceof BrokenBarrierError) results2.push(true);
              else if (error instanceof RangeError) await barrier.abort();
              else throw error;
            }
          },
          *generator() {
            try {
              const i = yield* barrier.wait();
              if (i === Math.floor(N / 2)) throw new RangeError('boom');
              yield* barrier.wait();
              results1.push(true);
            } catch (error) {
              if (error instanceof BrokenBarrierError) results2.push(true);
              else if (error instanceof RangeError) yield* barrier.abort();
              else throw error;
            }
          },
        });
        await gatherTasks(N, coro);
        expect(barrier.broken).toBe(true);
        expect(results1).toHaveLength(0);
        expect(results2).toHaveLength(N - 1);
        expect(barrier.nWaiting).toBe(0);
      });
    });

    it('works again after abort() and reset()', async () => {
      // test_abort_barrier_when_exception_then_resetting
      await runVirtual(async () => {
        const barrier1 = new Barrier(N);
        const barrier2 = new Barrier(N);
        const results1: boolean[] = [];
        const results2: boolean[] = [];
        const results3: boolean[] = [];
        const coro = either(shape, {
          async: async () => {
            try {
              const i = await barrier1.wait();
              if (i === Math.floor(N / 2)) throw new RangeError('boom');
              await barrier1.wait();
              results1.push(true);
            } catch (error) {
              if (error instanceof BrokenBarrierError) results2.push(true);
              else if (error instanceof RangeError) await barrier1.abort();
              else throw error;
            }
            const i = await barrier2.wait();
            if (i === Math.floor(N / 2)) await barrier1.reset();
            await barrier2.wait();
            await barrier1.wait();
            results3.push(true);
          },
          *generator() {
            try {
              const i = yield* barrier1.wait();
              if (i === Math.floor(N / 2)) throw new RangeError('boom');
              yield* barrier1.wait();
              results1.push(true);
            } catch (error) {
              if (error instanceof BrokenBarrierError) results2.push(true);
              else if (error instanceof RangeError) yield* barrier1.abort();
              else throw error;
            }
            const i = yield* barrier2.wait();
            if (i === Math.floor(N / 2)) yield* barrier1.reset();
            yield* barrier2.wait();
            yield* barrier1.wait();
            results3.push(true);
          },
        });
        await gatherTasks(N, coro);
        expect(barrier1.broken).toBe(false);
        expect(results1).toHaveLength(0);
        expect(results2).toHaveLength(N - 1);
        expect(results3).toHaveLength(N);
        expect(barrier1.nWaiting).toBe(0);
      });
    });

    it('passes its Futures through a cancelled task without breaking', async () => {
      // The waiting task is cancelled after the last party arrived and
      // before it ran: it passed the barrier all the same, nothing is left over.
      await runVirtual(async () => {
        const barrier = new Barrier(2);
        const first = createTask(shape.seq(() => barrier.wait(), () => sleep(1)));
        await sleep(0);
        const index = barrier.wait();
        first.cancel();
        expect(await index).toBe(1);
        await expect(first).rejects.toThrow(CancelledError);
        expect(barrier.nWaiting).toBe(0);
        expect(inspect(barrier)).toBe('Barrier [filling, waiters:0/2]');
        expect(await gather(barrier.wait(), barrier.wait())).toEqual([0, 1]);
      });
    });
  });
});
