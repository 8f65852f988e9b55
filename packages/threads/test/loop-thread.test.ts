import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError, RuntimeError } from '@asyncio-ts/executors';
import { BrokenLoopThread, LoopThread, runCoroutineThreadsafe } from '../src/index.js';

const fixtures = new URL('./fixtures/coroutines.ts', import.meta.url);
const ref = (name: string) => ({ module: fixtures, export: name });

describe.each([
  { shape: 'async functions', add: 'addLater', fail: 'failLater', record: 'sleepAndRecord' },
  { shape: 'function* generators', add: 'addLaterGen', fail: 'failLaterGen', record: 'sleepAndRecordGen' },
])('LoopThread with $shape', ({ add, fail, record }) => {
  it('runs a coroutine function on its loop and blocks for the result', () => {
    using runner = new LoopThread().start();
    expect(runner.runCoroutine(ref(add), 40, 2).result(10)).toBe(42);
  });

  it('lets the future be awaited', async () => {
    await using runner = new LoopThread().start();
    expect(await runner.runCoroutine(ref(add), 1, 2)).toBe(3);
  });

  it('delivers a remote error with its class name, message and remote stack', () => {
    using runner = new LoopThread().start();
    const future = runner.runCoroutine(ref(fail), 'bad input');
    let caught: unknown;
    try {
      future.result(10);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const error = caught as Error & { code?: string };
    expect(error.constructor.name).toBe('ValidationError');
    expect(error.message).toBe('bad input');
    expect(error.code).toBe('E_VALID');
    expect(error.stack).toContain('coroutines.ts');
  });

  it('cancels the remote task when the future is cancelled', () => {
    using runner = new LoopThread().start();
    const word = new Int32Array(new SharedArrayBuffer(4));
    const future = runner.runCoroutine(ref(record), 5, word);
    // The task has started once a quick call behind it is done.
    runner.runCoroutine(ref(add), 0, 0, 0.05).result(10);
    expect(future.cancel()).toBe(true);
    expect(future.cancelled()).toBe(true);
    expect(() => future.result(1)).toThrow(CancelledError);
    expect(Atomics.wait(word, 0, 0, 5000)).not.toBe('timed-out');
    expect(Atomics.load(word, 0)).toBe(2);
  });

  it('throws TimeoutError from result(timeout) and leaves the remote work running', () => {
    using runner = new LoopThread().start();
    const word = new Int32Array(new SharedArrayBuffer(4));
    const future = runner.runCoroutine(ref(record), 0.2, word);
    const started = performance.now();
    expect(() => future.result(0.05)).toThrow(TimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(future.result(10)).toBe('finished');
    expect(Atomics.load(word, 0)).toBe(1);
  });
});

describe('LoopThread', () => {
  it('runs an async body inside a Task of the loop', () => {
    using runner = new LoopThread().start();
    expect(runner.runCoroutine(ref('inTask')).result(10)).toBe(true);
  });

  it('runs a self-contained function sent as source', () => {
    using runner = new LoopThread().start();
    expect(runner.runCoroutine(async (text: string) => text.toUpperCase(), 'hi').result(10)).toBe('HI');
  });

  it('never delivers a late reply to a later call after result(timeout) timed out', () => {
    using runner = new LoopThread().start();
    const first = runner.runCoroutine(ref('echoAfter'), 'first', 0.15);
    expect(() => first.result(0.01)).toThrow(TimeoutError);
    const second = runner.runCoroutine(ref('echoAfter'), 'second', 0.3);
    expect(second.result(10)).toBe('second');
    expect(first.done()).toBe(true);
    expect(first.result()).toBe('first');
  });

  it('fails every pending future at once when its thread dies', () => {
    using runner = new LoopThread().start();
    const pending = runner.runCoroutine(ref('echoAfter'), 'never', 30);
    const dying = runner.runCoroutine(ref('exitThread'), 3, 0.05);
    const started = performance.now();
    expect(() => pending.result(20)).toThrow(BrokenLoopThread);
    expect(() => dying.result(1)).toThrow(BrokenLoopThread);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(runner.join(10)).toBe(true);
  });

  it('fails pending awaited futures when its thread dies of an uncaught error', async () => {
    const runner = new LoopThread().start();
    const pending = runner.runCoroutine(ref('throwUncaught'), 0.05);
    const error = await pending.then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(BrokenLoopThread);
    await runner.shutdown();
    expect(runner.isAlive()).toBe(false);
  });

  it('refuses work before start() and after stop(), naming the fix', () => {
    const runner = new LoopThread();
    expect(() => runner.runCoroutine(ref('inTask'))).toThrow(/start\(\) first/);
    runner.start();
    runner.stop();
    expect(() => runner.runCoroutine(ref('inTask'))).toThrow(BrokenLoopThread);
    expect(runner.join(10)).toBe(true);
    expect(runner.isAlive()).toBe(false);
  });

  it('fails work still pending when stopped', () => {
    const runner = new LoopThread().start();
    const pending = runner.runCoroutine(ref('echoAfter'), 'never', 30);
    runner.stop();
    expect(runner.join(10)).toBe(true);
    expect(() => pending.result(1)).toThrow(BrokenLoopThread);
  });

  it('stops right after a blocking call, when the loop takes the stop request in while it polls for the next call', () => {
    const runner = new LoopThread().start();
    for (let i = 0; i < 50; i++) expect(runner.runCoroutine(async (x: number) => x, i).result(10)).toBe(i);
    runner.stop();
    expect(runner.join(10)).toBe(true);
  });

  it('serves a handle made right after a blocking call', () => {
    using runner = new LoopThread().start();
    runner.runCoroutine(async () => 0).result(10);
    const handle = runner.handle();
    expect(runCoroutineThreadsafe(async (x: number) => x + 1, handle, 1).result(10)).toBe(2);
  });

  it('join(timeout) returns false while the thread runs', () => {
    using runner = new LoopThread().start();
    const started = performance.now();
    expect(runner.join(0.05)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(runner.isAlive()).toBe(true);
  });

  it('stops and joins its thread at the end of a using scope', () => {
    let escaped: LoopThread;
    {
      using runner = new LoopThread().start();
      escaped = runner;
      runner.runCoroutine(ref('addLater'), 1, 1).result(10);
    }
    expect(escaped.isAlive()).toBe(false);
  });

  it('rejects a function that cannot cross a thread', () => {
    using runner = new LoopThread().start();
    expect(() => runner.runCoroutine(Math.max as unknown as () => Promise<void>)).toThrow(TypeError);
    expect(() => runner.runCoroutine({ module: './relative.js', export: 'x' })).toThrow(/relative/);
  });

  it('resolves a reused reference object again when its export changes', () => {
    using runner = new LoopThread().start();
    const reference = { module: fixtures, export: 'addLater' };
    expect(runner.runCoroutine(reference, 1, 2).result(10)).toBe(3);
    reference.export = 'echoAfter';
    expect(runner.runCoroutine(reference, 'echo', 0).result(10)).toBe('echo');
  });

  it('starts once', () => {
    using runner = new LoopThread().start();
    expect(() => runner.start()).toThrow(RuntimeError);
  });
});
