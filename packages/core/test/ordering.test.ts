// The ordering rules of the loop, each trace first confirmed by running the
// Python above the test with CPython (/usr/bin/python3): FIFO callbacks,
// timers by deadline, done callbacks on the next iteration, which iteration a
// task resumes in, sleep(0), and stop().
//
// Iterations are counted by a callback that reschedules itself (`tick`):
// scheduled first, it runs first in every iteration.
import { describe, expect, it } from 'vitest';
import { ensureFuture, gather, sleep, type Coroutine } from '@asyncio-ts/core';
import { countIterations, useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

describe('callSoon ordering', () => {
  // loop = asyncio.new_event_loop(); trace = []
  // def a():
  //     trace.append('a')
  //     loop.call_soon(trace.append, 'a2')
  // loop.call_soon(a)
  // loop.call_soon(trace.append, 'b')
  // loop.call_soon(trace.append, 'c')
  // loop.call_later(0.01, loop.stop)
  // loop.run_forever()
  // print(trace)  # ['a', 'b', 'c', 'a2']
  it('runs callbacks first in, first out; what they schedule waits for the next iteration', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callSoon(() => {
      trace.push('a');
      loop.callSoon(() => trace.push('a2'));
    });
    loop.callSoon(() => trace.push('b'));
    loop.callSoon(() => trace.push('c'));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['a', 'b', 'c', 'a2']);
    loop.close();
  });

  // loop = asyncio.new_event_loop(); trace = []
  // async def task_body(name):
  //     trace.append(name)
  // loop.call_soon(trace.append, 'callback before')
  // loop.create_task(task_body('task 1'))
  // loop.call_soon(trace.append, 'callback between')
  // loop.create_task(task_body('task 2'))
  // loop.call_later(0.01, loop.stop)
  // loop.run_forever()
  // print(trace)  # ['callback before', 'task 1', 'callback between', 'task 2']
  it.each(['async function', 'function* generator'] as const)(
    'starts %s tasks in creation order, among the callbacks, as asyncio does',
    async (shape) => {
      const loop = guard.newLoop();
      const trace: string[] = [];
      const taskBody = (name: string) =>
        shape === 'async function'
          ? async () => void trace.push(name)
          : function* (): Coroutine<void> {
              trace.push(name);
            };
      loop.callSoon(() => trace.push('callback before'));
      loop.createTask(taskBody('task 1'));
      loop.callSoon(() => trace.push('callback between'));
      loop.createTask(taskBody('task 2'));
      loop.callLater(0.01, () => loop.stop());
      await loop.runForever();
      expect(trace).toEqual(['callback before', 'task 1', 'callback between', 'task 2']);
      loop.close();
    },
  );
});

