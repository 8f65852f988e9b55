// waitFor(): asyncio.wait_for with Python 3.12's semantics (on timeout, the
// inner awaitable is cancelled and awaited, then TimeoutError is thrown), in
// both coroutine shapes. Ported from CPython's Lib/test/test_asyncio/test_waitfor.py.
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  TimeoutError,
  ValueError,
  createTask,
  getRunningLoop,
  sleep,
  waitFor,
  type Coroutine,
  type Future,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape: what createTask() and waitFor() take. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

/** How an awaited thing ended, as seen by the task that awaited it, and when. */
type Outcome<T> = { ok: true; value: T; at: number } | { ok: false; error: unknown; at: number };

/** What an inner coroutine went through. */
interface Trace {
  started: boolean;
  running: boolean;
  cancelled: number;
  finished: boolean;
}

const newTrace = (): Trace => ({ started: false, running: false, cancelled: 0, finished: false });

interface Shape {
  name: string;
  /** Sleeps `delay` and returns `value`; records start, cancellation and the end in `trace`. */
  worker: <T>(delay: number, value: T, trace?: Trace) => CoroutineFunction<T>;
  /** Sleeps `delay`; when cancelled, sleeps `cleanup` more before rethrowing. */
  slowCleanup: (delay: number, cleanup: number, trace: Trace) => CoroutineFunction<string>;
  /** Sleeps `delay`; when cancelled, catches it and returns `value` (ignores the cancellation). */
  ignoresCancel: <T>(delay: number, value: T, trace: Trace) => CoroutineFunction<T>;
  /** Sleeps `delay`, then throws `error` in a finally block: on cancellation too. */
  throwsInFinally: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** test_wait_for_self_cancellation's inner: holds up two cancellations, then returns 42. */
  holdsUp: () => CoroutineFunction<number>;
  /** A task body that awaits `make()` and reports how (and when) it ended. */
  awaiting: <T>(make: () => Future<T>) => CoroutineFunction<Outcome<T>>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay, value, trace = newTrace()) => async () => {
      trace.started = trace.running = true;
      try {
        await sleep(delay);
        return value;
      } catch (error) {
        if (CancelledError.isInstance(error)) trace.cancelled++;
        throw error;
      } finally {
        trace.running = false;
        trace.finished = true;
      }
    },
    slowCleanup: (delay, cleanup, trace) => async () => {
      try {
        await sleep(delay);
        return 'slept';
      } catch (error) {
        trace.cancelled++;
        await sleep(cleanup);
        throw error;
      } finally {
        trace.finished = true;
      }
    },
    ignoresCancel: (delay, value, trace) => async () => {
      try {
        await sleep(delay);
      } catch (error) {
        if (!CancelledError.isInstance(error)) throw error;
        trace.cancelled++;
      }
      return value;
    },
    throwsInFinally: (delay, error) => async () => {
      try {
        await sleep(delay);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw error;
      }
    },
    holdsUp: () => async () => {
      try {
        await sleep(0.3);
      } catch {
        try {
          await sleep(0.3);
        } catch {
          await sleep(0.3);
        }
      }
      return 42;
    },
    awaiting: (make) => async () => {
      try {
        const value = await make();
        return { ok: true, value, at: getRunningLoop().time() };
      } catch (error) {
        return { ok: false, error, at: getRunningLoop().time() };
      }
    },
  },
  {
    name: 'function*',
    worker: (delay, value, trace = newTrace()) =>
      function* () {
        trace.started = trace.running = true;
        try {
          yield* sleep(delay);
          return value;
        } catch (error) {
          if (CancelledError.isInstance(error)) trace.cancelled++;
          throw error;
        } finally {
          trace.running = false;
          trace.finished = true;
        }
      },
    slowCleanup: (delay, cleanup, trace) =>
      function* () {
        try {
          yield* sleep(delay);
          return 'slept';
        } catch (error) {
          trace.cancelled++;
          yield* sleep(cleanup);
          throw error;
        } finally {
          trace.finished = true;
        }
      },
    ignoresCancel: (delay, value, trace) =>
      function* () {
        try {
          yield* sleep(delay);
        } catch (error) {
          if (!CancelledError.isInstance(error)) throw error;
          trace.cancelled++;
        }
        return value;
      },
    throwsInFinally: (delay, error) =>
      function* () {
        try {
          yield* sleep(delay);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw error;
        }
      },
    holdsUp: () =>
      function* () {
        try {
          yield* sleep(0.3);
        } catch {
          try {
            yield* sleep(0.3);
          } catch {
            yield* sleep(0.3);
          }
        }
        return 42;
      },
    awaiting: (make) =>
      function* () {
        try {
          const value = yield* make();
          return { ok: true, value, at: getRunningLoop().time() };
        } catch (error) {
          return { ok: false, error, at: getRunningLoop().time() };
        }
      },
  },
];

