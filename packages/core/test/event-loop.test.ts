// The EventLoop's life cycle and scheduling surface: callSoon, runForever,
// runUntilComplete, stop, close, isRunning, isClosed, time, and what misuse
// of them throws (asyncio's base_events.BaseEventLoop, test_base_events.py).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  EventLoop,
  Handle,
  RuntimeError,
  TimerHandle,
  ValueError,
  getRunningLoop,
  sleep,
  type Coroutine,
} from '@asyncio-ts/core';
import { delay, shapes, useLoopGuard, type Shape } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

/** The same body in the given coroutine shape. */
function body<T>(shape: Shape, bodies: { async: () => Promise<T>; generator: () => Coroutine<T> }) {
  return shape === 'async function' ? bodies.async : bodies.generator;
}

describe('EventLoop.callSoon', () => {
  it('runs the callback with its arguments on a later iteration, not inline', async () => {
    const loop = guard.newLoop();
    const calls: unknown[][] = [];
    const handle = loop.callSoon((...args: unknown[]) => calls.push(args), 1, 'two');
    expect(handle).toBeInstanceOf(Handle);
    expect(calls).toEqual([]);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(calls).toEqual([[1, 'two']]);
    loop.close();
  });

  it('rejects a callback that is not a function with a TypeError naming the method and the value', () => {
    const loop = guard.newLoop();
    expect(() => loop.callSoon(42 as never)).toThrow(TypeError);
    expect(() => loop.callSoon(42 as never)).toThrow(/callSoon\(\) expects a function.*42.*pass a function/);
    loop.close();
  });

  it('points at createTask() when given a coroutine instead of a function', () => {
    const loop = guard.newLoop();
    function* coroutine() {
      yield* sleep(0);
    }
    expect(() => loop.callSoon(coroutine() as never)).toThrow(/callSoon\(\).*use createTask\(\) for a coroutine/);
    const promise = Promise.resolve(1);
    expect(() => loop.callSoon(promise as never)).toThrow(TypeError);
    expect(() => loop.callSoon(promise as never)).toThrow(/createTask\(\)/);
    loop.close();
  });

  it('throws RuntimeError on a closed loop', () => {
    const loop = guard.newLoop();
    loop.close();
    expect(() => loop.callSoon(() => {})).toThrow(RuntimeError);
    expect(() => loop.callSoon(() => {})).toThrow(/callSoon\(\): Event loop is closed/);
  });

  it('wakes an idle loop when called from a Node callback', async () => {
    const loop = guard.newLoop();
    let ranAt = 0;
    // The loop has nothing to do but a timer an hour away.
    const far = loop.callLater(3600, () => {});
    const scheduledAt = performance.now();
    setTimeout(() => loop.callSoon(() => {
      ranAt = performance.now();
      loop.stop();
    }), 20);
    await loop.runForever();
    far.cancel();
    expect(ranAt - scheduledAt).toBeGreaterThanOrEqual(15);
    expect(ranAt - scheduledAt).toBeLessThan(2000);
    loop.close();
  });
});

describe('EventLoop.callSoonThreadsafe', () => {
  it('runs the callback on the loop and wakes it while it waits for a timer', async () => {
    const loop = guard.newLoop();
    const seen: unknown[] = [];
    const far = loop.callLater(3600, () => {});
    setTimeout(() => loop.callSoonThreadsafe((value: string) => {
      seen.push(value, loop.isRunning());
      loop.stop();
    }, 'from Node'), 10);
    await loop.runForever();
    far.cancel();
    expect(seen).toEqual(['from Node', true]);
    loop.close();
  });

  it('rejects a non-function and a closed loop like callSoon', () => {
    const loop = guard.newLoop();
    expect(() => loop.callSoonThreadsafe('nope' as never)).toThrow(TypeError);
    loop.close();
    expect(() => loop.callSoonThreadsafe(() => {})).toThrow(RuntimeError);
  });
});

