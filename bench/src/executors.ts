// Issue 4's workloads: calls through a thread pool, in CPython
// (loop.run_in_executor with a ThreadPoolExecutor), piscina, a bare worker
// (the floor) and @asyncio-ts/executors (plain, and through the loop).
//
// (a) 20,000 trivial calls: throughput with all of them submitted at once and
//     awaited, and the median latency of sequential round trips.
// (b) 200 CPU-bound calls of about 5 ms each on two workers: the total time
//     against the ideal, the CPU work divided by two cores.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { gather, getRunningLoop, run, type BaseEventLoop } from '@asyncio-ts/core';
// bench does not depend on @asyncio-ts/executors itself: this is the
// package's built dist/index.js, the very file that @asyncio-ts/core imports
// at run time, so the bundle holds one copy of the pool.
import { ThreadPoolExecutor, type ModuleReference } from '../../packages/executors/dist/index.js';
import { benchRoot, bestOf, collectGarbage, printTable, pythons, runPython, type Row } from './harness.js';

/**
 * The executor as loop.runInExecutor() types it. Type-checking sees core's
 * sources (the "@asyncio-ts/source" condition), whose Executor type comes
 * from the executors' sources, not from the dist/ declarations used here;
 * at run time both are the same class.
 */
type LoopExecutor = NonNullable<Parameters<BaseEventLoop['runInExecutor']>[0]>;
const forLoop = (executor: InstanceType<typeof ThreadPoolExecutor>) => executor as unknown as LoopExecutor;

const N_TRIVIAL = 20_000;
const N_CPU = 200;
const CPU_WORKERS = 2;
const CPU_CALL_MS = 5;
const ROUNDS = 3;
const RAW = 'raw worker (floor)';
const OURS = 'asyncio-ts';
const OURS_LOOP = 'asyncio-ts loop';

const workUrl = pathToFileURL(join(benchRoot, 'fixtures', 'executors-work.mjs'));
const echoUrl = pathToFileURL(join(benchRoot, 'fixtures', 'executors-echo.mjs'));
const noopRef: ModuleReference<(value: number) => number> = { module: workUrl, export: 'noop' };
const spinRef: ModuleReference<(iterations: number) => number> = { module: workUrl, export: 'spin' };

interface LoopResults {
  throughput: number;
  latencyUs: number;
  latencyP10Us: number;
  cpuS: number;
}

interface PythonResults {
  python: string;
  executable: string;
  cpu: { iterations: number; callMs: number; idealS: number };
  loops: Record<string, LoopResults>;
}

/** What one implementation measured. */
interface Figures {
  throughput: number;
  latencyUs: number;
  /** The 10th percentile of the round trips: the fast mode, when the worker's vCPU had not gone idle. */
  latencyP10Us: number;
  cpuS: number;
  /** (b)'s total against the calls' own times / CPU_WORKERS: 1 when no worker ever waited. */
  busy?: number;
}

/**
 * The pool looks for its worker entries at ./workers/<name>.js beside its
 * own module (packages/executors/src/entries.ts); bundled into dist/main.js,
 * that is bench/dist/workers/. Writes one-line entries there that import the
 * package's built ones (tsup cleans dist/ on every build, so at startup).
 */
function ensureExecutorWorkers(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  if (here !== join(benchRoot, 'dist')) return; // not bundled: the package finds its own
  const built = join(benchRoot, '..', 'packages', 'executors', 'dist', 'workers');
  if (!existsSync(join(built, 'thread.js'))) {
    throw new Error(`${built}/thread.js is missing: build @asyncio-ts/executors first (turbo run build --filter=@asyncio-ts/bench...)`);
  }
  mkdirSync(join(here, 'workers'), { recursive: true });
  for (const name of ['supervisor', 'thread', 'process-proxy', 'child']) {
    writeFileSync(join(here, 'workers', `${name}.js`), `import ${JSON.stringify(pathToFileURL(join(built, `${name}.js`)).href)};\n`);
  }
}

/** The iteration count of spin() for about CPU_CALL_MS here, and its time in ms. */
async function calibrate(): Promise<{ iterations: number; callMs: number }> {
  const { spin } = (await import(workUrl.href)) as { spin: (iterations: number) => number };
  // The fastest of many runs, so that a run slowed by other work on the box
  // (or by the hypervisor, which even CPU time does not exclude in a VM) does not count.
  const timeCall = (iterations: number): number => {
    let best = Infinity;
    for (let i = 0; i < 15; i++) best = Math.min(best, spin(iterations));
    return best;
  };
  // Warm up first: on a busy box V8's background compiler may take a while
  // to install the optimised loop, and calibrating the unoptimised one is 5x off.
  for (const until = performance.now() + 300; performance.now() < until; ) spin(100_000);
  let iterations = 1_000_000;
  for (let attempt = 0; attempt < 5; attempt++) {
    const callMs = timeCall(iterations);
    if (Math.abs(callMs - CPU_CALL_MS) < CPU_CALL_MS * 0.02) break;
    iterations = Math.max(1, Math.round((iterations * CPU_CALL_MS) / callMs));
  }
  return { iterations, callMs: timeCall(iterations) };
}

