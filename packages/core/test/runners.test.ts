// run() and Runner (asyncio's runners module): run main on a new loop and
// return its result or throw its error, cancel what is left and report its
// errors, close the loop; a nested run() throws RuntimeError at once.
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  EventLoop,
  KeyboardInterrupt,
  RuntimeError,
  Runner,
  ValueError,
  createTask,
  currentTask,
  getEventLoop,
  getRunningLoop,
  run,
  sleep,
  tryGetRunningLoop,
  type BaseEventLoop,
  type Coroutine,
  type Task,
} from '@asyncio-ts/core';
import { shapes, useLoopGuard, type Shape } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

/** The same body in the given coroutine shape. */
function body<T>(shape: Shape, bodies: { async: () => Promise<T>; generator: () => Coroutine<T> }) {
  return shape === 'async function' ? bodies.async : bodies.generator;
}

/** A task that sleeps for an hour, records that its cleanup ran, and may fail while cancelled. */
function sleeper(shape: Shape, cleanups: string[], name: string, failOnCancel = false) {
  return body(shape, {
    async: async () => {
      try {
        await sleep(3600);
      } finally {
        cleanups.push(name);
        if (failOnCancel) throw new Error(`${name} failed while cancelled`);
      }
    },
    *generator() {
      try {
        yield* sleep(3600);
      } finally {
        cleanups.push(name);
        if (failOnCancel) throw new Error(`${name} failed while cancelled`);
      }
    },
  });
}

describe.each(shapes)('run() with an %s', (shape) => {
  it("returns main's result", async () => {
    const main = body(shape, {
      async: async () => {
        await sleep(0.001);
        return 'Data retrieved';
      },
      *generator() {
        yield* sleep(0.001);
        return 'Data retrieved';
      },
    });
    await expect(run(main)).resolves.toBe('Data retrieved');
  });

  it("rejects with main's error", async () => {
    const main = body(shape, {
      async: async () => {
        await sleep(0);
        throw new ValueError('main failed');
      },
      *generator(): Coroutine<never> {
        yield* sleep(0);
        throw new ValueError('main failed');
      },
    });
    const outcome = run(main);
    await expect(outcome).rejects.toBeInstanceOf(ValueError);
    await expect(outcome).rejects.toThrow('main failed');
  });

  it('runs main on a new loop each time and closes it afterwards', async () => {
    const seen: BaseEventLoop[] = [];
    const main = body(shape, {
      async: async () => {
        seen.push(getRunningLoop());
        await sleep(0);
      },
      *generator() {
        seen.push(getRunningLoop());
        yield* sleep(0);
      },
    });
    await run(main);
    await run(main);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]).toBeInstanceOf(EventLoop);
    expect(seen.map((loop) => [loop.isRunning(), loop.isClosed()])).toEqual([
      [false, true],
      [false, true],
    ]);
    expect(tryGetRunningLoop()).toBeNull();
  });

  it('cancels the tasks main left running, and lets their cleanup run', async () => {
    const cleanups: string[] = [];
    let leftover: Task<unknown> | null = null;
    const main = body(shape, {
      async: async () => {
        leftover = createTask(sleeper(shape, cleanups, 'leftover'));
        await sleep(0);
        return 'main done';
      },
      *generator() {
        leftover = createTask(sleeper(shape, cleanups, 'leftover'));
        yield* sleep(0);
        return 'main done';
      },
    });
    await expect(run(main)).resolves.toBe('main done');
    expect(cleanups).toEqual(['leftover']);
    expect(leftover!.cancelled()).toBe(true);
  });

  it('reports the error a leftover task ends with to the exception handler', async () => {
    const cleanups: string[] = [];
    let leftover: Task<unknown> | null = null;
    const main = body(shape, {
      async: async () => {
        getRunningLoop().setExceptionHandler(guard.handler);
        leftover = createTask(sleeper(shape, cleanups, 'stubborn', true));
        createTask(sleeper(shape, cleanups, 'quiet'));
        await sleep(0);
      },
      *generator() {
        getRunningLoop().setExceptionHandler(guard.handler);
        leftover = createTask(sleeper(shape, cleanups, 'stubborn', true));
        createTask(sleeper(shape, cleanups, 'quiet'));
        yield* sleep(0);
      },
    });
    await run(main);
    expect(cleanups.sort()).toEqual(['quiet', 'stubborn']);
    const contexts = guard.takeErrors();
    expect(contexts).toHaveLength(1);
    expect(contexts[0]!.message).toBe('unhandled exception during run() shutdown');
    expect(contexts[0]!.task).toBe(leftover);
    expect((contexts[0]!.exception as Error).message).toBe('stubborn failed while cancelled');
  });

  it('rejects with CancelledError when main is cancelled', async () => {
    const main = body(shape, {
      async: async () => {
        currentTask()!.cancel('stop here');
        await sleep(1);
      },
      *generator() {
        currentTask()!.cancel('stop here');
        yield* sleep(1);
      },
    });
    await expect(run(main)).rejects.toBeInstanceOf(CancelledError);
  });

  it('throws RuntimeError at once, synchronously, when called inside a running loop', async () => {
    let started = false;
    const inner = async () => {
      started = true;
      return 'Success';
    };
    const main = body(shape, {
      async: async () => {
        await sleep(0);
        let error: unknown = null;
        try {
          void run(inner);
        } catch (thrown) {
          error = thrown;
        }
        // Awaiting it instead works.
        return [error, await inner()] as const;
      },
      *generator() {
        yield* sleep(0);
        let error: unknown = null;
        try {
          void run(inner);
        } catch (thrown) {
          error = thrown;
        }
        return [error, 'Success'] as const;
      },
    });
    const [error, result] = await run(main);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toBe('run() cannot be called from a running event loop; await the coroutine instead');
    expect(result).toBe('Success');
    expect(started).toBe(shape === 'async function');
  });

  it('raises KeyboardInterrupt when SIGINT cancels main', async () => {
    const cleanups: string[] = [];
    const main = body(shape, {
      async: async () => {
        // run() listens for SIGINT only while main runs; never send it without a listener.
        expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
        setTimeout(() => process.kill(process.pid, 'SIGINT'), 10);
        try {
          await sleep(3600);
        } finally {
          cleanups.push('main');
        }
      },
      *generator() {
        expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
        setTimeout(() => process.kill(process.pid, 'SIGINT'), 10);
        try {
          yield* sleep(3600);
        } finally {
          cleanups.push('main');
        }
      },
    });
    const listeners = process.listenerCount('SIGINT');
    await expect(run(main)).rejects.toBeInstanceOf(KeyboardInterrupt);
    expect(cleanups).toEqual(['main']);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});