describe('timer ordering', () => {
  // loop = asyncio.new_event_loop(); trace = []
  // loop.call_later(0.02, trace.append, 'A')
  // loop.call_later(0.01, trace.append, 'B')
  // when = loop.time() + 0.015
  // loop.call_at(when, trace.append, 'C1')
  // loop.call_at(when, trace.append, 'C2')
  // loop.call_later(0.05, loop.stop)
  // loop.run_forever()
  // print(trace)  # ['B', 'C1', 'C2', 'A']
  it('runs timers by deadline, then in the order they were scheduled', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callLater(0.02, () => trace.push('A'));
    loop.callLater(0.01, () => trace.push('B'));
    const when = loop.time() + 0.015;
    loop.callAt(when, () => trace.push('C1'));
    loop.callAt(when, () => trace.push('C2'));
    loop.callLater(0.05, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['B', 'C1', 'C2', 'A']);
    loop.close();
  });

  // loop = asyncio.new_event_loop(); trace = []
  // t = loop.time() + 0.01
  // for i in range(20):
  //     loop.call_at(t, trace.append, i)
  // loop.call_later(0.05, loop.stop)
  // loop.run_forever()
  // print(trace)  # [0, 2, 6, 14, 13, 19, 18, 17, 16, 15, 5, 11, 12, 10, 9, 8, 7, 1, 3, 4]
  //
  // CPython's heapq does not keep ties in order, so its order of many timers
  // with one deadline is arbitrary; ours is the scheduling order, which is one
  // of the orders CPython may produce and the one users expect.
  it('keeps many timers with the same deadline in scheduling order', async () => {
    const loop = guard.newLoop();
    const trace: number[] = [];
    const when = loop.time() + 0.01;
    for (let index = 0; index < 20; index++) loop.callAt(when, () => trace.push(index));
    loop.callLater(0.05, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(Array.from({ length: 20 }, (_, index) => index));
    loop.close();
  });

  // loop = asyncio.new_event_loop(); trace = []
  // loop.call_later(0, trace.append, 'timer due now')
  // loop.call_at(loop.time() - 1, trace.append, 'timer in the past')
  // loop.call_soon(trace.append, 'soon')
  // loop.call_later(0.01, loop.stop)
  // loop.run_forever()
  // print(trace)  # ['soon', 'timer in the past', 'timer due now']
  it('puts due timers behind the callbacks already ready, by deadline', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callLater(0, () => trace.push('timer due now'));
    loop.callAt(loop.time() - 1, () => trace.push('timer in the past'));
    loop.callSoon(() => trace.push('soon'));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['soon', 'timer in the past', 'timer due now']);
    loop.close();
  });
});

describe('done callback ordering', () => {
  // loop = asyncio.new_event_loop(); trace = []
  // fut = loop.create_future()
  // fut.add_done_callback(lambda f: trace.append('done callback'))
  // def setter():
  //     fut.set_result(1)
  //     trace.append('after set_result')
  // loop.call_soon(setter)
  // loop.call_soon(trace.append, 'queued before')
  // loop.call_later(0.01, loop.stop)
  // loop.run_forever()
  // fut.add_done_callback(lambda f: trace.append('added when done'))
  // trace.append('after add_done_callback')
  // loop.call_later(0.01, loop.stop)
  // loop.run_forever()
  // print(trace)
  // # ['after set_result', 'queued before', 'done callback', 'after add_done_callback', 'added when done']
  it('runs done callbacks on a later iteration, never inline, even when added to a done Future', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    const future = loop.createFuture<number>();
    future.addDoneCallback(() => trace.push('done callback'));
    loop.callSoon(() => {
      future.setResult(1);
      trace.push('after set_result');
    });
    loop.callSoon(() => trace.push('queued before'));
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    future.addDoneCallback(() => trace.push('added when done'));
    trace.push('after add_done_callback');
    loop.callLater(0.01, () => loop.stop());
    await loop.runForever();
    expect(trace).toEqual(['after set_result', 'queued before', 'done callback', 'after add_done_callback', 'added when done']);
    loop.close();
  });
});

