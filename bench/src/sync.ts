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
import { spawnSync } from 'node:child_process';
import { bestOf, printTable, pythons, runPython, type Row } from './harness.js';

const N_SEMAPHORE_TASKS = 100_000;
const N_ROUND_TRIPS = 200_000;
const N_LOCK = 1_000_000;
const PERMITS = 10;
// Best of 5 on both sides: on a shared machine a round of 1M uncontended
// Lock calls takes 20 ms in Node (one preemption spoils it) and its first
// round in a fresh process also compiles the code.
const ROUNDS = 5;

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

/** Every JS workload by name, with its operation count: each runs alone in a child process. */
const isolated: Record<string, [operations: number, run: () => Promise<void>]> = {
  'p-limit-semaphore': [N_SEMAPHORE_TASKS, pLimitBench.semaphore],
  'async-mutex-semaphore': [N_SEMAPHORE_TASKS, asyncMutexBench.semaphore],
  'async-mutex-lock': [N_LOCK, asyncMutexBench.lock],
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

export async function benchSync(): Promise<void> {
  const child = process.argv.find((arg) => arg.startsWith(WORKLOAD_FLAG));
  if (child !== undefined) return runAlone(child.slice(WORKLOAD_FLAG.length));

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

  figures.semaphore[P_LIMIT] = measureAlone('p-limit-semaphore');
  figures.semaphore[ASYNC_MUTEX] = measureAlone('async-mutex-semaphore');
  figures.lock[ASYNC_MUTEX] = measureAlone('async-mutex-lock');

  const withOurs = (base: Record<string, number | null>, name: string) => ({ ...base, [OURS]: measureAlone(name) });
  const rows: Row[] = [
    ['(a) 100k tasks, Semaphore(10) across sleep(0), async', figures.semaphore, 'ours-semaphoreAsync'],
    ['(a) 100k tasks, Semaphore(10) across sleep(0), function*', figures.semaphore, 'ours-semaphoreGenerator'],
    ['(b) 200k round trips, two tasks, two Queues, async', figures.queues, 'ours-queuesAsync'],
    ['(b) 200k round trips, two tasks, two Queues, function*', figures.queues, 'ours-queuesGenerator'],
    ['(c) 1M uncontended Lock acquire/release, async', figures.lock, 'ours-lockAsync'],
    ['(c) 1M uncontended Lock, async, `using held = await lock.hold()`', figures.lock, 'ours-lockHold'],
    ['(c) 1M uncontended Lock acquire/release, function*', figures.lock, 'ours-lockGenerator'],
  ].map(([workload, base, name]) => ({
    workload: workload as string,
    unit: 'ops/s',
    figures: withOurs(base as Record<string, number | null>, name as string),
    higherIsBetter: true,
  }));
  printTable(`@asyncio-ts/sync against CPython asyncio, p-limit and async-mutex (best of ${ROUNDS}, each JS workload alone in a fresh process)`, rows, OURS, baselines);
}
