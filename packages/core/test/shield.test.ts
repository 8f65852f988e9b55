// shield(): asyncio.shield, with inner awaitables and awaiting tasks in both
// shapes. Ported from CPython's Lib/test/test_asyncio/test_tasks.py
// (test_shield_result, _exception, _cancel_inner, _cancel_outer, _shortcut,
// _effect, test_shield_gather, test_gather_shield).
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  createTask,
  gather,
  getRunningLoop,
  shield,
  sleep,
  type Coroutine,
  type Future,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape: what createTask() and shield() take. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

/** How an awaited thing ended, as seen by the task that awaited it. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Shape {
  name: string;
  /** Sleeps `delay`, adds 1 to proof.value and returns `value`. */
  worker: <T>(delay: number, value: T, proof?: { value: number }) => CoroutineFunction<T>;
  /** Sleeps `delay`, then throws `error`. */
  failing: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** Awaits `waiter`, then adds 1 to proof.value. */
  waitsFor: (waiter: Future<unknown>, proof: { value: number }) => CoroutineFunction<void>;
  /** Awaits `make()`, adds 100 to proof.value, and returns the result (no catch). */
  relay: <T>(make: () => Future<T>, proof?: { value: number }) => CoroutineFunction<T>;
  /** Awaits `make()` and reports how it ended. */
  awaiting: <T>(make: () => Future<T>) => CoroutineFunction<Outcome<T>>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay, value, proof = { value: 0 }) => async () => {
      await sleep(delay);
      proof.value += 1;
      return value;
    },
    failing: (delay, error) => async () => {
      await sleep(delay);
      throw error;
    },
    waitsFor: (waiter, proof) => async () => {
      await waiter;
      proof.value += 1;
    },
    relay: (make, proof = { value: 0 }) => async () => {
      const value = await make();
      proof.value += 100;
      return value;
    },
    awaiting: (make) => async () => {
      try {
        return { ok: true, value: await make() };
      } catch (error) {
        return { ok: false, error };
      }
    },
  },
  {
    name: 'function*',
    worker: (delay, value, proof = { value: 0 }) =>
      function* () {
        yield* sleep(delay);
        proof.value += 1;
        return value;
      },
    failing: (delay, error) =>
      function* () {
        yield* sleep(delay);
        throw error;
      },
    waitsFor: (waiter, proof) =>
      function* () {
        yield* waiter;
        proof.value += 1;
      },
    relay: (make, proof = { value: 0 }) =>
      function* () {
        const value = yield* make();
        proof.value += 100;
        return value;
      },
    awaiting: (make) =>
      function* () {
        try {
          return { ok: true, value: yield* make() };
        } catch (error) {
          return { ok: false, error };
        }
      },
  },
];

describe.each(shapes)('shield() with $name coroutines', (shape) => {
  it('resolves with the result of the shielded coroutine', async () => {
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => shield(shape.worker(0.5, 42)))));
    expect(outcome).toEqual({ ok: true, value: 42 });
  });

  it('throws the error of the shielded coroutine', async () => {
    const error = new Error('expected');
    const outcome = await runVirtual(async () => createTask(shape.awaiting(() => shield(shape.failing(0.5, error)))));
    expect(outcome).toEqual({ ok: false, error });
  });

  it('does not cancel the inner coroutine when the awaiting task is cancelled', async () => {
    // test_shield_effect: cancelling outer() does not affect inner(); proof == 1.
    const proof = { value: 0 };
    await runVirtual(async () => {
      const waiter = getRunningLoop().createFuture<void>();
      const outer = createTask(shape.relay(() => shield(shape.waitsFor(waiter, proof)), proof));
      await sleep(0);
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      expect(outer.cancelled()).toBe(true);
      waiter.setResult();
      await sleep(0);
      await sleep(0);
    });
    expect(proof.value).toBe(1);
  });

  it('lets the inner task run to its result after the awaiting task was cancelled', async () => {
    const proof = { value: 0 };
    await runVirtual(async () => {
      const inner = createTask(shape.worker(1, 'saved', proof));
      const outer = createTask(shape.relay(() => shield(inner), proof));
      await sleep(0.5);
      outer.cancel();
      await expect(outer).rejects.toBeInstanceOf(CancelledError);
      expect(inner.done()).toBe(false);
      expect(await inner).toBe('saved');
      expect(getRunningLoop().time()).toBe(1);
    });
    expect(proof.value).toBe(1);
  });

  it('ends the awaiting task cancelled when the inner task is cancelled', async () => {
    await runVirtual(async () => {
      const inner = createTask(shape.worker(1, 'never'));
      const outer = createTask(shape.awaiting(() => shield(inner)));
      await sleep(0.5);
      inner.cancel('inner stop');
      const outcome = await outer;
      expect(outcome.ok).toBe(false);
      expect((outcome as { error: unknown }).error).toBeInstanceOf(CancelledError);
    });
  });

  it('shields a gather(): cancelling the shield leaves the gathering running', async () => {
    // test_shield_gather: outer = shield(gather(child1, child2)); outer.cancel() ->
    // outer.cancelled(); children set -> parent.result() == [1, 2].
    await runVirtual(async () => {
      const parent = gather(shape.worker(0.1, 1), shape.worker(0.2, 2));
      const outer = shield(parent);
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      expect(outer.cancelled()).toBe(true);
      expect(await parent).toEqual([1, 2]);
    });
  });
});

