// The shared-memory channel of blocking round trips: calls with plain values
// cross without a MessagePort hop; everything else falls back to structured
// clone over the port. What a user observes must not differ either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError } from '@asyncio-ts/executors';
import { LoopThread } from '../src/index.js';

const fixtures = new URL('./fixtures/channel.ts', import.meta.url);
const ref = (name: string) => ({ module: fixtures, export: name });

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

const plain: [string, unknown][] = [
  ['small integers', 42],
  ['negative zero', -0],
  ['NaN', NaN],
  ['Infinity', -Infinity],
  ['large and fractional numbers', [2 ** 40, -1.5, Number.MAX_VALUE, Number.MIN_VALUE]],
  ['an empty string', ''],
  ['a short string', 'hi'],
  ['a long string', 'asyncio '.repeat(500)],
  ['a lone surrogate', 'a\uD800b'],
  ['booleans, null and undefined', [true, false, null, undefined]],
  ['nested arrays and objects', { a: 1, b: { c: [null, undefined, 'd'] }, e: [[1, [2, [3]]]] }],
  ['integer-like keys', { 2: 'b', 1: 'a', z: 'z' }],
];

const notPlain: [string, unknown][] = [
  ['a Date', new Date(0)],
  ['a Map', new Map([[1, 'one']])],
  ['a Set', new Set(['a'])],
  ['a typed array', new Uint8Array([1, 2, 3])],
  ['a bigint', 10n ** 20n],
  ['a RegExp', /a+/g],
  ['an Error', new RangeError('out')],
  ['a class instance', new Point(1, 2)],
  ['a string beyond the channel', 'x'.repeat(20_000)],
];

describe.each([
  { shape: 'async functions', identity: 'identity' },
  { shape: 'function* generators', identity: 'identityGen' },
])('the shared channel, with $shape', ({ identity }) => {
  let runner: LoopThread;
  beforeAll(() => {
    runner = new LoopThread().start();
    // The first call defines the function on the loop (through the port); the next ones take the slot.
    runner.runCoroutine(ref(identity), 0).result(10);
  });
  afterAll(() => runner.shutdown());

  it.each(plain)('returns %s exactly as a structured clone would', (_name, value) => {
    for (let round = 0; round < 3; round++) {
      const result = runner.runCoroutine(ref(identity), value).result(10);
      expect(result).toStrictEqual(structuredClone(value));
      if (typeof value === 'number') expect(Object.is(result, value)).toBe(true);
    }
  });

  it.each(notPlain)('falls back to structured clone for %s', (_name, value) => {
    expect(runner.runCoroutine(ref(identity), value).result(10)).toStrictEqual(structuredClone(value));
  });

  it('keeps shared and cyclic references, as structured clone does', () => {
    const shared = { n: 1 };
    const both = runner.runCoroutine(ref(identity), { a: shared, b: shared }).result(10) as { a: object; b: object };
    expect(both.a).toBe(both.b);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const back = runner.runCoroutine(ref(identity), cyclic).result(10) as { self: unknown };
    expect(back.self).toBe(back);
  });

  it('keeps holes and extra properties of arrays', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    const extra = Object.assign([1, 2], { label: 'x' });
    const back = runner.runCoroutine(ref(identity), [sparse, extra]).result(10) as unknown[][];
    expect(1 in back[0]!).toBe(false);
    expect((back[1] as unknown as { label: string }).label).toBe('x');
  });

  it('settles a call that is awaited instead of blocked on', async () => {
    expect(await runner.runCoroutine(ref(identity), 'first')).toBe('first');
    for (let index = 0; index < 20; index++) expect(await runner.runCoroutine(ref(identity), index)).toBe(index);
  });
});

