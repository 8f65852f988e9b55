// wait(): asyncio.wait, with futures and waiting tasks in both shapes.
// Ported from CPython's Lib/test/test_asyncio/test_tasks.py (test_wait,
// test_wait_first_completed, test_wait_really_done, test_wait_first_exception,
// test_wait_first_exception_in_wait, test_wait_with_exception,
// test_wait_with_timeout, test_wait_with_iterator_of_tasks,
// test_wait_duplicate_coroutines, test_wait_errors, test_wait_invalid_args,
// test_yield_wait_does_not_shield_cancel).
import { describe, expect, it } from 'vitest';
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  ValueError,
  createTask,
  getRunningLoop,
  sleep,
  wait,
  type Coroutine,
  type Future,
  type ReturnWhen,
  type Task,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/**
 * The names of the futures in `set`, sorted, from the candidates in `named`
 * ('<other>' for each member not among them). Sets of futures are compared
 * by identity this way: toEqual would iterate each Future (it is iterable).
 */
function names(set: Set<Future<unknown>>, named: Record<string, Future<unknown>>): string[] {
  const found = Object.keys(named).filter((name) => set.has(named[name]!));
  const others = [...set].filter((future) => !Object.values(named).includes(future)).map(() => '<other>');
  return [...found.sort(), ...others];
}

/** A coroutine function of either shape: what createTask() takes. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

type DoneAndPending = [Set<Future<unknown>>, Set<Future<unknown>>];

interface Shape {
  name: string;
  /** Sleeps `delay`, then returns `value`. */
  worker: <T>(delay: number, value: T) => CoroutineFunction<T>;
  /** Sleeps `delay`, then throws `error`. */
  failing: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** Sleeps 0 `times` times, then returns. */
  yielding: (times: number) => CoroutineFunction<void>;
  /** A task body that calls wait() and returns its sets, with the loop time it resumed at. */
  waiting: (futures: () => Iterable<Future<unknown>>, options?: { timeout?: number | null; returnWhen?: ReturnWhen }) => CoroutineFunction<[DoneAndPending, number]>;
  /** Awaits `waiter`, then adds 1 to proof.value. */
  waitsFor: (waiter: Future<unknown>, proof: { value: number }) => CoroutineFunction<void>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay, value) => async () => {
      await sleep(delay);
      return value;
    },
    failing: (delay, error) => async () => {
      await sleep(delay);
      throw error;
    },
    yielding: (times) => async () => {
      for (let i = 0; i < times; i++) await sleep(0);
    },
    waiting: (futures, options) => async () => {
      const sets = (await wait(futures(), options)) as DoneAndPending;
      return [sets, getRunningLoop().time()];
    },
    waitsFor: (waiter, proof) => async () => {
      await waiter;
      proof.value += 1;
    },
  },
  {
    name: 'function*',
    worker: (delay, value) =>
      function* () {
        yield* sleep(delay);
        return value;
      },
    failing: (delay, error) =>
      function* () {
        yield* sleep(delay);
        throw error;
      },
    yielding: (times) =>
      function* () {
        for (let i = 0; i < times; i++) yield* sleep(0);
      },
    waiting: (futures, options) =>
      function* () {
        const sets = (yield* wait(futures(), options)) as DoneAndPending;
        return [sets, getRunningLoop().time()];
      },
    waitsFor: (waiter, proof) =>
      function* () {
        yield* waiter;
        proof.value += 1;
      },
  },
];

