// sleep(): asyncio.sleep, in both coroutine shapes, on virtual time.
// Ported from CPython's Lib/test/test_asyncio/test_tasks.py (test_sleep,
// test_sleep_cancel, test_task_cancel_sleeping_task, SleepTests.test_sleep_zero).
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CancelledError,
  RuntimeError,
  SleepFuture,
  TimerHandle,
  ValueError,
  createTask,
  getRunningLoop,
  sleep,
  type Coroutine,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/** Starts a callback that counts loop iterations: it reschedules itself once per iteration. */
function countIterations(): () => number {
  const loop = getRunningLoop();
  let count = 0;
  const tick = () => {
    count++;
    loop.callSoon(tick);
  };
  loop.callSoon(tick);
  return () => count;
}

/** A coroutine function of either shape: what createTask() and run() take. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

interface Shape {
  name: string;
  /** Sleeps `delay`, then returns the value sleep() resolved with and the loop time it took. */
  timedSleep: <T>(delay: number, result?: T) => CoroutineFunction<[T | undefined, number]>;
  /** Starts counting iterations, sleeps 0 three times, and records the count after each. */
  sleepZeroThrice: CoroutineFunction<number[]>;
  /** Logs `<name>1`, sleeps 0, logs `<name>2`, sleeps 0, logs `<name>3`. */
  pingPong: (log: string[], name: string) => CoroutineFunction<void>;
  /** Sleeps `delay`; logs 'cancelled' when cancelled there, and rethrows. */
  guardedSleep: (delay: number, log: string[]) => CoroutineFunction<string>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    timedSleep: (delay, result) => async () => {
      const start = getRunningLoop().time();
      const value = await sleep(delay, result);
      return [value, getRunningLoop().time() - start];
    },
    sleepZeroThrice: async () => {
      const iterations = countIterations();
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        await sleep(0);
        seen.push(iterations());
      }
      return seen;
    },
    pingPong: (log, name) => async () => {
      log.push(`${name}1`);
      await sleep(0);
      log.push(`${name}2`);
      await sleep(0);
      log.push(`${name}3`);
    },
    guardedSleep: (delay, log) => async () => {
      try {
        await sleep(delay);
        return 'slept in';
      } catch (error) {
        if (CancelledError.isInstance(error)) log.push('cancelled');
        throw error;
      }
    },
  },
  {
    name: 'function*',
    timedSleep: (delay, result) =>
      function* () {
        const start = getRunningLoop().time();
        const value = yield* sleep(delay, result);
        return [value, getRunningLoop().time() - start];
      },
    sleepZeroThrice: function* () {
      const iterations = countIterations();
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        yield* sleep(0);
        seen.push(iterations());
      }
      return seen;
    },
    pingPong: (log, name) =>
      function* () {
        log.push(`${name}1`);
        yield* sleep(0);
        log.push(`${name}2`);
        yield* sleep(0);
        log.push(`${name}3`);
      },
    guardedSleep: (delay, log) =>
      function* () {
        try {
          yield* sleep(delay);
          return 'slept in';
        } catch (error) {
          if (CancelledError.isInstance(error)) log.push('cancelled');
          throw error;
        }
      },
  },
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(shapes)('sleep() in an $name', (shape) => {
  it('resolves with the result after the delay', async () => {
    const [value, elapsed] = await runVirtual(shape.timedSleep(1.5, 'done'));
    expect(value).toBe('done');
    expect(elapsed).toBe(1.5);
  });

  it('resolves with undefined when no result is given', async () => {
    const [value, elapsed] = await runVirtual(shape.timedSleep(0.25));
    expect(value).toBeUndefined();
    expect(elapsed).toBe(0.25);
  });

  it('resolves with the result for sleep(0) too', async () => {
    // asyncio.sleep(0, result=10) returns 10 (SleepTests.test_sleep_zero).
    const [value, elapsed] = await runVirtual(shape.timedSleep(0, 10));
    expect(value).toBe(10);
    expect(elapsed).toBe(0);
  });

  it('takes exactly one loop iteration for sleep(0)', async () => {
    // async def main():
    //     n = 0
    //     def tick(): nonlocal n; n += 1; loop.call_soon(tick)
    //     loop.call_soon(tick)
    //     for _ in range(3): await asyncio.sleep(0); seen.append(n)
    // -> [1, 2, 3]
    const seen = await runVirtual(shape.sleepZeroThrice);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('interleaves two tasks that sleep(0) step by step', async () => {
    // await asyncio.gather(w('a'), w('b')) with w: log 1, sleep(0), log 2, sleep(0), log 3
    // -> ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']
    const log: string[] = [];
    await runVirtual(async () => {
      const a = createTask(shape.pingPong(log, 'a'));
      const b = createTask(shape.pingPong(log, 'b'));
      await a;
      await b;
    });
    expect(log).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  });

  it('runs a callback scheduled before sleep(0) before it resumes', async () => {
    // SleepTests.test_sleep_zero: call_soon(inc, 1); num = await sleep(0, result=10); result == 1.
    const order = await runVirtual(async () => {
      const log: string[] = [];
      getRunningLoop().callSoon(() => log.push('callback'));
      const task = createTask(function* () {
        yield* sleep(0);
        log.push('generator resumed');
      });
      await task;
      return log;
    });
    expect(order).toEqual(['callback', 'generator resumed']);
  });

  it('is interrupted by cancelling the sleeping task', async () => {
    // test_task_cancel_sleeping_task: a task sleeping 5000 s is cancelled at 0.1 s.
    const log: string[] = [];
    const [outcome, now] = await runVirtual(async () => {
      const loop = getRunningLoop();
      const sleeper = createTask(shape.guardedSleep(5000, log));
      loop.callLater(0.1, () => sleeper.cancel());
      try {
        await sleeper;
        return ['slept in', loop.time()];
      } catch (error) {
        expect(error).toBeInstanceOf(CancelledError);
        expect(sleeper.cancelled()).toBe(true);
        return ['cancelled', loop.time()];
      }
    });
    expect(outcome).toBe('cancelled');
    expect(log).toEqual(['cancelled']);
    expect(now).toBeCloseTo(0.1, 9);
  });
});

describe('sleep()', () => {
  it('cancels its timer when it is cancelled', async () => {
    // test_sleep_cancel: after t.cancel() the call_later handle is cancelled.
    const cancel = vi.spyOn(TimerHandle.prototype, 'cancel');
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const task = createTask(() => sleep(10, 'yeah'));
      await sleep(0);
      await sleep(0);
      expect(cancel).not.toHaveBeenCalled();
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      const cancelledTimers = cancel.mock.contexts as TimerHandle[];
      expect(cancelledTimers.map((timer) => timer.when())).toEqual([10]);
      expect(cancelledTimers[0]!.cancelled()).toBe(true);
      expect(loop.time()).toBe(0);
    });
  });

  it('cancels its timer when the sleep Future itself is cancelled', async () => {
    const cancel = vi.spyOn(TimerHandle.prototype, 'cancel');
    await runVirtual(async () => {
      const future = sleep(3);
      expect(future).toBeInstanceOf(SleepFuture);
      expect(future.cancel('no more')).toBe(true);
      expect(future.cancelled()).toBe(true);
      expect(cancel).toHaveBeenCalledTimes(1);
      await expect(future).rejects.toThrow('no more');
      // A second cancel() does nothing.
      expect(future.cancel()).toBe(false);
      expect(cancel).toHaveBeenCalledTimes(1);
    });
  });

  it('does not move virtual time when its timer was cancelled', async () => {
    // The TestLoop jumps to the next live timer: a cancelled 1000 s sleep must not be one.
    const now = await runVirtual(async () => {
      const long = sleep(1000);
      long.cancel();
      await sleep(2);
      return getRunningLoop().time();
    });
    expect(now).toBe(2);
  });

  it('runs a 60 s sleep in milliseconds of real time on the TestLoop', async () => {
    const started = performance.now();
    const now = await runVirtual(async () => {
      await sleep(60);
      return getRunningLoop().time();
    });
    expect(now).toBe(60);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('wakes several sleepers in the order of their deadlines', async () => {
    const log = await runVirtual(async () => {
      const order: number[] = [];
      const sleeper = (delay: number) => async () => {
        await sleep(delay);
        order.push(delay);
      };
      const tasks = [3, 1, 2, 0.5].map((delay) => createTask(sleeper(delay)));
      for (const task of tasks) await task;
      return order;
    });
    expect(log).toEqual([0.5, 1, 2, 3]);
  });

  it('throws TypeError for a delay that is not a number, naming the argument', async () => {
    // asyncio.sleep('1') -> TypeError
    await runVirtual(async () => {
      expect(() => sleep('1' as unknown as number)).toThrow(TypeError);
      expect(() => sleep('1' as unknown as number)).toThrow(/sleep\(\) expects delay/);
      expect(() => sleep(Number.NaN)).toThrow(TypeError);
      expect(() => sleep(undefined as unknown as number)).toThrow(TypeError);
    });
  });

  it('throws ValueError for a negative delay, saying what to pass instead', async () => {
    // Differs from asyncio, where sleep(-1) returns at once: see the report on negative delays.
    await runVirtual(async () => {
      expect(() => sleep(-1)).toThrow(ValueError);
      expect(() => sleep(-1)).toThrow(/delay >= 0.*use 0/);
    });
  });

  it('throws RuntimeError when no loop is running', () => {
    expect(() => sleep(1)).toThrow(RuntimeError);
    expect(() => sleep(1)).toThrow(/no running event loop/);
  });

  it('prints its delay and state', async () => {
    await runVirtual(async () => {
      const future = sleep(1.5, 'x');
      expect(String(future)).toMatch(/^<sleep 1\.500s pending/);
      await future;
      expect(String(future)).toBe("<sleep 1.500s finished result='x'>");
    });
  });
});
