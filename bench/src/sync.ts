// Issue 3's workloads: @asyncio-ts/sync against CPython asyncio and the JS
// libraries people use today (async-mutex, p-limit), in one run.
// (a) 100k tasks contend for a Semaphore(10), each holding it across one sleep(0);
// (b) 200k round trips between two tasks through a pair of Queues;
// (c) an uncontended Lock acquired and released 1M times.
// Ours runs in both coroutine shapes (async functions, function* generators);
// every JS workload runs alone in a fresh Node process (see measureAlone()).
import { gather, newEventLoop, sleep, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { Lock, Queue, Semaphore } from '@asyncio-ts/sync';
import { Mutex, Semaphore as MutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { bestOf, printTable, pythons, runPython, sleepZeroThenable, type Row } from './harness.js';

const N_SEMAPHORE_TASKS = 100_000;
const N_ROUND_TRIPS = 200_000;
const N_LOCK = 1_000_000;
const PERMITS = 10;
// Best of 3 rounds per process (a fresh one for each JS workload, whose
// first round also compiles the code), in each of PASSES passes.
const ROUNDS = 3;

interface PythonResults {
  python: string;
  executable: string;
  rounds: number;
  /** The workloads asked for (all three by default). */
  results: Partial<Record<'semaphore' | 'queues' | 'lock', number>>;
}

/** Runs `body` on a fresh loop until the Future it returns is done, then closes the loop. */
async function onLoop(body: (loop: BaseEventLoop) => Future<unknown>): Promise<void> {
  const loop = newEventLoop();
  try {
    await loop.runUntilComplete(body(loop));
  } finally {
    loop.close();
  }
}

/**
 * Counts the holders of a semaphore, so that every implementation is checked
 * to admit exactly `PERMITS` at once (the same two increments in each body).
 */
class Holders {
  active = 0;
  most = 0;
  finished = 0;

  enter(): void {
    if (++this.active > this.most) this.most = this.active;
  }

  leave(): void {
    this.active--;
    this.finished++;
  }

  check(name: string): void {
    if (this.most !== PERMITS || this.finished !== N_SEMAPHORE_TASKS || this.active !== 0) {
      throw new Error(`${name}: ${this.finished} tasks finished with up to ${this.most} holders at once; expected ${N_SEMAPHORE_TASKS} with ${PERMITS}`);
    }
  }
}

/** One event-loop turn for a promise: the closest analogue of sleep(0) outside a loop. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fails unless the ping-pong delivered every item, in order. */
function checkRoundTrips(name: string, received: number): void {
  const expected = (N_ROUND_TRIPS * (N_ROUND_TRIPS - 1)) / 2;
  if (received !== expected) throw new Error(`${name}: round trips carried a sum of ${received}; expected ${expected}`);
}

/** Queues whose put() and get() an async function awaits (ours, and the floor's). */
interface AwaitableQueue<T> {
  put(item: T): PromiseLike<void>;
  get(): PromiseLike<T>;
}

/** The two async functions of the ping-pong (b), and the sum of what came back. */
function asyncPingPong(pings: AwaitableQueue<number>, pongs: AwaitableQueue<number>) {
  const sides = {
    sum: 0,
    async ping() {
      for (let i = 0; i < N_ROUND_TRIPS; i++) {
        await pings.put(i);
        sides.sum += await pongs.get();
      }
    },
    async pong() {
      for (let i = 0; i < N_ROUND_TRIPS; i++) {
        const item = await pings.get();
        await pongs.put(item);
      }
    },
  };
  return sides;
}

const ours = {
  semaphoreAsync: () =>
    onLoop((loop) => {
      const sem = new Semaphore(PERMITS);
      const holders = new Holders();
      async function worker() {
        await sem.acquire();
        try {
          holders.enter();
          await sleep(0);
          holders.leave();
        } finally {
          sem.release();
        }
      }
      return loop.createTask(async () => {
        await gather(...Array.from({ length: N_SEMAPHORE_TASKS }, () => () => worker()));
        holders.check('asyncio-ts Semaphore, async');
      });
    }),
  semaphoreGenerator: () =>
    onLoop((loop) => {
      const sem = new Semaphore(PERMITS);
      const holders = new Holders();
      function* worker() {
        yield* sem.acquire();
        try {
          holders.enter();
          yield* sleep(0);
          holders.leave();
        } finally {
          sem.release();
        }
      }
      return loop.createTask(function* () {
        yield* gather(...Array.from({ length: N_SEMAPHORE_TASKS }, () => worker()));
        holders.check('asyncio-ts Semaphore, function*');
      });
    }),
  queuesAsync: () =>
    onLoop((loop) => {
      const sides = asyncPingPong(new Queue<number>(), new Queue<number>());
      return loop.createTask(async () => {
        await gather(
          () => sides.ping(),
          () => sides.pong(),
        );
        checkRoundTrips('asyncio-ts Queue, async', sides.sum);
      });
    }),
  queuesGenerator: () =>
    onLoop((loop) => {
      const pings = new Queue<number>();
      const pongs = new Queue<number>();
      let sum = 0;
      function* ping() {
        for (let i = 0; i < N_ROUND_TRIPS; i++) {
          yield* pings.put(i);
          sum += yield* pongs.get();
        }
      }
      function* pong() {
        for (let i = 0; i < N_ROUND_TRIPS; i++) {
          const item = yield* pings.get();
          yield* pongs.put(item);
        }
      }
      return loop.createTask(function* () {
        yield* gather(ping(), pong());
        checkRoundTrips('asyncio-ts Queue, function*', sum);
      });
    }),
  lockAsync: () =>
    onLoop((loop) =>
      loop.createTask(async () => {
        const lock = new Lock();
        for (let i = 0; i < N_LOCK; i++) {
          await lock.acquire();
          lock.release();
        }
        if (lock.locked()) throw new Error('asyncio-ts Lock, async: still locked');
      }),
    ),
  lockHold: () =>
    onLoop((loop) =>
      loop.createTask(async () => {
        const lock = new Lock();
        for (let i = 0; i < N_LOCK; i++) {
          using held = await lock.hold();
        }
        if (lock.locked()) throw new Error('asyncio-ts Lock, hold(): still locked');
      }),
    ),
  lockGenerator: () =>
    onLoop((loop) =>
      loop.createTask(function* () {
        const lock = new Lock();
        for (let i = 0; i < N_LOCK; i++) {
          yield* lock.acquire();
          lock.release();
        }
        if (lock.locked()) throw new Error('asyncio-ts Lock, function*: still locked');
      }),
    ),
};

const pLimitBench = {
  semaphore: async () => {
    const limit = pLimit(PERMITS);
    const holders = new Holders();
    await Promise.all(
      Array.from({ length: N_SEMAPHORE_TASKS }, () =>
        limit(async () => {
          holders.enter();
          await tick();
          holders.leave();
        }),
      ),
    );
    holders.check('p-limit');
  },
};

const asyncMutexBench = {
  semaphore: async () => {
    const sem = new MutexSemaphore(PERMITS);
    const holders = new Holders();
    await Promise.all(
      Array.from({ length: N_SEMAPHORE_TASKS }, () =>
        sem.runExclusive(async () => {
          holders.enter();
          await tick();
          holders.leave();
        }),
      ),
    );
    holders.check('async-mutex Semaphore');
  },
  lock: async () => {
    const mutex = new Mutex();
    for (let i = 0; i < N_LOCK; i++) {
      const release = await mutex.acquire();
      release();
    }
    if (mutex.isLocked()) throw new Error('async-mutex Mutex: still locked');
  },
};

/** A FIFO of values (resolvers, items) that takes from the front in O(1). */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }
}

