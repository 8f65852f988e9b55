// Handle and TimerHandle: cancel(), cancelled(), when(), how they print, that
// a cancelled timer never runs and is let go, and that a handle runs in the
// AsyncLocalStorage context it was scheduled in (our contextvars).
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Handle, TimerHandle, sleep } from '@asyncio-ts/core';
import { delay, useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('Handle', () => {
  it('is not cancelled until cancel() is called', () => {
    const loop = guard.newLoop();
    const handle = loop.callSoon(() => {});
    expect(handle.cancelled()).toBe(false);
    handle.cancel();
    expect(handle.cancelled()).toBe(true);
    loop.close();
  });

  it('never runs its callback once cancelled', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    loop.callSoon(() => ran.push('kept')).cancel();
    loop.callSoon(() => ran.push('other'));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(ran).toEqual(['other']);
    loop.close();
  });

  it('is skipped when an earlier callback of the same iteration cancels it', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    let victim: Handle | null = null;
    loop.callSoon(() => {
      ran.push('canceller');
      victim!.cancel();
    });
    victim = loop.callSoon(() => ran.push('victim'));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(ran).toEqual(['canceller']);
    loop.close();
  });

  it('can be cancelled twice, and after it ran, without effect on the loop', async () => {
    const loop = guard.newLoop();
    let runs = 0;
    const handle = loop.callSoon(() => runs++);
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    handle.cancel();
    handle.cancel();
    expect(runs).toBe(1);
    expect(handle.cancelled()).toBe(true);
    loop.close();
  });

  it('prints its callback and arguments, as asyncio\'s repr', () => {
    const loop = guard.newLoop();
    function greet(_name: string, _times: number) {}
    const handle = loop.callSoon(greet, 'ada', 2);
    expect(String(handle)).toBe("<Handle greet('ada', 2)>");
    handle.cancel();
    expect(String(handle)).toBe('<Handle cancelled>');
    loop.close();
  });

  it('reports an error of its callback to the loop and lets the next callbacks run', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    const failing = loop.callSoon(function explode() {
      throw new Error('boom');
    });
    loop.callSoon(() => ran.push('next'));
    loop.callSoon(() => loop.stop());
    await loop.runForever();
    expect(ran).toEqual(['next']);
    const [context] = guard.takeErrors();
    expect(context!.message).toBe('Exception in callback explode()');
    expect((context!.exception as Error).message).toBe('boom');
    expect(context!.handle).toBe(failing);
    loop.close();
  });
});

describe('TimerHandle', () => {
  it('tells when it is scheduled, in loop time', () => {
    const loop = guard.newLoop();
    const when = loop.time() + 10;
    const timer = loop.callAt(when, () => {});
    expect(timer).toBeInstanceOf(TimerHandle);
    expect(timer).toBeInstanceOf(Handle);
    expect(timer.when()).toBe(when);
    timer.cancel();
    expect(timer.when()).toBe(when);
    loop.close();
  });

  it('prints its deadline and callback', () => {
    const loop = guard.newLoop();
    function tick() {}
    const timer = loop.callAt(12.5, tick);
    expect(String(timer)).toBe('<TimerHandle when=12.500 tick()>');
    timer.cancel();
    expect(String(timer)).toBe('<TimerHandle when=12.500 cancelled>');
    loop.close();
  });

  it('never runs once cancelled, and the loop goes on to later timers', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    const cancelled = loop.callLater(0.005, () => ran.push('cancelled'));
    loop.callLater(0.02, () => {
      ran.push('later');
      loop.stop();
    });
    cancelled.cancel();
    await loop.runForever();
    expect(ran).toEqual(['later']);
    loop.close();
  });

  it('is skipped when a timer due in the same iteration cancels it', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    const when = loop.time() + 0.005;
    let victim: TimerHandle | null = null;
    loop.callAt(when, () => {
      ran.push('first');
      victim!.cancel();
    });
    victim = loop.callAt(when, () => ran.push('victim'));
    loop.callAt(when + 0.01, () => loop.stop());
    await loop.runForever();
    expect(ran).toEqual(['first']);
    loop.close();
  });

  it('can be cancelled after it ran without disturbing the loop', async () => {
    const loop = guard.newLoop();
    let runs = 0;
    const timer = loop.callLater(0, () => runs++);
    await loop.runUntilComplete(async () => sleep(0.005));
    timer.cancel();
    expect(timer.cancelled()).toBe(true);
    // Later timers still run on time.
    const later: number[] = [];
    loop.callLater(0.001, () => later.push(1));
    await loop.runUntilComplete(async () => sleep(0.01));
    expect(runs).toBe(1);
    expect(later).toEqual([1]);
    loop.close();
  });
});

