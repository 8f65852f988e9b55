// gather(): asyncio.gather, with children and awaiting tasks in both shapes.
// Ported from CPython's Lib/test/test_asyncio/test_tasks.py (GatherTestsBase,
// FutureGatherTests, CoroutineGatherTests, test_cancel_gather_1/_2); expected
// outcomes were checked against CPython 3.11 where noted.
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  GatheringFuture,
  ValueError,
  createTask,
  gather,
  getRunningLoop,
  newEventLoop,
  sleep,
  type Coroutine,
  type Future,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape: what createTask() and gather() take. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

/** How an awaited thing ended, as seen by the task that awaited it. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Shape {
  name: string;
  /** Sleeps `delay`, logs `done:<value>` and returns value; logs `cancelled:<value>` when cancelled. */
  worker: <T>(delay: number, value: T, log?: string[]) => CoroutineFunction<T>;
  /** Sleeps `delay`, then throws `error`. */
  failing: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** Sleeps `delay`; when cancelled, logs 'swallowed' and returns 'kept'. */
  stubborn: (delay: number, log: string[]) => CoroutineFunction<string>;
  /** A task body that awaits `make()` and returns its result. */
  relay: <T>(make: () => Future<T>) => CoroutineFunction<T>;
  /** A task body that awaits `make()` and reports how it ended. */
  awaiting: <T>(make: () => Future<T>) => CoroutineFunction<Outcome<T>>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay, value, log = []) => async () => {
      try {
        await sleep(delay);
      } catch (error) {
        log.push(`cancelled:${String(value)}`);
        throw error;
      }
      log.push(`done:${String(value)}`);
      return value;
    },
    failing: (delay, error) => async () => {
      await sleep(delay);
      throw error;
    },
    stubborn: (delay, log) => async () => {
      try {
        await sleep(delay);
        return 'slept';
      } catch {
        log.push('swallowed');
        return 'kept';
      }
    },
    relay: (make) => async () => await make(),
    awaiting: (make) => async () => {
      try {
        return { ok: true, value: await make() };
      } catch (error) {
        return { ok: false, error };
      }
    },
  },
  {
    name: 'function*',
    worker: (delay, value, log = []) =>
      function* () {
        try {
          yield* sleep(delay);
        } catch (error) {
          log.push(`cancelled:${String(value)}`);
          throw error;
        }
        log.push(`done:${String(value)}`);
        return value;
      },
    failing: (delay, error) =>
      function* () {
        yield* sleep(delay);
        throw error;
      },
    stubborn: (delay, log) =>
      function* () {
        try {
          yield* sleep(delay);
          return 'slept';
        } catch {
          log.push('swallowed');
          return 'kept';
        }
      },
    relay: (make) =>
      function* () {
        return yield* make();
      },
    awaiting: (make) =>
      function* () {
        try {
          return { ok: true, value: yield* make() };
        } catch (error) {
          return { ok: false, error };
        }
      },
  },
];

