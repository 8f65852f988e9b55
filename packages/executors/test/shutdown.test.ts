import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError, ThreadPoolExecutor } from '../src/index.js';
import { elapsed, mathFixture } from './helpers.js';

const run = promisify(execFile);

describe('shutdown()', () => {
  it('lets the submitted work finish, then resolves once the workers have ended', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const futures = [0.05, 0.05, 0.05].map((seconds) => executor.submit(mathFixture('sleepBlocking'), seconds));
    await executor.shutdown();
    expect(futures.map((future) => future.result(0))).toEqual([0.05, 0.05, 0.05]);
    expect(() => executor.submit((x: number) => x, 1)).toThrow(RuntimeError);
  });

  it('resolves at once with wait: false; the work still runs', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const future = executor.submit(mathFixture('sleepBlocking'), 0.5);
    const start = performance.now();
    await executor.shutdown({ wait: false });
    expect(elapsed(start)).toBeLessThan(0.3);
    expect(await future).toBe(0.5);
  });

  it('cancels the calls not started with cancelFutures; the running one finishes', async () => {
    const executor = new ThreadPoolExecutor({ maxWorkers: 1 });
    const running = executor.submit(mathFixture('sleepBlocking'), 0.2);
    const queued = [1, 2, 3].map((x) => executor.submit((y: number) => y, x));
    while (!running.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    await executor.shutdown({ cancelFutures: true });
    expect(running.result(0)).toBe(0.2);
    for (const future of queued) {
      expect(future.cancelled()).toBe(true);
      expect(() => future.result()).toThrow(CancelledError);
    }
  });

  it('can be called again, and on an executor that never started a worker', async () => {
    const executor = new ThreadPoolExecutor();
    await executor.shutdown();
    await executor.shutdown({ cancelFutures: true });
    expect(() => executor.shutdown(null as never)).toThrow(/options object/);
  });
});

describe('disposal', () => {
  it('`using` shuts down and blocks until the work is done, as Python\'s with', () => {
    let future;
    {
      using executor = new ThreadPoolExecutor({ maxWorkers: 2 });
      future = executor.submit(mathFixture('sleepBlocking'), 0.05);
    }
    expect(future.done()).toBe(true);
    expect(future.result()).toBe(0.05);
  });

  it('`await using` shuts down and awaits the work', async () => {
    let future;
    let executorRef: ThreadPoolExecutor;
    {
      await using executor = new ThreadPoolExecutor({ maxWorkers: 1 });
      executorRef = executor;
      future = executor.submit(mathFixture('slowAdd'), 1, 2, 0.05);
    }
    expect(future.result(0)).toBe(3);
    expect(() => executorRef.submit((x: number) => x, 1)).toThrow(RuntimeError);
  });
});

describe('the process', () => {
  const script = fileURLToPath(new URL('./fixtures/idle-exit.ts', import.meta.url));
  const runScript = (mode: string) =>
    run(process.execPath, ['--import', 'tsx', '--conditions=@asyncio-ts/source', script, mode], { timeout: 20_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });

  it('is not kept alive by idle workers, shut down or not', async () => {
    const [idle, shutDown] = await Promise.all([runScript('idle'), runScript('shutdown')]);
    expect(idle.stdout).toBe('first 42\nleft idle\n');
    expect(shutDown.stdout).toBe('first 42\nshut down\n');
  });

  it('is kept alive by work in flight until it is done', async () => {
    const pending = await runScript('pending');
    expect(pending.stdout).toBe('first 42\nlate result\n');
  });
});