describe.each(shapes)('wait() in an $name', (shape) => {
  it('waits for every future by default and resolves to [done, pending] Sets', async () => {
    // test_wait: wait([b, a]) -> done {a, b}, pending {} at 0.15; again at once.
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const a = createTask(shape.worker(0.1, 'a'));
      const b = createTask(shape.worker(0.15, 'b'));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [b, a]));
      expect(done).toBeInstanceOf(Set);
      expect(pending).toBeInstanceOf(Set);
      expect(names(done, { a, b })).toEqual(['a', 'b']);
      expect(pending.size).toBe(0);
      expect(resumedAt).toBeCloseTo(0.15, 9);
      // Doing it again takes no time.
      const [[again]] = await createTask(shape.waiting(() => [b, a]));
      expect(names(again, { a, b })).toEqual(['a', 'b']);
      expect(loop.time()).toBeCloseTo(0.15, 9);
    });
  });

  it('with ALL_COMPLETED, returns the failed futures in done without throwing', async () => {
    // test_wait_with_exception: one of the two done futures has an exception.
    const error = new Error('really');
    await runVirtual(async () => {
      const a = createTask(shape.worker(0.1, 'a'));
      const b = createTask(shape.failing(0.15, error));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [b, a], { returnWhen: ALL_COMPLETED }));
      expect(names(done, { a, b })).toEqual(['a', 'b']);
      expect(pending.size).toBe(0);
      const failed = [...done].filter((future) => future.exception() !== null);
      expect(failed.length).toBe(1);
      expect(failed[0]).toBe(b);
      expect(resumedAt).toBeCloseTo(0.15, 9);
    });
  });

  it('with FIRST_COMPLETED, returns as soon as one future is done', async () => {
    // test_wait_first_completed: a sleeps 10, b sleeps 0.1 -> done {b}, pending {a} at 0.1.
    await runVirtual(async () => {
      const a = createTask(shape.worker(10, 'a'));
      const b = createTask(shape.worker(0.1, 'b'));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [b, a], { returnWhen: FIRST_COMPLETED }));
      expect(names(done, { b })).toEqual(['b']);
      expect(names(pending, { a })).toEqual(['a']);
      expect(a.done()).toBe(false);
      expect(b.result()).toBe('b');
      expect(resumedAt).toBeCloseTo(0.1, 9);
      a.cancel();
    });
  });

  it('with FIRST_COMPLETED, counts as done what completed before the waiting task resumed', async () => {
    // test_wait_really_done: a sleeps 0 once, b twice; FIRST_COMPLETED -> done {a, b}.
    await runVirtual(async () => {
      const a = createTask(shape.yielding(1));
      const b = createTask(shape.yielding(2));
      const [[done, pending]] = await createTask(shape.waiting(() => [b, a], { returnWhen: FIRST_COMPLETED }));
      expect(names(done, { a, b })).toEqual(['a', 'b']);
      expect(pending.size).toBe(0);
    });
  });

  it('with FIRST_EXCEPTION, returns at once for a future that already failed', async () => {
    // test_wait_first_exception -> done {b}, pending {a} at time 0.
    await runVirtual(async () => {
      const a = createTask(shape.worker(10, 'a'));
      const b = createTask(async () => {
        throw new Error('err');
      });
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [b, a], { returnWhen: FIRST_EXCEPTION }));
      expect(names(done, { b })).toEqual(['b']);
      expect(names(pending, { a })).toEqual(['a']);
      expect(resumedAt).toBe(0);
      a.cancel();
    });
  });

  it('with FIRST_EXCEPTION, returns when a future fails while it waits', async () => {
    // test_wait_first_exception_in_wait -> done {b}, pending {a} at 0.01.
    await runVirtual(async () => {
      const a = createTask(shape.worker(10, 'a'));
      const b = createTask(shape.failing(0.01, new Error('err')));
      const c = createTask(shape.worker(0.005, 'c'));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [b, a, c], { returnWhen: FIRST_EXCEPTION }));
      expect(names(done, { b, c })).toEqual(['b', 'c']);
      expect(names(pending, { a })).toEqual(['a']);
      expect(resumedAt).toBeCloseTo(0.01, 9);
      a.cancel();
    });
  });

  it('with FIRST_EXCEPTION, waits for all when none fails (a cancellation is not an exception)', async () => {
    await runVirtual(async () => {
      const a = createTask(shape.worker(0.1, 'a'));
      const b = createTask(shape.worker(0.2, 'b'));
      const c = createTask(shape.worker(10, 'c'));
      getRunningLoop().callLater(0.05, () => c.cancel());
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [a, b, c], { returnWhen: FIRST_EXCEPTION }));
      expect(names(done, { a, b, c })).toEqual(['a', 'b', 'c']);
      expect(pending.size).toBe(0);
      expect(resumedAt).toBeCloseTo(0.2, 9);
    });
  });

  it('returns what is done when the timeout passes, and cancels nothing', async () => {
    // test_wait_with_timeout: a 0.1, b 0.15, timeout 0.11 -> done {a}, pending {b} at 0.11.
    await runVirtual(async () => {
      const a = createTask(shape.worker(0.1, 'a'));
      const b = createTask(shape.worker(0.15, 'b'));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [b, a], { timeout: 0.11 }));
      expect(names(done, { a })).toEqual(['a']);
      expect(names(pending, { b })).toEqual(['b']);
      expect(resumedAt).toBeCloseTo(0.11, 9);
      expect(b.cancelled()).toBe(false);
      expect(await b).toBe('b');
    });
  });

  it('ignores a timeout that does not pass', async () => {
    await runVirtual(async () => {
      const a = createTask(shape.worker(0.1, 'a'));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [a], { timeout: 5 }));
      expect(names(done, { a })).toEqual(['a']);
      expect(pending.size).toBe(0);
      expect(resumedAt).toBeCloseTo(0.1, 9);
    });
  });

  it('takes any iterable of futures: an array, a Set, an iterator', async () => {
    // test_wait_with_iterator_of_tasks: wait(iter([b, a]))
    await runVirtual(async () => {
      const a = createTask(shape.worker(0.1, 'a'));
      const b = createTask(shape.worker(0.15, 'b'));
      const [[fromIterator]] = await createTask(shape.waiting(() => [b, a][Symbol.iterator]()));
      expect(names(fromIterator, { a, b })).toEqual(['a', 'b']);
      const [[fromSet]] = await createTask(shape.waiting(() => new Set([a, b])));
      expect(names(fromSet, { a, b })).toEqual(['a', 'b']);
      const [[fromMapValues]] = await createTask(shape.waiting(() => new Map([['a', a], ['b', b]]).values()));
      expect(names(fromMapValues, { a, b })).toEqual(['a', 'b']);
    });
  });

  it('counts a repeated future once', async () => {
    // test_wait_duplicate_coroutines: wait([c, c, spam]) -> results {'test', 'spam'}
    await runVirtual(async () => {
      const c = createTask(shape.worker(0.1, 'test'));
      const spam = createTask(shape.worker(0.2, 'spam'));
      const [[done, pending]] = await createTask(shape.waiting(() => [c, c, spam]));
      expect(pending.size).toBe(0);
      expect(done.size).toBe(2);
      expect(new Set([...done].map((future) => future.result()))).toEqual(new Set(['test', 'spam']));
    });
  });

  it('takes plain Futures as well as tasks', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const future = loop.createFuture<number>();
      loop.callLater(0.3, () => future.setResult(3));
      const task = createTask(shape.worker(0.1, 'task'));
      const [[done, pending], resumedAt] = await createTask(shape.waiting(() => [future, task], { returnWhen: FIRST_COMPLETED }));
      expect(names(done, { task })).toEqual(['task']);
      expect(names(pending, { future })).toEqual(['future']);
      expect(resumedAt).toBeCloseTo(0.1, 9);
    });
  });

  it('ends the waiting task cancelled, leaving the futures running, when that task is cancelled', async () => {
    // test_yield_wait_does_not_shield_cancel: cancelling outer() makes wait() return early,
    // leaves inner() running; proof == 1 once the waiter is set.
    const proof = { value: 0 };
    await runVirtual(async () => {
      const waiter = getRunningLoop().createFuture<void>();
      const inner = createTask(shape.waitsFor(waiter, proof));
      const outer = createTask(shape.waiting(() => [inner]));
      await sleep(0);
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      expect(inner.done()).toBe(false);
      waiter.setResult();
      await inner;
      expect(proof.value).toBe(1);
    });
  });
});

