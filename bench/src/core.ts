// Issue 2's workloads: the loop's scheduling, timers, tasks and memory per
// task, in CPython asyncio (and uvloop), in raw Node and in @asyncio-ts/core.
import { gather, newEventLoop, sleep, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { bestOf, collectGarbage, printTable, pythons, runPython, sleepZeroThenable, type Row } from './harness.js';

const N_CALL_SOON = 1_000_000;
const N_TIMERS = 200_000;
const N_TASKS = 100_000;
const N_MEMORY_TASKS = 100_000;
const ROUNDS = 3;

interface PythonResults {
  python: string;
  executable: string;
  loops: Record<string, Record<string, number>>;
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

function seededDelays(count: number, maxSeconds: number): number[] {
  let state = 42;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  return Array.from({ length: count }, () => next() * maxSeconds);
}

const ours = {
  callSoonQueued: () =>
    onLoop((loop) => {
      const done = loop.createFuture();
      let count = 0;
      const callback = () => {
        if (++count === N_CALL_SOON) done.setResult(undefined);
      };
      // Queued from inside a loop callback, where asyncio programs schedule.
      loop.callSoon(() => {
        for (let i = 0; i < N_CALL_SOON; i++) loop.callSoon(callback);
      });
      return done;
    }),
  callSoonChained: () =>
    onLoop((loop) => {
      const done = loop.createFuture();
      let count = 0;
      const callback = () => {
        if (++count === N_CALL_SOON) done.setResult(undefined);
        else loop.callSoon(callback);
      };
      loop.callSoon(callback);
      return done;
    }),
  timers: (delays: number[]) =>
    onLoop((loop) => {
      const done = loop.createFuture();
      let count = 0;
      const callback = () => {
        if (++count === N_TIMERS) done.setResult(undefined);
      };
      loop.callSoon(() => {
        for (const delay of delays) loop.callLater(delay, callback);
      });
      return done;
    }),
  tasksGenerator: () =>
    onLoop((loop) => {
      function* worker() {
        yield* sleep(0);
        yield* sleep(0);
        yield* sleep(0);
      }
      return loop.createTask(function* () {
        yield* gather(...Array.from({ length: N_TASKS }, () => worker()));
      });
    }),
  tasksAsync: () =>
    onLoop((loop) => {
      async function worker() {
        await sleep(0);
        await sleep(0);
        await sleep(0);
      }
      return loop.createTask(async () => {
        await gather(...Array.from({ length: N_TASKS }, () => () => worker()));
      });
    }),
};

const rawNode = {
  callSoonQueued: () =>
    new Promise<void>((resolve) => {
      let count = 0;
      const callback = () => {
        if (++count === N_CALL_SOON) resolve();
      };
      for (let i = 0; i < N_CALL_SOON; i++) setImmediate(callback);
    }),
  callSoonChained: () =>
    new Promise<void>((resolve) => {
      let count = 0;
      const callback = () => {
        if (++count === N_CALL_SOON) resolve();
        else setImmediate(callback);
      };
      setImmediate(callback);
    }),
  timers: (delays: number[]) =>
    new Promise<void>((resolve) => {
      let count = 0;
      const callback = () => {
        if (++count === N_TIMERS) resolve();
      };
      for (const delay of delays) setTimeout(callback, delay * 1000);
    }),
  tasks: async () => {
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    async function worker() {
      await tick();
      await tick();
      await tick();
    }
    await Promise.all(Array.from({ length: N_TASKS }, () => worker()));
  },
  /**
   * The floor of the async shape: the same tasks as bare async functions,
   * each in an AsyncLocalStorage context (what currentTask() stands on),
   * awaiting a thenable whose resolvers a "loop" drains once per macrotask,
   * as sleep(0) is. No Task, Future or handle.
   */
  tasksWithStore: async () => {
    const storage = new AsyncLocalStorage<number>();
    const sleep0 = sleepZeroThenable();
    async function worker() {
      await sleep0;
      await sleep0;
      await sleep0;
    }
    await Promise.all(Array.from({ length: N_TASKS }, (_, index) => storage.run(index, worker)));
  },
};

/** The limit for scheduling: a tight loop over an array-backed queue of functions. */
function tightLoopLimit(): number {
  const queue: (() => void)[] = [];
  let count = 0;
  const callback = () => {
    if (++count < N_CALL_SOON) queue.push(callback);
  };
  const start = performance.now();
  queue.push(callback);
  for (let i = 0; i < queue.length; i++) queue[i]!();
  return N_CALL_SOON / ((performance.now() - start) / 1000);
}

// The coroutine functions of the memory workload, defined once as CPython's
// `sleeper` is: a function defined per task costs V8 a closure, and a
// generator function its own prototype and object shape, which would be
// counted per task here but are not in CPython's figure.
function* sleeperGenerator(gate: Future<void>) {
  yield* gate;
}

async function sleeperAsync(gate: Future<void>): Promise<void> {
  await gate;
}

/** Heap bytes per pending task: N tasks all waiting on one Future. */
async function memoryPerTask(shape: 'generator' | 'async'): Promise<number | null> {
  if ((globalThis as { gc?: unknown }).gc === undefined) return null;
  let perTask = 0;
  await onLoop((loop) =>
    loop.createTask(async () => {
      const gate = loop.createFuture<void>();
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      // Like CPython's create_task(sleeper(event)): a coroutine object per
      // task; an async function is passed as a function to call, so that its
      // body starts in the task's first step, as a coroutine's does.
      const tasks =
        shape === 'generator'
          ? Array.from({ length: N_MEMORY_TASKS }, () => loop.createTask(sleeperGenerator(gate)))
          : Array.from({ length: N_MEMORY_TASKS }, () => loop.createTask(() => sleeperAsync(gate)));
      await sleep(0.01);
      collectGarbage();
      perTask = (process.memoryUsage().heapUsed - before) / N_MEMORY_TASKS;
      gate.setResult();
      await gather(...tasks);
    }),
  );
  return perTask;
}

async function rawNodeMemoryPerTask(): Promise<number | null> {
  if ((globalThis as { gc?: unknown }).gc === undefined) return null;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const pending = Array.from({ length: N_MEMORY_TASKS }, async () => {
    await gate;
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  collectGarbage();
  const perTask = (process.memoryUsage().heapUsed - before) / N_MEMORY_TASKS;
  release();
  await Promise.all(pending);
  return perTask;
}

/** The workloads of ours and of raw Node, each measured alone in a fresh process (see benchCore). */
const isolated: Record<string, (delays: number[]) => Promise<number | null>> = {
  'node-callSoonQueued': () => bestOf(ROUNDS, N_CALL_SOON, rawNode.callSoonQueued),
  'node-callSoonChained': () => bestOf(ROUNDS, N_CALL_SOON, rawNode.callSoonChained),
  'node-timers': (delays) => bestOf(ROUNDS, N_TIMERS, () => rawNode.timers(delays)),
  'node-tasks': () => bestOf(ROUNDS, N_TASKS, rawNode.tasks),
  'node-tasks-store': () => bestOf(ROUNDS, N_TASKS, rawNode.tasksWithStore),
  'node-memory': () => rawNodeMemoryPerTask(),
  'ours-callSoonQueued': () => bestOf(ROUNDS, N_CALL_SOON, ours.callSoonQueued),
  'ours-callSoonChained': () => bestOf(ROUNDS, N_CALL_SOON, ours.callSoonChained),
  'ours-timers': (delays) => bestOf(ROUNDS, N_TIMERS, () => ours.timers(delays)),
  'ours-tasksGenerator': () => bestOf(ROUNDS, N_TASKS, ours.tasksGenerator),
  'ours-tasksAsync': () => bestOf(ROUNDS, N_TASKS, ours.tasksAsync),
  'ours-memoryGenerator': () => memoryPerTask('generator'),
  'ours-memoryAsync': () => memoryPerTask('async'),
};

/** Runs one isolated workload in this process and prints its figure (the child side). */
export async function benchCoreWorkload(name: string): Promise<void> {
  const workload = isolated[name];
  if (workload === undefined) throw new Error(`unknown core workload ${name}`);
  const figure = await workload(seededDelays(N_TIMERS, 0.05));
  console.log(JSON.stringify({ figure }));
}

/**
 * Each workload runs in a fresh Node process, as CPython's pyperformance runs
 * each benchmark: in one process they would share a heap grown by the ones
 * before (a million handles promoted to the old space) and V8's inline caches
 * turned megamorphic by both coroutine shapes.
 */
function measureAlone(name: string): number | null {
  const child = spawnSync(process.execPath, ['--expose-gc', process.argv[1]!, 'core-workload', name], { encoding: 'utf8' });
  if (child.status !== 0) {
    process.stderr.write(`core workload ${name} failed:\n${child.stderr}\n`);
    return null;
  }
  return (JSON.parse(child.stdout.trim().split('\n').pop()!) as { figure: number | null }).figure;
}

export async function benchCore(): Promise<void> {
  const figures: Record<string, Record<string, number | null>> = {
    callSoonQueued: {},
    callSoonChained: {},
    timers: {},
    tasksGenerator: {},
    tasksAsync: {},
    memoryPerTask: {},
  };
  const baselines: string[] = [];
  for (const python of pythons()) {
    const result = runPython<PythonResults>(python, 'core_bench.py');
    if (result === null) continue;
    for (const [loopName, values] of Object.entries(result.loops)) {
      const column = `${loopName} ${result.python}${python === '/usr/bin/python3' ? '' : ' (PATH)'}`;
      baselines.push(column);
      figures.callSoonQueued![column] = values.callSoonQueued!;
      figures.callSoonChained![column] = values.callSoonChained!;
      figures.timers![column] = values.timers!;
      figures.tasksGenerator![column] = values.tasks!;
      figures.tasksAsync![column] = values.tasks!;
      figures.memoryPerTask![column] = values.memoryPerTask!;
    }
  }

  figures.callSoonQueued!['Node setImmediate'] = measureAlone('node-callSoonQueued');
  figures.callSoonChained!['Node setImmediate'] = measureAlone('node-callSoonChained');
  figures.callSoonChained!['JS tight loop (limit)'] = tightLoopLimit();
  figures.timers!['Node setTimeout'] = measureAlone('node-timers');
  figures.tasksAsync!['Node setImmediate'] = measureAlone('node-tasks');
  figures.tasksAsync!['Node + AsyncLocalStorage (floor)'] = measureAlone('node-tasks-store');
  figures.memoryPerTask!['Node promise'] = measureAlone('node-memory');

  figures.callSoonQueued!['asyncio-ts'] = measureAlone('ours-callSoonQueued');
  figures.callSoonChained!['asyncio-ts'] = measureAlone('ours-callSoonChained');
  figures.timers!['asyncio-ts'] = measureAlone('ours-timers');
  figures.tasksGenerator!['asyncio-ts'] = measureAlone('ours-tasksGenerator');
  figures.tasksAsync!['asyncio-ts'] = measureAlone('ours-tasksAsync');
  figures.memoryPerTask!['asyncio-ts'] = measureAlone('ours-memoryGenerator');
  figures.memoryPerTask!['asyncio-ts async'] = measureAlone('ours-memoryAsync');

  const rows: Row[] = [
    { workload: '(a) 1M callSoon, queued at once', unit: 'ops/s', figures: figures.callSoonQueued!, higherIsBetter: true },
    { workload: '(a) 1M callSoon, each schedules the next', unit: 'ops/s', figures: figures.callSoonChained!, higherIsBetter: true },
    { workload: '(b) 200k callLater, random 0-50 ms', unit: 'ops/s', figures: figures.timers!, higherIsBetter: true },
    { workload: '(c) 100k tasks x 3 sleep(0), function*', unit: 'ops/s', figures: figures.tasksGenerator!, higherIsBetter: true },
    { workload: '(c) 100k tasks x 3 sleep(0), async', unit: 'ops/s', figures: figures.tasksAsync!, higherIsBetter: true },
    { workload: '(d) memory per pending task (function*; async beside)', unit: 'bytes', figures: figures.memoryPerTask!, higherIsBetter: false },
  ];
  printTable('@asyncio-ts/core: the loop against CPython asyncio, uvloop and raw Node', rows, 'asyncio-ts', baselines);
}
