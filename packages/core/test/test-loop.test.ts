// TestLoop: an EventLoop on virtual time (CPython's test_asyncio TestLoop).
// When nothing is ready its clock jumps to the next timer, so a 60 s timeout
// runs in milliseconds with the same ordering as real time. And the clock of
// any EventLoop can be injected: new EventLoop({clock}).
import { describe, expect, it } from 'vitest';
import {
  EventLoop,
  Runner,
  TimeoutError,
  gather,
  sleep,
  timeout,
  waitFor,
  type BaseEventLoop,
  type Clock,
  type Coroutine,
} from '@asyncio-ts/core';
import { TestLoop, VirtualClock } from '@asyncio-ts/core/testing';
import { shapes, useLoopGuard, type Shape } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

describe('VirtualClock', () => {
  it('starts where it is told and moves only forward, only when advanced', () => {
    const clock = new VirtualClock(5);
    expect(clock.now()).toBe(5);
    clock.advance(2.5);
    expect(clock.now()).toBe(7.5);
    clock.advance(-3);
    clock.advance(0);
    expect(clock.now()).toBe(7.5);
  });
});

describe('TestLoop', () => {
  it('starts its time at 0, or at the given start', () => {
    const loop = guard.track(new TestLoop());
    const later = guard.track(new TestLoop({ start: 100 }));
    expect(loop.time()).toBe(0);
    expect(later.time()).toBe(100);
    expect(loop.clock).toBeInstanceOf(VirtualClock);
    loop.close();
    later.close();
  });

  it('is an EventLoop', () => {
    const loop = guard.track(new TestLoop());
    expect(loop).toBeInstanceOf(EventLoop);
    loop.close();
  });

  it('jumps to a timer\'s deadline exactly when nothing else is ready', async () => {
    const loop = guard.track(new TestLoop());
    const seen: number[] = [];
    const timer = loop.callLater(3600, () => {
      seen.push(loop.time());
      loop.stop();
    });
    const started = performance.now();
    await loop.runForever();
    expect(seen).toEqual([timer.when()]);
    expect(loop.time()).toBe(3600);
    expect(performance.now() - started).toBeLessThan(1000);
    loop.close();
  });

  it('does not move its time while callbacks are ready', async () => {
    const loop = guard.track(new TestLoop());
    const times = new Set<number>();
    let remaining = 200;
    const spin = () => {
      times.add(loop.time());
      if (--remaining > 0) loop.callSoon(spin);
    };
    loop.callSoon(spin);
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    expect([...times]).toEqual([0]);
    expect(loop.time()).toBe(1);
    loop.close();
  });

  it('can be moved by hand through its clock', async () => {
    const loop = guard.track(new TestLoop());
    const ran: number[] = [];
    loop.callLater(10, () => ran.push(loop.time()));
    loop.clock.advance(10);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(ran).toEqual([10]);
    loop.close();
  });

  it('still lets Node callbacks and promises run', async () => {
    const loop = guard.track(new TestLoop());
    const result = await loop.runUntilComplete(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await sleep(30);
      return loop.time();
    });
    expect(result).toBe(30);
    loop.close();
  });

  it('runs a loop made by a Runner\'s loopFactory', async () => {
    await using runner = new Runner({ loopFactory: () => guard.track(new TestLoop()) });
    const elapsed = await runner.run(async () => {
      const loop = runner.getLoop();
      const start = loop.time();
      await sleep(86_400);
      return loop.time() - start;
    });
    expect(elapsed).toBe(86_400);
  });
});

