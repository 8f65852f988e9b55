// Issue 3's workloads: @asyncio-ts/sync against CPython asyncio and the JS
// libraries people use today (async-mutex, p-limit), in one run.
// (a) 100k tasks contend for a Semaphore(10), each holding it across one sleep(0);
// (b) 200k round trips between two tasks through a pair of Queues;
// (c) an uncontended Lock acquired and released 1M times.
// Ours runs in both coroutine shapes (async functions, function* generators).
import { gather, newEventLoop, sleep, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { Lock, Queue, Semaphore } from '@asyncio-ts/sync';
import { Mutex, Semaphore as MutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import { bestOf, printTable, pythons, runPython, type Row } from './harness.js';

const N_SEMAPHORE_TASKS = 100_000;
const N_ROUND_TRIPS = 200_000;
const N_LOCK = 1_000_000;
const PERMITS = 10;
const ROUNDS = 3;

interface PythonResults {
  python: string;
  executable: string;
  rounds: number;
  results: { semaphore: number; queues: number; lock: number };
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
      const pings = new Queue<number>();
      const pongs = new Queue<number>();
      let sum = 0;
      async function ping() {
        for (let i = 0; i < N_ROUND_TRIPS; i++) {
          await pings.put(i);
          sum += await pongs.get();
        }
      }
      async function pong() {
        for (let i = 0; i < N_ROUND_TRIPS; i++) {
          const item = await pings.get();
          await pongs.put(item);
        }
      }
      return loop.createTask(async () => {
        await gather(
          () => ping(),
          () => pong(),
        );
        checkRoundTrips('asyncio-ts Queue, async', sum);
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

const OURS = 'asyncio-ts';
const P_LIMIT = 'p-limit';
const ASYNC_MUTEX = 'async-mutex';

export async function benchSync(): Promise<void> {
  const baselines: string[] = [];
  const figures: Record<'semaphore' | 'queues' | 'lock', Record<string, number | null>> = { semaphore: {}, queues: {}, lock: {} };
  for (const executable of pythons()) {
    const result = runPython<PythonResults>(executable, 'sync_bench.py', [String(ROUNDS)]);
    if (result === null) continue;
    const column = `asyncio ${result.python}${executable === '/usr/bin/python3' ? '' : ' (PATH)'}`;
    // Issue 3's targets are against Debian's CPython: ratios for that one only.
    if (executable === '/usr/bin/python3') baselines.push(column);
    figures.semaphore[column] = result.results.semaphore;
    figures.queues[column] = result.results.queues;
    figures.lock[column] = result.results.lock;
  }
  baselines.push(P_LIMIT, ASYNC_MUTEX);

  figures.semaphore[P_LIMIT] = await bestOf(ROUNDS, N_SEMAPHORE_TASKS, pLimitBench.semaphore);
  figures.semaphore[ASYNC_MUTEX] = await bestOf(ROUNDS, N_SEMAPHORE_TASKS, asyncMutexBench.semaphore);
  figures.lock[ASYNC_MUTEX] = await bestOf(ROUNDS, N_LOCK, asyncMutexBench.lock);

  // V8's inline caches stay megamorphic once a site has seen more than four
  // shapes (Future and its subclasses), and a workload measured after others
  // runs slower than alone (up to 4x here). Run each of ours once first, so
  // every row is measured in the same state, the one of a program using them all.
  for (const workload of Object.values(ours)) await workload();

  const withOurs = (base: Record<string, number | null>, value: number) => ({ ...base, [OURS]: value });
  const rows: Row[] = [
    {
      workload: '(a) 100k tasks, Semaphore(10) across sleep(0), async',
      unit: 'ops/s',
      figures: withOurs(figures.semaphore, await bestOf(ROUNDS, N_SEMAPHORE_TASKS, ours.semaphoreAsync)),
      higherIsBetter: true,
    },
    {
      workload: '(a) 100k tasks, Semaphore(10) across sleep(0), function*',
      unit: 'ops/s',
      figures: withOurs(figures.semaphore, await bestOf(ROUNDS, N_SEMAPHORE_TASKS, ours.semaphoreGenerator)),
      higherIsBetter: true,
    },
    {
      workload: '(b) 200k round trips, two tasks, two Queues, async',
      unit: 'ops/s',
      figures: withOurs(figures.queues, await bestOf(ROUNDS, N_ROUND_TRIPS, ours.queuesAsync)),
      higherIsBetter: true,
    },
    {
      workload: '(b) 200k round trips, two tasks, two Queues, function*',
      unit: 'ops/s',
      figures: withOurs(figures.queues, await bestOf(ROUNDS, N_ROUND_TRIPS, ours.queuesGenerator)),
      higherIsBetter: true,
    },
    {
      workload: '(c) 1M uncontended Lock acquire/release, async',
      unit: 'ops/s',
      figures: withOurs(figures.lock, await bestOf(ROUNDS, N_LOCK, ours.lockAsync)),
      higherIsBetter: true,
    },
    {
      workload: '(c) 1M uncontended Lock, async, `using held = await lock.hold()`',
      unit: 'ops/s',
      figures: withOurs(figures.lock, await bestOf(ROUNDS, N_LOCK, ours.lockHold)),
      higherIsBetter: true,
    },
    {
      workload: '(c) 1M uncontended Lock acquire/release, function*',
      unit: 'ops/s',
      figures: withOurs(figures.lock, await bestOf(ROUNDS, N_LOCK, ours.lockGenerator)),
      higherIsBetter: true,
    },
  ];
  printTable(`@asyncio-ts/sync against CPython asyncio, p-limit and async-mutex (best of ${ROUNDS})`, rows, OURS, baselines);
}
