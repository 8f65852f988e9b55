// What is reported when an object is garbage-collected in a state that
// loses something (asyncio's __del__ warnings):
// - "Future exception was never retrieved" / "Task exception was never retrieved"
// - "Task was destroyed but it is pending!"
// - "coroutine '…' was never awaited"
//
// Each test makes the object in a helper function (so no local variable keeps
// it alive), forces collection with V8's gc() and polls with a deadline: the
// FinalizationRegistry callbacks run a while after the collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTask,
  setLogger,
  sleep,
  stderrLogger,
  taskGroup,
  timeout,
  type BaseEventLoop,
  type Coroutine,
  type ExceptionContext,
  type Future,
  type Logger,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';

type Shape = 'async function' | 'function* generator';
const shapes: Shape[] = ['async function', 'function* generator'];

/** The body of the given shape: the same scenario, written once per shape. */
function pick<T>(shape: Shape, bodies: { async: () => Promise<T>; generator: () => Coroutine<T> }): () => Promise<T> | Coroutine<T> {
  return shape === 'async function' ? bodies.async : bodies.generator;
}

/** V8's gc(): the global one under `node --expose-gc`, else enabled at run time. */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const gc = getGc();

/** Collects garbage until `condition` holds; false when the deadline passes first. */
async function collectUntil(condition: () => boolean, deadlineMs = 5_000): Promise<boolean> {
  const end = performance.now() + deadlineMs;
  for (;;) {
    if (condition()) return true;
    if (performance.now() > end) return false;
    // A new macrotask: WeakRef targets are kept for the job that made them,
    // and finalization callbacks run after the collection, as tasks.
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
  }
}

let loop: TestLoop;
let reported: ExceptionContext[];

beforeEach(() => {
  loop = new TestLoop();
  reported = [];
  loop.setExceptionHandler((_loop, context) => void reported.push(context));
});

