// asCompleted(): asyncio.as_completed, consumed from both coroutine shapes
// (plain iteration gives futures; `for await` gives results). Ported from
// CPython's Lib/test/test_asyncio/test_tasks.py (test_as_completed,
// _with_timeout, _with_unused_timeout, _reverse_wait, _concurrent,
// _duplicate_coroutines, _coroutine_use_running_loop, _invalid_args).
import { describe, expect, it } from 'vitest';
import {
  AsCompleted,
  CancelledError,
  TimeoutError,
  ValueError,
  asCompleted,
  createTask,
  currentTask,
  ensureFuture,
  getRunningLoop,
  sleep,
  wait,
  type Awaitable,
  type Coroutine,
  type Future,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape: what createTask() and asCompleted() take. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

/** One outcome of the iteration, with the loop time it arrived at. */
type Step = { value: unknown; at: number } | { error: unknown; at: number };

interface Shape {
  name: string;
  /** Sleeps `delay`, then returns `value`. */
  worker: <T>(delay: number, value: T) => CoroutineFunction<T>;
  /** Sleeps `delay`, then throws `error`. */
  failing: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** Iterates asCompleted(make()) plainly, awaiting each future; records each outcome and when. */
  consume: (make: () => Iterable<Future<unknown>>) => CoroutineFunction<Step[]>;
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
    consume: (make) => async () => {
      const steps: Step[] = [];
      for (const next of make()) {
        try {
          steps.push({ value: await next, at: getRunningLoop().time() });
        } catch (error) {
          if (currentTask()!.cancelling() > 0) throw error; // this task was cancelled
          steps.push({ error, at: getRunningLoop().time() });
        }
      }
      return steps;
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
    consume: (make) =>
      function* () {
        const steps: Step[] = [];
        for (const next of make()) {
          try {
            steps.push({ value: yield* next, at: getRunningLoop().time() });
          } catch (error) {
            if (currentTask()!.cancelling() > 0) throw error; // this task was cancelled
            steps.push({ error, at: getRunningLoop().time() });
          }
        }
        return steps;
      },
  },
];

describe.each(shapes)('asCompleted() consumed from an $name', (shape) => {
  it('gives futures that settle in completion order', async () => {
    // test_as_completed: sleepers a 0.01, b 0.01, c 0.15 -> a and b first, then c.
    const steps = await runVirtual(async () =>
      createTask(shape.consume(() => asCompleted([shape.worker(0.15, 'c'), shape.worker(0.01, 'a'), shape.worker(0.02, 'b')]))),
    );
    expect(steps).toEqual([
      { value: 'a', at: 0.01 },
      { value: 'b', at: 0.02 },
      { value: 'c', at: 0.15 },
    ]);
  });

  it('delivers errors in their place in the completion order', async () => {
    const error = new Error('second');
    const steps = await runVirtual(async () =>
      createTask(shape.consume(() => asCompleted([shape.worker(0.3, 'third'), shape.failing(0.2, error), shape.worker(0.1, 'first')]))),
    );
    expect(steps).toEqual([
      { value: 'first', at: 0.1 },
      { error, at: 0.2 },
      { value: 'third', at: 0.3 },
    ]);
  });

  it('throws TimeoutError for what has not completed when the timeout passes', async () => {
    // test_as_completed_with_timeout: a 0.1, b 0.15, timeout 0.12 ->
    // [(1, 'a'), (2, TimeoutError)] at 0.12; b is not cancelled.
    await runVirtual(async () => {
      const a = createTask(() => sleep(0.1, 'a'));
      const b = createTask(() => sleep(0.15, 'b'));
      const steps = await createTask(shape.consume(() => asCompleted([a, b], { timeout: 0.12 })));
      expect(steps.length).toBe(2);
      expect(steps[0]).toEqual({ value: 'a', at: 0.1 });
      expect((steps[1] as { error: unknown }).error).toBeInstanceOf(TimeoutError);
      expect(steps[1]!.at).toBeCloseTo(0.12, 9);
      expect(b.cancelled()).toBe(false);
      expect(await b).toBe('b');
    });
  });

  it('ignores a timeout that does not pass', async () => {
    // test_as_completed_with_unused_timeout
    const steps = await runVirtual(async () => createTask(shape.consume(() => asCompleted([shape.worker(0.01, 'a')], { timeout: 1 }))));
    expect(steps).toEqual([{ value: 'a', at: 0.01 }]);
  });

  it('throws TimeoutError for every awaitable when none completes in time', async () => {
    const steps = await runVirtual(async () =>
      createTask(shape.consume(() => asCompleted([shape.worker(5, 'a'), shape.worker(6, 'b')], { timeout: 1 }))),
    );
    expect(steps.map((step) => ('error' in step ? step.error : step.value))).toEqual([expect.any(TimeoutError), expect.any(TimeoutError)]);
    expect(steps.map((step) => step.at)).toEqual([1, 1]);
  });

  it('delivers a cancelled input as a CancelledError in its place', async () => {
    await runVirtual(async () => {
      const slow = createTask(shape.worker(10, 'slow'));
      const quick = createTask(shape.worker(0.2, 'quick'));
      getRunningLoop().callLater(0.1, () => slow.cancel());
      const steps = await createTask(shape.consume(() => asCompleted([slow, quick])));
      expect((steps[0] as { error: unknown }).error).toBeInstanceOf(CancelledError);
      expect(steps[0]!.at).toBeCloseTo(0.1, 9);
      expect(steps[1]).toEqual({ value: 'quick', at: 0.2 });
    });
  });

  it('supports the seed guide’s progress-reporting loop over tasks', async () => {
    // for i, task in enumerate(asyncio.as_completed(tasks)):
    //     result = await task
    //     print(f"Completed {i+1}/{len(tasks)}: {result.get('url')}")
    const lines = await runVirtual(async () => {
      const urls = ['https://a.example/delay/2', 'https://b.example/delay/1', 'https://c.example/delay/3'];
      const fetchUrl = (url: string) => shape.worker(Number(url.split('/').pop()), { url });
      const tasks = urls.map((url) => createTask(fetchUrl(url)));
      const printed: string[] = [];
      for (const [i, next] of [...asCompleted(tasks)].entries()) {
        const result = await next;
        printed.push(`Completed ${i + 1}/${tasks.length}: ${result.url}`);
      }
      return printed;
    });
    expect(lines).toEqual([
      'Completed 1/3: https://b.example/delay/1',
      'Completed 2/3: https://a.example/delay/2',
      'Completed 3/3: https://c.example/delay/3',
    ]);
  });

  it('gathers a repeated awaitable once', async () => {
    // test_as_completed_duplicate_coroutines: [c, c, spam] -> {'ham', 'spam'}, 2 results
    const steps = await runVirtual(async () => {
      const ham = shape.worker(0.1, 'ham')();
      return createTask(shape.consume(() => asCompleted([ham, ham, shape.worker(0.2, 'spam')()] as Awaitable<string>[])));
    });
    expect(steps.map((step) => ('value' in step ? step.value : step.error))).toEqual(['ham', 'spam']);
  });

  it('gives the next completion to the next awaiter when an awaiter is cancelled', async () => {
    await runVirtual(async () => {
      const [first, second] = [...asCompleted([shape.worker(0.1, 'a'), shape.worker(0.2, 'b')])];
      const impatient = createTask(async () => await first!);
      await sleep(0.05);
      impatient.cancel();
      await expect(impatient).rejects.toBeInstanceOf(CancelledError);
      expect(first!.cancelled()).toBe(true);
      expect(await second!).toBe('a');
      expect(getRunningLoop().time()).toBeCloseTo(0.1, 9);
    });
  });

  it('leaves the inputs running when the consuming task is cancelled', async () => {
    await runVirtual(async () => {
      const a = createTask(shape.worker(1, 'a'));
      const b = createTask(shape.worker(2, 'b'));
      const consumer = createTask(shape.consume(() => asCompleted([a, b])));
      await sleep(0.5);
      consumer.cancel();
      await expect(consumer).rejects.toBeInstanceOf(CancelledError);
      expect(a.cancelled()).toBe(false);
      expect(await a).toBe('a');
      expect(await b).toBe('b');
    });
  });
});

describe('asCompleted() with for await', () => {
  it('gives the results in completion order', async () => {
    const results = await runVirtual(async () => {
      const values: string[] = [];
      const inputs = [
        (async () => {
          await sleep(0.3);
          return 'async';
        })(),
        (function* () {
          yield* sleep(0.1);
          return 'generator';
        })(),
        createTask(async () => {
          await sleep(0.2);
          return 'task';
        }),
      ];
      for await (const value of asCompleted(inputs)) values.push(value);
      return values;
    });
    expect(results).toEqual(['generator', 'task', 'async']);
  });

  it('throws the first error in completion order, after the results before it', async () => {
    const error = new Error('boom');
    await runVirtual(async () => {
      const values: unknown[] = [];
      const inputs: Awaitable<string>[] = [
        async () => {
          await sleep(0.2);
          throw error;
        },
        async () => {
          await sleep(0.1);
          return 'first';
        },
        async () => {
          await sleep(0.3);
          return 'never read';
        },
      ];
      await expect(
        (async () => {
          for await (const value of asCompleted(inputs)) values.push(value);
        })(),
      ).rejects.toBe(error);
      expect(values).toEqual(['first']);
    });
  });

  it('throws TimeoutError once the timeout passes', async () => {
    await runVirtual(async () => {
      const values: string[] = [];
      const iteration = (async () => {
        for await (const value of asCompleted([() => sleep(0.1, 'quick'), () => sleep(10, 'slow')], { timeout: 1 })) values.push(value!);
      })();
      await expect(iteration).rejects.toBeInstanceOf(TimeoutError);
      expect(values).toEqual(['quick']);
      expect(getRunningLoop().time()).toBe(1);
    });
  });

  it('ends with CancelledError when the iterating task is cancelled', async () => {
    await runVirtual(async () => {
      const values: string[] = [];
      const consumer = createTask(async () => {
        for await (const value of asCompleted([() => sleep(0.1, 'quick'), () => sleep(10, 'slow')])) values.push(value!);
      });
      await sleep(1);
      consumer.cancel();
      await expect(consumer).rejects.toBeInstanceOf(CancelledError);
      expect(values).toEqual(['quick']);
    });
  });
});

describe('asCompleted()', () => {
  it('returns an AsCompleted that is both iterable and async-iterable', async () => {
    await runVirtual(async () => {
      const iterator = asCompleted([() => sleep(0, 1)]);
      expect(iterator).toBeInstanceOf(AsCompleted);
      expect(typeof iterator[Symbol.iterator]).toBe('function');
      expect(typeof iterator[Symbol.asyncIterator]).toBe('function');
      const [only] = [...iterator];
      expect(await only!).toBe(1);
    });
  });

  it('gives the n-th completion to the n-th future, whatever order they are awaited in', async () => {
    // Differs from asyncio 3.11 (test_as_completed_reverse_wait: awaiting futs[1] first
    // gets 'a'): here the futures are handed out in order, so futs[1] is the second
    // to complete, as the file header documents.
    await runVirtual(async () => {
      const futures = [...asCompleted([() => sleep(0.05, 'a'), () => sleep(0.1, 'b')])];
      expect(futures.length).toBe(2);
      expect(await futures[1]!).toBe('b');
      expect(getRunningLoop().time()).toBeCloseTo(0.1, 9);
      expect(await futures[0]!).toBe('a');
    });
  });

  it('works with futures awaited concurrently through wait()', async () => {
    // test_as_completed_concurrent: wait([ensure_future(f) for f in futs]) -> {'a', 'b'}
    await runVirtual(async () => {
      const futures = [...asCompleted([() => sleep(0.05, 'a'), () => sleep(0.05, 'b')])];
      const [done, pending] = await wait(futures.map((future) => ensureFuture(future)));
      expect(pending.size).toBe(0);
      expect(new Set([...done].map((future) => future.result()))).toEqual(new Set(['a', 'b']));
    });
  });

  it('wraps coroutines in tasks on the running loop', async () => {
    // test_as_completed_coroutine_use_running_loop
    await runVirtual(async () => {
      const futures = [...asCompleted([async () => 42])];
      expect(futures.length).toBe(1);
      expect(futures[0]!.getLoop()).toBe(getRunningLoop());
      expect(await futures[0]!).toBe(42);
    });
  });

  it('gives nothing for no awaitables', async () => {
    await runVirtual(async () => {
      expect([...asCompleted([], { timeout: 1 })]).toEqual([]);
      const values: unknown[] = [];
      for await (const value of asCompleted([])) values.push(value);
      expect(values).toEqual([]);
    });
  });

  it('throws TypeError for one Future, one coroutine or a non-iterable', async () => {
    // test_as_completed_invalid_args: as_completed(fut) and as_completed(coro) -> TypeError
    await runVirtual(async () => {
      const future = getRunningLoop().createFuture();
      expect(() => asCompleted(future as never)).toThrow(TypeError);
      expect(() => asCompleted(future as never)).toThrow(/asCompleted\(\) expects an iterable of awaitables/);
      const generator = (function* () {
        yield* sleep(0);
      })();
      expect(() => asCompleted(generator as never)).toThrow(TypeError);
      expect(() => asCompleted(42 as never)).toThrow(TypeError);
      expect(() => asCompleted([42 as never])).toThrow(TypeError);
    });
  });

  it('throws for a bad timeout', async () => {
    await runVirtual(async () => {
      expect(() => asCompleted([() => sleep(0)], { timeout: -1 })).toThrow(ValueError);
      expect(() => asCompleted([() => sleep(0)], { timeout: 'soon' as unknown as number })).toThrow(TypeError);
    });
  });
});
