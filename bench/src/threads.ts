// Issue 5's workload: 20,000 sequential round trips from synchronous code to
// an event loop in another thread, blocking for each result: CPython's
// asyncio.run_coroutine_threadsafe(coro, loop).result(), synckit's
// createSyncFn(), @asyncio-ts/threads (runSync(), and a LoopThread's
// runCoroutine().result()), and the raw floor of a port round trip
// (postMessage, Atomics.wait, receiveMessageOnPort, to a bare echo worker).
// Throughput (the best of interleaved rounds) and median latency.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { createSyncFn } from 'synckit';
import { LoopThread, runSync, shutdownRunSync } from '@asyncio-ts/threads';
import { benchRoot, bestOf, printTable, pythons, runPython, type Row } from './harness.js';

const N = 20_000;
const ROUNDS = 5;
/** Round trips timed one by one for the median latency. */
const LATENCY_SAMPLES = 2_000;
const OURS = 'asyncio-ts runSync';
const OURS_THREAD = 'asyncio-ts LoopThread';
const SYNCKIT = 'synckit';
const FLOOR = 'raw Atomics.wait + receiveMessageOnPort';

const echoRef = { module: pathToFileURL(join(benchRoot, 'fixtures', 'threads-echo.mjs')), export: 'echo' };
const synckitWorker = pathToFileURL(join(benchRoot, 'fixtures', 'threads-synckit-worker.mjs'));
const floorWorker = pathToFileURL(join(benchRoot, 'fixtures', 'threads-floor-worker.mjs'));

/** The raw floor: one blocking round trip to a bare echo worker, as synckit makes it, without its protocol. */
function rawRoundTrip(): { call: (value: number) => unknown; worker: Worker } {
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(floorWorker, { workerData: { port: port2, wake }, transferList: [port2] });
  worker.unref();
  const call = (value: number): unknown => {
    let seen = Atomics.load(wake, 0);
    port1.postMessage(value);
    for (;;) {
      const received = receiveMessageOnPort(port1);
      if (received !== undefined) return received.message;
      // Atomics.wait can return on a stale wake-up, and the word may move between the drain and the wait.
      const now = Atomics.load(wake, 0);
      if (now !== seen) seen = now;
      else Atomics.wait(wake, 0, seen);
    }
  };
  return { call, worker };
}

/** The median of `samples` single round trips, in ms. */
function medianLatency(roundTrip: (value: number) => unknown): number {
  const times = new Float64Array(LATENCY_SAMPLES);
  for (let index = 0; index < LATENCY_SAMPLES; index++) {
    const start = performance.now();
    roundTrip(index);
    times[index] = performance.now() - start;
  }
  times.sort();
  return times[LATENCY_SAMPLES >> 1]!;
}

/**
 * LoopThread looks for its entry at ./workers/loop.js beside its own module;
 * bundled into dist/main.js, that is bench/dist/workers/. Writes a one-line
 * entry there that imports the package's built one.
 */
function ensureLoopWorker(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  if (here !== join(benchRoot, 'dist')) return;
  const built = join(benchRoot, '..', 'packages', 'threads', 'dist', 'workers', 'loop.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: build @asyncio-ts/threads first (turbo run build --filter=@asyncio-ts/bench...)`);
  mkdirSync(join(here, 'workers'), { recursive: true });
  writeFileSync(join(here, 'workers', 'loop.js'), `import ${JSON.stringify(pathToFileURL(built).href)};\n`);
}

export async function benchThreads(): Promise<void> {
  ensureLoopWorker();
  const figures: Record<string, number | null> = {};

  const echoSync = createSyncFn<(value: number) => Promise<number>>(synckitWorker.href);
  echoSync(0);
  const thread = new LoopThread({ daemon: true }).start();
  thread.runCoroutine(echoRef, 0).result();
  runSync(echoRef, 0);
  const floor = rawRoundTrip();
  floor.call(0);

  const roundTrips: [string, (value: number) => unknown][] = [
    [SYNCKIT, (value) => echoSync(value)],
    [FLOOR, floor.call],
    [OURS, (value) => runSync(echoRef, value)],
    [OURS_THREAD, (value) => thread.runCoroutine(echoRef, value).result()],
  ];
  const contenders = roundTrips.map(([name, roundTrip]): [string, () => void] => [
    name,
    () => {
      for (let i = 0; i < N; i++) roundTrip(i);
    },
  ]);
  // Warm-up, then the rounds interleaved so that load from elsewhere does not fall on one alone.
  for (const [, run] of contenders) run();
  for (const [name] of contenders) figures[name] = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of contenders) figures[name] = Math.max(figures[name]!, await bestOf(1, N, run));
  }
  const latencies: Record<string, number | null> = {};
  for (const [name, roundTrip] of roundTrips) latencies[name] = medianLatency(roundTrip);
  await thread.shutdown();
  await shutdownRunSync();
  await floor.worker.terminate();

  const baselines = [SYNCKIT, FLOOR];
  for (const python of pythons()) {
    const result = runPython<{ python: string; roundTrips: number; latency: number }>(python, 'threads_bench.py');
    const name = `CPython ${result?.python ?? '?'} (${python})`;
    figures[name] = result?.roundTrips ?? null;
    latencies[name] = result?.latency ?? null;
    baselines.push(name);
  }
  const rows: Row[] = [
    { workload: `${N.toLocaleString('en')} sequential blocking round trips`, unit: 'ops/s', figures, higherIsBetter: true },
    { workload: 'median latency of one round trip', unit: 'ms', figures: latencies, higherIsBetter: false },
  ];
  printTable('threads: sync code -> loop thread -> blocking result', rows, OURS, baselines);
}
