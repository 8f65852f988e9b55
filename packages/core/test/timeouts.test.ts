// timeout() and timeoutAt(): asyncio.timeout / timeout_at. The body runs in
// either shape, called from a task of either shape (all four pairs), on
// virtual time. Ported from CPython's Lib/test/test_asyncio/test_timeouts.py;
// `async with asyncio.timeout(d) as cm:` becomes `timeout(d, (cm) => …)`.
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  RuntimeError,
  Runner,
  Timeout,
  TimeoutError,
  ValueError,
  createTask,
  currentTask,
  getRunningLoop,
  sleep,
  timeout,
  timeoutAt,
  type Body,
  type Coroutine,
  type Future,
  type ScopedFuture,
  type Task,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape: what createTask() takes. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

/** How the timeout block ended, as the calling task saw it, and when. */
type Outcome<T> = { ok: true; value: T; at: number } | { ok: false; error: unknown; at: number };

/** Where a body leaves the Timeout it receives, for the test to look at afterwards. */
interface Seen {
  cm?: Timeout;
}

/** The task that calls timeout(): awaits the block in its own shape. */
interface Caller {
  caller: string;
  /** Awaits `make()` and reports how it ended (catches everything). */
  call: <T>(make: () => ScopedFuture<Timeout, T>) => CoroutineFunction<Outcome<T>>;
  /** Awaits `make()` and returns its result (lets errors through). */
  relay: <T>(make: () => ScopedFuture<Timeout, T>) => CoroutineFunction<T>;
}

/** The body of the timeout block, in its own shape. */
interface BodyShape {
  body: string;
  /** Sleeps `delay`, then returns `value`; logs 'cancelled' when cancelled while sleeping. */
  sleeps: <T>(delay: number, value: T, seen: Seen, log?: string[]) => Body<Timeout, T>;
  /** Throws `error` at once. */
  throws: (error: unknown, seen: Seen) => Body<Timeout, never>;
  /** Sleeps `delay`; when cancelled, sleeps `cleanup` more, then rethrows. */
  slowCleanup: (delay: number, cleanup: number, seen: Seen) => Body<Timeout, string>;
  /** Sleeps `delay`, then throws `error` in a finally block (on cancellation too). */
  crashInFinally: (delay: number, error: unknown) => Body<Timeout, never>;
  /** Catches the CancelledError of an expired sleep, checks that reschedule() refuses, returns 'survived'. */
  survivesExpiry: (delay: number, log: string[]) => Body<Timeout, string>;
  /** Awaits `inner()` (logging how it ended as 'inner:<outcome>'), then sleeps `after`, returns 'outer done'. */
  around: (inner: () => ScopedFuture<Timeout, unknown>, log: string[], after: number, seen: Seen) => Body<Timeout, string>;
  /** Returns the task the body runs in (wrapped: a Task returned bare would be awaited, it is a thenable). */
  whoAmI: () => Body<Timeout, { task: Task<unknown> | null }>;
  /** Cancels its own task, then sleeps `delay`. */
  cancelsItself: (delay: number, seen: Seen) => Body<Timeout, never>;
  /** Sleeps `first`, moves the deadline to `to(cm)`, then sleeps `then`; returns 'done'. */
  reschedules: (first: number, to: (cm: Timeout) => number | null, then: number, seen: Seen) => Body<Timeout, string>;
  /** Hands the Timeout out through `handOff`, then sleeps `delay`. */
  handsOut: (handOff: Future<Timeout>, delay: number) => Body<Timeout, void>;
}

const callers: Caller[] = [
  {
    caller: 'async function',
    call: (make) => async () => {
      try {
        const value = await make();
        return { ok: true, value, at: getRunningLoop().time() };
      } catch (error) {
        return { ok: false, error, at: getRunningLoop().time() };
      }
    },
    relay: (make) => async () => await make(),
  },
  {
    caller: 'function*',
    call: (make) =>
      function* () {
        try {
          const value = yield* make();
          return { ok: true, value, at: getRunningLoop().time() };
        } catch (error) {
          return { ok: false, error, at: getRunningLoop().time() };
        }
      },
    relay: (make) =>
      function* () {
        return yield* make();
      },
  },
];