describe('run() and SIGINT', () => {
  // async def main():
  //     loop = asyncio.get_running_loop()
  //     stop = asyncio.Event()
  //     loop.add_signal_handler(signal.SIGINT, stop.set)
  //     loop.call_later(0.05, os.kill, os.getpid(), signal.SIGINT)
  //     await stop.wait()
  //     return 'stopped gracefully'
  // print(asyncio.run(main()))  # stopped gracefully
  it.each(shapes)("leaves SIGINT to a handler main added with addSignalHandler (%s)", async (shape) => {
    const main = body(shape, {
      async: async () => {
        const loop = getRunningLoop();
        const stop = loop.createFuture<void>();
        loop.addSignalHandler('SIGINT', () => void (stop.done() || stop.setResult()));
        loop.callLater(0.01, () => process.kill(process.pid, 'SIGINT'));
        await stop;
        loop.removeSignalHandler('SIGINT');
        return 'stopped gracefully';
      },
      *generator() {
        const loop = getRunningLoop();
        const stop = loop.createFuture<void>();
        loop.addSignalHandler('SIGINT', () => void (stop.done() || stop.setResult()));
        loop.callLater(0.01, () => process.kill(process.pid, 'SIGINT'));
        yield* stop;
        loop.removeSignalHandler('SIGINT');
        return 'stopped gracefully';
      },
    });
    const listeners = process.listenerCount('SIGINT');
    await expect(run(main)).resolves.toBe('stopped gracefully');
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});

describe('run()', () => {
  it.each([
    ['a number', 42],
    ['a string', 'main'],
    ['null', null],
    ['a plain object', { run: true }],
  ])('rejects %s, which is not awaitable, with a ValueError at once', (_label, main) => {
    expect(() => run(main as never)).toThrow(ValueError);
    expect(() => run(main as never)).toThrow(/a coroutine was expected, got .*; pass a coroutine \(main\(\) or a promise\) or a function returning one \(main\)/);
    expect(tryGetRunningLoop()).toBeNull();
  });

  it('takes a generator object and a promise as well as a function', async () => {
    function* generator(): Coroutine<string> {
      yield* sleep(0);
      return 'from a generator object';
    }
    await expect(run(generator())).resolves.toBe('from a generator object');
    await expect(run(Promise.resolve('from a promise'))).resolves.toBe('from a promise');
  });

  it('makes its loop the current one while it runs, and unsets it after', async () => {
    const seen = await run(async () => getEventLoop() === getRunningLoop());
    expect(seen).toBe(true);
    const after = getEventLoop();
    expect(after.isClosed()).toBe(false);
    after.close();
  });

  it('runs the seed guide\'s first example: Starting, a one-second sleep (here 10 ms), Finished', async () => {
    const printed: string[] = [];
    async function main(): Promise<void> {
      printed.push('Starting');
      await sleep(0.01);
      printed.push('Finished');
    }
    const started = performance.now();
    await run(main);
    expect(printed).toEqual(['Starting', 'Finished']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(9);
  });
});

describe('Runner', () => {
  it('runs several coroutines on one loop, made on first use', async () => {
    const runner = new Runner();
    const loop = runner.getLoop();
    expect(runner.getLoop()).toBe(loop);
    const first = await runner.run(async () => getRunningLoop());
    const second = await runner.run(function* () {
      yield* sleep(0);
      return getRunningLoop();
    });
    expect([first, second]).toEqual([loop, loop]);
    expect(loop.isClosed()).toBe(false);
    await runner.close();
    expect(loop.isClosed()).toBe(true);
  });

  it('keeps tasks left by one run for the next, and cancels them on close', async () => {
    const cleanups: string[] = [];
    const runner = new Runner();
    const leftover = await runner.run(async () => ({ task: createTask(sleeper('async function', cleanups, 'leftover')) }));
    await runner.run(async () => sleep(0.001));
    expect(leftover.task.done()).toBe(false);
    await runner.close();
    expect(leftover.task.cancelled()).toBe(true);
    expect(cleanups).toEqual(['leftover']);
  });

  it('throws RuntimeError once closed; closing again does nothing', async () => {
    const runner = new Runner();
    await runner.run(async () => 1);
    await runner.close();
    await runner.close();
    expect(() => runner.run(async () => 2)).toThrow(RuntimeError);
    expect(() => runner.run(async () => 2)).toThrow('Runner is closed; make a new Runner');
    expect(() => runner.getLoop()).toThrow(RuntimeError);
  });

  // r = asyncio.Runner()
  // r.close()
  // async def main(): return 'ok'
  // print(r.run(main()))  # ok
  it('does nothing when closed before it ran anything, and stays usable, as asyncio\'s', async () => {
    const runner = new Runner();
    await runner.close();
    await expect(runner.run(async () => 'ok')).resolves.toBe('ok');
    await runner.close();
    expect(() => runner.getLoop()).toThrow(RuntimeError);
  });

  it('is closed at the end of an `await using` block', async () => {
    let loop: BaseEventLoop | null = null;
    {
      await using runner = new Runner();
      loop = runner.getLoop();
      await expect(runner.run(async () => 'inside')).resolves.toBe('inside');
    }
    expect(loop.isClosed()).toBe(true);
  });

  it('is closed at the end of an `await using` block that throws', async () => {
    let loop: BaseEventLoop | null = null;
    const attempt = async () => {
      await using runner = new Runner();
      loop = runner.getLoop();
      await runner.run(async () => {
        throw new Error('body failed');
      });
    };
    await expect(attempt()).rejects.toThrow('body failed');
    expect(loop!.isClosed()).toBe(true);
  });

  it('uses the loop its loopFactory makes, and does not make it the current loop', async () => {
    const made = guard.newLoop();
    const runner = new Runner({ loopFactory: () => made });
    const seen = await runner.run(async () => getRunningLoop());
    expect(seen).toBe(made);
    await runner.close();
    expect(made.isClosed()).toBe(true);
    const current = getEventLoop();
    expect(current).not.toBe(made);
    current.close();
  });

  it('run() runs main on the loop its loopFactory makes, and closes it after', async () => {
    const made = guard.newLoop();
    const seen = await run(async () => getRunningLoop(), { loopFactory: () => made });
    expect(seen).toBe(made);
    expect(made.isClosed()).toBe(true);
  });

  it('sets debug mode on its loop when asked', async () => {
    await using runner = new Runner({ debug: true });
    expect(runner.getLoop().getDebug()).toBe(true);
    expect(await runner.run(async () => getRunningLoop().getDebug())).toBe(true);
    guard.takeLogs('debug');
  });

  it('throws RuntimeError at once when run inside a running loop', async () => {
    const runner = new Runner();
    const error = await run(async () => {
      try {
        void runner.run(async () => 1);
        return null;
      } catch (thrown) {
        return thrown;
      }
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/^Runner.run\(\) cannot be called from a running event loop/);
    await runner.close();
  });

  it('rejects what is not awaitable with a ValueError at once', async () => {
    const runner = new Runner();
    expect(() => runner.run(7 as never)).toThrow(ValueError);
    await runner.close();
  });

  it("rejects with main's error and stays usable", async () => {
    await using runner = new Runner();
    await expect(runner.run(async () => Promise.reject(new Error('first failed')))).rejects.toThrow('first failed');
    await expect(runner.run(async () => 'second')).resolves.toBe('second');
  });
});
