import { describe, expect, it, vi } from 'vitest';
import { CancelledError, Future, InvalidStateError, RuntimeError, TimeoutError, isConcurrentFuture } from '../src/index.js';
import { elapsed } from './helpers.js';

describe('Future', () => {
  it('starts PENDING and becomes RUNNING, then FINISHED with a result', () => {
    const future = new Future<number>();
    expect(future.state).toBe('PENDING');
    expect(future.done()).toBe(false);
    expect(future.setRunningOrNotifyCancel()).toBe(true);
    expect(future.running()).toBe(true);
    future.setResult(42);
    expect(future.state).toBe('FINISHED');
    expect(future.done()).toBe(true);
    expect(future.result()).toBe(42);
    expect(future.exception()).toBeNull();
    expect(String(future)).toBe('<Future finished result=42>');
  });

  it('throws the exception it was given from result(), and returns it from exception()', () => {
    const future = new Future<number>();
    const error = new TypeError('bad');
    future.setException(error);
    expect(() => future.result()).toThrow(error);
    expect(future.exception()).toBe(error);
    expect(String(future)).toBe('<Future finished raised TypeError>');
  });

  it('can be cancelled while pending, not once running or done', () => {
    const pending = new Future();
    expect(pending.cancel()).toBe(true);
    expect(pending.cancel()).toBe(true);
    expect(pending.cancelled()).toBe(true);
    expect(pending.state).toBe('CANCELLED');
    expect(() => pending.result()).toThrow(CancelledError);
    expect(() => pending.exception()).toThrow(CancelledError);
    expect(pending.setRunningOrNotifyCancel()).toBe(false);

    const running = new Future();
    running.setRunningOrNotifyCancel();
    expect(running.cancel()).toBe(false);
    expect(running.cancel({ running: true })).toBe(false); // no executor behind it to ask
    running.setResult(1);
    expect(running.cancel()).toBe(false);
  });

  it('refuses a second outcome with InvalidStateError', () => {
    const future = new Future();
    future.setResult(1);
    expect(() => future.setResult(2)).toThrow(InvalidStateError);
    expect(() => future.setException(new Error('x'))).toThrow(InvalidStateError);
    expect(() => future.setRunningOrNotifyCancel()).toThrow(InvalidStateError);
  });

  it('calls done callbacks once done, in order, and at once when already done', () => {
    const future = new Future<string>();
    const seen: string[] = [];
    future.addDoneCallback((done) => seen.push(`first ${done.result()}`));
    future.addDoneCallback(() => seen.push('second'));
    expect(seen).toEqual([]);
    future.setResult('ok');
    expect(seen).toEqual(['first ok', 'second']);
    future.addDoneCallback(() => seen.push('late'));
    expect(seen).toEqual(['first ok', 'second', 'late']);
  });

  it('calls done callbacks on cancellation', () => {
    const future = new Future();
    const callback = vi.fn();
    future.addDoneCallback(callback);
    future.cancel();
    expect(callback).toHaveBeenCalledWith(future);
  });

  it('reports a failing callback on stderr and still calls the next', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const future = new Future();
      const next = vi.fn();
      future.addDoneCallback(() => {
        throw new Error('callback failed');
      });
      future.addDoneCallback(next);
      future.setResult(1);
      expect(next).toHaveBeenCalled();
      expect(String(write.mock.calls[0]?.[0])).toContain('exception calling callback for <Future finished result=1>');
    } finally {
      write.mockRestore();
    }
  });

  it('checks addDoneCallback() and timeouts', () => {
    const future = new Future();
    expect(() => future.addDoneCallback(42 as never)).toThrow(/expects a function/);
    expect(() => future.result(-1)).toThrow(RangeError);
    expect(() => future.result('1' as never)).toThrow(TypeError);
  });

  describe('await', () => {
    it('settles with the result', async () => {
      const future = new Future<number>();
      setTimeout(() => future.setResult(7), 1);
      expect(await future).toBe(7);
    });

    it('rejects with the exception', async () => {
      const future = new Future();
      future.setException(new RangeError('nope'));
      await expect(future).rejects.toThrow(RangeError);
    });

    it('rejects with CancelledError when cancelled', async () => {
      const future = new Future();
      const waiting = expect(future).rejects.toThrow(CancelledError);
      future.cancel();
      await waiting;
    });
  });

  describe('result(timeout) with nothing that could complete it', () => {
    it('throws TimeoutError after blocking for the timeout', () => {
      const future = new Future();
      const start = performance.now();
      expect(() => future.result(0.05)).toThrow(TimeoutError);
      expect(elapsed(start)).toBeGreaterThanOrEqual(0.049);
      expect(() => future.exception(0)).toThrow(TimeoutError);
    });

    it('throws RuntimeError instead of blocking forever without a timeout', () => {
      expect(() => new Future().result()).toThrow(RuntimeError);
      expect(() => new Future().result()).toThrow(/would block forever/);
    });
  });

  it('is recognised by isConcurrentFuture()', () => {
    expect(isConcurrentFuture(new Future())).toBe(true);
    expect(isConcurrentFuture(Promise.resolve())).toBe(false);
  });
});
