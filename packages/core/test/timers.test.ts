// callLater and callAt: when timers run (never early, not much late), what
// they are given, how the loop wakes for a timer added while it waits, and
// the errors for a bad delay, deadline or callback.
import { describe, expect, it } from 'vitest';
import { RuntimeError, TimerHandle, ValueError } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

describe('EventLoop.callLater', () => {
  it('runs the callback with its arguments after the delay, not before', async () => {
    const loop = guard.newLoop();
    const start = loop.time();
    let ranAt = 0;
    let received: unknown[] = [];
    const timer = loop.callLater(0.05, (...args: unknown[]) => {
      ranAt = loop.time();
      received = args;
      loop.stop();
    }, 'a', 1);
    expect(timer).toBeInstanceOf(TimerHandle);
    await loop.runForever();
    expect(received).toEqual(['a', 1]);
    expect(ranAt).toBeGreaterThanOrEqual(timer.when());
    expect(ranAt - start).toBeGreaterThanOrEqual(0.05);
    expect(ranAt - start).toBeLessThan(2);
    loop.close();
  });

  it('never runs a timer before its deadline, whatever the sub-millisecond delay', async () => {
    const loop = guard.newLoop();
    const early: string[] = [];
    let remaining = 0;
    for (const delay of [0.0001, 0.0004, 0.0011, 0.0015, 0.0029, 0.004, 0.0051, 0.0099]) {
      remaining++;
      const timer: TimerHandle = loop.callLater(delay, () => {
        if (loop.time() < timer.when()) early.push(`${delay}: ran ${timer.when() - loop.time()} s early`);
        if (--remaining === 0) loop.stop();
      });
    }
    await loop.runForever();
    expect(early).toEqual([]);
    loop.close();
  });

  it('with a delay of 0 runs on the next iteration, after the callbacks already ready', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callLater(0, () => trace.push('timer'));
    trace.push('scheduled');
    loop.callSoon(() => trace.push('soon'));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['scheduled', 'soon', 'timer']);
    loop.close();
  });

  it('with an infinite delay never runs, and the loop waits idle', async () => {
    const loop = guard.newLoop();
    let ran = false;
    const timer = loop.callLater(Infinity, () => (ran = true));
    expect(timer.when()).toBe(Infinity);
    setTimeout(() => loop.stop(), 20);
    await loop.runForever();
    expect(ran).toBe(false);
    timer.cancel();
    loop.close();
  });

  it('wakes a loop waiting on a later timer when a Node callback adds an earlier one', async () => {
    const loop = guard.newLoop();
    const far = loop.callLater(3600, () => {});
    const started = performance.now();
    let ranAfter = 0;
    setTimeout(() => {
      loop.callLater(0.01, () => {
        ranAfter = performance.now() - started;
        loop.stop();
      });
    }, 10);
    await loop.runForever();
    far.cancel();
    expect(ranAfter).toBeGreaterThanOrEqual(18);
    expect(ranAfter).toBeLessThan(2000);
    loop.close();
  });

  it('runs an earlier timer added by a callback before the later one the loop was waiting for', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callLater(0.05, () => {
      trace.push('later');
      loop.stop();
    });
    loop.callSoon(() => loop.callLater(0.01, () => trace.push('earlier')));
    await loop.runForever();
    expect(trace).toEqual(['earlier', 'later']);
    loop.close();
  });

  it.each([
    ['NaN', Number.NaN],
    ['a string', '1'],
    ['undefined', undefined],
    ['null', null],
  ])('rejects a delay that is %s with a TypeError naming the delay', (_label, delay) => {
    const loop = guard.newLoop();
    expect(() => loop.callLater(delay as never, () => {})).toThrow(TypeError);
    expect(() => loop.callLater(delay as never, () => {})).toThrow(/callLater\(\) expects delay as a number of seconds/);
    loop.close();
  });

  it('rejects a negative delay with a ValueError naming the delay and the fix', () => {
    const loop = guard.newLoop();
    expect(() => loop.callLater(-1, () => {})).toThrow(ValueError);
    expect(() => loop.callLater(-1, () => {})).toThrow(/callLater\(\) expects delay >= 0 seconds, got -1; use 0/);
    loop.close();
  });

  it('rejects a callback that is not a function with a TypeError naming callLater', () => {
    const loop = guard.newLoop();
    expect(() => loop.callLater(1, 'tick' as never)).toThrow(TypeError);
    expect(() => loop.callLater(1, 'tick' as never)).toThrow(/callLater\(\) expects a function as callback, got 'tick'/);
    loop.close();
  });

  it('throws RuntimeError naming callLater on a closed loop', () => {
    const loop = guard.newLoop();
    loop.close();
    expect(() => loop.callLater(1, () => {})).toThrow(RuntimeError);
    expect(() => loop.callLater(1, () => {})).toThrow(/callLater\(\): Event loop is closed/);
  });
});

