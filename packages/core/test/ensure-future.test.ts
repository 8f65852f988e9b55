// ensureFuture(): asyncio.ensure_future, for both coroutine shapes. Ported
// from CPython's Lib/test/test_asyncio/test_tasks.py (test_ensure_future_*).
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  Task,
  ValueError,
  currentTask,
  ensureFuture,
  getRunningLoop,
  sleep,
  type Coroutine,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

interface Shape {
  name: string;
  /** Sleeps `delay`, then returns `value`; logs 'cancelled' when cancelled. */
  worker: <T>(delay: number, value: T, log?: string[]) => CoroutineFunction<T>;
  /** Returns the task it runs in (wrapped: a bare Task would be awaited as a thenable). */
  whoAmI: () => CoroutineFunction<{ task: Task<unknown> | null }>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay, value, log = []) => async () => {
      try {
        await sleep(delay);
      } catch (error) {
        log.push('cancelled');
        throw error;
      }
      return value;
    },
    whoAmI: () => async () => ({ task: currentTask() }),
  },
  {
    name: 'function*',
    worker: (delay, value, log = []) =>
      function* () {
        try {
          yield* sleep(delay);
        } catch (error) {
          log.push('cancelled');
          throw error;
        }
        return value;
      },
    whoAmI: () =>
      // eslint-disable-next-line require-yield
      function* () {
        return { task: currentTask() };
      },
  },
];

describe.each(shapes)('ensureFuture() with $name coroutines', (shape) => {
  it('wraps a coroutine function in a task that runs it', async () => {
    // test_ensure_future_coroutine
    await runVirtual(async () => {
      const future = ensureFuture(shape.worker(0.1, 'ok'));
      expect(future).toBeInstanceOf(Task);
      expect(future.getLoop()).toBe(getRunningLoop());
      expect(await future).toBe('ok');
    });
  });

  it('wraps a coroutine object in a task that runs it', async () => {
    await runVirtual(async () => {
      const future = ensureFuture(shape.worker(0.1, 'ok')());
      expect(future).toBeInstanceOf(Task);
      expect(await future).toBe('ok');
    });
  });

  it('runs the coroutine inside the task it returns', async () => {
    await runVirtual(async () => {
      const future = ensureFuture(shape.whoAmI());
      expect((await future).task).toBe(future);
    });
  });

  it('returns a task that is cancelled with the coroutine inside', async () => {
    const log: string[] = [];
    await runVirtual(async () => {
      const future = ensureFuture(shape.worker(10, 'never', log));
      await sleep(1);
      expect(future.cancel()).toBe(true);
      await expect(future).rejects.toBeInstanceOf(CancelledError);
      expect(future.cancelled()).toBe(true);
    });
    expect(log).toEqual(['cancelled']);
  });

  it('returns a task as it is', async () => {
    // test_ensure_future_task
    await runVirtual(async () => {
      const task = getRunningLoop().createTask(shape.worker(0.1, 'ok'));
      expect(ensureFuture(task)).toBe(task);
      expect(ensureFuture(task, { loop: getRunningLoop() })).toBe(task);
      expect(await task).toBe('ok');
    });
  });
});

describe('ensureFuture()', () => {
  it('returns a Future as it is', async () => {
    // test_ensure_future_future
    await runVirtual(async () => {
      const future = getRunningLoop().createFuture<string>();
      future.setResult('ok');
      expect(ensureFuture(future)).toBe(future);
      expect(ensureFuture(future, { loop: getRunningLoop() })).toBe(future);
    });
  });

  it('cancels the very Future it was given when its result is cancelled', async () => {
    await runVirtual(async () => {
      const future = getRunningLoop().createFuture<string>();
      ensureFuture(future).cancel();
      expect(future.cancelled()).toBe(true);
    });
  });

  it('wraps a promise in a task that settles as it does', async () => {
    await runVirtual(async () => {
      const resolved = ensureFuture(Promise.resolve('value'));
      expect(resolved).toBeInstanceOf(Task);
      expect(await resolved).toBe('value');
      const error = new Error('rejected');
      const rejected = ensureFuture(Promise.reject(error));
      await expect(rejected).rejects.toBe(error);
      expect(rejected.exception()).toBe(error);
    });
  });

  it('wraps any thenable, as asyncio wraps any awaitable', async () => {
    // test_ensure_future_awaitable: an object with __await__ is wrapped in a task.
    await runVirtual(async () => {
      const thenable: PromiseLike<string> = {
        then(onFulfilled, onRejected) {
          return Promise.resolve('from then').then(onFulfilled, onRejected);
        },
      };
      const future = ensureFuture(thenable);
      expect(future).toBeInstanceOf(Task);
      expect(await future).toBe('from then');
    });
  });

  it('wraps a plain function, whose return value becomes the result', async () => {
    await runVirtual(async () => {
      const future = ensureFuture(() => 42);
      expect(future).toBeInstanceOf(Task);
      expect(await future).toBe(42);
      const error = new TypeError('thrown');
      const failing = ensureFuture(() => {
        throw error;
      });
      await expect(failing).rejects.toBe(error);
    });
  });

  it('creates the task on the loop it is given, even with none running', async () => {
    const loop = new TestLoop();
    try {
      const future = ensureFuture(
        async () => {
          await sleep(1);
          return getRunningLoop();
        },
        { loop },
      );
      expect(future.getLoop()).toBe(loop);
      expect(await loop.runUntilComplete(future)).toBe(loop);
    } finally {
      loop.close();
    }
  });

  it('throws ValueError for a Future of another loop than the one given', async () => {
    const other = new TestLoop();
    try {
      await runVirtual(async () => {
        const future = other.createFuture();
        expect(() => ensureFuture(future, { loop: getRunningLoop() })).toThrow(ValueError);
        expect(() => ensureFuture(future, { loop: getRunningLoop() })).toThrow(/belongs to another loop/);
      });
    } finally {
      other.close();
    }
  });

  it('throws TypeError for a value that is not awaitable, naming what it takes', async () => {
    // test_ensure_future_neither, test_ensure_future_error_msg
    await runVirtual(async () => {
      for (const value of [42, 'text', null, undefined, {}, [1, 2], true]) {
        expect(() => ensureFuture(value as never)).toThrow(TypeError);
      }
      expect(() => ensureFuture(42 as never)).toThrow(
        'ensureFuture() expects a Future, a coroutine, a promise or a function returning one, got 42',
      );
    });
  });
});
