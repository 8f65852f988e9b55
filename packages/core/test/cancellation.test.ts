// Task cancellation with asyncio 3.11+ semantics (cancel, cancelling,
// uncancel), in both coroutine shapes, plus what only async functions have:
// the task's AbortSignal for foreign promises.
//
// A main coroutine here returns a task wrapped as { task }: an async function
// that returns a Task (a thenable) would adopt its outcome instead.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  Future,
  createTask,
  currentTask,
  sleep,
  timeout,
  type BaseEventLoop,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
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

/** What awaiting `task` throws, or its result wrapped as { result }. */
async function outcome(task: Future<unknown>): Promise<unknown> {
  try {
    return { result: await task };
  } catch (error) {
    return error;
  }
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

describe.each(shapes)('cancelling a task with an %s', (shape) => {
  it('throws CancelledError at the awaited future and ends the task cancelled', async () => {
    let awaited: Future<unknown> | null = null;
    let caught: unknown = null;
    const child = pick(shape, {
      async: async () => {
        awaited = sleep(3600);
        try {
          await awaited;
        } catch (error) {
          caught = error;
          throw error;
        }
      },
      generator: function* () {
        awaited = sleep(3600);
        try {
          yield* awaited;
        } catch (error) {
          caught = error;
          throw error;
        }
      },
    });
    const { task } = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(1);
      expect(task.cancel()).toBe(true);
      expect(task.cancelled()).toBe(false);
      expect(task.cancelling()).toBe(1);
      await outcome(task);
      return { task };
    });
    expect(caught).toBeInstanceOf(CancelledError);
    expect(awaited!.cancelled()).toBe(true);
    expect(task.cancelled()).toBe(true);
    expect(task.done()).toBe(true);
    expect(() => task.result()).toThrow(CancelledError);
    expect(loop.time()).toBeLessThan(3600);
  });

  it('lets the coroutine catch CancelledError and go on', async () => {
    const steps: string[] = [];
    const child = pick(shape, {
      async: async () => {
        try {
          await sleep(3600);
        } catch (error) {
          if (!CancelledError.isInstance(error)) throw error;
          steps.push('caught');
        }
        await sleep(1);
        steps.push('went on');
        return 'survived';
      },
      generator: function* () {
        try {
          yield* sleep(3600);
        } catch (error) {
          if (!CancelledError.isInstance(error)) throw error;
          steps.push('caught');
        }
        yield* sleep(1);
        steps.push('went on');
        return 'survived';
      },
    });
    const [result, task] = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(1);
      task.cancel();
      return [await outcome(task), task] as const;
    });
    expect(steps).toEqual(['caught', 'went on']);
    expect(result).toEqual({ result: 'survived' });
    expect(task.cancelled()).toBe(false);
    // The request is still counted until someone calls uncancel().
    expect(task.cancelling()).toBe(1);
  });

  it('lets the coroutine catch CancelledError and return a value', async () => {
    const child = pick(shape, {
      async: async () => {
        try {
          await sleep(3600);
          return 'slept';
        } catch {
          return 'cleaned up';
        }
      },
      generator: function* () {
        try {
          yield* sleep(3600);
          return 'slept';
        } catch {
          return 'cleaned up';
        }
      },
    });
    const result = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(0);
      task.cancel();
      return outcome(task);
    });
    expect(result).toEqual({ result: 'cleaned up' });
  });

  it('runs finally blocks on the way out', async () => {
    const steps: string[] = [];
    const child = pick(shape, {
      async: async () => {
        try {
          await sleep(3600);
        } finally {
          steps.push('finally');
        }
      },
      generator: function* () {
        try {
          yield* sleep(3600);
        } finally {
          steps.push('finally');
        }
      },
    });
    await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(0);
      task.cancel();
      await outcome(task);
      expect(task.cancelled()).toBe(true);
    });
    expect(steps).toEqual(['finally']);
  });

  it('before the first step: the body never runs', async () => {
    let ran = false;
    const child = pick(shape, {
      async: async () => {
        ran = true;
      },
      // eslint-disable-next-line require-yield
      generator: function* () {
        ran = true;
      },
    });
    const { task } = await runOn(loop, async () => {
      const task = createTask(child);
      expect(task.cancel()).toBe(true);
      await outcome(task);
      return { task };
    });
    expect(ran).toBe(false);
    expect(task.cancelled()).toBe(true);
  });

  it('before the first step of a generator object: the body never runs', async () => {
    let ran = false;
    function* body(): Coroutine<void> {
      ran = true;
      yield* sleep(0);
    }
    const { task } = await runOn(loop, async () => {
      const task = createTask(body());
      task.cancel();
      await outcome(task);
      return { task };
    });
    expect(ran).toBe(false);
    expect(task.cancelled()).toBe(true);
  });

  it('during the last step: the task ends cancelled, not with its return value', async () => {
    const child = pick(shape, {
      async: async () => {
        await sleep(0);
        currentTask()!.cancel('from inside');
        return 'returned';
      },
      generator: function* () {
        yield* sleep(0);
        currentTask()!.cancel('from inside');
        return 'returned';
      },
    });
    const task = loop.createTask(child);
    const error = await runOn(loop, () => outcome(task));
    expect(task.cancelled()).toBe(true);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('from inside');
  });

  it('passes the cancel() message to the CancelledError in the coroutine and from result()', async () => {
    let inside: unknown = null;
    const child = pick(shape, {
      async: async () => {
        try {
          await sleep(3600);
        } catch (error) {
          inside = error;
          throw error;
        }
      },
      generator: function* () {
        try {
          yield* sleep(3600);
        } catch (error) {
          inside = error;
          throw error;
        }
      },
    });
    const { task } = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(0);
      task.cancel('shutting down');
      await outcome(task);
      return { task };
    });
    expect(inside).toBeInstanceOf(CancelledError);
    expect((inside as Error).message).toBe('shutting down');
    expect(() => task.result()).toThrow('shutting down');
    expect(() => task.exception()).toThrow('shutting down');
  });

  it('cancels the task it awaits as well', async () => {
    const inner = pick(shape, {
      async: async () => {
        await sleep(3600);
      },
      generator: function* () {
        yield* sleep(3600);
      },
    });
    let innerTask: Task<unknown> | null = null;
    const outer = pick(shape, {
      async: async () => {
        innerTask = createTask(inner);
        await innerTask;
      },
      generator: function* () {
        innerTask = createTask(inner);
        yield* innerTask;
      },
    });
    const { outerTask } = await runOn(loop, async () => {
      const outerTask = createTask(outer);
      await sleep(1);
      outerTask.cancel('stop both');
      await outcome(outerTask);
      return { outerTask };
    });
    expect(outerTask.cancelled()).toBe(true);
    expect(innerTask!.cancelled()).toBe(true);
    expect(() => innerTask!.result()).toThrow('stop both');
  });

  it('returns false for a task that is done, and does not count it', async () => {
    const child = pick(shape, {
      async: async () => 'finished',
      // eslint-disable-next-line require-yield
      generator: function* () {
        return 'finished';
      },
    });
    const task = loop.createTask(child);
    await runOn(loop, task);
    expect(task.cancel()).toBe(false);
    expect(task.cancelled()).toBe(false);
    expect(task.cancelling()).toBe(0);
    expect(task.result()).toBe('finished');
  });

  it('returns false for a task that is already cancelled', async () => {
    const child = pick(shape, {
      async: async () => {
        await sleep(3600);
      },
      generator: function* () {
        yield* sleep(3600);
      },
    });
    const task = loop.createTask(child);
    task.cancel();
    await runOn(loop, () => outcome(task));
    expect(task.cancelled()).toBe(true);
    expect(task.cancel()).toBe(false);
  });

  it('counts requests with cancelling() and takes them back with uncancel()', async () => {
    const child = pick(shape, {
      async: async () => {
        try {
          await sleep(3600);
        } catch {
          // Swallowed: the test reads the counts.
        }
        const task = currentTask()!;
        return [task.cancelling(), task.uncancel(), task.uncancel(), task.uncancel()];
      },
      generator: function* () {
        try {
          yield* sleep(3600);
        } catch {
          // Swallowed: the test reads the counts.
        }
        const task = currentTask()!;
        return [task.cancelling(), task.uncancel(), task.uncancel(), task.uncancel()];
      },
    });
    const counts = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(0);
      expect(task.cancel()).toBe(true);
      expect(task.cancel()).toBe(true);
      expect(task.cancelling()).toBe(2);
      return outcome(task);
    });
    expect(counts).toEqual({ result: [2, 1, 0, 0] });
  });

  it('throws one CancelledError for two cancel() calls before the task wakes', async () => {
    const child = pick(shape, {
      async: async () => {
        let caught = 0;
        try {
          await sleep(3600);
        } catch {
          caught++;
        }
        await sleep(1);
        return caught;
      },
      generator: function* () {
        let caught = 0;
        try {
          yield* sleep(3600);
        } catch {
          caught++;
        }
        yield* sleep(1);
        return caught;
      },
    });
    const result = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(0);
      task.cancel();
      task.cancel();
      return outcome(task);
    });
    expect(result).toEqual({ result: 1 });
  });

  it('throws one CancelledError when its waiter was cancelled directly and then the task too', async () => {
    let awaited: Future<unknown> | null = null;
    const child = pick(shape, {
      async: async () => {
        let caught = 0;
        awaited = sleep(3600);
        try {
          await awaited;
        } catch {
          caught++;
        }
        await sleep(1);
        return caught;
      },
      generator: function* () {
        let caught = 0;
        awaited = sleep(3600);
        try {
          yield* awaited;
        } catch {
          caught++;
        }
        yield* sleep(1);
        return caught;
      },
    });
    const result = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(0);
      awaited!.cancel();
      expect(task.cancel()).toBe(true);
      return outcome(task);
    });
    expect(result).toEqual({ result: 1 });
  });

  it('can be cancelled again after uncancel()', async () => {
    const child = pick(shape, {
      async: async () => {
        try {
          await sleep(3600);
        } catch {
          currentTask()!.uncancel();
        }
        await sleep(3600);
      },
      generator: function* () {
        try {
          yield* sleep(3600);
        } catch {
          currentTask()!.uncancel();
        }
        yield* sleep(3600);
      },
    });
    const { task } = await runOn(loop, async () => {
      const task = createTask(child);
      await sleep(1);
      task.cancel();
      await sleep(1);
      expect(task.done()).toBe(false);
      expect(task.cancelling()).toBe(0);
      task.cancel();
      await outcome(task);
      return { task };
    });
    expect(task.cancelled()).toBe(true);
    expect(loop.time()).toBeLessThan(3600);
  });

  it('is dropped when uncancel() reaches zero before the task wakes (Python 3.13 semantics)', async () => {
    let ran = false;
    const child = pick(shape, {
      async: async () => {
        ran = true;
        return 'ran';
      },
      // eslint-disable-next-line require-yield
      generator: function* () {
        ran = true;
        return 'ran';
      },
    });
    const result = await runOn(loop, async () => {
      const task = createTask(child);
      task.cancel();
      expect(task.uncancel()).toBe(0);
      return outcome(task);
    });
    expect(ran).toBe(true);
    expect(result).toEqual({ result: 'ran' });
  });

  it('aborts task.signal with a CancelledError carrying the message', async () => {
    const child = pick(shape, {
      async: async () => {
        await sleep(3600);
      },
      generator: function* () {
        yield* sleep(3600);
      },
    });
    const task = loop.createTask(child);
    const signal = task.signal;
    expect(signal.aborted).toBe(false);
    await runOn(loop, async () => {
      await sleep(1);
      task.cancel('aborted too');
      expect(signal.aborted).toBe(true);
      await outcome(task);
    });
    expect(signal.reason).toBeInstanceOf(CancelledError);
    expect((signal.reason as Error).message).toBe('aborted too');
  });
});

