// Eager tasks (Python 3.12's eager_task_factory): the first step runs inside
// createTask(). Both coroutine shapes.
//
// Difference from Python, tested below: an async function that finishes
// without suspending settles its promise at once, but a promise's outcome is
// only seen in a microtask, so such a task is done a microtask later (still
// before the loop's next iteration); a generator task is done at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  Task,
  allTasks,
  createEagerTaskFactory,
  createTask,
  currentTask,
  eagerTaskFactory,
  sleep,
  type BaseEventLoop,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
  type TaskOptions,
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

describe('loop.setTaskFactory()', () => {
  it('installs and reports the factory, and null restores the default', () => {
    expect(loop.getTaskFactory()).toBeNull();
    loop.setTaskFactory(eagerTaskFactory);
    expect(loop.getTaskFactory()).toBe(eagerTaskFactory);
    loop.setTaskFactory(null);
    expect(loop.getTaskFactory()).toBeNull();
  });

  it('rejects what is not a function with a TypeError naming the method', () => {
    expect(() => loop.setTaskFactory(42 as never)).toThrow(TypeError);
    expect(() => loop.setTaskFactory(42 as never)).toThrow(/setTaskFactory\(\) expects a function or null, got 42/);
  });

  it('with null again, tasks start on the next iteration', async () => {
    loop.setTaskFactory(eagerTaskFactory);
    loop.setTaskFactory(null);
    const started = await runOn(loop, async () => {
      let ran = false;
      const task = createTask(function* () {
        ran = true;
      });
      const atCreation = ran;
      await task;
      return [atCreation, ran];
    });
    expect(started).toEqual([false, true]);
  });
});

describe.each(shapes)('an eager task with an %s', (shape) => {
  beforeEach(() => {
    loop.setTaskFactory(eagerTaskFactory);
  });

  it('runs its first step inside createTask(), up to its first suspension', async () => {
    const log: string[] = [];
    const child = pick(shape, {
      async: async () => {
        log.push('first step');
        await sleep(0);
        log.push('second step');
      },
      generator: function* () {
        log.push('first step');
        yield* sleep(0);
        log.push('second step');
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      log.push('after createTask');
      expect(task.done()).toBe(false);
      await task;
    });
    expect(log).toEqual(['first step', 'after createTask', 'second step']);
  });

  it('is done right away when the coroutine finishes without suspending', async () => {
    const child = pick(shape, {
      async: async () => 'at once',
      // eslint-disable-next-line require-yield
      generator: function* () {
        return 'at once';
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      if (shape === 'function* generator') {
        expect(task.done()).toBe(true);
      } else {
        // The promise's outcome arrives in a microtask, before any iteration.
        let iterated = false;
        loop.callSoon(() => (iterated = true));
        await Promise.resolve();
        expect(task.done()).toBe(true);
        expect(iterated).toBe(false);
      }
      expect(task.result()).toBe('at once');
      expect(allTasks().has(task)).toBe(false);
    });
  });

  it('fails right away when the coroutine throws before suspending', async () => {
    const error = new Error('eager failure');
    const child = pick(shape, {
      async: async () => {
        throw error;
      },
      // eslint-disable-next-line require-yield
      generator: function* () {
        throw error;
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      if (shape === 'async function') await Promise.resolve();
      expect(task.done()).toBe(true);
      expect(task.exception()).toBe(error);
    });
  });

  it('has currentTask() be the new task in its first step, and restores the creator after', async () => {
    const seen: { inside?: Task<unknown> | null; creatorBefore?: Task<unknown> | null; creatorAfter?: Task<unknown> | null } = {};
    const child = pick(shape, {
      async: async () => {
        seen.inside = currentTask();
        await sleep(0);
      },
      generator: function* () {
        seen.inside = currentTask();
        yield* sleep(0);
      },
    });
    const main = pick(shape, {
      async: async () => {
        seen.creatorBefore = currentTask();
        const task = createTask(child);
        seen.creatorAfter = currentTask();
        await task;
        return { task };
      },
      generator: function* () {
        seen.creatorBefore = currentTask();
        const task = createTask(child);
        seen.creatorAfter = currentTask();
        yield* task;
        return { task };
      },
    });
    const mainTask = loop.createTask(main);
    const { task } = await runOn(loop, mainTask);
    expect(seen.inside).toBe(task);
    expect(seen.creatorBefore).toBe(mainTask);
    expect(seen.creatorAfter).toBe(mainTask);
  });

  it('is pending and listed by allTasks() once it suspends, and finishes on the loop', async () => {
    const child = pick(shape, {
      async: async () => {
        await sleep(1);
        return 'later';
      },
      generator: function* () {
        yield* sleep(1);
        return 'later';
      },
    });
    const result = await runOn(loop, async () => {
      const task = createTask(child);
      expect(allTasks().has(task)).toBe(true);
      return await task;
    });
    expect(result).toBe('later');
  });

  it('can be cancelled once it suspends', async () => {
    const child = pick(shape, {
      async: async () => {
        await sleep(3600);
      },
      generator: function* () {
        yield* sleep(3600);
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      expect(task.cancel('eagerly cancelled')).toBe(true);
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(task.cancelled()).toBe(true);
    });
    expect(loop.time()).toBeLessThan(3600);
  });

  it('cannot be cancelled once it finished eagerly', async () => {
    const child = pick(shape, {
      async: async () => 1,
      // eslint-disable-next-line require-yield
      generator: function* () {
        return 1;
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      if (shape === 'async function') await Promise.resolve();
      expect(task.cancel()).toBe(false);
      expect(task.result()).toBe(1);
    });
  });

  it('starts on the loop, not in createTask(), when the loop is not running', async () => {
    let ran = false;
    const task = loop.createTask(
      pick(shape, {
        async: async () => {
          ran = true;
        },
        // eslint-disable-next-line require-yield
        generator: function* () {
          ran = true;
        },
      }),
    );
    expect(ran).toBe(false);
    await runOn(loop, task);
    expect(ran).toBe(true);
  });

  it('keeps the name it was given', async () => {
    await runOn(loop, async () => {
      const task = createTask(
        pick(shape, {
          async: async () => {},
          generator: function* () {},
        }),
        { name: 'eager-1' },
      );
      expect(task.getName()).toBe('eager-1');
    });
  });
});

describe('createEagerTaskFactory()', () => {
  class TracedTask<T> extends Task<T> {
    static made = 0;

    constructor(coro: CoroutineLike<T>, options: TaskOptions) {
      super(coro, options);
      TracedTask.made++;
    }
  }

  it('makes eager tasks of the given Task subclass', async () => {
    loop.setTaskFactory(createEagerTaskFactory(TracedTask));
    const log: string[] = [];
    await runOn(loop, async () => {
      const task = createTask(function* () {
        log.push('first step');
        yield* sleep(0);
      });
      log.push('after createTask');
      expect(task).toBeInstanceOf(TracedTask);
      await task;
    });
    expect(log).toEqual(['first step', 'after createTask']);
    // The main task of runUntilComplete() came from the factory too.
    expect(TracedTask.made).toBe(2);
  });
});
