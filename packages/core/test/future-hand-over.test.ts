// Future.thenHandingOver(): a Future whose outcome is a hand-over (a stream
// read that took bytes out of the buffer, a lock handed to its waiter) learns,
// as each then() caller is settled, whether the caller resumed with the result
// (final) or with an error instead (give it back). A generator awaits such a
// Future through the subclass's own iterator, so these tests are about then()
// callers: `await` in an async function, and then() with callbacks.
import { describe, expect, it } from 'vitest';
import { CancelledError, Future, ValueError, createTask, getRunningLoop, sleep, type AwaitedHandOver } from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';

/** A Future that records what its then() callers were settled with. */
class HandedOver<T> extends Future<T> implements AwaitedHandOver {
  readonly events: string[] = [];
  /** The error the hand-over fails with as it becomes final, if any. */
  failWith: Error | null = null;

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.thenHandingOver(this, onFulfilled, onRejected);
  }

  awaiterResumed(): void {
    this.events.push('resumed');
    if (this.failWith !== null) throw this.failWith;
  }

  awaiterFailed(error: unknown): void {
    this.events.push(`failed with ${(error as Error).name}`);
  }
}

describe('a Future whose outcome is a hand-over', () => {
  it('tells the hand-over it is final before the awaiting async function resumes', () =>
    runVirtual(async () => {
      const future = new HandedOver<number>();
      const task = createTask(async () => {
        const value = await future;
        future.events.push(`body got ${value}`);
        return value;
      });
      await sleep(0);
      future.setResult(7);
      expect(await task).toBe(7);
      expect(future.events).toEqual(['resumed', 'body got 7']);
    }));

  it('gives the awaiter the error the hand-over fails with as it becomes final', () =>
    runVirtual(async () => {
      const future = new HandedOver<number>();
      future.failWith = new ValueError('refused as it became final');
      const task = createTask(async () => await future);
      await sleep(0);
      future.setResult(7);
      await expect(task).rejects.toThrow('refused as it became final');
      expect(future.events).toEqual(['resumed']);
    }));

  it('tells the hand-over the awaiter got CancelledError when its task was cancelled after the outcome came', () =>
    runVirtual(async () => {
      const future = new HandedOver<number>();
      const task = createTask(async () => await future);
      await sleep(0);
      getRunningLoop().callSoon(() => {
        future.setResult(7);
        task.cancel();
      });
      await expect(task).rejects.toThrow(CancelledError);
      expect(future.done() && !future.cancelled()).toBe(true);
      expect(future.events).toEqual(['failed with CancelledError']);
    }));

  it('tells the hand-over when the Future itself fails', () =>
    runVirtual(async () => {
      const future = new HandedOver<number>();
      const task = createTask(async () => await future);
      await sleep(0);
      future.setException(new ValueError('no outcome'));
      await expect(task).rejects.toThrow('no outcome');
      expect(future.events).toEqual(['failed with ValueError']);
    }));

  it('tells it before the callbacks of a then() caller run, and chains their results', () =>
    runVirtual(async () => {
      const future = new HandedOver<number>();
      const chained = future.then((value) => {
        future.events.push(`callback got ${value}`);
        return value * 2;
      });
      future.setResult(21);
      expect(await chained).toBe(42);
      expect(future.events).toEqual(['resumed', 'callback got 21']);
    }));

  it('passes the hand-over failure to a then() caller’s onRejected', () =>
    runVirtual(async () => {
      const future = new HandedOver<number>();
      future.failWith = new ValueError('refused');
      const recovered = future.then(
        () => 'fulfilled',
        (error: unknown) => `rejected: ${(error as Error).message}`,
      );
      future.setResult(1);
      expect(await recovered).toBe('rejected: refused');
    }));
});
