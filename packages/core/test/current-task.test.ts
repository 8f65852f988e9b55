// currentTask() and allTasks() in both coroutine shapes, and the loop's strong
// reference to every pending task (asyncio's _scheduled_tasks keeps only weak
// ones, which is why Python warns to keep a reference; here the loop keeps
// fire-and-forget tasks alive until they finish).
//
// Tasks here return { current: task } rather than a task: a Future whose
// result is a thenable would be adopted by the promise awaiting it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RuntimeError,
  allTasks,
  createTask,
  currentTask,
  sleep,
  type BaseEventLoop,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
  type Future,
  type Task,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';

type Shape = 'async function' | 'function* generator';
const shapes: Shape[] = ['async function', 'function* generator'];

/** The body of the given shape: the same scenario, written once per shape. */
function pick<T>(shape: Shape, bodies: { async: () => Promise<T>; generator: () => Coroutine<T> }): () => Promise<T> | Coroutine<T> {
  return shape === 'async function' ? bodies.async : bodies.generator;
}

/** Runs `main` on the loop; fails on anything reported to the exception handler. */
async function runOn<T>(loop: BaseEventLoop, main: CoroutineLike<T>): Promise<T> {
  const reported: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => void reported.push(context));
  try {
    return await loop.runUntilComplete(main);
  } finally {
    expect(reported).toEqual([]);
  }
}

/** V8's gc(): the global one under `node --expose-gc`, else enabled at run time. */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A foreign promise: Node's timer, not a loop Future. */
function foreignDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let loop: TestLoop;

beforeEach(() => {
  loop = new TestLoop();
});

afterEach(async () => {
  // A test that failed midway may leave the loop running: stop it first.
  if (loop.isRunning()) {
    loop.stop();
    await foreignDelay(10);
  }
  loop.close();
});