/** The least an awaitable queue can be: native promises, an already resolved one when nothing waits. */
class FloorQueue<T> {
  readonly #items = new Fifo<T>();
  readonly #getters = new Fifo<(item: T) => void>();
  static readonly #putDone = Promise.resolve();

  put(item: T): Promise<void> {
    const getter = this.#getters.shift();
    if (getter !== undefined) getter(item);
    else this.#items.push(item);
    return FloorQueue.#putDone;
  }

  get(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    return new Promise<T>((resolve) => this.#getters.push(resolve));
  }
}

/**
 * The floors of the async-function rows: the same workloads as bare async
 * functions in an AsyncLocalStorage context (what currentTask() and a task's
 * cancellation stand on), over the least a primitive can be (native promises,
 * an already resolved one when nothing has to wait) and a sleep(0)-like
 * thenable. No Task, Future, loop or handle: what these cost is Node 20's own
 * price for an async function's awaits, which ours pays too.
 */
const floorBench = {
  semaphore: async () => {
    const storage = new AsyncLocalStorage<number>();
    const sleep0 = sleepZeroThenable();
    const holders = new Holders();
    const waiting = new Fifo<() => void>();
    const acquired = Promise.resolve();
    let permits = PERMITS;
    const acquire = () => {
      if (permits > 0) {
        permits--;
        return acquired;
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    };
    const release = () => {
      const next = waiting.shift();
      if (next !== undefined) next();
      else permits++;
    };
    async function worker() {
      await acquire();
      try {
        holders.enter();
        await sleep0;
        holders.leave();
      } finally {
        release();
      }
    }
    await Promise.all(Array.from({ length: N_SEMAPHORE_TASKS }, (_, index) => storage.run(index, worker)));
    holders.check('floor Semaphore');
  },
  queues: async () => {
    const storage = new AsyncLocalStorage<number>();
    const sides = asyncPingPong(new FloorQueue<number>(), new FloorQueue<number>());
    await Promise.all([storage.run(0, sides.ping), storage.run(1, sides.pong)]);
    checkRoundTrips('floor Queue', sides.sum);
  },
  lock: () =>
    new AsyncLocalStorage<number>().run(0, async () => {
      const acquired = Promise.resolve(true);
      let locked = false;
      for (let i = 0; i < N_LOCK; i++) {
        if (locked) throw new Error('floor Lock: already locked');
        locked = true;
        await acquired;
        locked = false;
      }
    }),
};

const OURS = 'asyncio-ts';
const P_LIMIT = 'p-limit';
const ASYNC_MUTEX = 'async-mutex';
const FLOOR = 'Node + AsyncLocalStorage (floor)';

/** Every JS workload by name, with its operation count: each runs alone in a child process. */
const isolated: Record<string, [operations: number, run: () => Promise<void>]> = {
  'p-limit-semaphore': [N_SEMAPHORE_TASKS, pLimitBench.semaphore],
  'async-mutex-semaphore': [N_SEMAPHORE_TASKS, asyncMutexBench.semaphore],
  'async-mutex-lock': [N_LOCK, asyncMutexBench.lock],
  'floor-semaphore': [N_SEMAPHORE_TASKS, floorBench.semaphore],
  'floor-queues': [N_ROUND_TRIPS, floorBench.queues],
  'floor-lock': [N_LOCK, floorBench.lock],
  'ours-semaphoreAsync': [N_SEMAPHORE_TASKS, ours.semaphoreAsync],
  'ours-semaphoreGenerator': [N_SEMAPHORE_TASKS, ours.semaphoreGenerator],
  'ours-queuesAsync': [N_ROUND_TRIPS, ours.queuesAsync],
  'ours-queuesGenerator': [N_ROUND_TRIPS, ours.queuesGenerator],
  'ours-lockAsync': [N_LOCK, ours.lockAsync],
  'ours-lockHold': [N_LOCK, ours.lockHold],
  'ours-lockGenerator': [N_LOCK, ours.lockGenerator],
};

const WORKLOAD_FLAG = '--sync-workload=';

/**
 * Each JS workload runs in a fresh Node process, as each CPython workload
 * runs on a fresh loop in a process that ran nothing else of ours: in one
 * process the workloads would share a heap grown by the ones before (100,000
 * tasks promoted to the old space) and V8's inline caches turned megamorphic
 * by the other workloads' shapes (up to 4x slower rows). The child is this
 * script again (`sync --sync-workload=<name>`), printing its figure as JSON.
 */
function measureAlone(name: string): number | null {
  const child = spawnSync(process.execPath, ['--expose-gc', process.argv[1]!, 'sync', `${WORKLOAD_FLAG}${name}`], { encoding: 'utf8' });
  if (child.status !== 0) {
    process.stderr.write(`sync workload ${name} failed:\n${child.stderr}\n`);
    return null;
  }
  return (JSON.parse(child.stdout.trim().split('\n').pop()!) as { figure: number }).figure;
}

/** The child side of measureAlone(): runs one workload, best of ROUNDS, and prints its figure. */
async function runAlone(name: string): Promise<void> {
  const workload = isolated[name];
  if (workload === undefined) throw new Error(`unknown sync workload ${name}; choose from ${Object.keys(isolated).join(', ')}`);
  const [operations, run] = workload;
  console.log(JSON.stringify({ figure: await bestOf(ROUNDS, operations, run) }));
}

type Group = 'semaphore' | 'queues' | 'lock';

/**
 * The table's rows: each workload of ours, the group (and CPython workload)
 * it is measured against, and whether it is an async-function row (those
 * show the floor beside them).
 */
const ROWS: [workload: string, group: Group, name: string, async: boolean][] = [
  ['(a) 100k tasks, Semaphore(10) across sleep(0), async', 'semaphore', 'ours-semaphoreAsync', true],
  ['(a) 100k tasks, Semaphore(10) across sleep(0), function*', 'semaphore', 'ours-semaphoreGenerator', false],
  ['(b) 200k round trips, two tasks, two Queues, async', 'queues', 'ours-queuesAsync', true],
  ['(b) 200k round trips, two tasks, two Queues, function*', 'queues', 'ours-queuesGenerator', false],
  ['(c) 1M uncontended Lock acquire/release, async', 'lock', 'ours-lockAsync', true],
  ['(c) 1M uncontended Lock, async, `using held = await lock.hold()`', 'lock', 'ours-lockHold', true],
  ['(c) 1M uncontended Lock acquire/release, function*', 'lock', 'ours-lockGenerator', false],
];

/** The floor of each group's async-function rows (see floorBench). */
const FLOORS: Record<Group, string> = { semaphore: 'floor-semaphore', queues: 'floor-queues', lock: 'floor-lock' };

/** The other JS libraries' workloads, by group and column. */
const OTHERS: [group: Group, column: string, name: string][] = [
  ['semaphore', P_LIMIT, 'p-limit-semaphore'],
  ['semaphore', ASYNC_MUTEX, 'async-mutex-semaphore'],
  ['lock', ASYNC_MUTEX, 'async-mutex-lock'],
];

/**
 * Each group's workloads are measured one after the other, CPython's and the
 * JS ones, in PASSES passes, each figure the best it reached: on a shared
 * machine the load changes over the minutes a run takes, and CPython measured
 * in a quiet minute against Node in a busy one (or the reverse) would say
 * more about the machine than about either. (Three passes: the same build's
 * figure moves by 25% from one minute to the next on these VMs, with the
 * steal time of their neighbours.)
 */
const PASSES = 3;

export async function benchSync(): Promise<void> {
  const child = process.argv.find((arg) => arg.startsWith(WORKLOAD_FLAG));
  if (child !== undefined) return runAlone(child.slice(WORKLOAD_FLAG.length));

  const best = (figures: Record<string, number | null>, column: string, figure: number | null) => {
    if (figure !== null) figures[column] = Math.max(figures[column] ?? 0, figure);
    else figures[column] ??= null;
  };
  const baselines = new Set<string>();
  const figures: Record<Group, Record<string, number | null>> = { semaphore: {}, queues: {}, lock: {} };
  const ourFigures: Record<string, number | null> = {};
  const floors: Record<Group, Record<string, number | null>> = { semaphore: {}, queues: {}, lock: {} };
  for (const group of ['semaphore', 'queues', 'lock'] as const) {
    for (let pass = 0; pass < PASSES; pass++) {
      for (const executable of pythons()) {
        const result = runPython<PythonResults>(executable, 'sync_bench.py', [String(ROUNDS), group]);
        if (result === null) continue;
        const column = `asyncio ${result.python}${executable === '/usr/bin/python3' ? '' : ' (PATH)'}`;
        // Issue 3's targets are against Debian's CPython: ratios for that one only.
        if (executable === '/usr/bin/python3') baselines.add(column);
        best(figures[group], column, result.results[group] ?? null);
      }
      for (const [otherGroup, column, name] of OTHERS) {
        if (otherGroup === group) best(figures[group], column, measureAlone(name));
      }
      best(floors[group], FLOOR, measureAlone(FLOORS[group]));
      for (const [, rowGroup, name] of ROWS) {
        if (rowGroup === group) best(ourFigures, name, measureAlone(name));
      }
    }
  }
  baselines.add(P_LIMIT).add(ASYNC_MUTEX).add(FLOOR);

  const rows: Row[] = ROWS.map(([workload, group, name, async]) => ({
    workload,
    unit: 'ops/s',
    figures: { ...figures[group], ...(async ? floors[group] : {}), [OURS]: ourFigures[name] ?? null },
    higherIsBetter: true,
  }));
  printTable(
    `@asyncio-ts/sync against CPython asyncio, p-limit and async-mutex (best of ${PASSES} x ${ROUNDS} rounds, interleaved; each JS workload alone in a fresh process)`,
    rows,
    OURS,
    [...baselines],
  );
  printFloorRatios(figures, floors);
}

/** What the floor itself reaches against CPython: no async-function row of any library can pass it. */
function printFloorRatios(figures: Record<Group, Record<string, number | null>>, floors: Record<Group, Record<string, number | null>>): void {
  const parts: string[] = [];
  for (const group of ['semaphore', 'queues', 'lock'] as const) {
    const cpython = Object.entries(figures[group]).find(([column]) => column.startsWith('asyncio ') && !column.endsWith('(PATH)'))?.[1];
    const floor = floors[group][FLOOR];
    if (cpython != null && floor != null) parts.push(`${group} ${(floor / cpython).toFixed(2)}x`);
  }
  if (parts.length > 0) console.log(`The floor of async functions against CPython asyncio (Debian's): ${parts.join(', ')}.`);
}