describe('cancelling an async-function task', () => {
  it('cancels the loop Future it awaits right now', async () => {
    const awaited = loop.createFuture<number>();
    const task = loop.createTask(async () => {
      await sleep(0);
      return await awaited;
    });
    const error = await runOn(loop, async () => {
      await sleep(1);
      task.cancel('now');
      return outcome(task);
    });
    expect(awaited.cancelled()).toBe(true);
    expect(error).toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
  });

  it('while it awaits a foreign promise: aborts the signal at once and throws at its next loop await', async () => {
    const steps: string[] = [];
    let signal: AbortSignal | null = null;
    let abortEvents = 0;
    const task = loop.createTask(async () => {
      signal = currentTask()!.signal;
      signal.addEventListener('abort', () => {
        abortEvents++;
      });
      await foreignDelay(50);
      steps.push('foreign promise settled');
      try {
        await sleep(0);
        steps.push('not cancelled');
      } catch (error) {
        steps.push(CancelledError.isInstance(error) ? `CancelledError: ${(error as Error).message}` : String(error));
        throw error;
      }
    });
    await runOn(loop, async () => {
      await sleep(0);
      task.cancel('no more waiting');
      // At once: inside cancel(), while the foreign promise is still pending.
      expect(signal!.aborted).toBe(true);
      expect(abortEvents).toBe(1);
      expect(steps).toEqual([]);
      expect(task.done()).toBe(false);
      await outcome(task);
    });
    expect(abortEvents).toBe(1);
    expect(signal!.reason).toBeInstanceOf(CancelledError);
    expect((signal!.reason as Error).message).toBe('no more waiting');
    expect(steps).toEqual(['foreign promise settled', 'CancelledError: no more waiting']);
    expect(task.cancelled()).toBe(true);
  });

  it('while it awaits a foreign promise and then returns without a loop await: ends cancelled', async () => {
    const task = loop.createTask(async () => {
      await foreignDelay(20);
      return 'returned';
    });
    await runOn(loop, async () => {
      await sleep(0);
      task.cancel();
      await outcome(task);
    });
    expect(task.cancelled()).toBe(true);
  });

  it('after catching one cancellation, a second one during a foreign promise is thrown at the next loop await', async () => {
    const steps: string[] = [];
    const task = loop.createTask(async () => {
      try {
        await sleep(3600);
      } catch {
        steps.push('first caught');
      }
      await foreignDelay(30);
      try {
        await sleep(0);
        steps.push('second lost');
      } catch (error) {
        steps.push(CancelledError.isInstance(error) ? 'second caught' : String(error));
      }
      return steps.length;
    });
    await runOn(loop, async () => {
      await sleep(1);
      task.cancel('first');
      while (steps.length === 0) await sleep(0);
      await sleep(0);
      task.cancel('second');
      await outcome(task);
    });
    expect(steps).toEqual(['first caught', 'second caught']);
    expect(task.cancelling()).toBe(2);
  });

  it('made from a promise and cancelled before its first step: ends cancelled, and the rejection is not unhandled', async () => {
    const promise = new Promise<never>((_resolve, reject) => setTimeout(reject, 5, new Error('ignored')));
    const task = loop.createTask(promise);
    task.cancel();
    await runOn(loop, async () => {
      await outcome(task);
      await foreignDelay(20);
    });
    expect(task.cancelled()).toBe(true);
  });

  it('lets foreign work stop early through task.signal', async () => {
    const task = loop.createTask(async () => {
      const signal = currentTask()!.signal;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 60_000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    });
    const started = performance.now();
    await runOn(loop, async () => {
      await sleep(0);
      task.cancel();
      await outcome(task);
    });
    expect(task.cancelled()).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('renews the signal when uncancel() reaches zero', async () => {
    const signals = await runOn(loop, async () => {
      const task = currentTask()!;
      const first = task.signal;
      task.cancel();
      const whileCancelling = task.signal;
      task.uncancel();
      const renewed = task.signal;
      await sleep(0);
      return { first, whileCancelling, renewed, after: task.signal };
    });
    expect(signals.first.aborted).toBe(true);
    expect(signals.whileCancelling).toBe(signals.first);
    expect(signals.renewed).not.toBe(signals.first);
    expect(signals.renewed.aborted).toBe(false);
    expect(signals.after).toBe(signals.renewed);
  });

  it('gives an aborted signal to code that asks for it after cancel()', async () => {
    const task = loop.createTask(async () => {
      await foreignDelay(5);
      return currentTask()!.signal.aborted;
    });
    await runOn(loop, async () => {
      await sleep(0);
      task.cancel();
      await outcome(task);
    });
    // The body returned true, but a cancellation was pending: the task ends cancelled.
    expect(task.cancelled()).toBe(true);
  });
});

describe('cancellation across the two shapes', () => {
  it('reaches a generator task that awaits an async helper (yield promise)', async () => {
    let helperTask: Task<unknown> | null = null;
    let helperAborted = false;
    async function helper(): Promise<string> {
      // The helper runs in the generator task: it stops its foreign work
      // through the task's signal.
      helperTask = currentTask();
      const signal = helperTask!.signal;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 60_000);
        signal.addEventListener('abort', () => {
          helperAborted = true;
          clearTimeout(timer);
          resolve();
        });
      });
      return 'helper done';
    }
    let caught: unknown = null;
    const task = loop.createTask(function* () {
      try {
        yield helper();
      } catch (error) {
        caught = error;
        throw error;
      }
    });
    const started = performance.now();
    await runOn(loop, async () => {
      await sleep(1);
      task.cancel('from outside');
      await outcome(task);
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(helperTask).toBe(task);
    expect(helperAborted).toBe(true);
    expect(caught).toBeInstanceOf(CancelledError);
    expect((caught as Error).message).toBe('from outside');
    expect(task.cancelled()).toBe(true);
  });

  it('reaches an async helper awaited by a generator task through its own task', async () => {
    let helperCaught: unknown = null;
    const task = loop.createTask(function* () {
      yield* createTask(async () => {
        try {
          await sleep(3600);
        } catch (error) {
          helperCaught = error;
          throw error;
        }
      });
    });
    await runOn(loop, async () => {
      await sleep(1);
      task.cancel('through the inner task');
      await outcome(task);
    });
    expect(helperCaught).toBeInstanceOf(CancelledError);
    expect((helperCaught as Error).message).toBe('through the inner task');
    expect(task.cancelled()).toBe(true);
  });

  it('reaches a generator driven inside an async task (a generator body of timeout())', async () => {
    let caught: unknown = null;
    const steps: string[] = [];
    const task = loop.createTask(async () => {
      await timeout(null, function* () {
        try {
          yield* sleep(3600);
        } catch (error) {
          caught = error;
          steps.push('generator caught');
          throw error;
        }
      });
      steps.push('not reached');
    });
    await runOn(loop, async () => {
      await sleep(1);
      task.cancel('into the generator');
      await outcome(task);
    });
    expect(caught).toBeInstanceOf(CancelledError);
    expect((caught as Error).message).toBe('into the generator');
    expect(steps).toEqual(['generator caught']);
    expect(task.cancelled()).toBe(true);
    expect(loop.time()).toBeLessThan(3600);
  });

  it('lets a generator driven inside an async task catch it and return', async () => {
    const task = loop.createTask(async () => {
      const inner = await timeout(null, function* () {
        try {
          yield* sleep(3600);
          return 'slept';
        } catch {
          return 'caught in the generator';
        }
      });
      return `async got: ${inner}`;
    });
    const result = await runOn(loop, async () => {
      await sleep(1);
      task.cancel();
      return outcome(task);
    });
    expect(result).toEqual({ result: 'async got: caught in the generator' });
  });
});
