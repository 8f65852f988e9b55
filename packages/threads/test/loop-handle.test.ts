import { describe, expect, it } from 'vitest';
import { CancelledError } from '@asyncio-ts/executors';
import { getLoopHandle, isLoopHandle, LoopThread, runCoroutineThreadsafe, type LoopHandle } from '../src/index.js';

const coroutines = new URL('./fixtures/coroutines.ts', import.meta.url);
const bridge = new URL('./fixtures/bridge.ts', import.meta.url);

describe('runCoroutineThreadsafe', () => {
  it('submits through a handle from the starting thread', async () => {
    using runner = new LoopThread().start();
    const handle = runner.handle();
    expect(isLoopHandle(handle)).toBe(true);
    expect(runCoroutineThreadsafe({ module: coroutines, export: 'addLaterGen' }, handle, 1, 2).result(10)).toBe(3);
    expect(await runCoroutineThreadsafe({ module: coroutines, export: 'addLater' }, handle, 2, 2)).toBe(4);
  });

  it('takes a LoopThread as the loop', () => {
    using runner = new LoopThread().start();
    expect(runCoroutineThreadsafe(async (x: number) => x * 3, runner, 3).result(10)).toBe(9);
  });

  it.each(['addVia', 'addViaBlocking'])('lets one loop thread submit to another through a transferred handle (%s)', (name) => {
    using a = new LoopThread().start();
    using b = new LoopThread().start();
    expect(b.runCoroutine({ module: bridge, export: name }, a.handle(), 20, 22).result(10)).toBe(42);
  });

  it('serves a handle used on this thread, then transferred to another that uses it', () => {
    using a = new LoopThread().start();
    using b = new LoopThread().start();
    const handle = a.handle();
    expect(runCoroutineThreadsafe({ module: coroutines, export: 'addLater' }, handle, 1, 2).result(10)).toBe(3);
    // The port moves to b's thread with the call, which says hello to a's loop again, with a channel of its own.
    expect(b.runCoroutine({ module: bridge, export: 'addTwiceVia' }, handle, 20, 1).result(10)).toBe(42);
  });

  it('receives a handle made on the loop thread, and submits to it', () => {
    using runner = new LoopThread().start();
    const handle = runner.runCoroutine({ module: bridge, export: 'ownHandle' }).result(10) as LoopHandle;
    expect(handle.loopId).toBe(runner.loopId);
    expect(runCoroutineThreadsafe({ module: coroutines, export: 'addLater' }, handle, 5, 5).result(10)).toBe(10);
  });

  it('cancels the remote task through a handle', () => {
    using runner = new LoopThread().start();
    const word = new Int32Array(new SharedArrayBuffer(4));
    const future = runCoroutineThreadsafe({ module: coroutines, export: 'sleepAndRecordGen' }, runner.handle(), 5, word);
    runner.runCoroutine({ module: coroutines, export: 'addLater' }, 0, 0, 0.05).result(10);
    expect(future.cancel()).toBe(true);
    expect(() => future.result()).toThrow(CancelledError);
    expect(Atomics.wait(word, 0, 0, 5000)).not.toBe('timed-out');
    expect(Atomics.load(word, 0)).toBe(2);
  });

  it('fails pending work through a handle when the loop stops', () => {
    const runner = new LoopThread().start();
    const future = runCoroutineThreadsafe({ module: coroutines, export: 'echoAfter' }, runner.handle(), 'never', 30);
    runner.stop();
    expect(runner.join(10)).toBe(true);
    expect(() => future.result(10)).toThrow(/loop thread/);
  });

  it('rejects what is not a loop, naming the fix', () => {
    expect(() => runCoroutineThreadsafe(async () => 1, {} as never)).toThrow(/LoopHandle/);
    expect(() => getLoopHandle()).toThrow(/loopThread.handle\(\)/);
  });
});

describe('LoopThread.callSoonThreadsafe', () => {
  it('calls a function soon on the loop and reports its return value', async () => {
    using runner = new LoopThread().start();
    const word = new Int32Array(new SharedArrayBuffer(4));
    expect(runner.callSoonThreadsafe({ module: bridge, export: 'mark' }, word).result(10)).toBe('marked');
    expect(Atomics.load(word, 0)).toBe(1);
    expect(await runner.callSoonThreadsafe((a: number, b: number) => a - b, 5, 3)).toBe(2);
  });

  it('reports the error the callback throws', () => {
    using runner = new LoopThread().start();
    expect(() => runner.callSoonThreadsafe({ module: bridge, export: 'throwNow' }, 'bad').result(10)).toThrow(TypeError);
  });

  it('drops a call cancelled before it ran', () => {
    using runner = new LoopThread().start();
    const word = new Int32Array(new SharedArrayBuffer(4));
    runner.callSoonThreadsafe({ module: bridge, export: 'mark' }, new Int32Array(new SharedArrayBuffer(4))).result(10); // loaded
    const busy = runner.callSoonThreadsafe({ module: bridge, export: 'busy' }, 300);
    const dropped = runner.callSoonThreadsafe({ module: bridge, export: 'mark' }, word);
    expect(dropped.cancel()).toBe(true);
    expect(busy.result(10)).toBe(300);
    runner.callSoonThreadsafe(async () => 0).result(10);
    expect(Atomics.load(word, 0)).toBe(0);
  });
});