describe('wait()', () => {
  it('throws ValueError for an empty collection', async () => {
    // test_wait_errors: asyncio.wait(set()) -> ValueError
    await runVirtual(async () => {
      expect(() => wait([])).toThrow(ValueError);
      expect(() => wait(new Set<Future<unknown>>())).toThrow(/empty/);
    });
  });

  it('throws ValueError for a bad returnWhen, naming the choices', async () => {
    // test_wait_errors: return_when=-1 -> ValueError
    await runVirtual(async () => {
      const future = getRunningLoop().createFuture();
      expect(() => wait([future], { returnWhen: -1 as unknown as ReturnWhen })).toThrow(ValueError);
      expect(() => wait([future], { returnWhen: 'FIRST' as ReturnWhen })).toThrow(/FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED/);
    });
  });

  it('throws TypeError for coroutines and promises in the collection (asyncio 3.11 forbids them)', async () => {
    await runVirtual(async () => {
      const generator = (function* () {
        yield* sleep(0);
      })();
      expect(() => wait([generator as unknown as Future<unknown>])).toThrow(TypeError);
      expect(() => wait([Promise.resolve(1) as unknown as Future<unknown>])).toThrow(/createTask\(\)/);
      expect(() => wait([(async () => 1) as unknown as Future<unknown>])).toThrow(TypeError);
    });
  });

  it('throws TypeError for one Future or one coroutine instead of a collection', async () => {
    // test_wait_invalid_args: wait(fut) and wait(coro) -> TypeError
    await runVirtual(async () => {
      const future = getRunningLoop().createFuture();
      expect(() => wait(future as unknown as Future<unknown>[])).toThrow(TypeError);
      expect(() => wait(future as unknown as Future<unknown>[])).toThrow(/pass \[future\]/);
      const generator = (function* () {
        yield* sleep(0);
      })();
      expect(() => wait(generator as unknown as Future<unknown>[])).toThrow(TypeError);
      expect(() => wait(42 as unknown as Future<unknown>[])).toThrow(TypeError);
    });
  });

  it('throws ValueError for a negative timeout, TypeError for one that is not a number', async () => {
    await runVirtual(async () => {
      const future = getRunningLoop().createFuture();
      expect(() => wait([future], { timeout: -1 })).toThrow(ValueError);
      expect(() => wait([future], { timeout: '1' as unknown as number })).toThrow(TypeError);
    });
  });

  it('waits without a timeout when timeout is null', async () => {
    await runVirtual(async () => {
      const task: Task<string> = createTask(async () => {
        await sleep(100);
        return 'late';
      });
      const [done] = await wait([task], { timeout: null });
      expect(names(done, { task })).toEqual(['task']);
      expect(getRunningLoop().time()).toBe(100);
    });
  });

  it('can be cancelled itself without touching the futures', async () => {
    await runVirtual(async () => {
      const task = createTask(() => sleep(1, 'x'));
      const waiting = wait([task]);
      expect(waiting.cancel()).toBe(true);
      await expect(waiting).rejects.toBeInstanceOf(CancelledError);
      expect(await task).toBe('x');
    });
  });
});
