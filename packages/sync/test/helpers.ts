// What the tests share: a virtual-time runner that fails on any call of the
// loop's exception handler, and the two coroutine shapes, so that each
// behaviour is checked with `await` (async functions) and `yield*`
// (generator coroutines).
import { expect } from 'vitest';
import { Runner, isFuture, sleep, type BaseEventLoop, type Coroutine, type CoroutineLike, type Future } from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';
import type { Releaser } from '../src/index.js';

/** Runs `main` on a virtual-time TestLoop; any call of the loop's exception handler fails the test. */
export async function runVirtual<T>(main: CoroutineLike<T>, setup?: (loop: BaseEventLoop) => void): Promise<T> {
  const runner = new Runner({ loopFactory: () => new TestLoop() });
  const reported: string[] = [];
  const loop = runner.getLoop();
  loop.setExceptionHandler((_loop, context) => reported.push(`${context.message} ${String(context.exception ?? '')}`));
  setup?.(loop);
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
    expect(reported, 'exception handler calls').toEqual([]);
  }
}

/**
 * Lets the loop run until it is idle (every ready callback and microtask has
 * run), from an async function: what a test waits for when it does not count
 * iterations.
 */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** flush() from a generator: `yield* idle()`. */
export function* idle(): Coroutine<void> {
  yield flush();
}

/** What `future` throws; fails when it does not. For generator tests: `expect(yield* failure(task))`. */
export function* failure(future: Future<unknown>): Coroutine<unknown> {
  try {
    yield* future;
  } catch (error) {
    return error;
  }
  throw new Error(`expected ${String(future)} to fail`);
}

/**
 * One step of a scripted task: a Future it returns is awaited, anything else
 * is recorded as is. It gets what the step before it gave.
 */
export type Step = (previous: unknown) => unknown;

/** A coroutine function of either shape: what createTask() takes. */
export type CoroutineFunction<T> = () => Coroutine<T> | Promise<T>;

export interface Shape {
  name: string;
  /**
   * Lets woken tasks of this shape run on to their next wait, from a
   * generator: `yield* shape.settle()`. For a generator that is one
   * iteration, as asyncio's `await asyncio.sleep(0)`. An async function's
   * continuations run when the loop hops to microtasks, which it does not do
   * after every iteration (see the core issue in the sync package's report),
   * so for it: until the loop has nothing left to do.
   */
  settle(): Coroutine<void>;
  /** Runs the steps in order, awaiting each Future a step returns; resolves to the results. */
  seq(...steps: Step[]): CoroutineFunction<unknown[]>;
  /** Runs `body`, then `cleanup` whatever happened (try/finally). */
  tryFinally(body: Step[], cleanup: Step[]): CoroutineFunction<unknown[]>;
  /** `using held = <await> hold()`, then `body`: the Releaser is disposed on the way out. */
  using(hold: () => Future<Releaser>, body: Step[]): CoroutineFunction<unknown[]>;
}

function* genSteps(steps: Step[], out: unknown[]): Coroutine<void> {
  let previous: unknown;
  for (const step of steps) {
    const value = step(previous);
    previous = isFuture(value) ? yield* value : value;
    out.push(previous);
  }
}

async function asyncSteps(steps: Step[], out: unknown[]): Promise<void> {
  let previous: unknown;
  for (const step of steps) {
    const value = step(previous);
    previous = isFuture(value) ? await value : value;
    out.push(previous);
  }
}

export const shapes: Shape[] = [
  {
    name: 'async function',
    settle: idle,
    seq:
      (...steps) =>
      async () => {
        const out: unknown[] = [];
        await asyncSteps(steps, out);
        return out;
      },
    tryFinally: (body, cleanup) => async () => {
      const out: unknown[] = [];
      try {
        await asyncSteps(body, out);
      } finally {
        await asyncSteps(cleanup, out);
      }
      return out;
    },
    using: (hold, body) => async () => {
      const out: unknown[] = [];
      using held = await hold();
      out.push(held);
      await asyncSteps(body, out);
      return out;
    },
  },
  {
    name: 'function*',
    settle: function* () {
      yield* sleep(0);
    },
    seq: (...steps) =>
      function* () {
        const out: unknown[] = [];
        yield* genSteps(steps, out);
        return out;
      },
    tryFinally: (body, cleanup) =>
      function* () {
        const out: unknown[] = [];
        try {
          yield* genSteps(body, out);
        } finally {
          yield* genSteps(cleanup, out);
        }
        return out;
      },
    using: (hold, body) =>
      function* () {
        const out: unknown[] = [];
        using held = yield* hold();
        out.push(held);
        yield* genSteps(body, out);
        return out;
      },
  },
];