/** One implementation's side of the workloads. */
interface Contender {
  name: string;
  /** One trivial call of (a). */
  trivial(i: number): PromiseLike<unknown>;
  /** All N_TRIVIAL trivial calls at once, awaited. */
  allTrivial(): Promise<void>;
  /** All N_CPU CPU-bound calls at once on CPU_WORKERS workers, awaited; the sum of their times in ms. */
  allCpu(): Promise<number>;
}

/** Calls per contender in a turn of the latency measurement. */
const LATENCY_SLICE = 500;

/**
 * The median and the 10th percentile of N_TRIVIAL sequential round trips of
 * each contender, in µs. The contenders take turns every LATENCY_SLICE
 * calls: on this VM a bare round trip takes ~11 µs, or ~70 µs when the
 * worker's vCPU went idle meanwhile (which a busy box prevents), and that
 * changes within seconds, so each contender must see the same mix.
 */
async function latenciesUs(contenders: Contender[]): Promise<{ median: number; p10: number }[]> {
  const times = contenders.map(() => new Float64Array(N_TRIVIAL));
  for (let offset = 0; offset < N_TRIVIAL; offset += LATENCY_SLICE) {
    for (let k = 0; k < contenders.length; k++) {
      const { trivial } = contenders[k]!;
      const own = times[k]!;
      for (let i = offset; i < offset + LATENCY_SLICE; i++) {
        const start = performance.now();
        await trivial(i);
        own[i] = performance.now() - start;
      }
    }
  }
  return times.map((own) => {
    own.sort();
    return { median: ((own[N_TRIVIAL / 2 - 1]! + own[N_TRIVIAL / 2]!) / 2) * 1000, p10: own[N_TRIVIAL / 10]! * 1000 };
  });
}

/**
 * Measures the contenders: a warm-up round (workers start lazily, the JIT
 * warms up), then ROUNDS rounds, each contender in turn within a round (and
 * within the latency run, every LATENCY_SLICE calls), so that a burst of
 * load from elsewhere on the box does not fall on one of them alone; the
 * best round counts.
 */
async function measure(contenders: Contender[]): Promise<Map<string, Figures>> {
  const figures = new Map(contenders.map((each): [string, Required<Figures>] => [each.name, { throughput: 0, latencyUs: Infinity, latencyP10Us: Infinity, cpuS: Infinity, busy: Infinity }]));
  for (const each of contenders) {
    await each.allTrivial();
    await each.allCpu();
  }
  for (let round = 0; round < ROUNDS; round++) {
    collectGarbage();
    const latencies = await latenciesUs(contenders);
    contenders.forEach((each, k) => {
      const best = figures.get(each.name)!;
      best.latencyUs = Math.min(best.latencyUs, latencies[k]!.median);
      best.latencyP10Us = Math.min(best.latencyP10Us, latencies[k]!.p10);
    });
    for (const each of contenders) {
      const best = figures.get(each.name)!;
      best.throughput = Math.max(best.throughput, await bestOf(1, N_TRIVIAL, () => each.allTrivial()));
      let callsMs = 0;
      const cpuS = N_CPU / (await bestOf(1, N_CPU, async () => void (callsMs = await each.allCpu())));
      best.cpuS = Math.min(best.cpuS, cpuS);
      best.busy = Math.min(best.busy, cpuS / (callsMs / 1000 / CPU_WORKERS));
    }
  }
  return figures;
}

/** Awaits `count` calls made at once. */
async function allAtOnce(count: number, call: (i: number) => PromiseLike<unknown>): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => call(i)));
}

/** Awaits `count` calls of spin() made at once; the sum of their times. */
async function sumOfCalls(count: number, call: () => PromiseLike<number>): Promise<number> {
  const times = await Promise.all(Array.from({ length: count }, call));
  return times.reduce((sum, each) => sum + each, 0);
}

/** A bare worker: one postMessage each way per call. */
class RawWorker {
  readonly #worker = new Worker(echoUrl);
  readonly #pending = new Map<number, (value: unknown) => void>();
  #nextId = 0;