const bodies: BodyShape[] = [
  {
    body: 'async function',
    sleeps: (delay, value, seen, log = []) => async (cm) => {
      seen.cm = cm;
      try {
        await sleep(delay);
      } catch (error) {
        if (CancelledError.isInstance(error)) log.push('cancelled');
        throw error;
      }
      return value;
    },
    throws: (error, seen) => async (cm) => {
      seen.cm = cm;
      throw error;
    },
    slowCleanup: (delay, cleanup, seen) => async (cm) => {
      seen.cm = cm;
      try {
        await sleep(delay);
        return 'slept';
      } catch (error) {
        await sleep(cleanup);
        throw error;
      }
    },
    crashInFinally: (delay, error) => async () => {
      try {
        await sleep(delay);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw error;
      }
    },
    survivesExpiry: (delay, log) => async (cm) => {
      try {
        await sleep(delay);
      } catch (error) {
        log.push(CancelledError.isInstance(error) ? 'cancelled' : 'other');
      }
      try {
        cm.reschedule(getRunningLoop().time() + 1);
      } catch (error) {
        log.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
      return 'survived';
    },
    around: (inner, log, after, seen) => async (cm) => {
      seen.cm = cm;
      try {
        await inner();
        log.push('inner:ok');
      } catch (error) {
        log.push(`inner:${(error as Error).name}`);
        if (!TimeoutError.isInstance(error)) throw error;
      }
      await sleep(after);
      return 'outer done';
    },
    whoAmI: () => async () => ({ task: currentTask() }),
    cancelsItself: (delay, seen) => async (cm) => {
      seen.cm = cm;
      currentTask()!.cancel();
      await sleep(delay);
      throw new Error('not reached');
    },
    reschedules: (first, to, then, seen) => async (cm) => {
      seen.cm = cm;
      await sleep(first);
      cm.reschedule(to(cm));
      await sleep(then);
      return 'done';
    },
    handsOut: (handOff, delay) => async (cm) => {
      handOff.setResult(cm);
      await sleep(delay);
    },
  },
  {
    body: 'function*',
    sleeps: (delay, value, seen, log = []) =>
      function* (cm) {
        seen.cm = cm;
        try {
          yield* sleep(delay);
        } catch (error) {
          if (CancelledError.isInstance(error)) log.push('cancelled');
          throw error;
        }
        return value;
      },
    throws: (error, seen) =>
      // eslint-disable-next-line require-yield
      function* (cm) {
        seen.cm = cm;
        throw error;
      },
    slowCleanup: (delay, cleanup, seen) =>
      function* (cm) {
        seen.cm = cm;
        try {
          yield* sleep(delay);
          return 'slept';
        } catch (error) {
          yield* sleep(cleanup);
          throw error;
        }
      },
    crashInFinally: (delay, error) =>
      function* () {
        try {
          yield* sleep(delay);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw error;
        }
      },
    survivesExpiry: (delay, log) =>
      function* (cm) {
        try {
          yield* sleep(delay);
        } catch (error) {
          log.push(CancelledError.isInstance(error) ? 'cancelled' : 'other');
        }
        try {
          cm.reschedule(getRunningLoop().time() + 1);
        } catch (error) {
          log.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
        return 'survived';
      },
    around: (inner, log, after, seen) =>
      function* (cm) {
        seen.cm = cm;
        try {
          yield* inner();
          log.push('inner:ok');
        } catch (error) {
          log.push(`inner:${(error as Error).name}`);
          if (!TimeoutError.isInstance(error)) throw error;
        }
        yield* sleep(after);
        return 'outer done';
      },
    whoAmI: () =>
      // eslint-disable-next-line require-yield
      function* () {
        return { task: currentTask() };
      },
    cancelsItself: (delay, seen) =>
      function* (cm) {
        seen.cm = cm;
        currentTask()!.cancel();
        yield* sleep(delay);
        throw new Error('not reached');
      },
    reschedules: (first, to, then, seen) =>
      function* (cm) {
        seen.cm = cm;
        yield* sleep(first);
        cm.reschedule(to(cm));
        yield* sleep(then);
        return 'done';
      },
    handsOut: (handOff, delay) =>
      function* (cm) {
        handOff.setResult(cm);
        yield* sleep(delay);
      },
  },
];

const pairs = callers.flatMap((caller) => bodies.map((body) => ({ ...caller, ...body })));


/** The error of a failed outcome (fails the test for a successful one). */
function errorOf(outcome: Outcome<unknown>): unknown {
  expect(outcome.ok, 'the timeout block should have failed').toBe(false);
  return (outcome as { error: unknown }).error;
}

describe.each(pairs)('timeout() with a $body body, called from a $caller task', (shape) => {

  it('returns the body’s result when it finishes in time', async () => {
    // test_timeout_not_called: timeout(10) around sleep(0.01) -> not expired, when() > now
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(10, shape.sleeps(0.01, 'result', seen)))));
    expect(outcome).toEqual({ ok: true, value: 'result', at: 0.01 });
    expect(seen.cm!.expired()).toBe(false);
    expect(seen.cm!.when()).toBe(10);
  });

  it('cancels the body at the deadline and throws TimeoutError caused by CancelledError', async () => {
    // test_timeout_basic, test_waiter_cancelled, test_timeout_exception_cause
    const seen: Seen = {};
    const log: string[] = [];
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(0.01, shape.sleeps(10, 'never', seen, log)))));
    const error = errorOf(outcome);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).cause).toBeInstanceOf(CancelledError);
    expect(outcome.at).toBeCloseTo(0.01, 9);
    expect(log).toEqual(['cancelled']);
    expect(seen.cm!.expired()).toBe(true);
  });

  it('timeoutAt() expires at the given loop time and reports it from when()', async () => {
    // test_timeout_at_basic
    const seen: Seen = {};
    const outcome = await runVirtual(async () => {
      const deadline = getRunningLoop().time() + 0.01;
      return createTask(shape.call(() => timeoutAt(deadline, shape.sleeps(10, 'never', seen))));
    });
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(seen.cm!.expired()).toBe(true);
    expect(seen.cm!.when()).toBeCloseTo(0.01, 9);
  });

  it('waits for the body’s cleanup after the deadline before throwing TimeoutError', async () => {
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(1, shape.slowCleanup(10, 0.5, seen)))));
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBeCloseTo(1.5, 9);
  });

  it('never expires with a null delay', async () => {
    // test_timeout_disabled, test_timeout_at_disabled
    const seen: Seen = {};
    const seenAt: Seen = {};
    await runVirtual(async () => {
      expect(await createTask(shape.call(() => timeout(null, shape.sleeps(100, 'a', seen))))).toMatchObject({ ok: true, value: 'a' });
      expect(await createTask(shape.call(() => timeoutAt(null, shape.sleeps(100, 'b', seenAt))))).toMatchObject({ ok: true, value: 'b' });
    });
    for (const cm of [seen.cm!, seenAt.cm!]) {
      expect(cm.expired()).toBe(false);
      expect(cm.when()).toBeNull();
    }
  });

  it('expires at once with a zero delay', async () => {
    // test_timeout_zero
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(0, shape.sleeps(10, 'never', seen)))));
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBe(0);
    expect(seen.cm!.expired()).toBe(true);
    expect(seen.cm!.when()).toBe(0);
  });

  it('expires at once with a zero delay around sleep(0)', async () => {
    // test_timeout_zero_sleep_zero
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(0, shape.sleeps(0, 'never', seen)))));
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBe(0);
    expect(seen.cm!.expired()).toBe(true);
  });

  it('expires at once with a deadline in the past', async () => {
    // test_timeout_in_the_past_sleep_zero (asyncio.timeout(-11)); here timeoutAt() takes the past
    // (timeout() refuses a negative delay), and the body sleeps 1 s rather than 0.
    const seen: Seen = {};
    const outcome = await runVirtual(async () => {
      await sleep(20);
      return createTask(shape.call(() => timeoutAt(getRunningLoop().time() - 11, shape.sleeps(1, 'never', seen))));
    });
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(seen.cm!.when()).toBe(9);
  });

  it('lets an error of the body through unchanged', async () => {
    // test_foreign_exception_passed: KeyError passes, cm.expired() is False
    const seen: Seen = {};
    const error = new RangeError('KeyError');
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(0.01, shape.throws(error, seen)))));
    expect(errorOf(outcome)).toBe(error);
    expect(seen.cm!.expired()).toBe(false);
  });

  it('throws the error the body raises while it is cancelled by the deadline', async () => {
    // test_foreign_exception_on_timeout: crash() raises 1/0 in finally -> ZeroDivisionError
    const error = new Error('ZeroDivisionError');
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(0.01, shape.crashInFinally(1, error)))));
    expect(errorOf(outcome)).toBe(error);
  });

  it('lets a body that catches the deadline’s cancellation finish normally', async () => {
    // test_timeout_expiring: after the CancelledError, reschedule() raises RuntimeError 'expiring'.
    const log: string[] = [];
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(0.01, shape.survivesExpiry(1, log)))));
    expect(outcome).toMatchObject({ ok: true, value: 'survived' });
    expect(log).toEqual(['cancelled', 'RuntimeError: Cannot change state of expiring Timeout']);
  });

  it('propagates the task’s own cancellation as CancelledError when not expired', async () => {
    // test_foreign_cancel_doesnt_timeout_if_not_expired
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(10, shape.cancelsItself(10, seen)))));
    const error = errorOf(outcome);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(seen.cm!.expired()).toBe(false);
  });

  it('leaves the calling task uncancelled once it handled the TimeoutError', async () => {
    // test_outer_task_is_not_cancelled
    await runVirtual(async () => {
      const task = createTask(shape.call(() => timeout(0.001, shape.sleeps(10, 'never', {}))));
      const outcome = await task;
      expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
      expect(task.cancelled()).toBe(false);
      expect(task.cancelling()).toBe(0);
    });
  });

  it('runs the body inside the calling task', async () => {
    await runVirtual(async () => {
      const task = createTask(shape.call(() => timeout(1, shape.whoAmI())));
      const outcome = await task;
      expect(outcome.ok).toBe(true);
      expect((outcome as { value: { task: unknown } }).value.task).toBe(task);
    });
  });

  it('lets only the outermost of two blocks with the same deadline throw TimeoutError', async () => {
    // test_nested_timeouts: the inner block propagates CancelledError; both expired.
    const outerSeen: Seen = {};
    const innerSeen: Seen = {};
    const log: string[] = [];
    const outcome = await runVirtual(async () => {
      const deadline = getRunningLoop().time() + 0.01;
      return createTask(
        shape.call(() => timeoutAt(deadline, shape.around(() => timeoutAt(deadline, shape.sleeps(10, 'never', innerSeen)), log, 0, outerSeen))),
      );
    });
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(log).toEqual(['inner:CancelledError']);
    expect(outerSeen.cm!.expired()).toBe(true);
    expect(innerSeen.cm!.expired()).toBe(true);
  });

  // On real time, so the bounds also hold outside virtual time.
  it('lets the outer block go on when the inner block expires first', async () => {
    // async with timeout(2) as outer: try: async with timeout(0.5) as inner: sleep(10)
    // except TimeoutError: ... -> inner.expired() True, outer.expired() False
    const outerSeen: Seen = {};
    const innerSeen: Seen = {};
    const log: string[] = [];
    const runner = new Runner();
    let outcome: Outcome<string>;
    let started = 0;
    try {
      outcome = await runner.run(async () => {
        started = getRunningLoop().time();
        return createTask(shape.call(() => timeout(5, shape.around(() => timeout(0.05, shape.sleeps(10, 'never', innerSeen)), log, 0.05, outerSeen))));
      });
    } finally {
      await runner.close();
    }
    expect(outcome).toMatchObject({ ok: true, value: 'outer done' });
    expect(outcome.at - started).toBeGreaterThanOrEqual(0.1);
    expect(outcome.at - started).toBeLessThan(4);
    expect(log).toEqual(['inner:TimeoutError']);
    expect(innerSeen.cm!.expired()).toBe(true);
    expect(outerSeen.cm!.expired()).toBe(false);
  });

  it('throws TimeoutError from the outer block when it expires first; the inner one sees CancelledError', async () => {
    // -> outer TimeoutError; inner saw ['CancelledError']; inner.expired() False, outer.expired() True
    const outerSeen: Seen = {};
    const innerSeen: Seen = {};
    const log: string[] = [];
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => timeout(0.5, shape.around(() => timeout(2, shape.sleeps(10, 'never', innerSeen)), log, 0, outerSeen)))),
    );
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBeCloseTo(0.5, 9);
    expect(log).toEqual(['inner:CancelledError']);
    expect(innerSeen.cm!.expired()).toBe(false);
    expect(outerSeen.cm!.expired()).toBe(true);
  });

  it('propagates CancelledError, not TimeoutError, when the task is also cancelled from outside', async () => {
    // body: timeout(1) around sleep(10) with a 0.5 s cleanup; t.cancel() at 1.2 during the
    // cleanup -> CancelledError, t.cancelled() True.
    await runVirtual(async () => {
      const task = createTask(shape.relay(() => timeout(1, shape.slowCleanup(10, 0.5, {}))));
      await sleep(1.2);
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      await expect(task).rejects.not.toBeInstanceOf(TimeoutError);
      expect(task.cancelled()).toBe(true);
    });
  });

  it('propagates CancelledError when the outside cancellation comes in the deadline’s iteration', async () => {
    // call_at(deadline, t.cancel) right after the timeout's own handler -> CancelledError
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const task = createTask(shape.relay(() => timeout(1, shape.sleeps(10, 'never', {}))));
      await sleep(0);
      loop.callAt(1, () => task.cancel());
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      await expect(task).rejects.not.toBeInstanceOf(TimeoutError);
    });
  });

  it('propagates CancelledError when the task is cancelled before the deadline', async () => {
    const seen: Seen = {};
    await runVirtual(async () => {
      const task = createTask(shape.relay(() => timeout(10, shape.sleeps(100, 'never', seen))));
      await sleep(1);
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(getRunningLoop().time()).toBe(1);
    });
    expect(seen.cm!.expired()).toBe(false);
  });

  it('moves the deadline earlier with reschedule()', async () => {
    const seen: Seen = {};
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => timeout(10, shape.reschedules(1, () => getRunningLoop().time() + 0.5, 100, seen)))),
    );
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBeCloseTo(1.5, 9);
    expect(seen.cm!.when()).toBeCloseTo(1.5, 9);
  });

  it('moves the deadline later with reschedule()', async () => {
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(2, shape.reschedules(1, (cm) => cm.when()! + 10, 5, seen)))));
    expect(outcome).toEqual({ ok: true, value: 'done', at: 6 });
    expect(seen.cm!.when()).toBe(12);
    expect(seen.cm!.expired()).toBe(false);
  });

  it('removes the deadline with reschedule(null)', async () => {
    const seen: Seen = {};
    const outcome = await runVirtual(async () => createTask(shape.call(() => timeout(2, shape.reschedules(1, () => null, 50, seen)))));
    expect(outcome).toEqual({ ok: true, value: 'done', at: 51 });
    expect(seen.cm!.when()).toBeNull();
  });

  it('expires on the next iteration when rescheduled into the past', async () => {
    // cm.reschedule(loop.time() - 5) after sleep(1) -> TimeoutError after 1.0
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => timeout(10, shape.reschedules(1, () => getRunningLoop().time() - 5, 10, {})))),
    );
    expect(errorOf(outcome)).toBeInstanceOf(TimeoutError);
    expect(outcome.at).toBe(1);
  });

  it('is rescheduled from another task while the block runs', async () => {
    // test_reschedule: deadline1 -> deadline2 -> None; task.cancel() -> CancelledError; not expired.
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const handOff = loop.createFuture<Timeout>();
      const task = createTask(shape.relay(() => timeoutAt(loop.time() + 10, shape.handsOut(handOff, 50))));
      const cm = await handOff;
      expect(cm.when()).toBe(10);
      cm.reschedule(30);
      expect(cm.when()).toBe(30);
      cm.reschedule(null);
      expect(cm.when()).toBeNull();
      await sleep(40);
      expect(task.done()).toBe(false);
      task.cancel();
      await expect(task).rejects.toBeInstanceOf(CancelledError);
      expect(cm.expired()).toBe(false);
    });
  });

  it('refuses reschedule() once the block finished or expired', async () => {
    // test_timeout_finished ('finished'), test_timeout_expired ('expired')
    const finished: Seen = {};
    const expired: Seen = {};
    await runVirtual(async () => {
      await createTask(shape.call(() => timeout(0.01, shape.sleeps(0, 'quick', finished))));
      await createTask(shape.call(() => timeout(0.01, shape.sleeps(1, 'slow', expired))));
    });
    expect(() => finished.cm!.reschedule(0.02)).toThrow(RuntimeError);
    expect(() => finished.cm!.reschedule(0.02)).toThrow(/finished/);
    expect(() => expired.cm!.reschedule(0.02)).toThrow(RuntimeError);
    expect(() => expired.cm!.reschedule(0.02)).toThrow(/expired/);
  });

  it('prints its state and deadline', async () => {
    // test_repr_active, test_repr_expired, test_repr_finished, test_repr_disabled
    const active: string[] = [];
    const finished: Seen = {};
    const expired: Seen = {};
    const disabled: string[] = [];
    await runVirtual(async () => {
      await createTask(shape.call(() => timeout(10, shape.reschedules(0, (cm) => (active.push(String(cm)), cm.when()), 0, finished))));
      await createTask(shape.call(() => timeout(0.01, shape.sleeps(10, 'never', expired))));
      await createTask(shape.call(() => timeout(null, shape.reschedules(0, (cm) => (disabled.push(String(cm)), null), 0, {}))));
    });
    expect(active).toEqual(['<Timeout [active] when=10.000>']);
    expect(String(finished.cm)).toBe('<Timeout [finished]>');
    expect(String(expired.cm)).toBe('<Timeout [expired]>');
    expect(disabled).toEqual(['<Timeout [active] when=null>']);
  });
});