describe('EventLoop.callAt', () => {
  it('runs the callback at the given loop time', async () => {
    const loop = guard.newLoop();
    const when = loop.time() + 0.03;
    let ranAt = 0;
    const timer = loop.callAt(when, () => {
      ranAt = loop.time();
      loop.stop();
    });
    expect(timer.when()).toBe(when);
    await loop.runForever();
    expect(ranAt).toBeGreaterThanOrEqual(when);
    expect(ranAt - when).toBeLessThan(2);
    loop.close();
  });

  it('runs a time in the past on the next iteration', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callAt(loop.time() - 100, () => trace.push('past'));
    trace.push('scheduled');
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['scheduled', 'past']);
    loop.close();
  });

  it('passes its arguments to the callback', async () => {
    const loop = guard.newLoop();
    const received: unknown[] = [];
    loop.callAt(loop.time(), (first: number, second: { key: string }) => received.push(first, second), 7, { key: 'value' });
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(received).toEqual([7, { key: 'value' }]);
    loop.close();
  });

  it.each([
    ['NaN', Number.NaN],
    ['a string', 'soon'],
    ['undefined', undefined],
  ])('rejects a deadline that is %s with a TypeError naming when', (_label, when) => {
    const loop = guard.newLoop();
    expect(() => loop.callAt(when as never, () => {})).toThrow(TypeError);
    expect(() => loop.callAt(when as never, () => {})).toThrow(/callAt\(\) expects when as a loop time in seconds \(see loop.time\(\)\)/);
    loop.close();
  });

  it('rejects a callback that is not a function with a TypeError naming callAt', () => {
    const loop = guard.newLoop();
    expect(() => loop.callAt(1, null as never)).toThrow(/callAt\(\) expects a function as callback, got null/);
    loop.close();
  });

  it('throws RuntimeError on a closed loop', () => {
    const loop = guard.newLoop();
    loop.close();
    expect(() => loop.callAt(loop.time(), () => {})).toThrow(/callAt\(\): Event loop is closed/);
  });
});

describe('timers and the loop', () => {
  it('keep a loop that has only timers waiting, not spinning', async () => {
    const loop = guard.newLoop();
    let iterations = 0;
    // Count the iterations through a callback that only runs when a timer fires.
    const fire = () => {
      iterations++;
      if (iterations === 3) loop.stop();
      else loop.callLater(0.05, fire);
    };
    // 50 ms apart, so that the fixed CPU cost of starting (compiling, a GC)
    // stays small beside the waiting. The clock starts before the first
    // timer is scheduled: its 50 ms count from there.
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    loop.callLater(0.05, fire);
    await loop.runForever();
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    expect(iterations).toBe(3);
    expect(wall).toBeGreaterThanOrEqual(145);
    // Waiting is not busy-waiting: far less CPU than wall time.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(wall * 0.8);
    loop.close();
  });

  it('run thousands of timers in deadline order, ties in the order they were scheduled', async () => {
    // Many timers at once are sorted in bulk rather than taken one by one
    // from the heap; the order must stay exact: by deadline, then by
    // scheduling order, with cancelled timers skipped, infinite ones never
    // run, and timers added by timer callbacks merged in.
    const loop = guard.newLoop();
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const ran: number[] = [];
    const expected: { when: number; order: number; id: number }[] = [];
    let scheduled = 0;
    const add = (timer: TimerHandle, id: number) => expected.push({ when: timer.when(), order: scheduled++, id });
    const base = loop.time() + 0.01;
    for (let id = 0; id < 5000; id++) {
      const kind = random();
      if (kind < 0.2) {
        // Shared deadlines: ties run in scheduling order.
        add(loop.callAt(base + Math.floor(random() * 5) * 0.002, () => ran.push(id)), id);
      } else if (kind < 0.25) {
        loop.callLater(random() * 0.02, () => ran.push(-1)).cancel();
      } else if (kind < 0.27) {
        loop.callLater(Infinity, () => ran.push(-2));
      } else if (kind < 0.3) {
        // A timer that adds another when it runs.
        const timer = loop.callLater(random() * 0.02, () => {
          ran.push(id);
          add(loop.callLater(random() * 0.005, () => ran.push(id + 10_000)), id + 10_000);
        });
        add(timer, id);
      } else {
        add(loop.callLater(random() * 0.02, () => ran.push(id)), id);
      }
    }
    loop.callLater(0.1, () => loop.stop());
    await loop.runForever();
    // Timers added by callbacks are scheduled after every timer of the loop above.
    expected.sort((a, b) => a.when - b.when || a.order - b.order);
    expect(ran).toEqual(expected.map((entry) => entry.id));
    loop.close();
  });

  it('run each due timer once, even when the loop wakes late', async () => {
    const loop = guard.newLoop();
    const runs = new Map<number, number>();
    for (let index = 0; index < 5; index++) loop.callLater(0.001 * index, () => runs.set(index, (runs.get(index) ?? 0) + 1));
    // Block Node for a while so every timer is overdue at once.
    loop.callSoon(() => {
      const until = performance.now() + 20;
      while (performance.now() < until);
    });
    loop.callLater(0.03, () => loop.stop());
    await loop.runForever();
    expect([...runs.entries()].sort()).toEqual([0, 1, 2, 3, 4].map((index) => [index, 1]));
    loop.close();
  });
});
