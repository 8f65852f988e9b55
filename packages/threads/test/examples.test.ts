import { describe, expect, it, vi } from 'vitest';
import { main as asyncRunner } from '../examples/async-runner.js';
import { main as loopInThread } from '../examples/loop-in-thread.js';
import { main as readmeUsage } from '../examples/readme-usage.js';

describe('examples', () => {
  it('async-runner: blocks for the coroutine run by the AsyncRunner', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const started = performance.now();
    expect(asyncRunner(0.1)).toBe('Result from async');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(log).toHaveBeenCalledWith('Result from async');
    log.mockRestore();
  });

  it('loop-in-thread: runs a coroutine on a loop in another thread', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(loopInThread()).toMatch(/^someCoroutine ran in task Task-\d+$/);
    log.mockRestore();
  });

  it('readme-usage: the README snippet runs', () => {
    expect(readmeUsage()).toEqual(['hello, sync world', 'hello, loop thread', '42']);
  });
});