describe('shield()', () => {
  it('resolves with the result set on the inner Future', async () => {
    // test_shield_result
    await runVirtual(async () => {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      inner.setResult(42);
      expect(await outer).toBe(42);
    });
  });

  it('passes the exception of the inner Future on', async () => {
    // test_shield_exception: outer.exception() is exc
    await runVirtual(async () => {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      await sleep(0);
      const error = new Error('expected');
      inner.setException(error);
      await sleep(0);
      expect(outer.exception()).toBe(error);
    });
  });

  it('is cancelled when the inner Future is cancelled', async () => {
    // test_shield_cancel_inner
    await runVirtual(async () => {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      await sleep(0);
      inner.cancel();
      await sleep(0);
      expect(outer.cancelled()).toBe(true);
    });
  });

  it('can be cancelled without cancelling the inner Future', async () => {
    // test_shield_cancel_outer
    await runVirtual(async () => {
      const inner = getRunningLoop().createFuture<number>();
      const outer = shield(inner);
      await sleep(0);
      expect(outer.cancel()).toBe(true);
      await sleep(0);
      expect(outer.cancelled()).toBe(true);
      expect(inner.cancelled()).toBe(false);
      inner.setResult(1);
      await sleep(0);
      expect(outer.cancelled()).toBe(true);
    });
  });

  it('returns an inner Future that is already done as it is', async () => {
    // test_shield_shortcut
    await runVirtual(async () => {
      const inner = getRunningLoop().createFuture<number>();
      inner.setResult(42);
      const outer = shield(inner);
      expect(outer).toBe(inner);
      expect(await outer).toBe(42);
    });
  });

  it('is cancelled with gather(), leaving the shielded children alone', async () => {
    // test_gather_shield: parent = gather(shield(child1), shield(child2)); parent.cancel()
    // cancels inner1 and inner2 but not child1 and child2.
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const child1 = loop.createFuture<number>();
      const child2 = loop.createFuture<number>();
      const inner1 = shield(child1);
      const inner2 = shield(child2);
      const parent = gather(inner1, inner2);
      await sleep(0);
      parent.cancel();
      await sleep(0);
      await sleep(0);
      expect(parent.exception()).toBeInstanceOf(CancelledError);
      expect(inner1.cancelled()).toBe(true);
      expect(inner2.cancelled()).toBe(true);
      expect(child1.cancelled()).toBe(false);
      expect(child2.cancelled()).toBe(false);
      child1.setResult(1);
      child2.setResult(2);
      await sleep(0);
    });
  });

  it('wraps coroutines, promises and functions in a task on the running loop', async () => {
    // test_shield_coroutine_use_running_loop
    await runVirtual(async () => {
      const fromPromise = shield(Promise.resolve('promise'));
      expect(fromPromise.getLoop()).toBe(getRunningLoop());
      expect(await fromPromise).toBe('promise');
      expect(
        await shield(
          (function* () {
            yield* sleep(0.1);
            return 'generator';
          })(),
        ),
      ).toBe('generator');
      expect(await shield(async () => 'function')).toBe('function');
    });
  });

  it('throws TypeError for a value that is not awaitable', async () => {
    await runVirtual(async () => {
      expect(() => shield(42 as never)).toThrow(TypeError);
    });
  });
});