describe.each(shapes)('currentTask() in a task with an %s', (shape) => {
  it('is the task itself, before and after each await', async () => {
    const task = loop.createTask(
      pick(shape, {
        async: async () => {
          const seen = [currentTask()];
          await sleep(0);
          seen.push(currentTask());
          await sleep(0.5);
          seen.push(currentTask());
          return seen;
        },
        generator: function* () {
          const seen = [currentTask()];
          yield* sleep(0);
          seen.push(currentTask());
          yield* sleep(0.5);
          seen.push(currentTask());
          return seen;
        },
      }),
    );
    const seen = await runOn(loop, task);
    expect(seen).toHaveLength(3);
    for (const each of seen) expect(each).toBe(task);
  });

  it('is the task itself after a foreign promise', async () => {
    const task = loop.createTask(
      pick(shape, {
        async: async () => {
          await foreignDelay(5);
          return { current: currentTask() };
        },
        generator: function* () {
          yield foreignDelay(5);
          return { current: currentTask() };
        },
      }),
    );
    expect((await runOn(loop, task)).current).toBe(task);
  });

  it('tells concurrent tasks apart as they interleave', async () => {
    const worker = (log: string[], name: string) =>
      pick(shape, {
        async: async () => {
          for (let i = 0; i < 3; i++) {
            log.push(`${name}:${currentTask()!.getName()}`);
            await sleep(0);
          }
        },
        generator: function* () {
          for (let i = 0; i < 3; i++) {
            log.push(`${name}:${currentTask()!.getName()}`);
            yield* sleep(0);
          }
        },
      });
    const log: string[] = [];
    await runOn(loop, async () => {
      const a = createTask(worker(log, 'a'), { name: 'a' });
      const b = createTask(worker(log, 'b'), { name: 'b' });
      await a;
      await b;
    });
    expect(log).toEqual(['a:a', 'b:b', 'a:a', 'b:b', 'a:a', 'b:b']);
  });

  it('is null inside a callback the task scheduled with callSoon', async () => {
    const seen: unknown[] = [];
    await runOn(
      loop,
      pick(shape, {
        async: async () => {
          loop.callSoon(() => seen.push(currentTask()));
          await sleep(0);
          await sleep(0);
        },
        generator: function* () {
          loop.callSoon(() => seen.push(currentTask()));
          yield* sleep(0);
          yield* sleep(0);
        },
      }),
    );
    expect(seen).toEqual([null]);
  });

  it('is null inside a done callback of a future the task awaits', async () => {
    const seen: unknown[] = [];
    await runOn(
      loop,
      pick(shape, {
        async: async () => {
          const future = sleep(0.1);
          future.addDoneCallback(() => seen.push(currentTask()));
          await future;
          await sleep(0);
        },
        generator: function* () {
          const future = sleep(0.1);
          future.addDoneCallback(() => seen.push(currentTask()));
          yield* future;
          yield* sleep(0);
        },
      }),
    );
    expect(seen).toEqual([null]);
  });

  it('is null inside a timer callback', async () => {
    const seen: unknown[] = [];
    await runOn(
      loop,
      pick(shape, {
        async: async () => {
          loop.callLater(0.1, () => seen.push(currentTask()));
          await sleep(0.2);
        },
        generator: function* () {
          loop.callLater(0.1, () => seen.push(currentTask()));
          yield* sleep(0.2);
        },
      }),
    );
    expect(seen).toEqual([null]);
  });

  it('is listed by allTasks() while pending, and not once done', async () => {
    const child = pick(shape, {
      async: async () => {
        expect(allTasks().has(currentTask()!)).toBe(true);
        await sleep(1);
      },
      generator: function* () {
        expect(allTasks().has(currentTask()!)).toBe(true);
        yield* sleep(1);
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      expect(allTasks().has(task)).toBe(true);
      await task;
      expect(allTasks().has(task)).toBe(false);
      expect(task.done()).toBe(true);
    });
  });
});

describe('currentTask()', () => {
  it('throws RuntimeError when no loop is running', () => {
    expect(() => currentTask()).toThrow(RuntimeError);
    expect(() => currentTask()).toThrow(/no running event loop/);
  });

  it('is null for a loop given explicitly that runs nothing', () => {
    expect(currentTask(loop)).toBeNull();
  });

  it('is null in a callback run by the loop outside any task', async () => {
    const future = loop.createFuture<Task<unknown> | null>();
    loop.callSoon(() => future.setResult(currentTask()));
    expect(await runOn(loop, future)).toBeNull();
  });

  it('stays the async-function task in a helper it awaits', async () => {
    async function helper(): Promise<{ current: Task<unknown> | null }> {
      await sleep(0);
      return { current: currentTask() };
    }
    const task = loop.createTask(async () => helper());
    expect((await runOn(loop, task)).current).toBe(task);
  });

  it('stays the generator task in a generator it delegates to with yield*', async () => {
    function* helper(): Coroutine<{ current: Task<unknown> | null }> {
      yield* sleep(0);
      return { current: currentTask() };
    }
    const task = loop.createTask(function* () {
      return yield* helper();
    });
    expect((await runOn(loop, task)).current).toBe(task);
  });

  it('is the generator task in an async helper it yields', async () => {
    async function helper(): Promise<{ current: Task<unknown> | null }> {
      await foreignDelay(1);
      return { current: currentTask() };
    }
    const task = loop.createTask(function* () {
      return (yield helper()) as { current: Task<unknown> | null };
    });
    expect((await runOn(loop, task)).current).toBe(task);
  });
});

describe('allTasks()', () => {
  it('gives a Set of the pending tasks of the running loop, the current one included', async () => {
    const tasks = await runOn(loop, async () => {
      const a = createTask(async () => sleep(1));
      const b = createTask(function* () {
        yield* sleep(1);
      });
      const done = createTask(async () => 'quick');
      await done;
      const all = allTasks();
      expect(all).toBeInstanceOf(Set);
      expect(all.has(currentTask()!)).toBe(true);
      expect(all.has(a)).toBe(true);
      expect(all.has(b)).toBe(true);
      expect(all.has(done)).toBe(false);
      expect(all.size).toBe(3);
      await a;
      await b;
      return { all };
    });
    expect(tasks.all.size).toBe(3);
  });

  it('lists the tasks of a loop given explicitly, before it runs', () => {
    const task = loop.createTask(async () => {});
    const all = allTasks(loop);
    expect(all.size).toBe(1);
    expect(all.has(task)).toBe(true);
  });

  it('throws RuntimeError when no loop is running and none is given', () => {
    expect(() => allTasks()).toThrow(RuntimeError);
  });
});

describe.each(shapes)('a fire-and-forget task with an %s', (shape) => {
  it('is kept alive by the loop through garbage collection, and completes', async () => {
    // Each task awaits a Future that only the task itself references: were
    // the loop to hold its tasks weakly, collecting would drop the task, its
    // coroutine and the Future together, and the WeakRefs would come back empty.
    const gc = getGc();
    const finished: number[] = [];
    const futures: WeakRef<Future<number>>[] = [];
    const spawn = (index: number) => {
      createTask(
        pick(shape, {
          async: async () => {
            const future = loop.createFuture<number>();
            futures[index] = new WeakRef(future);
            finished.push(await future);
          },
          generator: function* () {
            const future = loop.createFuture<number>();
            futures[index] = new WeakRef(future);
            finished.push(yield* future);
          },
        }),
      );
    };
    // The control: a Future nothing holds is collected by the same rounds.
    const makeControl = () => new WeakRef(loop.createFuture<number>());
    let control: WeakRef<Future<number>> | null = null;
    await runOn(loop, async () => {
      for (let index = 0; index < 10; index++) spawn(index);
      control = makeControl();
      await sleep(0);
      await sleep(0);
      for (let round = 0; round < 3; round++) {
        // WeakRef targets stay alive until the job ends: collect in a new one.
        await foreignDelay(1);
        gc();
      }
      futures.forEach((ref, index) => ref.deref()?.setResult(index));
      while (allTasks().size > 1) await sleep(0);
    });
    expect(control!.deref()).toBeUndefined();
    expect(futures).toHaveLength(10);
    expect(finished.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
