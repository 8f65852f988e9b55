// Task: what createTask() takes, when the first step runs, names, results and
// misuse, in both coroutine shapes (CPython's test_tasks.py is the reference).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  Future,
  RuntimeError,
  Task,
  createTask,
  currentTask,
  sleep,
  type BaseEventLoop,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
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

/** Runs `main` to its end and returns the error it failed with. */
async function failureOf(loop: BaseEventLoop, main: CoroutineLike<unknown>): Promise<unknown> {
  try {
    await runOn(loop, main);
  } catch (error) {
    return error;
  }
  throw new Error('expected the task to fail');
}

let loop: TestLoop;

beforeEach(() => {
  loop = new TestLoop();
});

afterEach(async () => {
  // A test that failed midway may leave the loop running: stop it first.
  if (loop.isRunning()) {
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  loop.close();
});

describe('createTask()', () => {
  it('runs a generator object', async () => {
    function* double(value: number): Coroutine<number> {
      yield* sleep(0.1);
      return value * 2;
    }
    expect(await runOn(loop, () => createTask(double(21)))).toBe(42);
  });

  it('runs a generator function, calling it in the first step', async () => {
    const calls: string[] = [];
    const result = await runOn(loop, async () => {
      const task = createTask(function* () {
        calls.push('body');
        yield* sleep(0);
        return 'generator function';
      });
      calls.push('after createTask');
      return await task;
    });
    expect(result).toBe('generator function');
    expect(calls).toEqual(['after createTask', 'body']);
  });

  it('runs an async function, calling it in the first step', async () => {
    const calls: string[] = [];
    const result = await runOn(loop, function* () {
      const task = createTask(async () => {
        calls.push('body');
        await sleep(0);
        return 'async function';
      });
      calls.push('after createTask');
      return yield* task;
    });
    expect(result).toBe('async function');
    expect(calls).toEqual(['after createTask', 'body']);
  });

  it('runs a promise, and getCoro() gives the promise back', async () => {
    const promise = new Promise<string>((resolve) => setTimeout(resolve, 5, 'from a promise'));
    const task = loop.createTask(promise);
    expect(task.getCoro()).toBe(promise);
    expect(await runOn(loop, task)).toBe('from a promise');
  });

  it('fails with the rejection of a promise, which is not reported as unhandled', async () => {
    // The promise rejects before the task's first step attaches to it: the
    // task takes it over at creation, so Node sees no unhandled rejection.
    const task = loop.createTask(Promise.reject(new Error('rejected')));
    expect(await failureOf(loop, task)).toEqual(new Error('rejected'));
  });

  it('runs a plain function and takes its return value as the result', async () => {
    const task = loop.createTask(() => 'plain');
    expect(task.done()).toBe(false);
    expect(await runOn(loop, task)).toBe('plain');
  });

  it('fails with the error a plain function throws', async () => {
    const task = loop.createTask(() => {
      throw new RangeError('thrown by a plain function');
    });
    const error = await failureOf(loop, task);
    expect(error).toBeInstanceOf(RangeError);
    expect(task.exception()).toBe(error);
  });

  it('throws a TypeError naming the fix for a number', async () => {
    await runOn(loop, () => {
      expect(() => createTask(42 as never)).toThrow(TypeError);
      expect(() => createTask(42 as never)).toThrow(
        'a coroutine was expected, got 42; pass a generator (from a function*), a promise, or a function returning one',
      );
    });
  });

  it('throws a TypeError pointing to ensureFuture() for a Future', async () => {
    await runOn(loop, () => {
      const future = loop.createFuture();
      expect(() => createTask(future as never)).toThrow(TypeError);
      expect(() => createTask(future as never)).toThrow(/use ensureFuture\(\) for a Future/);
    });
  });

  it('registers no task when it rejects its argument', async () => {
    await runOn(loop, () => {
      const before = loop.pendingTasks().length;
      expect(() => createTask({} as never)).toThrow(TypeError);
      expect(loop.pendingTasks()).toHaveLength(before);
    });
  });

  it('throws RuntimeError when no loop is running', () => {
    expect(() => createTask(async () => 1)).toThrow(RuntimeError);
    expect(() => createTask(async () => 1)).toThrow(/no running event loop/);
  });

  it('loop.createTask() throws RuntimeError on a closed loop', () => {
    loop.close();
    expect(() => loop.createTask(async () => 1)).toThrow(RuntimeError);
    expect(() => loop.createTask(async () => 1)).toThrow(/Event loop is closed/);
  });
});

describe.each(shapes)('the first step of a task with an %s', (shape) => {
  // The same scenario in Python (/usr/bin/python3), which prints
  // [('after create_task', 0), 'soon-before', ('child', 1), 'soon-after', ('main resumed', 1)]:
  //
  //   import asyncio
  //   async def main():
  //       loop = asyncio.get_running_loop()
  //       log = []
  //       iteration = 0
  //       def tick():
  //           nonlocal iteration
  //           iteration += 1
  //           if iteration < 5: loop.call_soon(tick)
  //       loop.call_soon(tick)
  //       async def child():
  //           log.append(('child', iteration))
  //       loop.call_soon(log.append, 'soon-before')
  //       t = asyncio.create_task(child())
  //       loop.call_soon(log.append, 'soon-after')
  //       log.append(('after create_task', iteration))
  //       await asyncio.sleep(0)
  //       log.append(('main resumed', iteration))
  //       await t
  //       print(log)
  //   asyncio.run(main())
  it('runs on the next loop iteration, in callSoon order, as in Python', async () => {
    const log: unknown[] = [];
    let iteration = 0;
    const tick = () => {
      iteration++;
      if (iteration < 5) loop.callSoon(tick);
    };
    const child = pick(shape, {
      async: async () => void log.push(['child', iteration]),
      // eslint-disable-next-line require-yield
      generator: function* () {
        log.push(['child', iteration]);
      },
    });
    const main = pick(shape, {
      async: async () => {
        loop.callSoon(tick);
        loop.callSoon(() => log.push('soon-before'));
        const task = createTask(child);
        loop.callSoon(() => log.push('soon-after'));
        log.push(['after create_task', iteration]);
        await sleep(0);
        log.push(['main resumed', iteration]);
        await task;
      },
      generator: function* () {
        loop.callSoon(tick);
        loop.callSoon(() => log.push('soon-before'));
        const task = createTask(child);
        loop.callSoon(() => log.push('soon-after'));
        log.push(['after create_task', iteration]);
        yield* sleep(0);
        log.push(['main resumed', iteration]);
        yield* task;
      },
    });
    await runOn(loop, main);
    expect(log).toEqual([['after create_task', 0], 'soon-before', ['child', 1], 'soon-after', ['main resumed', 1]]);
  });

  it('does not start the body inside createTask()', async () => {
    let started = false;
    const body = pick(shape, {
      async: async () => {
        started = true;
      },
      // eslint-disable-next-line require-yield
      generator: function* () {
        started = true;
      },
    });
    const task = loop.createTask(body);
    expect(started).toBe(false);
    await runOn(loop, task);
    expect(started).toBe(true);
  });
});

describe('task names', () => {
  it('are Task-N by default, counting up', () => {
    const first = loop.createTask(async () => {});
    const second = loop.createTask(async () => {});
    const match = /^Task-(\d+)$/.exec(first.getName());
    expect(match).not.toBeNull();
    expect(second.getName()).toBe(`Task-${Number(match![1]) + 1}`);
  });

  it('can be given at creation and changed with setName()', () => {
    const task = loop.createTask(async () => {}, { name: 'worker-1' });
    expect(task.getName()).toBe('worker-1');
    task.setName('worker-2');
    expect(task.getName()).toBe('worker-2');
    task.setName(7);
    expect(task.getName()).toBe('7');
  });

  it('show in the task description along with the coroutine', () => {
    function* fetchPage(): Coroutine<void> {}
    const task = loop.createTask(fetchPage, { name: 'fetcher' });
    expect(String(task)).toBe("<Task pending name='fetcher' coro=<fetchPage()>>");
  });
});

describe('getCoro()', () => {
  it('gives the generator, the function or the promise the task was made from', () => {
    function* body(): Coroutine<void> {}
    const generator = body();
    const asyncFunction = async () => {};
    expect(loop.createTask(generator).getCoro()).toBe(generator);
    expect(loop.createTask(body).getCoro()).toBe(body);
    expect(loop.createTask(asyncFunction).getCoro()).toBe(asyncFunction);
  });
});

describe.each(shapes)('a task with an %s', (shape) => {
  it('finishes with the value the body returns', async () => {
    const task = loop.createTask(
      pick(shape, {
        async: async () => {
          await sleep(1);
          return 'value';
        },
        generator: function* () {
          yield* sleep(1);
          return 'value';
        },
      }),
    );
    expect(await runOn(loop, task)).toBe('value');
    expect(task.done()).toBe(true);
    expect(task.result()).toBe('value');
    expect(task.exception()).toBeNull();
  });

  it('fails with the error the body throws', async () => {
    const error = new Error('body failed');
    const task = loop.createTask(
      pick(shape, {
        async: async () => {
          await sleep(1);
          throw error;
        },
        generator: function* () {
          yield* sleep(1);
          throw error;
        },
      }),
    );
    expect(await failureOf(loop, task)).toBe(error);
    expect(task.cancelled()).toBe(false);
    expect(task.exception()).toBe(error);
  });

  it('is awaited by another task for its result or its error', async () => {
    const main = pick(shape, {
      async: async () => {
        const good = createTask(async () => 'good');
        const bad = createTask(async () => {
          throw new Error('bad');
        });
        const results: unknown[] = [await good];
        try {
          await bad;
        } catch (error) {
          results.push((error as Error).message);
        }
        return results;
      },
      generator: function* () {
        const good = createTask(function* () {
          yield* sleep(0);
          return 'good';
        });
        const bad = createTask(function* () {
          yield* sleep(0);
          throw new Error('bad');
        });
        const results: unknown[] = [yield* good];
        try {
          yield* bad;
        } catch (error) {
          results.push((error as Error).message);
        }
        return results;
      },
    });
    expect(await runOn(loop, main)).toEqual(['good', 'bad']);
  });

  it('refuses setResult() and setException() with RuntimeError', async () => {
    const task = loop.createTask(
      pick(shape, {
        async: async () => 1,
        // eslint-disable-next-line require-yield
        generator: function* () {
          return 1;
        },
      }),
    );
    expect(() => task.setResult(2)).toThrow(RuntimeError);
    expect(() => task.setResult(2)).toThrow(/Task does not support setResult\(\)/);
    expect(() => task.setException(new Error('no'))).toThrow(RuntimeError);
    expect(() => task.setException(new Error('no'))).toThrow(/Task does not support setException\(\)/);
    expect(await runOn(loop, task)).toBe(1);
  });

  it('gets RuntimeError when it awaits itself', async () => {
    const main = pick(shape, {
      async: async () => {
        const self = currentTask()!;
        try {
          await self;
        } catch (error) {
          return error;
        }
        return null;
      },
      generator: function* () {
        const self = currentTask()!;
        try {
          yield* self;
        } catch (error) {
          return error;
        }
        return null;
      },
    });
    const error = await runOn(loop, main);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/^Task cannot await on itself/);
  });

  it('gets RuntimeError when it awaits a Future of another loop', async () => {
    const other = new TestLoop();
    try {
      const error = await failureOf(
        loop,
        pick(shape, {
          async: async () => {
            await other.createFuture();
          },
          generator: function* () {
            yield* other.createFuture();
          },
        }),
      );
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as Error).message).toMatch(/^Task <Task pending name='Task-\d+'.* got Future <Future pending> attached to a different loop$/);
    } finally {
      other.close();
    }
  });

  it('gets RuntimeError when an async helper it calls awaits the task', async () => {
    async function awaitTheTask(): Promise<unknown> {
      return await currentTask()!;
    }
    const main = pick(shape, {
      async: async () => {
        try {
          await awaitTheTask();
        } catch (error) {
          return { error };
        }
        return { error: null };
      },
      generator: function* () {
        try {
          yield awaitTheTask();
        } catch (error) {
          return { error };
        }
        return { error: null };
      },
    });
    const { error } = await runOn(loop, main);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/^Task cannot await on itself/);
  });

  it('is a Task and a Future', () => {
    const task = loop.createTask(
      pick(shape, {
        async: async () => {},
        generator: function* () {},
      }),
    );
    expect(task).toBeInstanceOf(Task);
    expect(task).toBeInstanceOf(Future);
    expect(task.getLoop()).toBe(loop);
  });
});