describe('the shared channel', () => {
  it('gives objects with a __proto__ key or no prototype as a structured clone does', () => {
    using runner = new LoopThread().start();
    runner.runCoroutine(ref('describeArgument'), {}).result(10);
    const polluting = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    expect(runner.runCoroutine(ref('describeArgument'), polluting).result(10)).toStrictEqual({ prototype: 'Object', keys: ['__proto__', 'a'] });
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    expect(runner.runCoroutine(ref('describeArgument'), bare).result(10)).toStrictEqual({ prototype: 'Object', keys: ['x'] });
  });

  it('starts calls in the order they were made, whichever way each travels', () => {
    using runner = new LoopThread().start();
    // Loaded first: a function's first call waits for its module to load.
    runner.callSoonThreadsafe(ref('record'), -1, null).result(10);
    runner.runCoroutine(ref('recordInTask'), -1, null).result(10);
    runner.runCoroutine(ref('recorded')).result(10);
    const futures = [];
    for (let index = 0; index < 60; index++) {
      // Plain payloads may take the slot; Maps and first calls go through the port.
      const payload = index % 3 === 0 ? new Map([[index, index]]) : index;
      futures.push(index % 2 === 0 ? runner.callSoonThreadsafe(ref('record'), index, payload) : runner.runCoroutine(ref('recordInTask'), index, payload));
    }
    for (const [index, future] of futures.entries()) expect(future.result(10)).toBe(index);
    expect(runner.runCoroutine(ref('recorded')).result(10)).toStrictEqual([...Array(60).keys()]);
  });

  it('starts a blocking call made right after calls left running, after them', () => {
    using runner = new LoopThread().start();
    runner.runCoroutine(ref('recorded')).result(10);
    const first = runner.callSoonThreadsafe(ref('record'), 1, null);
    const second = runner.callSoonThreadsafe(ref('record'), 2, new Map());
    expect(runner.runCoroutine(ref('recordInTask'), 3, null).result(10)).toBe(3);
    expect([first.result(10), second.result(10)]).toStrictEqual([1, 2]);
    expect(runner.runCoroutine(ref('recorded')).result(10)).toStrictEqual([1, 2, 3]);
  });

  it('frees the slot when the call in it is cancelled before it ran', () => {
    using runner = new LoopThread().start();
    runner.callSoonThreadsafe(ref('record'), 0, null).result(10);
    const dropped = runner.callSoonThreadsafe(ref('record'), 1, null);
    dropped.cancel();
    // Dropped, or run before the cancellation arrived: either way the slot is free again.
    for (let index = 2; index < 10; index++) expect(runner.callSoonThreadsafe(ref('record'), index, null).result(10)).toBe(index);
    expect(runner.runCoroutine(ref('recorded')).result(10)).toEqual(expect.arrayContaining([0, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('matches a late reply in the slot to its own call after result(timeout) timed out', () => {
    using runner = new LoopThread().start();
    runner.runCoroutine(async (value: string, seconds: number) => value + seconds, 'defined', 0).result(10);
    const slow = async (value: string, seconds: number) => {
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return value;
    };
    runner.runCoroutine(slow, 'defined', 0).result(10);
    const first = runner.runCoroutine(slow, 'first', 0.2);
    expect(() => first.result(0.01)).toThrow(TimeoutError);
    // The slot is still taken by the first call: these go through the port.
    expect(runner.runCoroutine(slow, 'second', 0).result(10)).toBe('second');
    expect(first.result(10)).toBe('first');
    expect(runner.runCoroutine(slow, 'third', 0).result(10)).toBe('third');
  });

  it('reports an argument whose getter throws as the structured clone does', () => {
    using runner = new LoopThread().start();
    runner.runCoroutine(ref('identity'), 0).result(10);
    const argument = {
      get broken(): never {
        throw new Error('no value here');
      },
    };
    expect(() => runner.runCoroutine(ref('identity'), argument)).toThrow(/cannot be sent.*no value here/);
    expect(runner.runCoroutine(ref('identity'), 'after').result(10)).toBe('after');
  });
});