describe.each(shapes)('TestLoop with an %s', (shape: Shape) => {
  it('runs a 60 s timeout in milliseconds, expiring at 60 s of loop time', async () => {
    const loop = guard.track(new TestLoop());
    const started = performance.now();
    const main =
      shape === 'async function'
        ? async () => {
            await timeout(60, async () => {
              await sleep(3600);
            });
          }
        : function* (): Coroutine<void> {
            yield* timeout(60, function* () {
              yield* sleep(3600);
            });
          };
    await expect(loop.runUntilComplete(main)).rejects.toBeInstanceOf(TimeoutError);
    expect(loop.time()).toBe(60);
    expect(performance.now() - started).toBeLessThan(1000);
    loop.close();
  });

  it('runs waitFor() with a 60 s timeout in milliseconds', async () => {
    const loop = guard.track(new TestLoop());
    const main =
      shape === 'async function'
        ? async () => waitFor(sleep(3600), 60)
        : function* () {
            return yield* waitFor(sleep(3600), 60);
          };
    await expect(loop.runUntilComplete(main)).rejects.toBeInstanceOf(TimeoutError);
    expect(loop.time()).toBe(60);
    loop.close();
  });

  it('gives the same trace as real time, only faster', async () => {
    // The scenario at `scale` seconds per unit: three workers of different
    // lengths, a timer and a callback, all interleaved. No two events share
    // a moment, and they are half a unit apart at least, so the real-time run
    // keeps this order however late its timers fire on a busy machine.
    async function scenario(loop: BaseEventLoop, scale: number): Promise<string[]> {
      const trace: string[] = [];
      const worker = (name: string, units: number[]) =>
        shape === 'async function'
          ? async () => {
              for (const unit of units) {
                trace.push(`${name} sleeps ${unit}`);
                await sleep(unit * scale);
              }
              trace.push(`${name} done`);
              return name;
            }
          : function* (): Coroutine<string> {
              for (const unit of units) {
                trace.push(`${name} sleeps ${unit}`);
                yield* sleep(unit * scale);
              }
              trace.push(`${name} done`);
              return name;
            };
      loop.callLater(3.5 * scale, () => trace.push('timer at 3.5'));
      loop.callSoon(() => trace.push('callback'));
      const results = await loop.runUntilComplete(function* () {
        return yield* gather(worker('A', [3, 1.5]), worker('B', [1, 1.5, 1.5]), worker('C', [2, 4]));
      });
      trace.push(`results ${results.join(',')}`);
      return trace;
    }
    const virtual = guard.track(new TestLoop());
    const real = guard.newLoop();
    const virtualStarted = performance.now();
    const virtualTrace = await scenario(virtual, 60);
    const virtualElapsed = performance.now() - virtualStarted;
    const realTrace = await scenario(real, 0.03);
    expect(virtualTrace).toEqual(realTrace);
    expect(virtualTrace).toEqual([
      'callback',
      'A sleeps 3',
      'B sleeps 1',
      'C sleeps 2',
      'B sleeps 1.5', // 1
      'C sleeps 4', // 2
      'B sleeps 1.5', // 2.5
      'A sleeps 1.5', // 3
      'timer at 3.5',
      'B done', // 4
      'A done', // 4.5
      'C done', // 6
      'results A,B,C',
    ]);
    expect(virtual.time()).toBe(360);
    expect(virtualElapsed).toBeLessThan(1000);
    virtual.close();
    real.close();
  });

  it("runs the seed guide's concurrent workers: Task-2 finishes before Task-1", async () => {
    const loop = guard.track(new TestLoop());
    const printed: string[] = [];
    const worker =
      shape === 'async function'
        ? async (name: string, delay: number) => {
            printed.push(`${name} starting`);
            await sleep(delay);
            printed.push(`${name} finished`);
            return `${name} result`;
          }
        : function* (name: string, delay: number): Coroutine<string> {
            printed.push(`${name} starting`);
            yield* sleep(delay);
            printed.push(`${name} finished`);
            return `${name} result`;
          };
    const results = await loop.runUntilComplete(function* () {
      const task1 = loop.createTask(worker('Task-1', 2));
      const task2 = loop.createTask(worker('Task-2', 1));
      return yield* gather(task1, task2);
    });
    expect(printed).toEqual(['Task-1 starting', 'Task-2 starting', 'Task-2 finished', 'Task-1 finished']);
    expect(results).toEqual(['Task-1 result', 'Task-2 result']);
    expect(loop.time()).toBe(2);
    loop.close();
  });
});

describe('an injected clock', () => {
  it('is what loop.time() reads', () => {
    let now = 42;
    const clock: Clock = { now: () => now };
    const loop = guard.newLoop({ clock });
    expect(loop.time()).toBe(42);
    now = 43.5;
    expect(loop.time()).toBe(43.5);
    expect(loop.callLater(1, () => {}).when()).toBe(44.5);
    loop.close();
  });

  it('decides when a timer is due: it runs once the clock says so', async () => {
    let now = 1000;
    const clock: Clock = { now: () => now };
    const loop = guard.newLoop({ clock });
    const ran: number[] = [];
    loop.callLater(10, () => {
      ran.push(loop.time());
      loop.stop();
    });
    // Ten seconds of this clock pass in 20 ms of Node time; a callback wakes the loop.
    setTimeout(() => {
      now += 10;
      loop.callSoon(() => {});
    }, 20);
    const started = performance.now();
    await loop.runForever();
    expect(ran).toEqual([1010]);
    expect(performance.now() - started).toBeLessThan(2000);
    loop.close();
  });

  it('makes timers wait in real time for its own seconds', async () => {
    const offset = 500;
    const clock: Clock = { now: () => offset + performance.now() / 1000 };
    const loop = guard.newLoop({ clock });
    expect(loop.time()).toBeGreaterThan(500);
    const started = performance.now();
    let ranAt = 0;
    const timer = loop.callLater(0.03, () => {
      ranAt = loop.time();
      loop.stop();
    });
    await loop.runForever();
    expect(ranAt).toBeGreaterThanOrEqual(timer.when());
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
    loop.close();
  });
});