describe('which iteration a task resumes in', () => {
  // loop = asyncio.new_event_loop(); trace = []; iteration = 0
  // def tick():
  //     global iteration
  //     iteration += 1
  //     loop.call_soon(tick)
  // async def main():
  //     trace.append(('start', iteration))
  //     done = loop.create_future()
  //     done.set_result('d')
  //     value = await done
  //     trace.append(('after done', iteration, value))
  //     pending = loop.create_future()
  //     loop.call_soon(lambda: (trace.append(('set', iteration)), pending.set_result('p')))
  //     value = await pending
  //     trace.append(('after pending', iteration, value))
  //     await asyncio.sleep(0)
  //     trace.append(('after sleep(0)', iteration))
  // loop.call_soon(tick)
  // loop.run_until_complete(main())
  // print(trace)
  // # [('start', 1), ('after done', 1, 'd'), ('set', 2), ('after pending', 3, 'p'), ('after sleep(0)', 4)]
  it('goes on in the same step past a done Future, and one iteration after a pending one completes (generator)', async () => {
    const loop = guard.newLoop();
    const trace: unknown[] = [];
    const tick = countIterations(loop);
    await loop.runUntilComplete(function* () {
      trace.push(['start', tick.count]);
      const done = loop.createFuture<string>();
      done.setResult('d');
      let value = yield* done;
      trace.push(['after done', tick.count, value]);
      const pending = loop.createFuture<string>();
      loop.callSoon(() => {
        trace.push(['set', tick.count]);
        pending.setResult('p');
      });
      value = yield* pending;
      trace.push(['after pending', tick.count, value]);
      yield* sleep(0);
      trace.push(['after sleep(0)', tick.count]);
    });
    expect(trace).toEqual([
      ['start', 1],
      ['after done', 1, 'd'],
      ['set', 2],
      ['after pending', 3, 'p'],
      ['after sleep(0)', 4],
    ]);
    loop.close();
  });

  // The same Python as above. An async function's wake-up is scheduled on the
  // loop as asyncio schedules a task's, so it resumes in the same iterations
  // as the generator does; past a done Future it goes on without suspending.
  it('goes on past a done Future, and in the iteration after the one that completes a pending one (async function)', async () => {
    const loop = guard.newLoop();
    const trace: unknown[] = [];
    const tick = countIterations(loop);
    await loop.runUntilComplete(async () => {
      trace.push(['start', tick.count]);
      const done = loop.createFuture<string>();
      done.setResult('d');
      let value = await done;
      trace.push(['after done', tick.count, value]);
      const pending = loop.createFuture<string>();
      loop.callSoon(() => {
        trace.push(['set', tick.count]);
        pending.setResult('p');
      });
      value = await pending;
      trace.push(['after pending', tick.count, value]);
      await sleep(0);
      trace.push(['after sleep(0)', tick.count]);
    });
    expect(trace).toEqual([
      ['start', 1],
      ['after done', 1, 'd'],
      ['set', 2],
      ['after pending', 3, 'p'],
      ['after sleep(0)', 4],
    ]);
    loop.close();
  });

  // The regression behind the test above: an async function awaiting a done
  // Future resumed only when the loop yielded to Node (a slice of many
  // iterations later) when other callbacks kept the loop busy.
  it('lets a busy loop run no further than one iteration before an async function resumes past a done Future', async () => {
    const loop = guard.newLoop();
    const tick = countIterations(loop, 10_000);
    const seen: number[] = [];
    await loop.runUntilComplete(async () => {
      for (let round = 0; round < 20; round++) {
        const before = tick.count;
        const done = loop.createFuture<number>();
        done.setResult(round);
        await done;
        seen.push(tick.count - before);
      }
    });
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
    loop.close();
  });

  // loop = asyncio.new_event_loop(); trace = []; iteration = 0
  // def tick(): ...as above
  // async def child():
  //     trace.append(('child runs', iteration))
  //     return 'child result'
  // async def main():
  //     task = asyncio.ensure_future(child())
  //     trace.append(('created', iteration))
  //     result = await task
  //     trace.append(('parent resumes', iteration, result))
  // loop.call_soon(tick)
  // loop.run_until_complete(main())
  // print(trace)
  // # [('created', 1), ('child runs', 2), ('parent resumes', 3, 'child result')]
  it('starts a child task on the next iteration and resumes its generator parent on the one after', async () => {
    const loop = guard.newLoop();
    const trace: unknown[] = [];
    const tick = countIterations(loop);
    await loop.runUntilComplete(function* () {
      const task = ensureFuture(function* () {
        trace.push(['child runs', tick.count]);
        return 'child result';
      });
      trace.push(['created', tick.count]);
      const result = yield* task;
      trace.push(['parent resumes', tick.count, result]);
    });
    expect(trace).toEqual([
      ['created', 1],
      ['child runs', 2],
      ['parent resumes', 3, 'child result'],
    ]);
    loop.close();
  });

  // The same Python as above, with the same trace: the async parent's wake-up
  // is scheduled when the child finishes, and runs on the next iteration.
  it('starts a child task on the next iteration and resumes its async parent on the one after', async () => {
    const loop = guard.newLoop();
    const trace: unknown[] = [];
    const tick = countIterations(loop);
    await loop.runUntilComplete(async () => {
      const task = ensureFuture(async () => {
        trace.push(['child runs', tick.count]);
        return 'child result';
      });
      trace.push(['created', tick.count]);
      const result = await task;
      trace.push(['parent resumes', tick.count, result]);
    });
    expect(trace).toEqual([
      ['created', 1],
      ['child runs', 2],
      ['parent resumes', 3, 'child result'],
    ]);
    loop.close();
  });
});

