import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokenProcessPool, CancelledError, ProcessPoolExecutor } from '../src/index.js';
import { cancelFixture, dieFixture, elapsed, initFixture, mathFixture } from './helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, seconds = 5): Promise<void> {
  const end = performance.now() + seconds * 1000;
  while (!condition() && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('ProcessPoolExecutor', () => {
  const executor = new ProcessPoolExecutor({ maxWorkers: 2, cancelGrace: 0.2 });
  let pids: number[] = [];
  beforeAll(async () => {
    pids = await Promise.all([executor.submit(mathFixture('pid')), executor.submit(mathFixture('pid'))]);
  });
  afterAll(() => executor.shutdown());

  it('runs calls in child processes', async () => {
    expect(pids.every((pid) => pid !== process.pid)).toBe(true);
    expect(await executor.submit(mathFixture('add'), 2, 3)).toBe(5);
    expect(await executor.submit((x: number) => x * 2, 21)).toBe(42);
  });

  it('blocks in result() on the main thread until the child answers', () => {
    expect(executor.submit(mathFixture('slowAdd'), 1, 1, 0.05).result(10)).toBe(2);
  });

  it('delivers errors with their class name, message and the child stack', async () => {
    const future = executor.submit(mathFixture('fail'), 'in a child');
    await expect(future).rejects.toThrow('in a child');
    const error = future.exception() as Error & { detail: string };
    expect(error.name).toBe('CustomError');
    expect(error.detail).toBe('extra');
    expect(error.stack).toContain('fixtures/math.ts');
  });

  it('maps with chunks', () => {
    expect([...executor.map((x: number) => x * x, [1, 2, 3, 4, 5], { chunksize: 2 })]).toEqual([1, 4, 9, 16, 25]);
  });

  it('fires the abort event in the child when a running call is cancelled', async () => {
    const running = executor.submit(cancelFixture('awaitAbort'), 10);
    while (!running.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(running.cancel({ running: true })).toBe(true);
    await expect(running).rejects.toThrow(CancelledError);
    const after = await Promise.all([executor.submit(mathFixture('pid')), executor.submit(mathFixture('pid'))]);
    // No child was replaced: both are alive, and they serve the calls that follow.
    expect(pids.every(alive)).toBe(true);
    for (const pid of after) expect(pids).toContain(pid);
  });

  it('kills and replaces a child whose call ignores its cancellation past the grace period', async () => {
    const deaf = executor.submit(cancelFixture('spinIgnoring'), 30);
    while (!deaf.running()) await new Promise((resolve) => setTimeout(resolve, 1));
    const start = performance.now();
    expect(deaf.cancel({ running: true })).toBe(true);
    const after = await Promise.all([1, 2, 3, 4].map(() => executor.submit(mathFixture('sleepBlocking'), 0.05).then(() => executor.submit(mathFixture('pid')))));
    expect(elapsed(start)).toBeGreaterThanOrEqual(0.05);
    const replaced = pids.filter((pid) => !alive(pid));
    expect(replaced).toHaveLength(1);
    expect(after.every((pid) => pid !== replaced[0])).toBe(true);
    pids = [...new Set(after)];
  });
});

describe('ProcessPoolExecutor workers', () => {
  it('run the initializer in each child', async () => {
    await using executor = new ProcessPoolExecutor({ maxWorkers: 1, initializer: initFixture('initialize'), initargs: ['from the parent'] });
    expect(await executor.submit(initFixture('initialized'))).toBe('from the parent');
  });

  it('break the pool with BrokenProcessPool when the initializer fails', async () => {
    const executor = new ProcessPoolExecutor({ maxWorkers: 1, initializer: initFixture('failToInitialize') });
    const future = executor.submit((x: number) => x, 1);
    expect(() => future.result(20)).toThrow(BrokenProcessPool);
    expect((future.exception() as Error).message).toBe('A process initializer failed, the process pool is not usable anymore');
    await executor.shutdown();
  });

  it('are replaced after maxTasksPerChild calls', async () => {
    await using executor = new ProcessPoolExecutor({ maxWorkers: 1, maxTasksPerChild: 2 });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push(await executor.submit(mathFixture('pid')));
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).toBe(seen[3]);
    expect(seen[1]).not.toBe(seen[2]);
  });

  it('break the pool when a child dies: every pending future gets BrokenProcessPool, even one blocked in result()', async () => {
    const executor = new ProcessPoolExecutor({ maxWorkers: 1 });
    const dying = executor.submit(dieFixture('exitWorker'), 7);
    const queued = executor.submit((x: number) => x, 1);
    expect(() => queued.result()).toThrow(BrokenProcessPool);
    expect((dying.exception() as Error).message).toBe('A child process terminated abruptly (exit code 7), the process pool is not usable anymore');
    expect(() => executor.submit((x: number) => x, 2)).toThrow(BrokenProcessPool);
    await executor.shutdown();
  });

  it('leave no child process behind after shutdown', async () => {
    const executor = new ProcessPoolExecutor({ maxWorkers: 2 });
    const children = await Promise.all([executor.submit(mathFixture('pid')), executor.submit(mathFixture('pid'))]);
    expect(children.every(alive)).toBe(true);
    await executor.shutdown();
    await waitUntil(() => !children.some(alive));
    expect(children.some(alive)).toBe(false);
  });
});
