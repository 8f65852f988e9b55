// Which loop runs: getRunningLoop, tryGetRunningLoop, getEventLoop,
// setEventLoop and newEventLoop (asyncio's events module, without policies).
import { afterEach, describe, expect, it } from 'vitest';
import {
  EventLoop,
  RuntimeError,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  setEventLoop,
  sleep,
  tryGetRunningLoop,
} from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

// Each test leaves no current loop behind.
afterEach(() => {
  getEventLoop().close();
  setEventLoop(null);
});

describe('getRunningLoop', () => {
  it('throws RuntimeError outside a running loop, saying where to call it from', () => {
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    expect(() => getRunningLoop()).toThrow('no running event loop; call this from a coroutine or callback run by run() or a loop');
  });

  it('throws even when a current loop is set but not running', () => {
    const loop = guard.newLoop();
    setEventLoop(loop);
    expect(() => getRunningLoop()).toThrow(RuntimeError);
    loop.close();
  });

  it('is the loop in its callbacks, in generator tasks, and in async functions across awaits', async () => {
    const loop = guard.newLoop();
    const seen: unknown[] = [];
    loop.callSoon(() => seen.push(getRunningLoop()));
    await loop.runUntilComplete(function* () {
      seen.push(getRunningLoop());
      yield* sleep(0.001);
      seen.push(getRunningLoop());
    });
    await loop.runUntilComplete(async () => {
      seen.push(getRunningLoop());
      await sleep(0.001);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(getRunningLoop());
    });
    expect(seen).toEqual([loop, loop, loop, loop, loop]);
    loop.close();
  });

  it('is the loop run() made, in main', async () => {
    const [inside, running] = await run(async () => [getRunningLoop(), getRunningLoop().isRunning()] as const);
    expect(inside).toBeInstanceOf(EventLoop);
    expect(running).toBe(true);
    expect(inside.isClosed()).toBe(true);
  });
});

describe('tryGetRunningLoop', () => {
  it('is null outside a running loop and the loop inside', async () => {
    expect(tryGetRunningLoop()).toBeNull();
    const loop = guard.newLoop();
    const inside = await loop.runUntilComplete(async () => tryGetRunningLoop());
    expect(inside).toBe(loop);
    expect(tryGetRunningLoop()).toBeNull();
    loop.close();
  });
});

describe('getEventLoop', () => {
  it('makes a current loop on first use, and returns the same one after', () => {
    const first = getEventLoop();
    expect(first).toBeInstanceOf(EventLoop);
    expect(first.isRunning()).toBe(false);
    expect(getEventLoop()).toBe(first);
  });

  it('returns the loop set with setEventLoop()', () => {
    const loop = guard.newLoop();
    setEventLoop(loop);
    expect(getEventLoop()).toBe(loop);
    loop.close();
  });

  it('returns the running loop inside a loop, whatever the current one is', async () => {
    const current = guard.newLoop();
    const running = guard.newLoop();
    setEventLoop(current);
    const inside = await running.runUntilComplete(async () => getEventLoop());
    expect(inside).toBe(running);
    current.close();
    running.close();
  });

  it('replaces a current loop that was closed with a new one', () => {
    const first = getEventLoop();
    first.close();
    const second = getEventLoop();
    expect(second).not.toBe(first);
    expect(second.isClosed()).toBe(false);
  });

  it("runs the seed guide's legacy pattern: getEventLoop, runUntilComplete, close", async () => {
    async function legacyMain(): Promise<string> {
      await sleep(0.001);
      return 'Complete';
    }
    const loop = getEventLoop();
    let result: string;
    try {
      result = await loop.runUntilComplete(legacyMain);
    } finally {
      loop.close();
    }
    expect(result).toBe('Complete');
    expect(loop.isClosed()).toBe(true);
  });
});

describe('setEventLoop', () => {
  it('with null clears the current loop, so the next getEventLoop() makes a new one', () => {
    const loop = guard.newLoop();
    setEventLoop(loop);
    setEventLoop(null);
    const next = getEventLoop();
    expect(next).not.toBe(loop);
    loop.close();
  });

  it('does not start the loop', () => {
    const loop = guard.newLoop();
    setEventLoop(loop);
    expect(loop.isRunning()).toBe(false);
    expect(tryGetRunningLoop()).toBeNull();
    loop.close();
  });

  it.each([
    ['a string', 'loop'],
    ['a number', 1],
    ['a plain object', {}],
    ['undefined', undefined],
  ])('rejects %s with a TypeError naming what it expects', (_label, value) => {
    expect(() => setEventLoop(value as never)).toThrow(TypeError);
    expect(() => setEventLoop(value as never)).toThrow(/setEventLoop\(\) expects an event loop or null, got/);
  });
});

describe('newEventLoop', () => {
  it('makes a new EventLoop each time, without making it current', () => {
    const current = getEventLoop();
    const first = guard.track(newEventLoop());
    const second = guard.track(newEventLoop());
    expect(first).toBeInstanceOf(EventLoop);
    expect(first).not.toBe(second);
    expect(getEventLoop()).toBe(current);
    first.close();
    second.close();
  });

  it('passes its options to the loop', () => {
    const loop = guard.track(newEventLoop({ debug: true }));
    expect(loop.getDebug()).toBe(true);
    loop.close();
    guard.takeLogs('debug');
  });
});

describe("the seed guide's loop-state check", () => {
  // async def check_loop_state():
  //     loop = asyncio.get_running_loop()
  //     print(f"Is running: {loop.is_running()}")  # True
  //     print(f"Is closed: {loop.is_closed()}")    # False
  //     print(f"Loop time: {loop.time()}")
  // asyncio.run(check_loop_state())
  it('reports a running, open loop with a time in seconds', async () => {
    const printed: string[] = [];
    async function checkLoopState(): Promise<number> {
      const loop = getRunningLoop();
      printed.push(`Is running: ${loop.isRunning()}`);
      printed.push(`Is closed: ${loop.isClosed()}`);
      printed.push(`Loop time: ${loop.time()}`);
      return loop.time();
    }
    const time = await run(checkLoopState);
    expect(printed.slice(0, 2)).toEqual(['Is running: true', 'Is closed: false']);
    expect(printed[2]).toMatch(/^Loop time: \d+(\.\d+)?$/);
    expect(time).toBeGreaterThan(0);
  });
});
