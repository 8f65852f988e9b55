import { afterAll, describe, expect, it } from 'vitest';
import { ThreadPoolExecutor, TimeoutError } from '../src/index.js';
import { elapsed, fixture, mathFixture } from './helpers.js';

describe('Executor.map()', () => {
  const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  afterAll(() => executor.shutdown());

  it('gives the results in input order, whatever order they finish in', () => {
    const delays = [0.06, 0.01, 0.04, 0];
    const results = [...executor.map(mathFixture('slowAdd'), delays, delays, delays)];
    expect(results).toEqual([0.12, 0.02, 0.08, 0]);
  });

  it('zips several iterables, stopping at the shortest', () => {
    expect([...executor.map((a: number, b: string) => `${a}${b}`, [1, 2, 3], ['a', 'b'])]).toEqual(['1a', '2b']);
    expect([...executor.map((a: number) => a, [])]).toEqual([]);
  });

  it('is async-iterable: for await does not block', async () => {
    const results: number[] = [];
    for await (const value of executor.map((x: number) => x * x, [1, 2, 3])) results.push(value);
    expect(results).toEqual([1, 4, 9]);
  });

  it('throws a call error at its position, then ends', () => {
    const iterator = executor.map((index: number) => {
      if (index === 1) throw new Error(`call ${index} failed`);
      return index;
    }, [0, 1, 2, 3]);
    expect(iterator.next()).toEqual({ done: false, value: 0 });
    expect(() => iterator.next()).toThrow('call 1 failed');
    expect(iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('throws TimeoutError for a result not ready within the timeout, counted from the map() call', () => {
    const start = performance.now();
    const iterator = executor.map(mathFixture('sleepBlocking'), [0.01, 1], { timeout: 0.2 });
    expect(iterator.next().value).toBe(0.01);
    expect(() => iterator.next()).toThrow(TimeoutError);
    expect(elapsed(start)).toBeGreaterThanOrEqual(0.19);
    expect(elapsed(start)).toBeLessThan(0.9); // not waiting for the 1-second call
  });

  it('times out in for await too', async () => {
    const consume = async () => {
      for await (const value of executor.map(mathFixture('sleepBlocking'), [0.3], { timeout: 0.05 })) expect(value).toBe(0.3);
    };
    await expect(consume()).rejects.toThrow(TimeoutError);
  });

  it('sends chunks of chunksize calls to one worker as one task', () => {
    const whichThread = fixture<(ignored: number) => number>('math.ts', 'whichThread');
    const threads = [...executor.map(whichThread, [1, 2, 3, 4, 5, 6], { chunksize: 3 })];
    expect(threads).toHaveLength(6);
    expect(new Set(threads.slice(0, 3)).size).toBe(1);
    expect(new Set(threads.slice(3)).size).toBe(1);
    expect([...executor.map((x: number) => x + 1, [1, 2, 3, 4, 5], { chunksize: 2 })]).toEqual([2, 3, 4, 5, 6]);
  });

  it('runs async functions in chunks', () => {
    expect([...executor.map(async (x: number) => x * 10, [1, 2, 3], { chunksize: 2 })]).toEqual([10, 20, 30]);
  });

  it('reads ahead of the results by at most buffersize (Python 3.14)', () => {
    let read = 0;
    function* input() {
      for (let i = 0; i < 6; i++) {
        read++;
        yield i;
      }
    }
    const iterator = executor.map((x: number) => x * 2, input(), { buffersize: 2 });
    expect(read).toBe(2);
    expect(iterator.next().value).toBe(0);
    expect(read).toBe(3);
    expect([...iterator]).toEqual([2, 4, 6, 8, 10]);
    expect(read).toBe(6);
  });

  it('consumes the whole input at once without buffersize, as Python', () => {
    let read = 0;
    function* input() {
      for (let i = 0; i < 4; i++) {
        read++;
        yield i;
      }
    }
    const iterator = executor.map((x: number) => x, input());
    expect(read).toBe(4);
    iterator.return();
  });

  it('cancels the calls not started when the loop is left early', () => {
    const marks = new Int32Array(new SharedArrayBuffer(32));
    const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const indexes = [0, 1, 2, 3, 4, 5, 6, 7];
      // Call 1 may have started when the loop is left after call 0 (a race with
      // the cancellation); if so it runs 300 ms, so calls 2 to 7 have not started.
      const markAfterFirst = (index: number, shared: Int32Array) => {
        if (index < 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, index === 0 ? 50 : 300);
        Atomics.store(shared, index, 1);
        return index;
      };
      for (const index of pool.map(markAfterFirst, indexes, indexes.map(() => marks))) {
        expect(index).toBe(0);
        break;
      }
      pool.submit((x: number) => x, 0).result(10); // the worker has passed the cancelled calls
      expect(marks[0]).toBe(1);
      expect([...marks.slice(2)]).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      void pool.shutdown();
    }
  });

  it('checks its options and iterables', () => {
    expect(() => executor.map((x: number) => x, [1], { chunksize: 0 })).toThrow(RangeError);
    expect(() => executor.map((x: number) => x, [1], { buffersize: 0 })).toThrow(RangeError);
    expect(() => executor.map((x: number) => x, [1], { timeout: -1 })).toThrow(RangeError);
    expect(() => executor.map((x: number) => x, 5 as never)).toThrow(/expects iterables/);
  });
});
