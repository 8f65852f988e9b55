// The two coroutine shapes and how they are told apart: isGenerator(),
// isThenable(), isCoroutine(), and the types Coroutine, CoroutineLike,
// Awaitable and AwaitedResult.
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  Future,
  isCoroutine,
  isGenerator,
  isThenable,
  sleep,
  type AwaitedResult,
  type Coroutine,
  type CoroutineLike,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';

let loop: TestLoop;

beforeEach(() => {
  loop = new TestLoop();
});

afterEach(() => {
  loop.close();
});

function* generatorFunction(): Coroutine<number> {
  yield* sleep(0);
  return 1;
}

async function asyncFunction(): Promise<number> {
  return 1;
}

const thenable = { then: (resolve: (value: number) => void) => resolve(1) };

describe('isGenerator()', () => {
  it('is true for a generator object, started or not', () => {
    const generator = generatorFunction();
    expect(isGenerator(generator)).toBe(true);
    const started = (function* () {
      yield 1;
      yield 2;
    })();
    started.next();
    expect(isGenerator(started)).toBe(true);
  });

  it('is false for the generator function itself, and for other iterables and values', () => {
    expect(isGenerator(generatorFunction)).toBe(false);
    expect(isGenerator([1, 2])).toBe(false);
    expect(isGenerator([1, 2][Symbol.iterator]())).toBe(false);
    expect(isGenerator(new Map().entries())).toBe(false);
    expect(isGenerator(Promise.resolve(1))).toBe(false);
    expect(isGenerator(null)).toBe(false);
    expect(isGenerator(undefined)).toBe(false);
    expect(isGenerator('text')).toBe(false);
  });

  it('is false for a Future, though it is iterable', () => {
    expect(isGenerator(new Future({ loop }))).toBe(false);
  });
});

describe('isThenable()', () => {
  it('is true for promises, objects and functions with a then() method, and Futures', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable(asyncFunction())).toBe(true);
    expect(isThenable(thenable)).toBe(true);
    const callableThenable = Object.assign(() => {}, { then: () => {} });
    expect(isThenable(callableThenable)).toBe(true);
    expect(isThenable(new Future({ loop }))).toBe(true);
  });

  it('is false for values without a then() method', () => {
    expect(isThenable({ then: 1 })).toBe(false);
    expect(isThenable({})).toBe(false);
    expect(isThenable(asyncFunction)).toBe(false);
    expect(isThenable(null)).toBe(false);
    expect(isThenable(undefined)).toBe(false);
    expect(isThenable(42)).toBe(false);
  });
});

describe('isCoroutine()', () => {
  it('is true for a generator object and for a promise (the two coroutine shapes)', () => {
    expect(isCoroutine(generatorFunction())).toBe(true);
    expect(isCoroutine(asyncFunction())).toBe(true);
    expect(isCoroutine(thenable)).toBe(true);
  });

  it('is false for the functions that make coroutines, as asyncio.iscoroutine is for a coroutine function', () => {
    expect(isCoroutine(generatorFunction)).toBe(false);
    expect(isCoroutine(asyncFunction)).toBe(false);
  });

  it('is false for a Future, as asyncio.iscoroutine is', () => {
    expect(isCoroutine(new Future({ loop }))).toBe(false);
    expect(isCoroutine(loop.createTask(asyncFunction))).toBe(false);
  });

  it('is false for plain values', () => {
    expect(isCoroutine(42)).toBe(false);
    expect(isCoroutine(null)).toBe(false);
    expect(isCoroutine({ next() {} })).toBe(false);
  });
});

describe('coroutine types', () => {
  it('types `yield* future` with the result of the Future', () => {
    function* body(): Coroutine<string> {
      const count = yield* new Future<number>({ loop });
      expectTypeOf(count).toEqualTypeOf<number>();
      return String(count);
    }
    expectTypeOf(body()).toEqualTypeOf<Generator<unknown, string, unknown>>();
  });

  it('types `await future` with the result of the Future', () => {
    async function body(): Promise<string> {
      const count = await new Future<number>({ loop });
      expectTypeOf(count).toEqualTypeOf<number>();
      return String(count);
    }
    expectTypeOf(body).returns.toEqualTypeOf<Promise<string>>();
  });

  it('gives the result type of each kind of awaitable with AwaitedResult', () => {
    expectTypeOf<AwaitedResult<Future<number>>>().toEqualTypeOf<number>();
    expectTypeOf<AwaitedResult<Coroutine<string>>>().toEqualTypeOf<string>();
    expectTypeOf<AwaitedResult<Promise<boolean>>>().toEqualTypeOf<boolean>();
    expectTypeOf<AwaitedResult<() => Coroutine<number>>>().toEqualTypeOf<number>();
    expectTypeOf<AwaitedResult<() => Promise<string>>>().toEqualTypeOf<string>();
  });

  it('accepts both shapes, a promise and a plain function as CoroutineLike', () => {
    expectTypeOf(generatorFunction()).toMatchTypeOf<CoroutineLike<number>>();
    expectTypeOf(generatorFunction).toMatchTypeOf<CoroutineLike<number>>();
    expectTypeOf(asyncFunction).toMatchTypeOf<CoroutineLike<number>>();
    expectTypeOf(asyncFunction()).toMatchTypeOf<CoroutineLike<number>>();
    expectTypeOf(() => 1).toMatchTypeOf<CoroutineLike<number>>();
    const task = loop.createTask(generatorFunction);
    expectTypeOf(task.result).returns.toEqualTypeOf<number>();
  });
});

describe('a task names its coroutine', () => {
  it('by the function it was given', () => {
    expect(String(loop.createTask(generatorFunction, { name: 't' }))).toBe("<Task pending name='t' coro=<generatorFunction()>>");
    expect(String(loop.createTask(asyncFunction, { name: 't' }))).toBe("<Task pending name='t' coro=<asyncFunction()>>");
  });

  it("as 'generator' for a generator object and 'promise' for a promise", () => {
    expect(String(loop.createTask(generatorFunction(), { name: 't' }))).toBe("<Task pending name='t' coro=<generator()>>");
    expect(String(loop.createTask(Promise.resolve(1), { name: 't' }))).toBe("<Task pending name='t' coro=<promise()>>");
  });

  it("as 'anonymous' for a function without a name", () => {
    const task = loop.createTask([() => 1][0]!, { name: 't' });
    expect(String(task)).toBe("<Task pending name='t' coro=<anonymous()>>");
  });
});
