import type { MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { BrokenThreadPool, CancelledError, RuntimeError, ThreadPoolExecutor, transfer } from '../src/index.js';
import { elapsed, fixture, initFixture, mathFixture } from './helpers.js';

describe('ThreadPoolExecutor', () => {
  const executor = new ThreadPoolExecutor({ maxWorkers: 2 });
  afterAll(() => executor.shutdown());

  describe('submit()', () => {
    it('runs a self-contained function and gives its result to await', async () => {
      expect(await executor.submit((a: number, b: number) => a * b, 6, 7)).toBe(42);
    });

    it('runs a module export given by URL, TypeScript modules included', async () => {
      expect(await executor.submit(mathFixture('add'), 2, 3)).toBe(5);
    });

    it('runs a JavaScript module export given by absolute path, and the default export', async () => {
      const path = new URL('./fixtures/plain.mjs', import.meta.url).pathname;
      expect(await executor.submit({ module: path, export: 'twice' }, 21)).toBe(42);
      expect(await executor.submit({ module: path }, 5)).toBe(-5);
    });

    it('runs async functions and awaits their promise in the worker', async () => {
      expect(await executor.submit(mathFixture('slowAdd'), 1, 2, 0.01)).toBe(3);
      expect(await executor.submit(async (x: number) => x + 1, 1)).toBe(2);
    });

    it('lets a self-contained function import() modules by URL inside', async () => {
      const cpus = await executor.submit(async () => {
        const os = await import('node:os');
        return os.availableParallelism();
      });
      expect(cpus).toBeGreaterThan(0);
    });

    it('runs the calls off the main thread', async () => {
      const thread = await executor.submit(mathFixture('whichThread'));
      expect(thread).toBeGreaterThan(0);
    });

    it('runs a method written in shorthand', async () => {
      const object = {
        triple(x: number) {
          return x * 3;
        },
      };
      expect(await executor.submit(object.triple, 3)).toBe(9);
    });

    it('structured-clones arguments and results', async () => {
      const input = { date: new Date(0), map: new Map([[1, 'one']]), bytes: new Uint8Array([1, 2]) };
      const output = await executor.submit((value: typeof input) => ({ ...value, seen: value.map.get(1) }), input);
      expect(output.date).toEqual(new Date(0));
      expect(output.seen).toBe('one');
      expect(output.bytes).toEqual(new Uint8Array([1, 2]));
    });
  });

  describe('errors', () => {
    it('delivers an error thrown in the worker with its class name, message, properties and the worker stack', async () => {
      const future = executor.submit(mathFixture('fail'), 'boom');
      const error = future.exception(10) as Error & { detail: string };
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('CustomError');
      expect(error.constructor.name).toBe('CustomError');
      expect(error.message).toBe('boom');
      expect(error.detail).toBe('extra');
      expect(error.stack).toContain('fixtures/math.ts');
      expect(() => future.result()).toThrow('boom');
    });

    it('keeps built-in error classes', async () => {
      await expect(executor.submit(mathFixture('failLater'), 'too far')).rejects.toThrow(RangeError);
    });

    it('explains a closure and shows the module form', async () => {
      const factor = 3;
      const future = executor.submit((x: number) => x * factor, 2);
      await expect(future).rejects.toThrow(ReferenceError);
      const error = future.exception() as Error;
      expect(error.message).toContain('`factor`');
      expect(error.message).toContain('closures do not cross threads');
      expect(error.message).toContain('{ module: import.meta.url, export:');
    });

    it('rejects what cannot run in a worker at submit()', () => {
      expect(() => executor.submit(Math.max as unknown as () => number)).toThrow(/built-in function \(max\) cannot be sent/);
      expect(() => executor.submit((() => 1).bind(null) as () => number)).toThrow(/bound function/);
      expect(() => executor.submit(class Work {} as unknown as () => number)).toThrow(/a class \(Work\)/);
      expect(() => executor.submit({ module: './relative.js', export: 'x' })).toThrow(/is relative.*new URL\("\.\/relative\.js", import\.meta\.url\)/);
      expect(() => executor.submit(42 as unknown as () => number)).toThrow(/expects a function or a module reference/);
    });

    it('fails the call when the module has no such export, naming its exports', async () => {
      await expect(executor.submit(fixture('math.ts', 'nope'))).rejects.toThrow(/no function exported as 'nope' \(its exports: .*add/);
    });

    it('fails the call, not the pool, when an argument cannot be cloned', async () => {
      const future = executor.submit((value: unknown) => value, Symbol('no') as never);
      await expect(future).rejects.toThrow(/cannot be sent to a worker/);
      expect(await executor.submit((x: number) => x, 1)).toBe(1);
    });

    it('fails the call when its result cannot be cloned', async () => {
      await expect(executor.submit(() => () => 1)).rejects.toThrow(/cannot be sent back/);
    });
  });

  describe('transfers', () => {
    it('moves an ArrayBuffer to the worker instead of copying it', async () => {
      const bytes = new Uint8Array([1, 2, 3]);
      const sum = await executor.submit((view: Uint8Array) => view.reduce((a, b) => a + b, 0), transfer(bytes));
      expect(sum).toBe(6);
      expect(bytes.byteLength).toBe(0); // detached: it was moved
    });

    it('moves a result back when the worker function returns transfer(value)', async () => {
      const view = await executor.submit(mathFixture('floats'), [1.5, 2.5]);
      expect(view).toBeInstanceOf(Float64Array);
      expect([...view]).toEqual([1.5, 2.5]);
    });

    it('passes a MessagePort', async () => {
      const { port1, port2 } = new MessageChannel();
      const reply = new Promise((resolve) => port1.once('message', resolve));
      await executor.submit((port: MessagePort) => port.postMessage('hello through the port'), transfer(port2));
      expect(await reply).toBe('hello through the port');
      port1.close();
    });
  });

  describe('workers', () => {
    it('starts workers lazily, one while none is idle, up to maxWorkers, and reuses them', async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 3 });
      try {
        expect(pool[Symbol.for('nodejs.util.inspect.custom') as never]).toBeDefined();
        const threads = await Promise.all([1, 2, 3, 4, 5].map(() => pool.submit(mathFixture('sleepBlocking'), 0.05).then(() => 0)));
        expect(threads).toHaveLength(5);
        const ids = new Set(await Promise.all(Array.from({ length: 6 }, () => pool.submit(mathFixture('whichThread')))));
        expect(ids.size).toBeLessThanOrEqual(3);
      } finally {
        await pool.shutdown();
      }
    });

    it('runs blocking calls concurrently: three calls take about the longest, not the sum', async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 3 });
      try {
        await Promise.all([0, 0, 0].map(() => pool.submit(() => 0))); // workers started
        const start = performance.now();
        const results = await Promise.all([0.4, 0.2, 0.6].map((seconds) => pool.submit(mathFixture('sleepBlocking'), seconds)));
        expect(results).toEqual([0.4, 0.2, 0.6]);
        expect(elapsed(start)).toBeGreaterThanOrEqual(0.59);
        expect(elapsed(start)).toBeLessThan(1.1); // the sum would be 1.2
      } finally {
        await pool.shutdown();
      }
    });
  });

  describe('initializer', () => {
    it('runs in each worker before its calls, with initargs', async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1, initializer: initFixture('initialize'), initargs: [{ ready: true }] });
      try {
        expect(await pool.submit(initFixture('initialized'))).toEqual({ ready: true });
      } finally {
        await pool.shutdown();
      }
    });

    it('breaks the pool with BrokenThreadPool when it fails, for pending and later calls', async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1, initializer: initFixture('failToInitialize') });
      const futures = [pool.submit((x: number) => x, 1), pool.submit((x: number) => x, 2)];
      for (const future of futures) {
        const error = future.exception(10) as BrokenThreadPool;
        expect(BrokenThreadPool.isInstance(error)).toBe(true);
        expect(error.message).toBe('A thread initializer failed, the thread pool is not usable anymore');
        expect((error.cause as Error).message).toBe('initializer failed on purpose');
      }
      expect(() => pool.submit((x: number) => x, 3)).toThrow(BrokenThreadPool);
      await pool.shutdown();
    });
  });

  describe('options', () => {
    it('checks maxWorkers, initargs and cancelGrace', () => {
      expect(() => new ThreadPoolExecutor({ maxWorkers: 0 })).toThrow(/maxWorkers >= 1, got 0/);
      expect(() => new ThreadPoolExecutor({ maxWorkers: 1.5 })).toThrow(/whole number/);
      expect(() => new ThreadPoolExecutor({ initargs: 'x' as never })).toThrow(/initargs as an array/);
      expect(() => new ThreadPoolExecutor({ cancelGrace: -1 })).toThrow(/cancelGrace >= 0/);
    });
  });

  describe('after shutdown()', () => {
    it('refuses new calls with RuntimeError', async () => {
      const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
      await pool.shutdown();
      expect(() => pool.submit((x: number) => x, 1)).toThrow(RuntimeError);
      expect(() => pool.submit((x: number) => x, 1)).toThrow('cannot schedule new futures after shutdown');
      expect(CancelledError.isInstance(new CancelledError())).toBe(true);
    });
  });
});