describe('sleep(0) ordering', () => {
  // loop = asyncio.new_event_loop(); trace = []; iteration = 0
  // def tick(): ...as above
  // async def main():
  //     for _ in range(3):
  //         await asyncio.sleep(0)
  //         trace.append(iteration)
  // loop.call_soon(tick)
  // loop.run_until_complete(main())
  // print(trace)  # [2, 3, 4]
  it('takes exactly one iteration in a generator', async () => {
    const loop = guard.newLoop();
    const trace: number[] = [];
    const tick = countIterations(loop);
    await loop.runUntilComplete(function* () {
      for (let round = 0; round < 3; round++) {
        yield* sleep(0);
        trace.push(tick.count);
      }
    });
    expect(trace).toEqual([2, 3, 4]);
    loop.close();
  });

  // The same Python as above; sleep(0) completes on the next iteration and
  // the async function resumes right after it, before the one after.
  it('takes exactly one iteration in an async function', async () => {
    const loop = guard.newLoop();
    const trace: number[] = [];
    const tick = countIterations(loop);
    await loop.runUntilComplete(async () => {
      for (let round = 0; round < 3; round++) {
        await sleep(0);
        trace.push(tick.count);
      }
    });
    expect(trace).toEqual([2, 3, 4]);
    loop.close();
  });

  // trace = []
  // async def worker(name):
  //     for step in range(3):
  //         trace.append(f'{name}{step}')
  //         await asyncio.sleep(0)
  // async def main():
  //     await asyncio.gather(worker('A'), worker('B'))
  // asyncio.run(main())
  // print(trace)  # ['A0', 'B0', 'A1', 'B1', 'A2', 'B2']
  it.each(['async function', 'function* generator'] as const)('lets %s tasks take turns', async (shape) => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    const worker =
      shape === 'async function'
        ? async (name: string) => {
            for (let step = 0; step < 3; step++) {
              trace.push(`${name}${step}`);
              await sleep(0);
            }
          }
        : function* (name: string): Coroutine<void> {
            for (let step = 0; step < 3; step++) {
              trace.push(`${name}${step}`);
              yield* sleep(0);
            }
          };
    await loop.runUntilComplete(function* () {
      yield* gather(worker('A'), worker('B'));
    });
    expect(trace).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2']);
    loop.close();
  });
});