  constructor() {
    this.#worker.on('message', ([id, value]: [number, unknown]) => {
      const resolve = this.#pending.get(id)!;
      this.#pending.delete(id);
      resolve(value);
    });
  }

  call(name: 'noop' | 'spin', argument: number): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#worker.postMessage([id, name, argument]);
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

/** The floor: one bare worker for (a), two for (b), each taking the next call when done with one. */
function rawWorkers(iterations: number): Contender & { close(): Promise<void> } {
  const one = new RawWorker();
  const cpuWorkers = Array.from({ length: CPU_WORKERS }, () => new RawWorker());
  return {
    name: RAW,
    trivial: (i) => one.call('noop', i),
    allTrivial: () => allAtOnce(N_TRIVIAL, (i) => one.call('noop', i)),
    allCpu: async () => {
      let next = 0;
      let sum = 0;
      await Promise.all(
        cpuWorkers.map(async (worker) => {
          while (next < N_CPU) {
            next++;
            // Not `sum += await ...`: that reads sum before the await, losing the other worker's additions.
            const time = (await worker.call('spin', iterations)) as number;
            sum += time;
          }
        }),
      );
      return sum;
    },
    close: async () => {
      await Promise.all([one, ...cpuWorkers].map((worker) => worker.terminate()));
    },
  };
}

function piscina(iterations: number): Contender & { close(): Promise<void> } {
  // Defaults for (a), as a user gets them: minThreads 1, maxThreads 3 on 2 CPUs.
  const trivial = new Piscina({ filename: workUrl.href });
  const cpu = new Piscina({ filename: workUrl.href, minThreads: CPU_WORKERS, maxThreads: CPU_WORKERS });
  return {
    name: 'piscina',
    trivial: (i) => trivial.run(i, { name: 'noop' }),
    allTrivial: () => allAtOnce(N_TRIVIAL, (i) => trivial.run(i, { name: 'noop' })),
    allCpu: () => sumOfCalls(N_CPU, () => cpu.run(iterations, { name: 'spin' }) as Promise<number>),
    close: async () => {
      await Promise.all([trivial.destroy(), cpu.destroy()]);
    },
  };
}

/** Ours, plain: submit() and await the concurrent Future. */
function executorsPlain(iterations: number): Contender & { close(): Promise<void> } {
  // Defaults for (a): maxWorkers min(32, CPUs + 4) = 6, as Python's.
  const trivial = new ThreadPoolExecutor();
  const cpu = new ThreadPoolExecutor({ maxWorkers: CPU_WORKERS });
  return {
    name: OURS,
    trivial: (i) => trivial.submit(noopRef, i),
    allTrivial: () => allAtOnce(N_TRIVIAL, (i) => trivial.submit(noopRef, i)),
    allCpu: () => sumOfCalls(N_CPU, () => cpu.submit(spinRef, iterations)),
    close: async () => {
      await Promise.all([trivial.shutdown(), cpu.shutdown()]);
    },
  };
}

/**
 * Ours through the loop: loop.runInExecutor() inside run(), batches
 * gathered as asyncio code writes them. Measured last and alone: once a
 * loop has run, AsyncLocalStorage's promise hooks slow every promise of the
 * process, the other contenders' too.
 */
async function executorsThroughLoop(iterations: number): Promise<Figures> {
  const trivialPool = new ThreadPoolExecutor();
  const cpuPool = new ThreadPoolExecutor({ maxWorkers: CPU_WORKERS });
  const trivial = forLoop(trivialPool);
  const cpu = forLoop(cpuPool);
  try {
    return await run(async () => {
      const loop = getRunningLoop();
      const figures = await measure([
        {
          name: OURS_LOOP,
          trivial: (i) => loop.runInExecutor(trivial, noopRef, i),
          allTrivial: async () => {
            await gather(...Array.from({ length: N_TRIVIAL }, (_, i) => loop.runInExecutor(trivial, noopRef, i)));
          },
          allCpu: async () => {
            const times = await gather(...Array.from({ length: N_CPU }, () => loop.runInExecutor(cpu, spinRef, iterations)));
            return times.reduce((sum, each) => sum + each, 0);
          },
        },
      ]);
      return figures.get(OURS_LOOP)!;
    });
  } finally {
    await Promise.all([trivialPool.shutdown(), cpuPool.shutdown()]);
  }
}