describe('a generator task', () => {
  it('gets the value of a yielded promise sent back', async () => {
    const result = await runOn(loop, function* () {
      const value = (yield new Promise<number>((resolve) => setTimeout(resolve, 5, 12))) as number;
      return value + 1;
    });
    expect(result).toBe(13);
  });

  it('gets the rejection of a yielded promise thrown in', async () => {
    const result = await runOn(loop, function* () {
      try {
        yield Promise.reject(new Error('rejected promise'));
      } catch (error) {
        return (error as Error).message;
      }
      return 'not thrown';
    });
    expect(result).toBe('rejected promise');
  });

  it('gets RuntimeError thrown in for a bad yield, and may go on', async () => {
    const result = await runOn(loop, function* () {
      try {
        yield 42;
      } catch (error) {
        expect(error).toBeInstanceOf(RuntimeError);
        expect((error as Error).message).toBe('Task got bad yield: 42; yield* a Future, or yield a promise');
      }
      yield* sleep(0);
      return 'went on';
    });
    expect(result).toBe('went on');
  });

  it('fails with RuntimeError for a bad yield it does not catch', async () => {
    const error = await failureOf(loop, function* () {
      yield 'not a future';
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/^Task got bad yield/);
  });

  it('gets RuntimeError naming yield* for a yielded generator', async () => {
    function* inner(): Coroutine<number> {
      yield* sleep(0);
      return 1;
    }
    const error = await failureOf(loop, function* () {
      yield inner();
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/yield was used instead of yield\* for generator/);
  });

  it('resumes on the next iteration after a bare yield', async () => {
    const order: string[] = [];
    await runOn(loop, function* () {
      loop.callSoon(() => order.push('callback'));
      yield;
      order.push('resumed');
    });
    expect(order).toEqual(['callback', 'resumed']);
  });

  it('is started only by its task: creating the generator runs nothing', async () => {
    let ran = false;
    function* body(): Coroutine<void> {
      ran = true;
    }
    const generator = body();
    expect(ran).toBe(false);
    const task = loop.createTask(generator);
    expect(ran).toBe(false);
    await runOn(loop, task);
    expect(ran).toBe(true);
  });
});

describe('an async-function task', () => {
  it('awaits a foreign promise and goes on', async () => {
    const result = await runOn(loop, async () => {
      const value = await new Promise<number>((resolve) => setTimeout(resolve, 5, 3));
      await sleep(0);
      return value * 2;
    });
    expect(result).toBe(6);
  });

  it('fails with a CancelledError it throws itself as a cancelled task', async () => {
    const task = loop.createTask(async () => {
      await sleep(0);
      throw new CancelledError('given up');
    });
    const error = await failureOf(loop, task);
    expect(error).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
  });
});