afterEach(async () => {
  if (loop.isRunning()) {
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  loop.close();
});

/** Fails a Future and drops it; returns a WeakRef to watch it go. */
function dropFailedFuture(target: BaseEventLoop, error: unknown, retrieve?: (future: Future<unknown>) => void): WeakRef<Future<unknown>> {
  const future = target.createFuture();
  future.setException(error);
  retrieve?.(future);
  return new WeakRef(future);
}

/** The contexts reported with this message. */
function reportsOf(message: string): ExceptionContext[] {
  return reported.filter((context) => context.message === message);
}

describe('Future exception was never retrieved', () => {
  it('is reported to the exception handler once the failed Future is collected', async () => {
    const error = new Error('nobody looked');
    dropFailedFuture(loop, error);
    expect(await collectUntil(() => reported.length > 0)).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toBe('Future exception was never retrieved');
    expect(reported[0]!.exception).toBe(error);
    expect(reported[0]!.future).toBe('<Future finished exception=Error("nobody looked")>');
  });

  it('is reported once per Future', async () => {
    dropFailedFuture(loop, new Error('first'));
    dropFailedFuture(loop, new Error('second'));
    expect(await collectUntil(() => reported.length >= 2)).toBe(true);
    await collectUntil(() => false, 100);
    expect(reported.map((context) => (context.exception as Error).message).sort()).toEqual(['first', 'second']);
  });

  it.each([
    ['exception()', (future: Future<unknown>) => void future.exception()],
    ['result()', (future: Future<unknown>) => expect(() => future.result()).toThrow()],
  ])('is not reported when the exception was retrieved with %s', async (_name, retrieve) => {
    // The control: a Future in the same rounds whose exception nobody reads.
    const retrieved = dropFailedFuture(loop, new Error('retrieved'), retrieve);
    dropFailedFuture(loop, new Error('control'));
    expect(await collectUntil(() => retrieved.deref() === undefined && reported.length > 0)).toBe(true);
    await collectUntil(() => false, 100);
    expect(reported.map((context) => (context.exception as Error).message)).toEqual(['control']);
  });

  it('is not reported when the exception was retrieved by await', async () => {
    let retrieved: WeakRef<Future<unknown>> | null = null;
    await loop.runUntilComplete(async () => {
      const future = loop.createFuture();
      retrieved = new WeakRef(future);
      loop.callSoon(() => future.setException(new Error('awaited')));
      await future.then(undefined, () => 'caught');
    });
    dropFailedFuture(loop, new Error('control'));
    expect(await collectUntil(() => retrieved!.deref() === undefined && reported.length > 0)).toBe(true);
    await collectUntil(() => false, 100);
    expect(reported.map((context) => (context.exception as Error).message)).toEqual(['control']);
  });

  it('goes to the logger when the loop has no exception handler', async () => {
    const errors: string[] = [];
    const previous = setLogger({ ...stderrLogger, error: (message: string) => void errors.push(message) });
    try {
      loop.setExceptionHandler(null);
      dropFailedFuture(loop, new Error('logged'));
      expect(await collectUntil(() => errors.length > 0)).toBe(true);
    } finally {
      setLogger(previous);
    }
    expect(errors[0]).toMatch(/^Future exception was never retrieved\n/);
    expect(errors[0]).toContain('Error: logged');
  });
});

describe.each(shapes)('Task exception was never retrieved, for a task with an %s', (shape) => {
  /** Runs a task that fails, and drops it. */
  async function dropFailedTask(error: Error, retrieve: boolean): Promise<WeakRef<Future<unknown>>> {
    let ref: WeakRef<Future<unknown>> | null = null;
    await loop.runUntilComplete(async () => {
      const task = createTask(
        pick(shape, {
          async: async () => {
            await sleep(0);
            throw error;
          },
          generator: function* () {
            yield* sleep(0);
            throw error;
          },
        }),
        { name: `failing-${error.message}` },
      );
      ref = new WeakRef(task);
      while (!task.done()) await sleep(0);
      if (retrieve) expect(task.exception()).toBe(error);
    });
    return ref!;
  }

  it('is reported once the failed task is collected', async () => {
    const error = new Error('lost');
    await dropFailedTask(error, false);
    expect(await collectUntil(() => reported.length > 0)).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toBe('Task exception was never retrieved');
    expect(reported[0]!.exception).toBe(error);
    expect(String(reported[0]!.future)).toContain("name='failing-lost'");
  });

  it('is not reported when the exception was retrieved', async () => {
    const retrieved = await dropFailedTask(new Error('retrieved'), true);
    await dropFailedTask(new Error('control'), false);
    expect(await collectUntil(() => retrieved.deref() === undefined && reported.length > 0)).toBe(true);
    await collectUntil(() => false, 100);
    expect(reported.map((context) => (context.exception as Error).message)).toEqual(['control']);
  });

  it('is not reported when another task awaited it', async () => {
    let ref: WeakRef<Future<unknown>> | null = null;
    await loop.runUntilComplete(async () => {
      const task = createTask(
        pick(shape, {
          async: async () => {
            throw new Error('awaited');
          },
          // eslint-disable-next-line require-yield
          generator: function* () {
            throw new Error('awaited');
          },
        }),
      );
      ref = new WeakRef(task);
      await expect(task).rejects.toThrow('awaited');
    });
    dropFailedFuture(loop, new Error('control'));
    expect(await collectUntil(() => ref!.deref() === undefined && reported.length > 0)).toBe(true);
    await collectUntil(() => false, 100);
    expect(reported.map((context) => (context.exception as Error).message)).toEqual(['control']);
  });
});

describe.each(shapes)('Task was destroyed but it is pending!, for a task with an %s', (shape) => {
  /** Starts a task that waits forever on a Future only it holds, and runs the loop until it waits. */
  async function leavePending(name: string): Promise<WeakRef<Future<unknown>>> {
    let ref: WeakRef<Future<unknown>> | null = null;
    await loop.runUntilComplete(async () => {
      const task = createTask(
        pick(shape, {
          async: async () => {
            await loop.createFuture();
          },
          generator: function* () {
            yield* loop.createFuture();
          },
        }),
        { name },
      );
      ref = new WeakRef(task);
      await sleep(0);
      await sleep(0);
      expect(task.done()).toBe(false);
    });
    return ref!;
  }

  it('is reported when the loop was closed with the task pending and the task is collected', async () => {
    await leavePending('left-behind');
    loop.close();
    expect(await collectUntil(() => reportsOf('Task was destroyed but it is pending!').length > 0)).toBe(true);
    const [context] = reportsOf('Task was destroyed but it is pending!');
    expect(String(context!.task)).toContain("name='left-behind'");
    expect(String(context!.task)).toContain('pending');
  });

  it('is reported for a task that never started', async () => {
    const dropUnstarted = () => {
      loop.createTask(
        pick(shape, {
          async: async () => {},
          generator: function* () {},
        }),
        { name: 'never-started' },
      );
    };
    dropUnstarted();
    loop.close();
    expect(await collectUntil(() => reportsOf('Task was destroyed but it is pending!').length > 0)).toBe(true);
    expect(String(reportsOf('Task was destroyed but it is pending!')[0]!.task)).toContain("name='never-started'");
  });

  it('is not reported while the loop is open: the loop keeps the pending task', async () => {
    const ref = await leavePending('kept');
    dropFailedFuture(loop, new Error('control'));
    expect(await collectUntil(() => reported.length > 0)).toBe(true);
    expect(ref.deref()).toBeDefined();
    expect(reportsOf('Task was destroyed but it is pending!')).toEqual([]);
  });
});

describe('coroutine was never awaited', () => {
  let warnings: string[];
  let previous: Logger;

  beforeEach(() => {
    warnings = [];
    previous = setLogger({ ...stderrLogger, warn: (message: string) => void warnings.push(message) });
  });

  afterEach(() => {
    setLogger(previous);
  });

  it.each([
    ['timeout', () => void timeout(1, async () => 'never')],
    ['taskGroup', () => void taskGroup(async () => 'never')],
  ])("is logged as a RuntimeWarning when a %s() result is dropped", async (name, drop) => {
    await loop.runUntilComplete(async () => {
      drop();
      await sleep(0);
    });
    expect(await collectUntil(() => warnings.length > 0)).toBe(true);
    expect(warnings[0]).toBe(`RuntimeWarning: coroutine '${name}' was never awaited`);
  });

  it.each(shapes)('is not logged for a timeout() awaited in an %s', async (shape) => {
    let ref: WeakRef<object> | null = null;
    await loop.runUntilComplete(
      pick(shape, {
        async: async () => {
          const scoped = timeout(1, async () => 'awaited');
          ref = new WeakRef(scoped);
          return await scoped;
        },
        generator: function* () {
          const scoped = timeout(1, function* () {
            yield* sleep(0);
            return 'awaited';
          });
          ref = new WeakRef(scoped);
          return yield* scoped;
        },
      }),
    );
    const control = async () =>
      loop.runUntilComplete(async () => {
        void timeout(1, async () => 'control');
      });
    await control();
    expect(await collectUntil(() => ref!.deref() === undefined && warnings.length > 0)).toBe(true);
    await collectUntil(() => false, 100);
    expect(warnings).toEqual(["RuntimeWarning: coroutine 'timeout' was never awaited"]);
  });

  it('shows where the coroutine was created in debug mode', async () => {
    loop.setDebug(true);
    await loop.runUntilComplete(async () => {
      void timeout(1, async () => 'never');
    });
    expect(await collectUntil(() => warnings.length > 0)).toBe(true);
    expect(warnings[0]).toMatch(/^RuntimeWarning: coroutine 'timeout' was never awaited\nCoroutine created at \(most recent call last\):\n/);
    expect(warnings[0]).toContain('never-retrieved.test.ts');
  });

  it('is logged for a dropped sleep() in debug mode only', async () => {
    loop.setDebug(true);
    await loop.runUntilComplete(async () => {
      void sleep(0.5);
      await sleep(1);
    });
    expect(await collectUntil(() => warnings.length > 0)).toBe(true);
    expect(warnings[0]).toBe("RuntimeWarning: coroutine 'sleep' was never awaited");
  });

  it('is not logged for a dropped sleep() outside debug mode', async () => {
    let ref: WeakRef<object> | null = null;
    await loop.runUntilComplete(async () => {
      ref = new WeakRef(sleep(0.5));
      void timeout(1, async () => 'control');
      await sleep(1);
    });
    expect(await collectUntil(() => ref!.deref() === undefined && warnings.length > 0)).toBe(true);
    await collectUntil(() => false, 100);
    expect(warnings).toEqual(["RuntimeWarning: coroutine 'timeout' was never awaited"]);
  });
});
