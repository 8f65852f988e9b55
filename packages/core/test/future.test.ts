// Future: outcome, done callbacks, and awaiting it in both coroutine shapes
// (CPython's Lib/test/test_asyncio/test_futures.py is the reference).
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  Future,
  InvalidStateError,
  getEventLoop,
  isFuture,
  setEventLoop,
  type BaseEventLoop,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';

/** Runs `main` on a fresh virtual-time loop; fails on anything reported to the exception handler. */
async function runOn<T>(loop: BaseEventLoop, main: CoroutineLike<T>): Promise<T> {
  const reported: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => void reported.push(context));
  try {
    return await loop.runUntilComplete(main);
  } finally {
    expect(reported).toEqual([]);
  }
}

/** Runs the loop for `n` iterations: each callSoon'd tick schedules the next. */
function iterations(loop: BaseEventLoop, n: number): Promise<void> {
  const done = loop.createFuture<void>();
  let left = n;
  const tick = () => {
    if (--left <= 0) done.setResult();
    else loop.callSoon(tick);
  };
  loop.callSoon(tick);
  return loop.runUntilComplete(done);
}

let loop: TestLoop;

beforeEach(() => {
  loop = new TestLoop();
});

afterEach(() => {
  loop.close();
});

describe('Future', () => {
  describe('its state', () => {
    it('starts pending', () => {
      const future = new Future<number>({ loop });
      expect(future.done()).toBe(false);
      expect(future.cancelled()).toBe(false);
      expect(future.state).toBe('pending');
    });

    it('belongs to the loop it was given', () => {
      expect(new Future({ loop }).getLoop()).toBe(loop);
      expect(loop.createFuture().getLoop()).toBe(loop);
    });

    it('belongs to the running loop when none is given', async () => {
      // Wrapped in an object: a Task whose function returns a Future awaits it.
      const { future } = await runOn(loop, () => ({ future: new Future<number>() }));
      expect(future.getLoop()).toBe(loop);
    });

    it('belongs to the current event loop when none runs and none is given', () => {
      setEventLoop(loop);
      try {
        expect(new Future().getLoop()).toBe(loop);
      } finally {
        setEventLoop(null);
      }
    });

    it('makes a new current loop when the current one is closed', () => {
      const closed = new TestLoop();
      closed.close();
      setEventLoop(closed);
      let made: BaseEventLoop | null = null;
      try {
        made = new Future().getLoop();
        expect(made).not.toBe(closed);
        expect(made.isClosed()).toBe(false);
        expect(getEventLoop()).toBe(made);
      } finally {
        setEventLoop(null);
        made?.close();
      }
    });

    it('is recognised by isFuture(), and a promise is not', () => {
      expect(isFuture(new Future({ loop }))).toBe(true);
      expect(isFuture(Promise.resolve(1))).toBe(false);
      expect(isFuture({ then() {} })).toBe(false);
      expect(isFuture(null)).toBe(false);
    });

    it('prints its state', () => {
      const pending = new Future<number>({ loop });
      expect(String(pending)).toBe('<Future pending>');
      const finished = new Future<number>({ loop });
      finished.setResult(42);
      expect(String(finished)).toBe('<Future finished result=42>');
      expect(inspect(finished)).toBe('<Future finished result=42>');
      const failed = new Future<number>({ loop });
      failed.setException(new Error('boom'));
      expect(String(failed)).toBe('<Future finished exception=Error("boom")>');
      failed.exception();
      const cancelled = new Future<number>({ loop });
      cancelled.cancel();
      expect(String(cancelled)).toBe('<Future cancelled>');
    });
  });

  describe('result() and exception()', () => {
    it('result() throws InvalidStateError before the Future is done', () => {
      const future = new Future<number>({ loop });
      expect(() => future.result()).toThrow(InvalidStateError);
      expect(() => future.result()).toThrow('Result is not ready.');
    });

    it('exception() throws InvalidStateError before the Future is done', () => {
      const future = new Future<number>({ loop });
      expect(() => future.exception()).toThrow(InvalidStateError);
    });

    it('gives the result set by setResult(), and no exception', () => {
      const future = new Future<string>({ loop });
      future.setResult('ok');
      expect(future.done()).toBe(true);
      expect(future.cancelled()).toBe(false);
      expect(future.state).toBe('finished');
      expect(future.result()).toBe('ok');
      expect(future.exception()).toBeNull();
    });

    it('keeps undefined as a result', () => {
      const future = new Future<undefined>({ loop });
      future.setResult(undefined);
      expect(future.result()).toBeUndefined();
      expect(future.exception()).toBeNull();
    });

    it('throws the exception set by setException() from result(), and returns it from exception()', () => {
      const future = new Future<number>({ loop });
      const error = new RangeError('bad');
      future.setException(error);
      expect(future.done()).toBe(true);
      expect(future.cancelled()).toBe(false);
      expect(() => future.result()).toThrow(error);
      expect(future.exception()).toBe(error);
    });

    it('makes an instance when setException() is given an error class, as asyncio does', () => {
      const future = new Future<number>({ loop });
      future.setException(RangeError);
      const error = future.exception();
      expect(error).toBeInstanceOf(RangeError);
    });

    it('keeps a non-Error exception as it is', () => {
      const future = new Future<number>({ loop });
      future.setException('a string');
      expect(future.exception()).toBe('a string');
      expect(() => future.result()).toThrow('a string');
    });
  });

  describe('setResult() and setException() once done', () => {
    it('setResult() on a finished Future throws InvalidStateError and keeps the first result', () => {
      const future = new Future<number>({ loop });
      future.setResult(1);
      expect(() => future.setResult(2)).toThrow(InvalidStateError);
      expect(() => future.setResult(2)).toThrow(/setResult\(\) on a finished Future/);
      expect(future.result()).toBe(1);
    });

    it('setException() on a finished Future throws InvalidStateError', () => {
      const future = new Future<number>({ loop });
      future.setResult(1);
      expect(() => future.setException(new Error('late'))).toThrow(InvalidStateError);
      expect(future.result()).toBe(1);
    });

    it('setResult() on a cancelled Future throws InvalidStateError', () => {
      const future = new Future<number>({ loop });
      future.cancel();
      expect(() => future.setResult(1)).toThrow(InvalidStateError);
      expect(() => future.setResult(1)).toThrow(/cancelled Future/);
      expect(future.cancelled()).toBe(true);
    });

    it('setResult() after setException() throws InvalidStateError', () => {
      const future = new Future<number>({ loop });
      future.setException(new Error('first'));
      expect(() => future.setResult(1)).toThrow(InvalidStateError);
      expect(() => future.result()).toThrow('first');
    });
  });

  describe('cancel()', () => {
    it('cancels a pending Future and returns true', () => {
      const future = new Future<number>({ loop });
      expect(future.cancel()).toBe(true);
      expect(future.cancelled()).toBe(true);
      expect(future.done()).toBe(true);
      expect(future.state).toBe('cancelled');
    });

    it('returns false for a Future already cancelled or finished', () => {
      const cancelled = new Future<number>({ loop });
      cancelled.cancel();
      expect(cancelled.cancel()).toBe(false);
      const finished = new Future<number>({ loop });
      finished.setResult(1);
      expect(finished.cancel()).toBe(false);
      expect(finished.cancelled()).toBe(false);
      expect(finished.result()).toBe(1);
    });

    it('makes result() and exception() throw CancelledError with the message', () => {
      const future = new Future<number>({ loop });
      future.cancel('stop now');
      expect(() => future.result()).toThrow(CancelledError);
      expect(() => future.result()).toThrow('stop now');
      expect(() => future.exception()).toThrow(CancelledError);
      expect(() => future.exception()).toThrow('stop now');
    });

    it('throws a CancelledError with an empty message when none was given', () => {
      const future = new Future<number>({ loop });
      future.cancel();
      let caught: unknown;
      try {
        future.result();
      } catch (error) {
        caught = error;
      }
      expect(CancelledError.isInstance(caught)).toBe(true);
      expect((caught as Error).message).toBe('');
    });

    it('schedules the done callbacks', async () => {
      const future = new Future<number>({ loop });
      const seen: boolean[] = [];
      future.addDoneCallback((done) => seen.push(done.cancelled()));
      future.cancel();
      expect(seen).toEqual([]);
      await iterations(loop, 1);
      expect(seen).toEqual([true]);
    });
  });

  describe('done callbacks', () => {
    it('are scheduled with callSoon when the Future completes, never called inline', async () => {
      const future = new Future<number>({ loop });
      const calls: unknown[] = [];
      future.addDoneCallback((done) => calls.push(done.result()));
      future.setResult(7);
      expect(calls).toEqual([]);
      await iterations(loop, 1);
      expect(calls).toEqual([7]);
    });

    it('run in registration order, each with the Future', async () => {
      const future = new Future<string>({ loop });
      const calls: string[] = [];
      const seen: Future<string>[] = [];
      for (const name of ['a', 'b', 'c']) {
        future.addDoneCallback((done) => {
          seen.push(done);
          calls.push(name);
        });
      }
      future.setResult('x');
      await iterations(loop, 1);
      expect(calls).toEqual(['a', 'b', 'c']);
      expect(seen.every((seenFuture) => seenFuture === future)).toBe(true);
      expect(seen).toHaveLength(3);
    });

    it('take their place in the ready queue at completion, FIFO with other callbacks', async () => {
      const future = new Future<number>({ loop });
      const order: string[] = [];
      future.addDoneCallback(() => order.push('done callback'));
      loop.callSoon(() => order.push('scheduled before'));
      future.setResult(1);
      loop.callSoon(() => order.push('scheduled after'));
      await iterations(loop, 1);
      expect(order).toEqual(['scheduled before', 'done callback', 'scheduled after']);
    });

    it('added to a done Future are scheduled with callSoon, not called inline', async () => {
      const future = new Future<number>({ loop });
      future.setResult(3);
      const calls: number[] = [];
      future.addDoneCallback((done) => calls.push(done.result()));
      expect(calls).toEqual([]);
      await iterations(loop, 1);
      expect(calls).toEqual([3]);
    });

    it('run once each, even when the Future is cancelled after being set (cancel() is then a no-op)', async () => {
      const future = new Future<number>({ loop });
      let calls = 0;
      future.addDoneCallback(() => calls++);
      future.setResult(1);
      future.cancel();
      await iterations(loop, 3);
      expect(calls).toBe(1);
    });

    it('that throw are reported to the loop exception handler, and the others still run', async () => {
      const future = new Future<number>({ loop });
      const error = new Error('callback failed');
      const calls: string[] = [];
      future.addDoneCallback(() => {
        throw error;
      });
      future.addDoneCallback(() => calls.push('second'));
      const reported: ExceptionContext[] = [];
      loop.setExceptionHandler((_loop, context) => void reported.push(context));
      future.setResult(1);
      await iterations(loop, 1);
      expect(calls).toEqual(['second']);
      expect(reported).toHaveLength(1);
      expect(reported[0]!.exception).toBe(error);
      expect(reported[0]!.message).toMatch(/^Exception in callback/);
    });

    it('addDoneCallback() rejects a non-function with a TypeError naming the method', () => {
      const future = new Future<number>({ loop });
      expect(() => future.addDoneCallback(42 as never)).toThrow(TypeError);
      expect(() => future.addDoneCallback(42 as never)).toThrow(/addDoneCallback\(\) expects a function/);
    });

    it('removeDoneCallback() removes every registration of the callback and returns how many', async () => {
      const future = new Future<number>({ loop });
      const calls: string[] = [];
      const removed = () => calls.push('removed');
      const kept = () => calls.push('kept');
      future.addDoneCallback(removed);
      future.addDoneCallback(kept);
      future.addDoneCallback(removed);
      expect(future.removeDoneCallback(removed)).toBe(2);
      expect(future.removeDoneCallback(removed)).toBe(0);
      future.setResult(1);
      await iterations(loop, 1);
      expect(calls).toEqual(['kept']);
    });

    it('removeDoneCallback() on a Future without callbacks returns 0', () => {
      const future = new Future<number>({ loop });
      expect(future.removeDoneCallback(() => {})).toBe(0);
    });

    it('removeDoneCallback() after completion does not unschedule a callback already scheduled', async () => {
      // asyncio clears the callback list when it schedules the callbacks: from
      // then on remove_done_callback() finds nothing and the callback runs.
      const future = new Future<number>({ loop });
      const calls: number[] = [];
      const callback = () => calls.push(1);
      future.addDoneCallback(callback);
      future.setResult(1);
      expect(future.removeDoneCallback(callback)).toBe(0);
      await iterations(loop, 1);
      expect(calls).toEqual([1]);
    });
  });

  describe('await future (async function)', () => {
    it('gives the result', async () => {
      const result = await runOn(loop, async () => {
        const future = loop.createFuture<number>();
        loop.callSoon(() => future.setResult(5));
        return await future;
      });
      expect(result).toBe(5);
    });

    it('gives the result of a Future that is already done', async () => {
      const result = await runOn(loop, async () => {
        const future = loop.createFuture<string>();
        future.setResult('already');
        return await future;
      });
      expect(result).toBe('already');
    });

    it('throws the exception', async () => {
      const error = new Error('failed');
      const caught = await runOn(loop, async () => {
        const future = loop.createFuture<number>();
        loop.callSoon(() => future.setException(error));
        try {
          await future;
        } catch (thrown) {
          return thrown;
        }
        return null;
      });
      expect(caught).toBe(error);
    });

    it('throws CancelledError with the message when the Future is cancelled', async () => {
      const caught = await runOn(loop, async () => {
        const future = loop.createFuture<number>();
        loop.callSoon(() => future.cancel('gone'));
        try {
          await future;
        } catch (thrown) {
          return thrown;
        }
        return null;
      });
      expect(caught).toBeInstanceOf(CancelledError);
      expect((caught as Error).message).toBe('gone');
    });

    it('marks the exception retrieved', async () => {
      const future = loop.createFuture<number>();
      future.setException(new Error('seen'));
      await expect(future).rejects.toThrow('seen');
      // Nothing is reported when it is collected: covered in never-retrieved.test.ts.
      expect(String(future)).toBe('<Future finished exception=Error("seen")>');
    });
  });

  describe('yield* future (generator)', () => {
    it('gives the result', async () => {
      const result = await runOn(loop, function* (): Coroutine<number> {
        const future = loop.createFuture<number>();
        loop.callSoon(() => future.setResult(5));
        return yield* future;
      });
      expect(result).toBe(5);
    });

    it('gives the result of a Future that is already done without suspending', async () => {
      const future = new Future<string>({ loop });
      future.setResult('already');
      const iterator = future[Symbol.iterator]();
      expect(iterator.next()).toEqual({ done: true, value: 'already' });
    });

    it('yields the pending Future itself once, then returns its result', () => {
      const future = new Future<number>({ loop });
      const iterator = future[Symbol.iterator]();
      // (Compared field by field: a deep toEqual would iterate the Future itself.)
      const first = iterator.next();
      expect(first.done).toBe(false);
      expect(first.value).toBe(future);
      future.setResult(9);
      expect(iterator.next()).toEqual({ done: true, value: 9 });
    });

    it('throws from the iterator when the Future failed', () => {
      const future = new Future<number>({ loop });
      const iterator = future[Symbol.iterator]();
      iterator.next();
      future.setException(new Error('nope'));
      expect(() => iterator.next()).toThrow('nope');
    });

    it('throws the exception', async () => {
      const error = new Error('failed');
      const caught = await runOn(loop, function* () {
        const future = loop.createFuture<number>();
        loop.callSoon(() => future.setException(error));
        try {
          yield* future;
        } catch (thrown) {
          return thrown;
        }
        return null;
      });
      expect(caught).toBe(error);
    });

    it('throws CancelledError with the message when the Future is cancelled', async () => {
      const caught = await runOn(loop, function* () {
        const future = loop.createFuture<number>();
        loop.callSoon(() => future.cancel('gone'));
        try {
          yield* future;
        } catch (thrown) {
          return thrown;
        }
        return null;
      });
      expect(caught).toBeInstanceOf(CancelledError);
      expect((caught as Error).message).toBe('gone');
    });
  });

  describe('then()', () => {
    it('settles another promise\'s resolving functions given to it, without making a promise of its own', async () => {
      const future = new Future<number>({ loop });
      let returned: unknown = 'not called';
      const settled = new Promise<number>((resolve, reject) => {
        returned = future.then(resolve, reject);
      });
      expect(returned).toBeUndefined();
      future.setResult(7);
      await expect(settled).resolves.toBe(7);
    });

    it('returns a promise for callbacks of its caller\'s own, even anonymous ones', () => {
      const future = new Future<number>({ loop });
      expect(future.then((value) => value)).toBeInstanceOf(Promise);
      expect(future.then(undefined, (error) => error)).toBeInstanceOf(Promise);
      future.setResult(1);
    });

    it('chains like a promise', async () => {
      const future = new Future<number>({ loop });
      const chained = future.then((value) => value + 1).then((value) => `value ${value}`);
      expect(chained).toBeInstanceOf(Promise);
      future.setResult(1);
      await expect(chained).resolves.toBe('value 2');
    });

    it('passes the result through when no onFulfilled is given', async () => {
      const future = new Future<number>({ loop });
      const chained = future.then();
      future.setResult(4);
      await expect(chained).resolves.toBe(4);
    });

    it('calls onRejected with the exception', async () => {
      const future = new Future<number>({ loop });
      const error = new Error('bad');
      const chained = future.then(
        () => 'fulfilled',
        (reason) => reason,
      );
      future.setException(error);
      await expect(chained).resolves.toBe(error);
    });

    it('rejects with the exception when no onRejected is given', async () => {
      const future = new Future<number>({ loop });
      const chained = future.then((value) => value * 2);
      future.setException(new Error('bad'));
      await expect(chained).rejects.toThrow('bad');
    });

    it('rejects with CancelledError when the Future is cancelled', async () => {
      const future = new Future<number>({ loop });
      const chained = future.then((value) => value);
      future.cancel('cancel message');
      await expect(chained).rejects.toBeInstanceOf(CancelledError);
      await expect(chained).rejects.toThrow('cancel message');
    });

    it('rejects when onFulfilled throws', async () => {
      const future = new Future<number>({ loop });
      const chained = future.then(() => {
        throw new Error('from handler');
      });
      future.setResult(1);
      await expect(chained).rejects.toThrow('from handler');
    });

    it('settles the promise without waiting for a loop iteration (the microtask defers it)', async () => {
      // The loop is not running: a done callback would never run, yet the
      // promise settles, since the promise machinery already defers it.
      const future = new Future<number>({ loop });
      future.setResult(8);
      await expect(future.then((value) => value)).resolves.toBe(8);
    });

    it('rejects with a TypeError, instead of adopting it forever, when the result is the Future itself', async () => {
      const future = new Future<unknown>({ loop });
      future.setResult(future);
      await expect(future.then()).rejects.toThrow(TypeError);
      await expect(future.then()).rejects.toThrow(/Chaining cycle detected/);
      expect(future.result()).toBe(future);
      expect(String(future)).toBe('<Future finished result=<itself>>');
    });

    it('works with Promise.all and Promise.race', async () => {
      const a = new Future<number>({ loop });
      const b = new Future<number>({ loop });
      const all = Promise.all([a, b]);
      const race = Promise.race([a, b]);
      b.setResult(2);
      await expect(race).resolves.toBe(2);
      a.setResult(1);
      await expect(all).resolves.toEqual([1, 2]);
    });
  });
});