describe('cancelled timers', () => {
  /** Makes `count` timers an hour away; returns weak references to them, and the timers to keep. */
  function scheduleFarTimers(loop: ReturnType<typeof guard.newLoop>, count: number, cancelEvery: (index: number) => boolean) {
    const cancelledRefs: WeakRef<TimerHandle>[] = [];
    const kept: TimerHandle[] = [];
    for (let index = 0; index < count; index++) {
      const timer = loop.callLater(3600 + index, () => {});
      if (cancelEvery(index)) {
        timer.cancel();
        cancelledRefs.push(new WeakRef(timer));
      } else {
        kept.push(timer);
      }
    }
    return { cancelledRefs, kept };
  }

  async function oneIteration(loop: ReturnType<typeof guard.newLoop>): Promise<void> {
    loop.callSoon(() => loop.stop());
    await loop.runForever();
  }

  it('are let go by the loop once they crowd its heap, so memory does not grow', async () => {
    const loop = guard.newLoop();
    // 1000 timers an hour away, 600 of them cancelled: more than half of a
    // heap of more than 100, so the next iteration rebuilds the heap.
    const { cancelledRefs, kept } = scheduleFarTimers(loop, 1000, (index) => index % 5 < 3);
    await oneIteration(loop);
    await delay(0);
    collectGarbage();
    await delay(0);
    const alive = cancelledRefs.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
    for (const timer of kept) timer.cancel();
    loop.close();
  });

  it('do not pile up when a timeout is set and cancelled over and over', async () => {
    const loop = guard.newLoop();
    // The shape of every waitFor()/timeout(): arm a far timer, finish the work, cancel it.
    const samples: WeakRef<TimerHandle>[] = [];
    await loop.runUntilComplete(function* () {
      for (let round = 0; round < 2000; round++) {
        const timer = loop.callLater(3600, () => {});
        if (round % 100 === 0) samples.push(new WeakRef(timer));
        yield* sleep(0);
        timer.cancel();
      }
    });
    await oneIteration(loop);
    await delay(0);
    collectGarbage();
    await delay(0);
    // At most the last few, still below the rebuild threshold, may be held.
    const alive = samples.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBeLessThanOrEqual(2);
    loop.close();
  });

  it('keep the live timers running on time after the heap is rebuilt', async () => {
    const loop = guard.newLoop();
    const ran: number[] = [];
    const timers = [];
    for (let index = 0; index < 300; index++) timers.push(loop.callLater(0.002 + index / 100_000, () => ran.push(index)));
    for (let index = 0; index < 300; index++) if (index % 3 !== 0) timers[index]!.cancel();
    await loop.runUntilComplete(async () => sleep(0.05));
    expect(ran).toEqual(Array.from({ length: 100 }, (_, i) => i * 3));
    loop.close();
  });

  it('never run, and cost little, when many come due together', async () => {
    const loop = guard.newLoop();
    const ran: string[] = [];
    for (let index = 0; index < 50_000; index++) loop.callLater(0.001, () => ran.push('cancelled')).cancel();
    loop.callLater(0.005, () => {
      ran.push('live');
      loop.stop();
    });
    const started = performance.now();
    await loop.runForever();
    expect(ran).toEqual(['live']);
    expect(performance.now() - started).toBeLessThan(1000);
    loop.close();
  });
});

describe('Handle context (AsyncLocalStorage as contextvars)', () => {
  const storage = new AsyncLocalStorage<string>();

  it('runs a callback scheduled inside als.run() with that store', async () => {
    const loop = guard.newLoop();
    const seen: (string | undefined)[] = [];
    storage.run('request-1', () => loop.callSoon(() => seen.push(storage.getStore())));
    storage.run('request-2', () => loop.callLater(0.001, () => seen.push(storage.getStore())));
    loop.callSoon(() => seen.push(storage.getStore()));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(seen).toEqual(['request-1', undefined, 'request-2']);
    loop.close();
  });

  it('passes the store on to the callbacks a callback schedules', async () => {
    const loop = guard.newLoop();
    const seen: (string | undefined)[] = [];
    storage.run('outer', () =>
      loop.callSoon(() => {
        loop.callSoon(() => {
          seen.push(storage.getStore());
          loop.callLater(0.001, () => {
            seen.push(storage.getStore());
            loop.stop();
          });
        });
      }),
    );
    await loop.runForever();
    expect(seen).toEqual(['outer', 'outer']);
    loop.close();
  });

  it('gives a callback scheduled inside als.run() in a loop callback that store, and the others theirs', async () => {
    const loop = guard.newLoop();
    const seen: [string, string | undefined][] = [];
    loop.callSoon(() => {
      loop.callSoon(() => {
        storage.run('inner', () => loop.callSoon(() => seen.push(['inside run', storage.getStore()])));
        loop.callSoon(() => seen.push(['plain', storage.getStore()]));
      });
    });
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(seen).toEqual([
      ['inside run', 'inner'],
      ['plain', undefined],
    ]);
    loop.close();
  });

  it('runs a generator task\'s callbacks in the store the task was created in', async () => {
    const loop = guard.newLoop();
    const seen: (string | undefined)[] = [];
    const task = storage.run('task-store', () =>
      loop.createTask(function* () {
        seen.push(storage.getStore());
        loop.callSoon(() => seen.push(storage.getStore()));
        yield* sleep(0.001);
        seen.push(storage.getStore());
      }),
    );
    await loop.runUntilComplete(task);
    expect(seen).toEqual(['task-store', 'task-store', 'task-store']);
    loop.close();
  });

  // A callback that runs in a captured context hands that context on to what
  // it schedules, instead of capturing again (one AsyncResource per callSoon).
  it('does not capture a context for a callback scheduled from the loop\'s own callbacks', async () => {
    const loop = guard.newLoop();
    let captured = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'asyncio-ts.context') captured++;
      },
    });
    let remaining = 100;
    const next = () => {
      if (--remaining > 0) loop.callSoon(next);
      else loop.stop();
    };
    loop.callSoon(() => {
      hook.enable();
      loop.callSoon(next);
    });
    try {
      await loop.runForever();
    } finally {
      hook.disable();
      loop.close();
    }
    expect(captured).toBeLessThanOrEqual(1);
  });
});
