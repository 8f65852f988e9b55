// AsyncLocalStorage is our contextvars: a task runs each step in the context
// it was created in, and a done callback in the context it was added in
// (asyncio's Task and Handle copy or take a contextvars.Context).
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTask,
  sleep,
  type BaseEventLoop,
  type Coroutine,
  type CoroutineLike,
  type ExceptionContext,
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

const als = new AsyncLocalStorage<string>();

let loop: TestLoop;

beforeEach(() => {
  loop = new TestLoop();
});

afterEach(async () => {
  // A test that failed midway may leave the loop running: stop it first.
  if (loop.isRunning()) {
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  loop.close();
});

/** A coroutine that records the store in each of its three steps. */
function recorder(shape: Shape, seen: (string | undefined)[]) {
  return pick(shape, {
    async: async () => {
      seen.push(als.getStore());
      await sleep(0);
      seen.push(als.getStore());
      await sleep(0.5);
      seen.push(als.getStore());
    },
    generator: function* () {
      seen.push(als.getStore());
      yield* sleep(0);
      seen.push(als.getStore());
      yield* sleep(0.5);
      seen.push(als.getStore());
    },
  });
}

describe.each(shapes)('the context of a task with an %s', (shape) => {
  it('is the store of the als.run() it was created in, in every step', async () => {
    const seen: (string | undefined)[] = [];
    const task = als.run('created outside the loop', () => loop.createTask(recorder(shape, seen)));
    await runOn(loop, task);
    expect(seen).toEqual(['created outside the loop', 'created outside the loop', 'created outside the loop']);
  });

  it('is the store of an als.run() inside another task of either shape', async () => {
    for (const creator of shapes) {
      const seen: (string | undefined)[] = [];
      await runOn(
        loop,
        pick(creator, {
          async: async () => {
            const task = als.run(`made by an ${creator}`, () => createTask(recorder(shape, seen)));
            await task;
          },
          generator: function* () {
            const task = als.run(`made by an ${creator}`, () => createTask(recorder(shape, seen)));
            yield* task;
          },
        }),
      );
      expect(seen).toEqual([`made by an ${creator}`, `made by an ${creator}`, `made by an ${creator}`]);
    }
  });

  it('is inherited from the creating task when no als.run() wraps createTask()', async () => {
    const seen: (string | undefined)[] = [];
    const main = als.run('the main task', () =>
      loop.createTask(
        pick(shape, {
          async: async () => {
            await sleep(0);
            await createTask(recorder(shape, seen));
          },
          generator: function* () {
            yield* sleep(0);
            yield* createTask(recorder(shape, seen));
          },
        }),
      ),
    );
    await runOn(loop, main);
    expect(seen).toEqual(['the main task', 'the main task', 'the main task']);
  });

  it('is empty for a task created with no store, and does not leak into another task', async () => {
    const seen: (string | undefined)[] = [];
    const other: (string | undefined)[] = [];
    const plain = loop.createTask(recorder(shape, seen));
    const wrapped = als.run('only mine', () => loop.createTask(recorder(shape, other)));
    await runOn(loop, async () => {
      await plain;
      await wrapped;
    });
    expect(seen).toEqual([undefined, undefined, undefined]);
    expect(other).toEqual(['only mine', 'only mine', 'only mine']);
  });

  it('runs a done callback in the context it was added in', async () => {
    const seen: (string | undefined)[] = [];
    await runOn(
      loop,
      pick(shape, {
        async: async () => {
          const future = sleep(0.1);
          als.run('when added', () => future.addDoneCallback(() => seen.push(als.getStore())));
          future.addDoneCallback(() => seen.push(als.getStore()));
          await future;
          await sleep(0);
        },
        generator: function* () {
          const future = sleep(0.1);
          als.run('when added', () => future.addDoneCallback(() => seen.push(als.getStore())));
          future.addDoneCallback(() => seen.push(als.getStore()));
          yield* future;
          yield* sleep(0);
        },
      }),
    );
    expect(seen).toEqual(['when added', undefined]);
  });

  it('runs a callSoon() callback in the context it was scheduled in', async () => {
    const seen: (string | undefined)[] = [];
    await runOn(
      loop,
      pick(shape, {
        async: async () => {
          als.run('scheduled', () => loop.callSoon(() => seen.push(als.getStore())));
          await sleep(0);
        },
        generator: function* () {
          als.run('scheduled', () => loop.callSoon(() => seen.push(als.getStore())));
          yield* sleep(0);
        },
      }),
    );
    expect(seen).toEqual(['scheduled']);
  });
});

describe('done callbacks and context', () => {
  it('run in the context captured when added, not the one that completes the Future', async () => {
    const future = loop.createFuture<number>();
    const seen: (string | undefined)[] = [];
    als.run('adder', () => future.addDoneCallback(() => seen.push(als.getStore())));
    als.run('completer', () => loop.callSoon(() => future.setResult(1)));
    await runOn(loop, future);
    await runOn(loop, () => sleep(0));
    expect(seen).toEqual(['adder']);
  });

  it('added to a Future that is already done still run in the context they were added in', async () => {
    const future = loop.createFuture<number>();
    future.setResult(1);
    const seen: (string | undefined)[] = [];
    als.run('late adder', () => future.addDoneCallback(() => seen.push(als.getStore())));
    await runOn(loop, () => sleep(0));
    expect(seen).toEqual(['late adder']);
  });
});