describe.each(shapes)('gather() with $name coroutines', (shape) => {
  it('resolves to the results in argument order, not completion order', async () => {
    // The seed guide: task1 = worker('Task-1', 2), task2 = worker('Task-2', 1);
    // await gather(task1, task2) -> ['Task-1 result', 'Task-2 result'] after 2 s.
    const log: string[] = [];
    const [results, elapsed] = await runVirtual(async () => {
      const task1 = createTask(shape.worker(2, 'Task-1 result', log));
      const task2 = createTask(shape.worker(1, 'Task-2 result', log));
      const results = await gather(task1, task2);
      return [results, getRunningLoop().time()] as const;
    });
    expect(results).toEqual(['Task-1 result', 'Task-2 result']);
    expect(log).toEqual(['done:Task-2 result', 'done:Task-1 result']);
    expect(elapsed).toBe(2);
  });

  it('runs the children concurrently', async () => {
    const elapsed = await runVirtual(async () => {
      await gather(shape.worker(1, 'a'), shape.worker(1, 'b'), shape.worker(1, 'c'));
      return getRunningLoop().time();
    });
    expect(elapsed).toBe(1);
  });

  it('is awaited by a task of this shape', async () => {
    const outcome = await runVirtual(async () => {
      return createTask(shape.awaiting(() => gather(shape.worker(0.2, 1), shape.worker(0.1, 2))));
    });
    expect(outcome).toEqual({ ok: true, value: [1, 2] });
  });

  it('fails with the first error while the other children keep running', async () => {
    // gather(w(0.2,'a'), fail(0.1, KeyError), w(0.3,'c')) raises KeyError at 0.1 s;
    // later log == ['done:a', 'done:c'].
    const log: string[] = [];
    const error = new Error('first');
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const outer = gather(shape.worker(0.2, 'a', log), shape.failing(0.1, error), shape.failing(0.25, new Error('second')), shape.worker(0.3, 'c', log));
      const outcome = await createTask(shape.awaiting(() => outer));
      expect(outcome).toEqual({ ok: false, error });
      expect(loop.time()).toBeCloseTo(0.1, 9);
      expect(log).toEqual([]);
      expect(outer.exception()).toBe(error);
      await sleep(0.3);
      expect(log).toEqual(['done:a', 'done:c']);
    });
  });

  it('with returnExceptions, delivers errors as results in their places', async () => {
    const first = new TypeError('one');
    const second = new RangeError('two');
    const results = await runVirtual(async () => {
      return await gather(shape.worker(0.3, 3), shape.worker(0.1, 1), shape.failing(0.2, first), shape.failing(0.4, second), {
        returnExceptions: true,
      });
    });
    expect(results).toEqual([3, 1, first, second]);
    expect(results[2]).toBe(first);
    expect(results[3]).toBe(second);
  });

  it('with returnExceptions: false, behaves as without the option', async () => {
    const error = new Error('boom');
    const outcome = await runVirtual(async () =>
      createTask(shape.awaiting(() => gather(shape.worker(0.1, 1), shape.failing(0.2, error), { returnExceptions: false }))),
    );
    expect(outcome).toEqual({ ok: false, error });
  });

  it('fails with CancelledError when a child is cancelled, without being cancelled itself', async () => {
    // t = create_task(sleep(10)); g = gather(t, w(0.1)); t.cancel('bye'); await g
    // -> CancelledError('bye'), g.cancelled() is False, g.exception() is CancelledError('bye').
    await runVirtual(async () => {
      const child = createTask(shape.worker(10, 'slow'));
      const outer = gather(child, shape.worker(0.1, 'x'));
      await sleep(0);
      child.cancel('bye');
      const outcome = await createTask(shape.awaiting(() => outer));
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as Error).message).toBe('bye');
      expect(outer.cancelled()).toBe(false);
      expect(outer.exception()).toBeInstanceOf(CancelledError);
    });
  });

  it('with returnExceptions, returns a cancelled child as a CancelledError result', async () => {
    // -> [CancelledError(''), 'x']
    const results = await runVirtual(async () => {
      const child = createTask(shape.worker(10, 'slow'));
      const outer = gather(child, shape.worker(0.1, 'x'), { returnExceptions: true });
      await sleep(0);
      child.cancel();
      return await outer;
    });
    expect(results[0]).toBeInstanceOf(CancelledError);
    expect(results[1]).toBe('x');
  });

  it('cancels every child when it is cancelled, and fails with CancelledError', async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const a = createTask(shape.worker(1, 'a', log));
      const b = createTask(shape.worker(2, 'b', log));
      const outer = gather(a, b);
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      expect(a.cancelled()).toBe(true);
      expect(b.cancelled()).toBe(true);
      expect(outer.cancelled()).toBe(false);
      expect(outer.exception()).toBeInstanceOf(CancelledError);
      // Done now: a second cancel() refuses.
      expect(outer.cancel()).toBe(false);
    });
    expect(log.sort()).toEqual(['cancelled:a', 'cancelled:b']);
  });

  it('propagates its own cancellation even with returnExceptions', async () => {
    // g = gather(stubborn(), w(0.1,'b'), return_exceptions=True); g.cancel() -> True;
    // await g raises CancelledError although stubborn() returned 'kept'.
    const log: string[] = [];
    await runVirtual(async () => {
      const outer = gather(shape.stubborn(10, log), shape.worker(0.1, 'b', log), { returnExceptions: true });
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      const outcome = await createTask(shape.awaiting(() => outer));
      expect(outcome.ok).toBe(false);
      expect((outcome as { error: unknown }).error).toBeInstanceOf(CancelledError);
    });
    expect(log).toEqual(['swallowed', 'cancelled:b']);
  });

  it('cancels the children when the awaiting task is cancelled, and the task ends cancelled', async () => {
    // CoroutineGatherTests.test_cancellation_broadcast
    await runVirtual(async () => {
      const waiter = getRunningLoop().createFuture<void>();
      const inner = shape.relay(() => waiter);
      const child1 = createTask(inner);
      const child2 = createTask(inner);
      let gatherer: GatheringFuture<unknown> | null = null;
      const outer = createTask(
        shape.relay(() => {
          gatherer = gather(child1, child2);
          return gatherer;
        }),
      );
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      expect(outer.cancelled()).toBe(true);
      expect(gatherer!.cancel()).toBe(false);
      expect(waiter.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(true);
      expect(child2.cancelled()).toBe(true);
    });
  });

  it('passes the cancel message of the awaiting task to its CancelledError', async () => {
    // test_cancel_gather_2: qwe.cancel('my message') -> CancelledError('my message')
    await runVirtual(async () => {
      const task = createTask(shape.awaiting(() => gather(shape.worker(5, 1), shape.worker(6, 2), { returnExceptions: true })));
      await sleep(0.2);
      task.cancel('my message');
      const outcome = await task;
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as Error).message).toBe('my message');
    });
  });

  it('gathers a repeated argument once and repeats its result', async () => {
    // c = coro('abc'); gather(c, c, coro('def'), c) -> ['abc', 'abc', 'def', 'abc']
    let runs = 0;
    const counted = shape.worker(0.1, 'abc');
    const once = () => {
      runs++;
      return counted();
    };
    const results = await runVirtual(async () => {
      const coro = once();
      return await gather(coro, coro, shape.worker(0.1, 'def')(), coro);
    });
    expect(results).toEqual(['abc', 'abc', 'def', 'abc']);
    expect(runs).toBe(1);
  });
});

