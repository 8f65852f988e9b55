// Queue, PriorityQueue, LifoQueue: asyncio's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_queues.py (with Python 3.13's shutdown tests),
// in both coroutine shapes.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  RuntimeError,
  TimeoutError,
  ValueError,
  createTask,
  gather,
  getRunningLoop,
  sleep,
  waitFor,
  type Coroutine,
} from '@asyncio-ts/core';
import { LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, QueueShutDown } from '../src/index.js';
import { opsOf, outcomes, RUNS, settleAll, shapeOf, sleeps, targetOf, taskSpec } from './fixtures/schedules.js';
import { runVirtual, shapes } from './helpers.js';

const queueClasses = [
  { name: 'Queue', make: <T>(maxsize?: number) => new Queue<T>(maxsize) },
  { name: 'LifoQueue', make: <T>(maxsize?: number) => new LifoQueue<T>(maxsize) },
  { name: 'PriorityQueue', make: <T>(maxsize?: number) => new PriorityQueue<T>(maxsize) },
];

describe('Queue', () => {
  it('prints its state after asyncio', async () => {
    // test_repr, test_str, test_format
    await runVirtual(async () => {
      const q = new Queue<number>();
      expect(inspect(q)).toBe('Queue [maxsize:0]');
      const getter = createTask(async () => q.get());
      await sleep(0);
      expect(inspect(q)).toBe('Queue [maxsize:0, getters:1]');
      q.putNowait(0);
      expect(await getter).toBe(0);
      const full = new Queue<number>(1);
      full.putNowait(1);
      const putter = createTask(async () => full.put(2));
      await sleep(0);
      expect(String(full)).toBe('Queue [maxsize:1, items:[1], putters:1, tasks:1]');
      full.getNowait();
      await putter;
      full.shutdown();
      expect(String(full)).toBe('Queue [maxsize:1, items:[2], tasks:2, shutdown]');
      expect(inspect(new PriorityQueue(3))).toBe('PriorityQueue [maxsize:3]');
    });
  });

  it('refuses a maxsize that is not a number', () => {
    expect(() => new Queue('10' as unknown as number)).toThrow(TypeError);
    expect(() => new Queue(Number.NaN)).toThrow('Queue() expects maxsize as a number of items');
  });

  it('is never full without a maxsize', async () => {
    // test_full
    await runVirtual(async () => {
      const unbounded = new Queue<number>();
      for (let i = 0; i < 1000; i++) unbounded.putNowait(i);
      expect(unbounded.full()).toBe(false);
      const q = new Queue<number>(1);
      await q.put(1);
      expect(q.full()).toBe(true);
      expect(q.maxsize).toBe(1);
    });
  });

  it('takes a float maxsize as Python does', async () => {
    // test_float_maxsize
    await runVirtual(async () => {
      const q = new Queue<number>(1.3);
      q.putNowait(1);
      q.putNowait(2);
      expect(q.full()).toBe(true);
      expect(() => q.putNowait(3)).toThrow(QueueFull);
    });
  });

  it('throws QueueEmpty and QueueFull without waiting', () => {
    // test_nonblocking_get_exception, test_nonblocking_put_exception
    const q = new Queue<number>(1);
    expect(() => q.getNowait()).toThrow(QueueEmpty);
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow(QueueFull);
    expect(() => q.putNowait(2)).toThrow('maxsize 1');
    expect(q.getNowait()).toBe(1);
  });

  it('throws ValueError when taskDone() is called too many times', () => {
    // test_task_done_underflow
    const q = new Queue();
    expect(() => q.taskDone()).toThrow(ValueError);
    expect(() => q.taskDone()).toThrow('taskDone() called too many times');
  });

  it('throws RuntimeError from get(), put() and join() when no loop is running', () => {
    const q = new Queue();
    expect(() => q.get()).toThrow(RuntimeError);
    expect(() => q.put(1)).toThrow(RuntimeError);
  });

  it('waits on one loop only', async () => {
    const q = new Queue<number>();
    await runVirtual(async () => {
      const getter = createTask(async () => q.get());
      await sleep(0);
      q.putNowait(1);
      await getter;
    });
    await runVirtual(async () => {
      q.putNowait(2);
      expect(await q.get()).toBe(2);
      expect(() => q.get()).toThrow(/bound to a different event loop/);
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    it('gives items in FIFO order', async () => {
      // test_empty, test_order
      await runVirtual(async () => {
        const q = new Queue<number>();
        expect(q.empty()).toBe(true);
        await createTask(shape.seq(() => q.put(1), () => q.put(3), () => q.put(2)));
        expect(q.empty()).toBe(false);
        expect(q.qsize()).toBe(3);
        expect(await createTask(shape.seq(() => q.get(), () => q.get(), () => q.get()))).toEqual([1, 3, 2]);
        expect(q.empty()).toBe(true);
      });
    });

    it('blocks a putter while full', async () => {
      // test_maxsize
      await runVirtual(function* (): Coroutine<void> {
        const q = new Queue<number>(2);
        const haveBeenPut: number[] = [];
        const putter = createTask(
          shape.seq(
            () => q.put(0),
            () => haveBeenPut.push(0),
            () => q.put(1),
            () => haveBeenPut.push(1),
            () => q.put(2),
            () => haveBeenPut.push(2),
          ),
        );
        yield* shape.settle();
        expect(haveBeenPut).toEqual([0, 1]);
        expect(yield* q.get()).toBe(0);
        yield* shape.settle();
        expect(haveBeenPut).toEqual([0, 1, 2]);
        expect(yield* q.get()).toBe(1);
        expect(yield* q.get()).toBe(2);
        yield* putter;
      });
    });

    it('wakes a getter when an item is put', async () => {
      // test_blocking_get_wait, test_put_with_waiting_getters
      await runVirtual(async () => {
        const q = new Queue<number>();
        const getter = createTask(shape.seq(() => q.get()));
        await sleep(0);
        getRunningLoop().callLater(0.01, () => q.putNowait(1));
        expect(await getter).toEqual([1]);
        expect(getRunningLoop().time()).toBeGreaterThanOrEqual(0.01);
      });
    });

    it('wakes a putter when an item is taken', async () => {
      // test_blocking_put_wait, test_get_with_waiting_putters
      await runVirtual(async () => {
        const q = new Queue<string>(1);
        const a = createTask(shape.seq(() => q.put('a')));
        const b = createTask(shape.seq(() => q.put('b')));
        expect(await createTask(shape.seq(() => q.get(), () => q.get()))).toEqual(['a', 'b']);
        await gather(a, b);
      });
    });

    it('skips a getter cancelled before an item came', async () => {
      // test_get_cancelled_race
      await runVirtual(async () => {
        const q = new Queue<string>();
        const t1 = createTask(shape.seq(() => q.get()));
        const t2 = createTask(shape.seq(() => q.get()));
        await sleep(0);
        t1.cancel();
        await expect(t1).rejects.toThrow(CancelledError);
        await q.put('a');
        expect(await t2).toEqual(['a']);
      });
    });

    it('leaves no getter behind when waitFor() times out', async () => {
      // test_cancelled_getters_not_being_held_in_self_getters
      await runVirtual(async () => {
        const q = new Queue<number>(5);
        await expect(createTask(shape.seq(() => waitFor(q.get(), 0.1)))).rejects.toThrow(TimeoutError);
        expect(inspect(q)).toBe('Queue [maxsize:5]');
      });
    });

    it('gives the item of a getter cancelled as it is woken to the next one', async () => {
      // test_get_cancel_drop_one_pending_reader: if the retry gets 2, 1 was dropped.
      await runVirtual(async () => {
        const q = new Queue<number>();
        let reader = createTask(shape.seq(() => q.get()));
        await sleep(0);
        q.putNowait(1);
        q.putNowait(2);
        reader.cancel();
        await expect(reader).rejects.toThrow(CancelledError);
        reader = createTask(shape.seq(() => q.get()));
        expect(await reader).toEqual([1]);
        expect(q.getNowait()).toBe(2);
      });
    });

    it('drops no item when one of many readers is cancelled as items come', async () => {
      // test_get_cancel_drop_many_pending_readers
      await runVirtual(async () => {
        const q = new Queue<number>();
        const readers = [1, 2, 3].map(() => createTask(shape.seq(() => q.get())));
        await sleep(0);
        q.putNowait(1);
        q.putNowait(2);
        readers[0]!.cancel();
        await expect(readers[0]).rejects.toThrow(CancelledError);
        const results = await gather(readers[1]!, readers[2]!);
        expect(new Set(results.map((out) => out[0]))).toEqual(new Set([1, 2]));
      });
    });

    it('drops no item when a putter is cancelled as a slot frees', async () => {
      // test_put_cancel_drop
      await runVirtual(async () => {
        const q = new Queue<number>(1);
        q.putNowait(1);
        let writer = createTask(shape.seq(() => q.put(2)));
        await sleep(0);
        expect(q.getNowait()).toBe(1);
        writer.cancel();
        await expect(writer).rejects.toThrow(CancelledError);
        // The cancelled putter did not put: the retry does, once.
        expect(q.qsize()).toBe(0);
        writer = createTask(shape.seq(() => q.put(2)));
        await writer;
        expect(q.getNowait()).toBe(2);
        expect(q.qsize()).toBe(0);
      });
    });

    it('takes a cancelled putter out of the queue of putters', async () => {
      // test_cancelled_puts_not_being_held_in_self_putters, test_put_cancelled_race
      await runVirtual(async () => {
        const q = new Queue<string>(1);
        const putA = createTask(shape.seq(() => q.put('a')));
        const putB = createTask(shape.seq(() => q.put('b')));
        const putC = createTask(shape.seq(() => q.put('X')));
        await sleep(0);
        expect(inspect(q)).toBe("Queue [maxsize:1, items:['a'], putters:2, tasks:1]");
        putC.cancel();
        await expect(putC).rejects.toThrow(CancelledError);
        expect(inspect(q)).toContain('putters:1');
        expect(q.getNowait()).toBe('a');
        await putB;
        expect(q.getNowait()).toBe('b');
        await putA;
        expect(q.empty()).toBe(true);
      });
    });

    it('keeps a woken putter\'s slot from putNowait()', async () => {
      await runVirtual(async () => {
        const q = new Queue<string>(1);
        q.putNowait('a');
        const putter = createTask(shape.seq(() => q.put('b')));
        await sleep(0);
        expect(q.getNowait()).toBe('a');
        // The slot is the putter's until it resumes.
        expect(q.full()).toBe(true);
        expect(() => q.putNowait('c')).toThrow(QueueFull);
        await putter;
        expect(q.getNowait()).toBe('b');
      });
    });

    it('runs producers and consumers to the end through a queue of one', async () => {
      // test_why_are_getters_waiting, test_why_are_putters_waiting
      await runVirtual(async () => {
        const q = new Queue<number>(1);
        const producer = createTask(shape.seq(...[0, 1, 2, 3, 4].map((i) => () => q.put(i))));
        const consumer = createTask(shape.seq(...[0, 1, 2, 3, 4].map(() => () => q.get())));
        await producer;
        expect(await consumer).toEqual([0, 1, 2, 3, 4]);
      });
    });

    it('resolves join() once every item is marked done', async () => {
      // test_task_done, test_join_empty_queue
      await runVirtual(async () => {
        for (const { make } of queueClasses) {
          const q = make<number>();
          await createTask(shape.seq(() => q.join(), () => q.join()));
          for (let i = 0; i < 100; i++) q.putNowait(i);
          let accumulator = 0;
          let running = true;
          const worker = () =>
            createTask(async () => {
              while (running) {
                const item = await q.get();
                accumulator += item;
                q.taskDone();
              }
            });
          const workers = [worker(), worker()];
          await createTask(shape.seq(() => q.join()));
          expect(accumulator).toBe(4950);
          running = false;
          for (let i = 0; i < workers.length; i++) q.putNowait(0);
          await gather(...workers);
        }
      });
    });

    it('is async-iterable until shut down', async () => {
      await runVirtual(async () => {
        const q = new Queue<number>(2);
        const producer = createTask(
          shape.seq(
            () => q.put(1),
            () => q.put(2),
            () => q.put(3),
            () => q.shutdown(),
          ),
        );
        const seen: number[] = [];
        for await (const item of q) {
          seen.push(item);
          q.taskDone();
        }
        expect(seen).toEqual([1, 2, 3]);
        await producer;
        await q.join();
      });
    });
  });

  describe.each(shapes)('shut down, from an $name', (shape) => {
    it('fails waiting getters, and puts and gets on an empty queue', async () => {
      // test_shutdown_empty
      await runVirtual(async () => {
        const q = new Queue<string>();
        const getTask = createTask(shape.seq(() => q.get()));
        await sleep(0);
        q.shutdown();
        expect(q.qsize()).toBe(0);
        await q.join();
        await expect(getTask).rejects.toThrow(QueueShutDown);
        await expect(createTask(shape.seq(() => q.put('data')))).rejects.toThrow(QueueShutDown);
        expect(() => q.putNowait('data')).toThrow(QueueShutDown);
        await expect(createTask(shape.seq(() => q.get()))).rejects.toThrow(QueueShutDown);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
      });
    });

    it('fails waiting putters but still gives the items left', async () => {
      // test_shutdown_nonempty
      await runVirtual(async () => {
        const q = new Queue<string>(1);
        q.putNowait('data');
        const joinTask = createTask(shape.seq(() => q.join()));
        const putTask = createTask(shape.seq(() => q.put('data2')));
        await sleep(0);
        expect(putTask.done()).toBe(false);
        q.shutdown();
        expect(q.qsize()).toBe(1);
        await expect(putTask).rejects.toThrow(QueueShutDown);
        expect(await createTask(shape.seq(() => q.get()))).toEqual(['data']);
        await sleep(0);
        expect(joinTask.done()).toBe(false);
        expect(() => q.putNowait('data')).toThrow(QueueShutDown);
        expect(() => q.getNowait()).toThrow(QueueShutDown);
        await expect(createTask(shape.seq(() => q.get()))).rejects.toThrow(QueueShutDown);
        q.taskDone();
        await joinTask;
        expect(() => q.taskDone()).toThrow(ValueError);
      });
    });

    it('drops the items left with immediate=true, counting them done', async () => {
      // test_shutdown_immediate
      await runVirtual(async () => {
        const q = new Queue<string>();
        q.putNowait('data');
        const joinTask = createTask(shape.seq(() => q.join()));
        q.shutdown(true);
        expect(q.qsize()).toBe(0);
        await joinTask;
        await expect(createTask(shape.seq(() => q.put('data')))).rejects.toThrow(QueueShutDown);
        await expect(createTask(shape.seq(() => q.get()))).rejects.toThrow(QueueShutDown);
        expect(() => q.taskDone()).toThrow(ValueError);
      });
    });

    it('leaves items taken but not done unfinished with immediate=true', async () => {
      // test_shutdown_immediate_with_unfinished
      await runVirtual(async () => {
        const q = new Queue<string>();
        q.putNowait('data');
        q.putNowait('data');
        const joinTask = createTask(shape.seq(() => q.join()));
        expect(await createTask(shape.seq(() => q.get()))).toEqual(['data']);
        q.shutdown(true);
        expect(q.qsize()).toBe(0);
        await sleep(0);
        expect(joinTask.done()).toBe(false);
        q.taskDone();
        expect(() => q.taskDone()).toThrow(ValueError);
        await joinTask;
      });
    });

    it('fails a woken putter that had not put yet', async () => {
      // asyncio's woken putter meets the shutdown in put_nowait() when it runs.
      await runVirtual(async () => {
        const q = new Queue<string>(1);
        q.putNowait('a');
        const putter = createTask(shape.seq(() => q.put('b')));
        await sleep(0);
        q.getNowait();
        q.shutdown();
        await expect(putter).rejects.toThrow(QueueShutDown);
        expect(q.empty()).toBe(true);
      });
    });

    it('fails a woken getter whose item was dropped by immediate=true', async () => {
      await runVirtual(async () => {
        const q = new Queue<string>();
        const getter = createTask(shape.seq(() => q.get()));
        await sleep(0);
        q.putNowait('a');
        q.shutdown(true);
        await expect(getter).rejects.toThrow(QueueShutDown);
        await q.join();
      });
    });

    it('does not bring back the dropped item of a woken getter cancelled after immediate=true', async () => {
      await runVirtual(async () => {
        const q = new Queue<string>(1);
        const getter = createTask(shape.seq(() => q.get()));
        await sleep(0);
        q.putNowait('a');
        expect(q.full()).toBe(true);
        q.shutdown(true);
        expect(q.full()).toBe(false);
        getter.cancel();
        await expect(getter).rejects.toThrow(CancelledError);
        expect(q.qsize()).toBe(0);
        await q.join();
      });
    });
  });
});

describe('LifoQueue', () => {
  it('gives the last item put first', async () => {
    // LifoQueueTests.test_order
    await runVirtual(async () => {
      const q = new LifoQueue<number>();
      for (const i of [1, 3, 2]) await q.put(i);
      expect([await q.get(), await q.get(), await q.get()]).toEqual([2, 3, 1]);
    });
  });

  it('puts a cancelled getter\'s item back on top', async () => {
    await runVirtual(function* (): Coroutine<void> {
      const q = new LifoQueue<number>();
      const getter = createTask(function* () {
        return yield* q.get();
      });
      yield* sleep(0);
      q.putNowait(1);
      q.putNowait(2);
      getter.cancel();
      yield* sleep(0);
      expect(getter.cancelled()).toBe(true);
      expect(q.getNowait()).toBe(1);
      expect(q.getNowait()).toBe(2);
    });
  });
});

describe('PriorityQueue', () => {
  it('gives the smallest item first', async () => {
    // PriorityQueueTests.test_order
    await runVirtual(async () => {
      const q = new PriorityQueue<number>();
      for (const i of [1, 3, 2]) await q.put(i);
      expect([await q.get(), await q.get(), await q.get()]).toEqual([1, 2, 3]);
    });
  });

  it('keeps its items in heapq\'s order', () => {
    // Python: heappush 5, 3, 8, 1, 9, 2, 7, 3 -> [1, 3, 2, 3, 9, 8, 7, 5];
    // three heappops -> 1, 2, 3 and [3, 7, 5, 8, 9].
    const q = new PriorityQueue<number>();
    for (const i of [5, 3, 8, 1, 9, 2, 7, 3]) q.putNowait(i);
    expect(inspect(q)).toBe('PriorityQueue [maxsize:0, items:[1, 3, 2, 3, 9, 8, 7, 5], tasks:8]');
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([1, 2, 3]);
    expect(inspect(q)).toBe('PriorityQueue [maxsize:0, items:[3, 7, 5, 8, 9], tasks:8]');
  });

  it('orders arrays element by element, as Python\'s tuples', () => {
    const q = new PriorityQueue<unknown[]>();
    for (const item of [[2, 'b'], [1, 'z'], [2, 'a'], [1, 'y', 0], [1, 'y']]) q.putNowait(item);
    const out = [];
    while (!q.empty()) out.push(q.getNowait());
    expect(out).toEqual([[1, 'y'], [1, 'y', 0], [1, 'z'], [2, 'a'], [2, 'b']]);
  });

  it('orders strings by code point, as Python', () => {
    const q = new PriorityQueue<string>();
    for (const item of ['é', 'e', 'z', '\u{1F600}', '\uFFFD', 'a']) q.putNowait(item);
    const out = [];
    while (!q.empty()) out.push(q.getNowait());
    expect(out).toEqual(['a', 'e', 'z', 'é', '\uFFFD', '\u{1F600}']);
  });

  it('throws TypeError for items Python could not order, naming the fix', () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait([1, { job: 'a' }]);
    expect(() => q.putNowait([1, { job: 'b' }])).toThrow(TypeError);
    expect(() => q.putNowait([1, { job: 'b' }])).toThrow(/\[priority, counter, item\].*compare/);
  });

  it('orders by the compare option', () => {
    const q = new PriorityQueue<{ priority: number; name: string }>(0, { compare: (a, b) => b.priority - a.priority });
    q.putNowait({ priority: 1, name: 'low' });
    q.putNowait({ priority: 9, name: 'high' });
    expect(q.getNowait().name).toBe('high');
    expect(() => new PriorityQueue(0, { compare: 'desc' as unknown as () => number })).toThrow(TypeError);
  });
});

describe('Queue under random schedules', () => {
  it('loses no item, gives none twice, and lets no waiter wait for nothing', async () => {
    // Producer and consumer tasks of both shapes put and get a few items,
    // pausing between them; the driver puts and gets without waiting,
    // cancels tasks, and puts and cancels a (perhaps just woken) task in the
    // same step. After every operation: no more than maxsize items, no item
    // received twice or never put, no getter waiting while there are items,
    // no putter waiting while there is room. At the end, after shutdown():
    // every item whose put succeeded was received once, or is still in the
    // queue.
    const classes = [Queue, LifoQueue, PriorityQueue];
    const schedule = fc.record({
      kind: fc.integer({ min: 0, max: classes.length - 1 }),
      maxsize: fc.integer({ min: 0, max: 3 }),
      tasks: fc.array(fc.record({ spec: taskSpec, producer: fc.boolean(), count: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 1,
        maxLength: 6,
      }),
      ops: opsOf(['cancel', 'put', 'get', 'putAndCancel'] as const),
    });
    await fc.assert(
      fc.asyncProperty(schedule, async ({ kind, maxsize, tasks: specs, ops }) => {
        await runVirtual(function* (): Coroutine<void> {
          const q = new classes[kind]!<number>(maxsize);
          const attempted = new Set<number>();
          const put = new Set<number>();
          const got: number[] = [];
          let driverItem = 1000;
          const receive = (item: unknown) => {
            got.push(item as number);
          };
          const check = (where: string) => {
            if (maxsize > 0) expect(q.qsize(), where).toBeLessThanOrEqual(maxsize);
            expect(new Set(got).size, where).toBe(got.length);
            for (const item of got) expect(attempted.has(item), where).toBe(true);
            if (!q.empty()) expect(inspect(q), where).not.toContain('getters:');
            if (!q.full()) expect(inspect(q), where).not.toContain('putters:');
          };
          const tasks = specs.map(({ spec, producer, count }, i) => {
            const steps = [];
            for (let j = 0; j < count; j++) {
              const item = i * 100 + j;
              if (producer) {
                steps.push(
                  () => {
                    attempted.add(item);
                    return q.put(item);
                  },
                  () => put.add(item),
                );
              } else {
                steps.push(() => q.get(), receive);
              }
              steps.push(...sleeps(spec.hold));
            }
            return createTask(shapeOf(spec).seq(...steps));
          });
          for (const op of ops) {
            const target = targetOf(tasks, op);
            if (op.kind === 'tick') yield* sleep(0);
            else if (op.kind === 'cancel') target?.cancel();
            else if (op.kind === 'get' && !q.empty()) receive(q.getNowait());
            else if ((op.kind === 'put' || op.kind === 'putAndCancel') && !q.full()) {
              const item = driverItem++;
              attempted.add(item);
              q.putNowait(item);
              put.add(item);
              if (op.kind === 'putAndCancel') target?.cancel();
            }
            check(`after ${op.kind}`);
          }
          yield* settleAll(tasks, check, 20);
          q.shutdown();
          yield* settleAll(tasks, check);
          expect(tasks.every((task) => task.done())).toBe(true);
          for (const outcome of outcomes(tasks)) {
            if ('error' in outcome && !(outcome.error instanceof QueueShutDown)) throw outcome.error;
          }
          const left: number[] = [];
          while (!q.empty()) left.push(q.getNowait());
          expect([...got, ...left].sort((a, b) => a - b)).toEqual([...put].sort((a, b) => a - b));
        });
      }),
      { numRuns: RUNS },
    );
  });
});