describe('stop() ordering', () => {
  // loop = asyncio.new_event_loop(); trace = []
  // def a():
  //     trace.append('a')
  //     loop.call_soon(trace.append, 'next iteration')
  // loop.call_soon(a)
  // loop.call_soon(loop.stop)
  // loop.call_soon(trace.append, 'b')
  // loop.run_forever()
  // trace.append('stopped')
  // loop.stop()
  // loop.run_forever()
  // print(trace)  # ['a', 'b', 'stopped', 'next iteration']
  it('lets the current iteration finish when called in a callback', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callSoon(() => {
      trace.push('a');
      loop.callSoon(() => trace.push('next iteration'));
    });
    loop.callSoon(() => loop.stop());
    loop.callSoon(() => trace.push('b'));
    await loop.runForever();
    trace.push('stopped');
    loop.stop();
    await loop.runForever();
    expect(trace).toEqual(['a', 'b', 'stopped', 'next iteration']);
    loop.close();
  });

  // loop = asyncio.new_event_loop(); trace = []
  // async def main():
  //     await asyncio.sleep(0)
  //     loop.call_soon(trace.append, 'soon')
  //     loop.stop()
  //     trace.append('after stop')
  // loop.call_soon(trace.append, 'first')
  // task = loop.create_task(main())
  // loop.run_forever()
  // trace.append('returned')
  // loop.run_until_complete(task)
  // print(trace)  # ['first', 'after stop', 'returned', 'soon']
  it.each(['async function', 'function* generator'] as const)(
    'stops after the iteration in which a resumed %s task calls it',
    async (shape) => {
      const loop = guard.newLoop();
      const trace: string[] = [];
      loop.callSoon(() => trace.push('first'));
      const task = loop.createTask(
        shape === 'async function'
          ? async () => {
              await sleep(0);
              loop.callSoon(() => trace.push('soon'));
              loop.stop();
              trace.push('after stop');
            }
          : function* (): Coroutine<void> {
              yield* sleep(0);
              loop.callSoon(() => trace.push('soon'));
              loop.stop();
              trace.push('after stop');
            },
      );
      await loop.runForever();
      trace.push('returned');
      await loop.runUntilComplete(task);
      expect(trace).toEqual(['first', 'after stop', 'returned', 'soon']);
      loop.close();
    },
  );

  // loop = asyncio.new_event_loop(); trace = []
  // def a():
  //     trace.append('a')
  //     loop.call_soon(trace.append, 'b')
  // loop.call_soon(a)
  // loop.call_later(0.05, trace.append, 'timer')
  // loop.stop()
  // loop.run_forever()
  // trace.append('returned')
  // loop.stop()
  // loop.run_forever()
  // print(trace)  # ['a', 'returned', 'b']
  it('makes the next runForever() run exactly one iteration when called before it', async () => {
    const loop = guard.newLoop();
    const trace: string[] = [];
    loop.callSoon(() => {
      trace.push('a');
      loop.callSoon(() => trace.push('b'));
    });
    const timer = loop.callLater(0.05, () => trace.push('timer'));
    loop.stop();
    await loop.runForever();
    trace.push('returned');
    loop.stop();
    await loop.runForever();
    expect(trace).toEqual(['a', 'returned', 'b']);
    timer.cancel();
    loop.close();
  });
});

describe('awaiting a Future that is already done', () => {
  // async def main():
  //     r = []; f = loop.create_future(); f.set_result(None)
  //     async def child(): await f; r.append(1)
  //     asyncio.create_task(child()); await asyncio.sleep(0); return r
  // -> [1]: the child's step runs to its end before main resumes
  it('does not suspend: a child past a done Future finishes its step before its parent resumes', async () => {
    const loop = guard.newLoop();
    const seen = await loop.runUntilComplete(async () => {
      const r: number[] = [];
      const done = loop.createFuture<void>();
      done.setResult();
      loop.createTask(async () => {
        await done;
        r.push(1);
      });
      await sleep(0);
      return [...r];
    });
    expect(seen).toEqual([1]);
    loop.close();
  });

  // def main():
  //     done = create_future(); done.set_result('ok')
  //     task = create_task(child())   # child: return await done
  //     await asyncio.sleep(0); task.cancel(); return await task
  // -> 'ok': the task finished in its first step, before cancel()
  it('is no cancellation point: a task that finished past it in its step ignores a later cancel()', async () => {
    const loop = guard.newLoop();
    const outcome = await loop.runUntilComplete(
      loop.createTask(function* () {
        const done = loop.createFuture<string>();
        done.setResult('ok');
        const task = loop.createTask(async () => await done);
        yield* sleep(0);
        task.cancel();
        return yield* task;
      }),
    );
    expect(outcome).toBe('ok');
    loop.close();
  });
});