describe('gather()', () => {
  it('resolves an empty gather to an empty array', async () => {
    await runVirtual(async () => {
      const outer = gather();
      expect(outer).toBeInstanceOf(GatheringFuture);
      expect(outer.done()).toBe(true);
      expect(await outer).toEqual([]);
      expect(await gather({ returnExceptions: true })).toEqual([]);
    });
  });

  it('accepts tasks, futures, generators, promises and functions', async () => {
    const results = await runVirtual(async () => {
      const loop = getRunningLoop();
      const future = loop.createFuture<string>();
      loop.callLater(0.1, () => future.setResult('future'));
      const task = createTask(async () => 'task');
      const generator = (function* () {
        yield* sleep(0.2);
        return 'generator';
      })();
      const promise = Promise.resolve('promise');
      const asyncFunction = async () => 'async function';
      const generatorFunction = function* () {
        yield* sleep(0.1);
        return 'generator function';
      };
      const plainFunction = () => 'plain function';
      return await gather(task, future, generator, promise, asyncFunction, generatorFunction, plainFunction);
    });
    expect(results).toEqual(['task', 'future', 'generator', 'promise', 'async function', 'generator function', 'plain function']);
  });

  it('completes once every child completed, calling its done callbacks once', async () => {
    // GatherTestsBase._check_success: b=1, a=2 -> not done; c=3 -> [2, 1, 3]
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const [a, b, c] = [loop.createFuture<number>(), loop.createFuture<number>(), loop.createFuture<number>()];
      const outer = gather(a, b, c);
      const calls: unknown[] = [];
      outer.addDoneCallback((future) => calls.push(future));
      b.setResult(1);
      a.setResult(2);
      await sleep(0);
      await sleep(0);
      expect(outer.done()).toBe(false);
      expect(calls).toEqual([]);
      c.setResult(3);
      await sleep(0);
      await sleep(0);
      expect(calls.length).toBe(1);
      expect(calls[0]).toBe(outer);
      expect(outer.result()).toEqual([2, 1, 3]);
    });
  });

  it('ignores what the other children do after the first error', async () => {
    // GatherTestsBase.test_one_exception
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const [a, b, c, d, e] = Array.from({ length: 5 }, () => loop.createFuture<number>());
      const outer = gather(a!, b!, c!, d!, e!);
      const error = new Error('zero division');
      a!.setResult(1);
      b!.setException(error);
      await sleep(0);
      await sleep(0);
      expect(outer.done()).toBe(true);
      expect(outer.exception()).toBe(error);
      c!.setResult(3);
      d!.cancel();
      e!.setException(new Error('later'));
      await sleep(0);
      await sleep(0);
      expect(outer.exception()).toBe(error);
    });
  });

  it('keeps every outcome with returnExceptions, cancellations included', async () => {
    // FutureGatherTests.test_result_exception_one_cancellation -> [1, zde, Cancelled, 3, Cancelled, rte]
    const results = await runVirtual(async () => {
      const loop = getRunningLoop();
      const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => loop.createFuture<number>());
      const outer = gather(a!, b!, c!, d!, e!, f!, { returnExceptions: true });
      a!.setResult(1);
      b!.setException(new TypeError('zde'));
      c!.cancel();
      await sleep(0);
      await sleep(0);
      expect(outer.done()).toBe(false);
      d!.setResult(3);
      e!.cancel();
      f!.setException(new RangeError('rte'));
      return await outer;
    });
    expect(results[0]).toBe(1);
    expect(results[1]).toEqual(new TypeError('zde'));
    expect(results[2]).toBeInstanceOf(CancelledError);
    expect(results[3]).toBe(3);
    expect(results[4]).toBeInstanceOf(CancelledError);
    expect(results[5]).toEqual(new RangeError('rte'));
  });

  it('refuses to be cancelled once every child is done', async () => {
    // test_cancel_gather_1 (Python issue #26923)
    await runVirtual(async () => {
      const child = createTask(() => sleep(0.01, 'a'));
      const outer = gather(child);
      await child;
      expect(outer.cancel()).toBe(false);
      expect(await outer).toEqual(['a']);
    });
  });

  it('cancels only the children still pending when cancelled', async () => {
    // gather(a, b) with a done; g.cancel() -> True; await g raises CancelledError; a keeps its result.
    await runVirtual(async () => {
      const a = createTask(() => sleep(0.01, 'a'));
      const b = createTask(() => sleep(1, 'b'));
      const outer = gather(a, b);
      await sleep(0.02);
      expect(outer.cancel()).toBe(true);
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      expect(a.result()).toBe('a');
      expect(b.cancelled()).toBe(true);
    });
  });

  it('belongs to the loop of its futures', async () => {
    // FutureGatherTests.test_constructor_homogenous_futures
    const other = new TestLoop();
    try {
      const children = [other.createFuture<number>(), other.createFuture<number>()];
      const outer = gather(...children);
      expect(outer.getLoop()).toBe(other);
      children[0]!.setResult(1);
      children[1]!.setResult(2);
      expect(await other.runUntilComplete(outer)).toEqual([1, 2]);
    } finally {
      other.close();
    }
  });

  it('throws ValueError for futures of different loops', () => {
    // FutureGatherTests.test_constructor_heterogenous_futures -> ValueError
    const one = newEventLoop();
    const other = newEventLoop();
    try {
      expect(() => gather(one.createFuture(), other.createFuture())).toThrow(ValueError);
    } finally {
      one.close();
      other.close();
    }
  });

  it('throws TypeError for an argument that is not awaitable', async () => {
    // test_issue46672: gather(c, {}) -> TypeError (here {} last is the options object,
    // so the bad argument goes first).
    await runVirtual(async () => {
      expect(() => gather(42 as never)).toThrow(TypeError);
      expect(() => gather({} as never, Promise.resolve(1))).toThrow(/ensureFuture\(\) expects a Future/);
    });
  });
});
