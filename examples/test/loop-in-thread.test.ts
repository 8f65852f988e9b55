import { describe, expect, it } from 'vitest';
import { CancelledError } from '@asyncio-ts/executors';
import { LoopThread, runCoroutineThreadsafe } from '@asyncio-ts/threads';
import { main } from '../src/loop-in-thread.js';
import { threadWork } from '../src/thread-work.js';
import { captureLines, shapes } from './capture.js';

const work = (name: string) => threadWork(new URL('../src/loop-in-thread.ts', import.meta.url).href, name);

describe.each(shapes)('loop-in-thread (%s)', (shape) => {
  it('runs the coroutine on the loop of another thread and prints what it returned', async () => {
    const lines = await captureLines(() => main({ shape, scale: 0.1 }));
    expect(lines).toEqual(['some_coroutine ran on the loop thread, in Task-1']);
  });
});

describe('a loop running in another thread', () => {
  it("hands back the coroutine's error, by class name and message", () => {
    const thread = new LoopThread().start();
    try {
      const future = runCoroutineThreadsafe(work('failingOperation'), thread.handle(), 'no such record');
      expect(() => future.result(10)).toThrow(/no such record/);
      expect((future.exception(0) as Error).name).toBe('RangeError');
    } finally {
      thread.stop();
      thread.join();
    }
  });

  it('cancels the remote task when the future is cancelled', () => {
    const thread = new LoopThread().start();
    try {
      const future = runCoroutineThreadsafe(work('asyncOperation'), thread.handle(), 30);
      expect(future.cancel()).toBe(true);
      expect(() => future.result(10)).toThrow(CancelledError);
    } finally {
      thread.stop();
      expect(thread.join(10)).toBe(true);
    }
  });
});