export async function benchExecutors(): Promise<void> {
  ensureExecutorWorkers();
  const { iterations, callMs } = await calibrate();
  const nodeIdealS = (N_CPU * callMs) / 1000 / CPU_WORKERS;

  const rows = {
    throughput: {} as Record<string, number | null>,
    latency: {} as Record<string, number | null>,
    latencyP10: {} as Record<string, number | null>,
    cpu: {} as Record<string, number | null>,
    overIdeal: {} as Record<string, number | null>,
    busy: {} as Record<string, number | null>,
  };
  const record = (column: string, figures: Figures, idealS: number) => {
    rows.throughput[column] = figures.throughput;
    rows.latency[column] = figures.latencyUs;
    rows.latencyP10[column] = figures.latencyP10Us;
    rows.cpu[column] = figures.cpuS;
    rows.overIdeal[column] = figures.cpuS / idealS;
    if (figures.busy !== undefined) rows.busy[column] = figures.busy;
  };

  const baselines: string[] = [];
  const notes: string[] = [];
  // `--node-only` skips the CPython runs (a minute), for working on the Node side.
  for (const python of process.argv.includes('--node-only') ? [] : pythons()) {
    const result = runPython<PythonResults>(python, 'executors_bench.py');
    if (result === null) continue;
    notes.push(
      `CPython ${result.python} (${result.executable}): spin(${result.cpu.iterations}) = ${result.cpu.callMs.toFixed(2)} ms, ideal ${result.cpu.idealS.toFixed(3)} s`,
    );
    for (const [loopName, values] of Object.entries(result.loops)) {
      const column = `${loopName} ${result.python}${python === '/usr/bin/python3' ? '' : ' (PATH)'}`;
      baselines.push(column);
      record(column, values, result.cpu.idealS);
    }
  }
  notes.push(`Node ${process.version}: spin(${iterations}) = ${callMs.toFixed(2)} ms, ideal ${nodeIdealS.toFixed(3)} s (the ideal column)`);

  const contenders = [rawWorkers(iterations), piscina(iterations), executorsPlain(iterations)];
  try {
    for (const [name, figures] of await measure(contenders)) record(name, figures, nodeIdealS);
  } finally {
    await Promise.all(contenders.map((each) => each.close()));
  }
  baselines.push(RAW, 'piscina');
  record(OURS_LOOP, await executorsThroughLoop(iterations), nodeIdealS);
  rows.cpu['ideal'] = nodeIdealS;
  rows.overIdeal['ideal'] = 1;
  rows.busy['ideal'] = 1;

  const table: Row[] = [
    { workload: '(a) 20k trivial calls at once: throughput', unit: 'ops/s', figures: rows.throughput, higherIsBetter: true },
    { workload: '(a) 20k trivial calls one by one: median latency (µs)', unit: 'µs', figures: rows.latency, higherIsBetter: false },
    { workload: '(a) the same: 10th percentile (µs)', unit: 'µs', figures: rows.latencyP10, higherIsBetter: false },
    { workload: '(b) 200 CPU calls of ~5 ms on 2 workers: total (s)', unit: 's', figures: rows.cpu, higherIsBetter: false },
    { workload: '(b) total / ideal', unit: 'x', figures: rows.overIdeal, higherIsBetter: false },
    { workload: "(b) total / (calls' own time / 2)", unit: 'x', figures: rows.busy, higherIsBetter: false },
  ];
  printTable('@asyncio-ts/executors: thread pools against CPython, piscina and a bare worker', table, OURS, baselines);
  console.log(
    [
      '',
      `Best of ${ROUNDS} rounds each, after a warm-up round, on a shared 2-core box (noisy). The Node contenders take turns within each round (every ${LATENCY_SLICE} calls for the latency); ` +
        `${OURS_LOOP} runs last, alone (once a loop has run, AsyncLocalStorage's promise hooks slow every promise of the process).`,
      `(a): the pools at their defaults: CPython's ThreadPoolExecutor and asyncio-ts ${Math.min(32, availableParallelism() + 4)} workers, ` +
        `piscina ${Math.max(Math.floor(availableParallelism() / 2), 1)} to ${availableParallelism() * 1.5} threads; the floor is one bare worker. (b): ${CPU_WORKERS} workers each.`,
      'Latency on a VM is bimodal: ~10-20 µs, or ~60-80 µs when the vCPU of the thread to wake had gone idle (a busy box keeps it awake); ' +
        'the median lands on either side, the 10th percentile is the fast mode.',
      `(b): the call is a busy loop calibrated to ~${CPU_CALL_MS} ms on one thread in each language (CPython's holds the GIL, so its two threads take turns: ` +
        'that is the point of the comparison); ideal = 200 x the call / 2. The last row divides the total by the calls\' own wall time / 2 ' +
        '(Node only: each call times itself), so that CPU taken by other processes does not count: above 1.00x, workers sat idle.',
    ].join('\n'),
  );
  for (const note of notes) console.log(`- ${note}`);
}