describe('EventLoop.runForever and stop', () => {
  it('runs until stop() and reports isRunning() meanwhile', async () => {
    const loop = guard.newLoop();
    const states: boolean[] = [];
    expect(loop.isRunning()).toBe(false);
    loop.callSoon(() => states.push(loop.isRunning()));
    loop.callLater(0.01, () => {
      states.push(loop.isRunning());
      loop.stop();
    });
    const running = loop.runForever();
    expect(loop.isRunning()).toBe(true);
    await running;
    expect(states).toEqual([true, true]);
    expect(loop.isRunning()).toBe(false);
    loop.close();
  });

  it('is the running loop for getRunningLoop() while it runs, and only then', async () => {
    const loop = guard.newLoop();
    let seen: unknown = null;
    loop.callSoon(() => {
      seen = getRunningLoop();
      loop.stop();
    });
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    await loop.runForever();
    expect(seen).toBe(loop);
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    loop.close();
  });

  it('stops promptly when stop() is called from a Node timer while the loop waits', async () => {
    const loop = guard.newLoop();
    const far = loop.callLater(3600, () => {});
    const started = performance.now();
    setTimeout(() => loop.stop(), 20);
    await loop.runForever();
    const elapsed = performance.now() - started;
    far.cancel();
    expect(elapsed).toBeGreaterThanOrEqual(15);
    expect(elapsed).toBeLessThan(2000);
    loop.close();
  });

  it('can run again after a stop, with the callbacks still pending', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callSoon(() => {
      trace.push('first run');
      loop.stop();
      loop.callSoon(() => {
        trace.push('second run');
        loop.stop();
      });
    });
    await loop.runForever();
    expect(trace).toEqual(['first run']);
    await loop.runForever();
    expect(trace).toEqual(['first run', 'second run']);
    loop.close();
  });

  it('throws RuntimeError at once when the loop is already running', async () => {
    const loop = guard.newLoop();
    let error: unknown;
    loop.callSoon(() => {
      try {
        void loop.runForever();
      } catch (thrown) {
        error = thrown;
      }
      loop.stop();
    });
    await loop.runForever();
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/already running/);
    loop.close();
  });

  it('throws RuntimeError when another loop is running', async () => {
    const loop = guard.newLoop();
    const other = guard.newLoop();
    let error: unknown;
    loop.callSoon(() => {
      try {
        void other.runForever();
      } catch (thrown) {
        error = thrown;
      }
      loop.stop();
    });
    await loop.runForever();
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/another loop is running/);
    expect(other.isRunning()).toBe(false);
    loop.close();
    other.close();
  });

  it('throws RuntimeError on a closed loop', () => {
    const loop = guard.newLoop();
    loop.close();
    expect(() => loop.runForever()).toThrow(RuntimeError);
    expect(() => loop.runForever()).toThrow(/runForever\(\): Event loop is closed/);
  });

  it('keeps Node timers, promises and fs working while it runs', async () => {
    const loop = guard.newLoop();
    const result = await loop.runUntilComplete(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const text = await readFile(new URL(import.meta.url), 'utf8');
      await sleep(0.001);
      return text.includes('keeps Node timers');
    });
    expect(result).toBe(true);
    loop.close();
  });
});

describe.each(shapes)('EventLoop.runUntilComplete with an %s', (shape) => {
  it('returns the result of the coroutine', async () => {
    const loop = guard.newLoop();
    const main = body(shape, {
      async: async () => {
        await sleep(0.001);
        return 'done';
      },
      *generator() {
        yield* sleep(0.001);
        return 'done';
      },
    });
    await expect(loop.runUntilComplete(main)).resolves.toBe('done');
    expect(loop.isRunning()).toBe(false);
    loop.close();
  });

  it('rejects with the error the coroutine throws', async () => {
    const loop = guard.newLoop();
    const main = body(shape, {
      async: async () => {
        await sleep(0);
        throw new ValueError('bad value');
      },
      *generator(): Coroutine<never> {
        yield* sleep(0);
        throw new ValueError('bad value');
      },
    });
    await expect(loop.runUntilComplete(main)).rejects.toThrow('bad value');
    loop.close();
  });

  it('rejects with CancelledError when the task is cancelled', async () => {
    const loop = guard.newLoop();
    const main = body(shape, {
      async: async () => {
        await sleep(3600);
      },
      *generator() {
        yield* sleep(3600);
      },
    });
    const task = loop.createTask(main);
    loop.callLater(0.005, () => task.cancel('enough'));
    const outcome = loop.runUntilComplete(task);
    await expect(outcome).rejects.toBeInstanceOf(CancelledError);
    expect(task.cancelled()).toBe(true);
    loop.close();
  });

  it('rejects with RuntimeError when the loop stops before the coroutine is done', async () => {
    const loop = guard.newLoop();
    const main = body(shape, {
      async: async () => {
        await sleep(0.05);
        return 'late';
      },
      *generator() {
        yield* sleep(0.05);
        return 'late';
      },
    });
    const task = loop.createTask(main);
    loop.callSoon(() => loop.stop());
    await expect(loop.runUntilComplete(task)).rejects.toThrow('Event loop stopped before Future completed.');
    expect(task.done()).toBe(false);
    // The task is still there: running again finishes it.
    await expect(loop.runUntilComplete(task)).resolves.toBe('late');
    loop.close();
  });
});