describe('timeout() blocks in a task that handles its own cancellation', () => {
  it('still expires in a finally block after the deadline of an outer block', async () => {
    // test_nested_timeout_in_finally
    const log = await runVirtual(async () => {
      const seen: string[] = [];
      try {
        await timeout(0.01, async () => {
          try {
            await sleep(1);
          } finally {
            try {
              await timeout(0.01, async () => sleep(10));
            } catch (error) {
              seen.push(`inner:${(error as Error).name}`);
            }
          }
        });
      } catch (error) {
        seen.push(`outer:${(error as Error).name}`);
      }
      return seen;
    });
    expect(log).toEqual(['inner:TimeoutError', 'outer:TimeoutError']);
  });

  it('expires after a cancellation the task caught (and did not uncancel)', async () => {
    // test_timeout_after_cancellation
    const outcome = await runVirtual(function* () {
      try {
        currentTask()!.cancel();
        yield* sleep(1);
      } catch (error) {
        if (!CancelledError.isInstance(error)) throw error;
      }
      try {
        yield* timeout(0, function* () {
          yield* sleep(1);
        });
        return 'no error';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(outcome).toBe('TimeoutError');
  });

  it('propagates a new cancellation after a caught one as CancelledError', async () => {
    // test_cancel_in_timeout_after_cancellation
    const outcome = await runVirtual(async () => {
      try {
        currentTask()!.cancel();
        await sleep(1);
      } catch (error) {
        if (!CancelledError.isInstance(error)) throw error;
      }
      try {
        await timeout(1, async () => {
          currentTask()!.cancel();
          await sleep(2);
        });
        return 'no error';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(outcome).toBe('CancelledError');
  });
});

describe('timeout()', () => {
  it('runs a 60 s timeout in milliseconds on the virtual-time TestLoop', async () => {
    const started = performance.now();
    const outcome = await runVirtual(async () => {
      try {
        await timeout(60, async () => sleep(3600));
        return 'finished';
      } catch (error) {
        return `${(error as Error).name} at ${getRunningLoop().time()}`;
      }
    });
    expect(outcome).toBe('TimeoutError at 60');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('does not run the body until the block is awaited', async () => {
    let ran = false;
    await runVirtual(async () => {
      const block = timeout(1, async () => {
        ran = true;
      });
      await sleep(5);
      expect(ran).toBe(false);
      await block;
      expect(ran).toBe(true);
    });
  });

  it('runs the body once when the block is awaited twice', async () => {
    // test_timeout_double_enter: a block is entered once; awaiting again gives its outcome.
    let runs = 0;
    await runVirtual(async () => {
      const block = timeout(1, async () => ++runs);
      expect(await block).toBe(1);
      expect(await block).toBe(1);
    });
    expect(runs).toBe(1);
  });

  it('is not cancelled on its own: cancel() returns false', async () => {
    await runVirtual(async () => {
      const block = timeout(1, async () => sleep(0.1, 'x'));
      expect(block.cancel()).toBe(false);
      expect(await block).toBe('x');
    });
  });

  it('refuses reschedule() on a Timeout that was never entered', () => {
    // test_timeout_not_entered
    const cm = new Timeout(5);
    expect(() => cm.reschedule(1)).toThrow(RuntimeError);
    expect(() => cm.reschedule(1)).toThrow(/has not been entered/);
    expect(cm.when()).toBe(5);
    expect(cm.expired()).toBe(false);
    expect(String(cm)).toBe('<Timeout [created]>');
  });

  it('throws RuntimeError when awaited outside a task', async () => {
    // test_timeout_without_task: __aenter__ outside a task -> RuntimeError mentioning 'task'
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const outcome = loop.createFuture<unknown>();
      let ran = false;
      loop.callSoon(() => {
        timeout(1, async () => {
          ran = true;
        }).then(
          () => outcome.setResult('no error'),
          (error: unknown) => outcome.setResult(error),
        );
      });
      const error = await outcome;
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as Error).message).toMatch(/inside a task/);
      expect(ran).toBe(false);
    });
  });

  it('throws at once for a bad delay, deadline or body', async () => {
    await runVirtual(async () => {
      const body = async () => undefined;
      expect(() => timeout('1' as unknown as number, body)).toThrow(TypeError);
      expect(() => timeout(-1, body)).toThrow(ValueError);
      expect(() => timeoutAt(Number.NaN, body)).toThrow(TypeError);
      expect(() => timeout(1, 'body' as never)).toThrow(/expects a body function/);
    });
  });

  it('throws RuntimeError when no loop is running', () => {
    expect(() => timeout(1, async () => undefined)).toThrow(RuntimeError);
  });
});
