// Issue 5's workload: 20,000 sequential round trips from synchronous code to
// an event loop in another thread, blocking for each result: CPython's
// asyncio.run_coroutine_threadsafe(coro, loop).result(), synckit's
// createSyncFn(), and @asyncio-ts/threads (runSync(), and a LoopThread's
// runCoroutine().result()).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createSyncFn } from 'synckit';
import { LoopThread, runSync, shutdownRunSync } from '@asyncio-ts/threads';
import { benchRoot, bestOf, printTable, pythons, runPython, type Row } from './harness.js';

const N = 20_000;
const ROUNDS = 3;
const OURS = 'asyncio-ts runSync';
const OURS_THREAD = 'asyncio-ts LoopThread';
const SYNCKIT = 'synckit';

const echoRef = { module: pathToFileURL(join(benchRoot, 'fixtures', 'threads-echo.mjs')), export: 'echo' };
const synckitWorker = pathToFileURL(join(benchRoot, 'fixtures', 'threads-synckit-worker.mjs'));

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

  const contenders: [string, () => void][] = [
    [SYNCKIT, () => {
      for (let i = 0; i < N; i++) echoSync(i);
    }],
    [OURS, () => {
      for (let i = 0; i < N; i++) runSync(echoRef, i);
    }],
    [OURS_THREAD, () => {
      for (let i = 0; i < N; i++) thread.runCoroutine(echoRef, i).result();
    }],
  ];
  // Warm-up, then the rounds interleaved so that load from elsewhere does not fall on one alone.
  for (const [, run] of contenders) run();
  for (const [name] of contenders) figures[name] = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of contenders) figures[name] = Math.max(figures[name]!, await bestOf(1, N, run));
  }
  await thread.shutdown();
  await shutdownRunSync();

  const baselines = [SYNCKIT];
  for (const python of pythons()) {
    const result = runPython<{ python: string; roundTrips: number }>(python, 'threads_bench.py');
    const name = `CPython ${result?.python ?? '?'} (${python})`;
    figures[name] = result?.roundTrips ?? null;
    baselines.push(name);
  }
  const rows: Row[] = [{ workload: `${N.toLocaleString('en')} sequential blocking round trips`, unit: 'ops/s', figures, higherIsBetter: true }];
  printTable('threads: sync code -> loop thread -> blocking result', rows, OURS, baselines);
}
