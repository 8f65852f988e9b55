import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '@asyncio-ts/executors';
import { AsyncRunner, main } from '../src/async-runner.js';
import { captureLines, shapes } from './capture.js';

describe.each(shapes)('async-runner (%s)', (shape) => {
  it('blocks for the result of the coroutine run by the AsyncRunner, after about its sleep', async () => {
    const started = performance.now();
    const lines = await captureLines(() => main({ shape, scale: 0.2 }));
    expect(lines).toEqual(['Result from async']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('AsyncRunner', () => {
  it('throws TimeoutError from result(timeout) and leaves the coroutine running, then gives its result', () => {
    const runner = new AsyncRunner();
    try {
      const future = runner.runCoroutine<string>('asyncOperation', 0.3);
      expect(() => future.result(0.05)).toThrow(TimeoutError);
      expect(future.result(10)).toBe('Result from async');
    } finally {
      runner.shutdown();
    }
  });

  it("hands back the coroutine's error", () => {
    const runner = new AsyncRunner();
    try {
      expect(() => runner.runCoroutine('failingOperation', 'bad input').result(10)).toThrow(/bad input/);
    } finally {
      runner.shutdown();
    }
  });

  it('cancels the coroutine through its future', () => {
    const runner = new AsyncRunner();
    try {
      const future = runner.runCoroutine('asyncOperationGenerator', 30);
      expect(future.cancel()).toBe(true);
      expect(() => future.result(10)).toThrow(CancelledError);
    } finally {
      runner.shutdown();
    }
  });
});