/** The error of a failed outcome (fails the test for a successful one). */
function errorOf(outcome: Outcome<unknown>): unknown {
  expect(outcome.ok, 'the awaited thing should have failed').toBe(false);
  return (outcome as { error: unknown }).error;
}

describe.each(shapes)('waitFor() with $name coroutines', (shape) => {
  it('resolves with the result when the awaitable finishes in time', async () => {
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.worker(0.5, 'done'), 1))));
    expect(outcome).toEqual({ ok: true, value: 'done', at: 0.5 });
  });

  it('resolves with the result of a future set before the deadline', async () => {
    // test_wait_for_race_condition: fut set at 0.1, timeout 0.2 -> 'ok'
    const outcome = await runVirtual(async () => {
      const loop = getRunningLoop();
      const future = loop.createFuture<string>();
      loop.callLater(0.1, () => future.setResult('ok'));
      return createTask(shape.awaiting(() => waitFor(future, 0.2)));
    });
    expect(outcome).toEqual({ ok: true, value: 'ok', at: 0.1 });
  });

  it('cancels the awaitable at the deadline and throws TimeoutError caused by its CancelledError', async () => {
    // test_wait_for: foo sleeps LONG_TIMEOUT; wait_for(fut, 0.1) -> TimeoutError; fut.cancelled().
    const trace = newTrace();
    await runVirtual(async () => {
      const inner = createTask(shape.worker(3600, 'never', trace));
      const outcome = await createTask(shape.awaiting(() => waitFor(inner, 0.1)));
      const error = errorOf(outcome);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).cause).toBeInstanceOf(CancelledError);
      expect(outcome.at).toBeCloseTo(0.1, 9);
      expect(inner.cancelled()).toBe(true);
    });
    expect(trace).toEqual({ started: true, running: false, cancelled: 1, finished: true });
  });

  it('waits for the cancelled awaitable to finish its cleanup before throwing TimeoutError', async () => {
    // test_wait_for_waits_for_task_cancellation: inner sleeps _EPSILON when cancelled;
    // task_done is True when TimeoutError arrives; its __context__ is a CancelledError.
    const trace = newTrace();
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.slowCleanup(10, 0.5, trace), 0.1))));
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBeCloseTo(0.6, 9);
    expect(trace.cancelled).toBe(1);
    expect(trace.finished).toBe(true);
  });

  it('returns the value of an awaitable that ignores its cancellation', async () => {
    // test_wait_for_cancellation_race_condition: inner catches CancelledError, returns 1 -> 1
    const trace = newTrace();
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.ignoresCancel(1, 1, trace), 0.01))));
    expect(outcome).toEqual({ ok: true, value: 1, at: 0.01 });
    expect(trace.cancelled).toBe(1);
  });

  it('throws the error an awaitable raises while it is being cancelled', async () => {
    // test_wait_for_reraises_exception_during_cancellation -> FooException
    const error = new Error('FooException');
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.throwsInFinally(0.2, error), 0.0001))));
    expect(errorOf(outcome)).toBe(error);
  });

  it('throws the error of an awaitable that fails in time', async () => {
    const error = new RangeError('bad');
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.throwsInFinally(0.1, error), 5))));
    expect(errorOf(outcome)).toBe(error);
    expect(outcome.at).toBeCloseTo(0.1, 9);
  });

  it('waits as long as it takes when timeout is null', async () => {
    // test_wait_for_blocking: wait_for(coro(), timeout=None) -> 'done'
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.worker(1000, 'done'), null))));
    expect(outcome).toEqual({ ok: true, value: 'done', at: 1000 });
  });

  it('with timeout 0, never starts a coroutine and throws TimeoutError', async () => {
    // test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
    const trace = newTrace();
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => waitFor(shape.worker(0, 'x', trace), 0))));
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBe(0);
    expect(trace.started).toBe(false);
  });

  it('with timeout 0, returns the result of a future already done', async () => {
    // test_wait_for_timeout_less_then_0_or_0_future_done -> 'done'
    const outcome = await runVirtual(async () => {
      const future = getRunningLoop().createFuture<string>();
      future.setResult('done');
      return createTask(shape.awaiting(() => waitFor(future, 0)));
    });
    expect(outcome).toEqual({ ok: true, value: 'done', at: 0 });
  });

  it('with timeout 0, cancels a running task, waits for it, and throws TimeoutError', async () => {
    // test_wait_for_timeout_less_then_0_or_0 (timeout 0) and ..._w_timeout_0
    const trace = newTrace();
    await runVirtual(async () => {
      const inner = createTask(shape.worker(10, 'done', trace));
      await sleep(0);
      expect(trace.running).toBe(true);
      const outcome = await createTask(shape.awaiting(() => waitFor(inner, 0)));
      expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
      expect(inner.cancelled()).toBe(true);
      expect(trace.running).toBe(false);
    });
  });

  it('cancels the awaitable when the awaiting task is cancelled', async () => {
    // _test_cancel_wait_for (timeouts None and 60): cancelling the wait cancels the task (bpo-23219).
    for (const timeout of [null, 60]) {
      await runVirtual(async () => {
        const blocked = createTask(async () => {
          await getRunningLoop().createFuture();
        });
        const waiting = createTask(shape.awaiting(() => waitFor(blocked, timeout)));
        getRunningLoop().callSoon(() => waiting.cancel());
        const outcome = await waiting;
        expect(errorOf(outcome)).toBeInstanceOf(CancelledError);
        expect(blocked.cancelled()).toBe(true);
      });
    }
  });

  it('lets the awaitable finish its cleanup when the awaiting task is cancelled', async () => {
    // test_asyncio_wait_for_cancelled: SlowTask ignores cancel requests; t.exited afterwards.
    const trace = newTrace();
    await runVirtual(async () => {
      const waiting = createTask(shape.awaiting(() => waitFor(shape.slowCleanup(10, 0.2, trace), 0.4)));
      await sleep(0.1);
      waiting.cancel();
      const outcome = await waiting;
      expect(errorOf(outcome)).toBeInstanceOf(CancelledError);
      expect(trace).toMatchObject({ cancelled: 1, finished: true });
      expect(outcome.at).toBeCloseTo(0.3, 9);
    });
  });

  it('is cancellable before it starts, leaving an awaitable that holds up cancellation to finish', async () => {
    // test_wait_for_self_cancellation (3.12): task = create_task(wait_for(inner_task, 0.1));
    // task.cancel() at once -> CancelledError; await inner_task -> 42.
    await runVirtual(async () => {
      const inner = createTask(shape.holdsUp());
      const waiting = createTask(shape.awaiting(() => waitFor(inner, 0.1)));
      waiting.cancel();
      await expect(waiting).rejects.toBeInstanceOf(CancelledError);
      expect(await inner).toBe(42);
    });
  });

  it('delivers the result of an awaitable that holds up both the timeout and the cancellation', async () => {
    // Python 3.12: wait_for awaits the inner task in the cancelled task, so when the
    // inner one ignores both cancellations and returns 42, `await wait_for(...)` gives 42.
    await runVirtual(async () => {
      const inner = createTask(shape.holdsUp());
      const waiting = createTask(shape.awaiting(() => waitFor(inner, 0.1)));
      await sleep(0.2);
      expect(waiting.cancel()).toBe(true);
      expect(waiting.done()).toBe(false);
      const outcome = await waiting;
      expect(outcome).toEqual({ ok: true, value: 42, at: 0.5 });
      expect(waiting.cancelling()).toBe(1);
    });
  });

  it('ends cancelled when the awaiting task is cancelled right after the awaitable returned', async () => {
    // test_wait_for_issue86296: wait_for(inner(), 100) where inner returns at once;
    // task.cancel() -> CancelledError, and the code after wait_for never runs.
    let reachedEnd = false;
    await runVirtual(async () => {
      const body = shape.awaiting(() => waitFor(shape.worker(0, 'quick'), 100));
      const waiting = createTask(async () => {
        const outcome = await createTask(body);
        if (!outcome.ok) throw outcome.error;
        await sleep(1);
        reachedEnd = true;
      });
      await sleep(0);
      expect(waiting.done()).toBe(false);
      waiting.cancel();
      await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    });
    expect(reachedEnd).toBe(false);
  });

  it('ends with CancelledError when the awaitable is cancelled by someone else', async () => {
    await runVirtual(async () => {
      const inner = createTask(shape.worker(10, 'x'));
      const waiting = createTask(shape.awaiting(() => waitFor(inner, 5)));
      await sleep(1);
      inner.cancel('not yours');
      const outcome = await waiting;
      const error = errorOf(outcome);
      expect(error).toBeInstanceOf(CancelledError);
      expect(error).not.toBeInstanceOf(TimeoutError);
      expect(outcome.at).toBe(1);
    });
  });
});

describe('waitFor()', () => {
  it('cancels the awaitable when its own Future is cancelled', async () => {
    await runVirtual(async () => {
      const inner = createTask(() => sleep(10, 'x'));
      const outer = waitFor(inner, 5);
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      await expect(inner).rejects.toBeInstanceOf(CancelledError);
      expect(inner.cancelled()).toBe(true);
    });
  });

  it('accepts promises and functions returning one', async () => {
    await runVirtual(async () => {
      expect(await waitFor(Promise.resolve('promise'), 1)).toBe('promise');
      expect(await waitFor(async () => 'function', 1)).toBe('function');
    });
  });

  it('throws TypeError for a bad timeout or awaitable, ValueError for a negative timeout', async () => {
    await runVirtual(async () => {
      expect(() => waitFor(Promise.resolve(1), '1' as unknown as number)).toThrow(TypeError);
      expect(() => waitFor(Promise.resolve(1), -1)).toThrow(ValueError);
      expect(() => waitFor(42 as never, 1)).toThrow(TypeError);
    });
  });
});
