import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, Future, ThreadPoolExecutor, TimeoutError, asCompleted, wait } from '../src/index.js';
import { elapsed, mathFixture } from './helpers.js';

describe('wait()', () => {
  const executor = new ThreadPoolExecutor({ maxWorkers: 3 });
  // Start the three workers first, so that timings measure the calls alone.
  beforeAll(() => wait([0.05, 0.05, 0.05].map((seconds) => executor.submit(mathFixture('sleepBlocking'), seconds))));
  afterAll(() => executor.shutdown());

  it('blocks until every future is done (ALL_COMPLETED)', () => {
    const futures = [0.05, 0.01, 0.03].map((seconds) => executor.submit(mathFixture('sleepBlocking'), seconds));
    const [done, notDone] = wait(futures);
    expect(done.size).toBe(3);
    expect(notDone.size).toBe(0);
    const result = wait(futures, { returnWhen: ALL_COMPLETED });
    expect(result.done).toBe(result[0]);
    expect(result.notDone).toBe(result[1]);
  });

  it('returns at the first completion with FIRST_COMPLETED', () => {
    const fast = executor.submit(mathFixture('sleepBlocking'), 0.01);
    const slow = executor.submit(mathFixture('sleepBlocking'), 0.4);
    const [done, notDone] = wait([fast, slow], { returnWhen: FIRST_COMPLETED });
    expect([...done]).toEqual([fast]);
    expect([...notDone]).toEqual([slow]);
    slow.result(5);
  });

  it('returns at the first failure with FIRST_EXCEPTION, else when all are done', () => {
    const failing = executor.submit(mathFixture('failLater'), 'early');
    const slow = executor.submit(mathFixture('sleepBlocking'), 0.4);
    const [done, notDone] = wait([failing, slow], { returnWhen: FIRST_EXCEPTION });
    expect([...done]).toEqual([failing]);
    expect(notDone.has(slow)).toBe(true);
    slow.result(5);

    const fine = [1, 2].map((x) => executor.submit((y: number) => y, x));
    const [allDone] = wait(fine, { returnWhen: FIRST_EXCEPTION });
    expect(allDone.size).toBe(2);
  });

  it('does not count a cancelled future as an exception', () => {
    const cancelled = new Future();
    cancelled.cancel();
    const slow = executor.submit(mathFixture('sleepBlocking'), 0.05);
    const [done] = wait([cancelled, slow], { returnWhen: FIRST_EXCEPTION });
    expect(done.size).toBe(2);
  });

  it('returns what is done when the timeout passes', () => {
    const slow = executor.submit(mathFixture('sleepBlocking'), 0.3);
    const start = performance.now();
    const [done, notDone] = wait([slow], { timeout: 0.05 });
    expect(elapsed(start)).toBeGreaterThanOrEqual(0.049);
    expect(done.size).toBe(0);
    expect(notDone.size).toBe(1);
    slow.result(5);
  });

  it('checks its arguments', () => {
    expect(() => wait([Promise.resolve() as never])).toThrow(/expects concurrent Futures/);
    expect(() => wait(5 as never)).toThrow(/iterable of futures/);
    expect(() => wait([], { returnWhen: 'SOMETIMES' as never })).toThrow(RangeError);
  });
});

describe('asCompleted()', () => {
  const executor = new ThreadPoolExecutor({ maxWorkers: 3 });
  // Start the three workers first, so that timings measure the calls alone.
  beforeAll(() => wait([0.05, 0.05, 0.05].map((seconds) => executor.submit(mathFixture('sleepBlocking'), seconds))));
  afterAll(() => executor.shutdown());

  it('gives the futures in completion order, those already done first', () => {
    const done = new Future<number>();
    done.setResult(0);
    const futures = [0.15, 0.01, 0.08].map((seconds) => executor.submit(mathFixture('sleepBlocking'), seconds));
    const order = [...asCompleted([...futures, done, done])].map((future) => future.result());
    expect(order).toEqual([0, 0.01, 0.08, 0.15]);
  });

  it('gives the results with for await, without blocking', async () => {
    const futures = [0.1, 0.01].map((seconds) => executor.submit(mathFixture('sleepBlocking'), seconds));
    const results: number[] = [];
    for await (const result of asCompleted(futures)) results.push(result);
    expect(results).toEqual([0.01, 0.1]);
  });

  it('throws TimeoutError naming the futures unfinished', async () => {
    const slow = executor.submit(mathFixture('sleepBlocking'), 0.3);
    const fast = executor.submit(mathFixture('sleepBlocking'), 0);
    const iterator = asCompleted([slow, fast], { timeout: 0.1 });
    expect(iterator.next().value).toBe(fast);
    expect(() => iterator.next()).toThrow(TimeoutError);
    expect(() => asCompleted([slow], { timeout: 0.01 }).next()).toThrow('1 (of 1) futures unfinished');
    const consume = async () => {
      for await (const result of asCompleted([executor.submit(mathFixture('sleepBlocking'), 0.3)], { timeout: 0.02 })) expect(result).toBe(0.3);
    };
    await expect(consume()).rejects.toThrow(TimeoutError);
    slow.result(5);
  });
});