describe('EventLoop.runUntilComplete', () => {
  it('resolves with the result of a Future set by a callback', async () => {
    const loop = guard.newLoop();
    const future = loop.createFuture<number>();
    loop.callLater(0.001, () => future.setResult(42));
    await expect(loop.runUntilComplete(future)).resolves.toBe(42);
    loop.close();
  });

  it('rejects a Future of another loop with RuntimeError', async () => {
    const loop = guard.newLoop();
    const other = guard.newLoop();
    const future = other.createFuture();
    await expect(loop.runUntilComplete(future)).rejects.toThrow(RuntimeError);
    await expect(loop.runUntilComplete(future)).rejects.toThrow(/another loop/);
    loop.close();
    other.close();
  });

  it('rejects what is not awaitable with a TypeError', async () => {
    const loop = guard.newLoop();
    await expect(loop.runUntilComplete(42 as never)).rejects.toThrow(TypeError);
    await expect(loop.runUntilComplete(42 as never)).rejects.toThrow(/a coroutine was expected, got 42/);
    loop.close();
  });

  it('rejects with RuntimeError while the loop is running', async () => {
    const loop = guard.newLoop();
    const nested = await loop.runUntilComplete(async () => {
      const inner = loop.createFuture();
      inner.setResult(1);
      return loop.runUntilComplete(inner).then(
        () => 'resolved',
        (error: unknown) => error,
      );
    });
    expect(nested).toBeInstanceOf(RuntimeError);
    loop.close();
  });

  it('rejects with RuntimeError on a closed loop', async () => {
    const loop = guard.newLoop();
    loop.close();
    await expect(loop.runUntilComplete(async () => 1)).rejects.toThrow(/runUntilComplete\(\): Event loop is closed/);
  });
});

describe('EventLoop.close', () => {
  it('marks the loop closed; closing twice does nothing', () => {
    const loop = guard.newLoop();
    expect(loop.isClosed()).toBe(false);
    loop.close();
    expect(loop.isClosed()).toBe(true);
    expect(() => loop.close()).not.toThrow();
    expect(loop.isClosed()).toBe(true);
  });

  it('drops the callbacks and timers that were pending', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    loop.callSoon(() => ran.push('soon'));
    loop.callLater(0.001, () => ran.push('later'));
    loop.close();
    await delay(10);
    expect(ran).toEqual([]);
  });

  it('makes every scheduling method throw RuntimeError naming itself', () => {
    const loop = guard.newLoop();
    loop.close();
    expect(() => loop.callSoon(() => {})).toThrow(/callSoon\(\): Event loop is closed/);
    expect(() => loop.callLater(1, () => {})).toThrow(RuntimeError);
    expect(() => loop.callAt(1, () => {})).toThrow(/callAt\(\): Event loop is closed/);
    expect(() => loop.createTask(async () => {})).toThrow(/createTask\(\): Event loop is closed/);
  });

  it('throws RuntimeError while the loop is running, and the loop keeps running', async () => {
    const loop = guard.newLoop();
    let error: unknown;
    const after: boolean[] = [];
    loop.callSoon(() => {
      try {
        loop.close();
      } catch (thrown) {
        error = thrown;
      }
      loop.callSoon(() => {
        after.push(loop.isClosed(), loop.isRunning());
        loop.stop();
      });
    });
    await loop.runForever();
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/Cannot close a running event loop/);
    expect(after).toEqual([false, true]);
    loop.close();
  });
});

describe('EventLoop.time', () => {
  it('is a monotonic clock in seconds', async () => {
    const loop = guard.newLoop();
    const first = loop.time();
    await delay(50);
    const second = loop.time();
    expect(second - first).toBeGreaterThanOrEqual(0.045);
    expect(second - first).toBeLessThan(5);
    loop.close();
  });

  it('is what callAt() deadlines and TimerHandle.when() are measured in', () => {
    const loop = guard.newLoop();
    const before = loop.time();
    const timer = loop.callLater(2, () => {});
    expect(timer).toBeInstanceOf(TimerHandle);
    expect(timer.when()).toBeGreaterThanOrEqual(before + 2);
    expect(timer.when()).toBeLessThan(loop.time() + 2.5);
    timer.cancel();
    loop.close();
  });
});

describe('EventLoop.slowCallbackDuration', () => {
  it('is a property, 0.1 seconds by default, and can be set', () => {
    const loop = guard.newLoop();
    expect(loop.slowCallbackDuration).toBe(0.1);
    loop.slowCallbackDuration = 0.02;
    expect(loop.slowCallbackDuration).toBe(0.02);
    loop.close();
  });
});

describe('EventLoop', () => {
  it('prints its state', () => {
    const loop = guard.newLoop();
    expect(String(loop)).toMatch(/^<EventLoop #\d+ running=false closed=false debug=(true|false)>$/);
    loop.close();
    expect(String(loop)).toMatch(/closed=true/);
  });

  it('is a new, separate loop each time it is constructed', () => {
    const first = guard.newLoop();
    const second = guard.newLoop();
    expect(first).not.toBe(second);
    first.close();
    expect(second.isClosed()).toBe(false);
    second.close();
  });

  it('runs the seed guide\'s call_soon example: callbacks run in order on the next iterations', async () => {
    const loop = guard.newLoop();
    const output: string[] = [];
    const callback = (n: number) => output.push(`Callback executed with ${n}`);
    await loop.runUntilComplete(async () => {
      const running = getRunningLoop();
      running.callSoon(callback, 1);
      running.callSoon(callback, 2);
      await sleep(0.01);
    });
    expect(output).toEqual(['Callback executed with 1', 'Callback executed with 2']);
    loop.close();
  });

  it('is an EventLoop hosted on Node', () => {
    const loop = guard.newLoop();
    expect(loop).toBeInstanceOf(EventLoop);
    loop.close();
  });
});
