// Event: asyncio.Event's behaviour, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (EventTests), in both coroutine shapes.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError, TimeoutError, createTask, getRunningLoop, sleep, waitFor } from '@asyncio-ts/core';
import { Event } from '../src/index.js';
import { runVirtual, shapes } from './helpers.js';

describe('Event', () => {
  it('prints its state as asyncio does', async () => {
    await runVirtual(async () => {
      const event = new Event();
      expect(inspect(event)).toBe('Event [unset]');
      const waiter = createTask(async () => event.wait());
      await sleep(0);
      expect(String(event)).toBe('Event [unset, waiters:1]');
      event.set();
      expect(inspect(event)).toBe('Event [set]');
      await waiter;
    });
  });

  it('sets and clears its flag', () => {
    // test_clear
    const event = new Event();
    expect(event.isSet()).toBe(false);
    event.set();
    expect(event.isSet()).toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
  });

  it('throws RuntimeError from wait() when no loop is running', () => {
    expect(() => new Event().wait()).toThrow(RuntimeError);
  });

  it('waits on one loop only', async () => {
    const event = new Event();
    await runVirtual(async () => {
      const waiter = createTask(async () => event.wait());
      await sleep(0);
      event.set();
      await waiter;
      event.clear();
    });
    await runVirtual(async () => {
      expect(() => event.wait()).toThrow(/bound to a different event loop/);
    });
  });

  describe.each(shapes)('from an $name', (shape) => {
    it('wakes every waiter when set', async () => {
      // test_wait: t3 starts after set() and passes at once; the woken ones
      // resume on the next iteration, behind t3's first step, as in asyncio
      // (in both shapes).
      await runVirtual(async () => {
        const event = new Event();
        const result: number[] = [];
        const task = (n: number) => createTask(shape.seq(() => event.wait(), () => result.push(n)));
        const t1 = task(1);
        const t2 = task(2);
        await sleep(0);
        expect(result).toEqual([]);
        const t3 = task(3);
        event.set();
        for (const t of [t1, t2, t3]) expect((await t)[0]).toBe(true);
        expect(result).toEqual([3, 1, 2]);
      });
    });

    it('passes at once when the flag is set', async () => {
      // test_wait_on_set
      await runVirtual(async () => {
        const event = new Event();
        event.set();
        const future = event.wait();
        expect(future.done()).toBe(true);
        expect(await createTask(shape.seq(() => event.wait()))).toEqual([true]);
      });
    });

    it('takes a cancelled waiter out of the queue', async () => {
      // test_wait_cancel
      await runVirtual(async () => {
        const event = new Event();
        const waiter = createTask(shape.seq(() => event.wait()));
        getRunningLoop().callSoon(() => waiter.cancel());
        await expect(waiter).rejects.toThrow(CancelledError);
        expect(inspect(event)).toBe('Event [unset]');
        const other = createTask(shape.seq(() => event.wait()));
        await sleep(0);
        event.set();
        expect(await other).toEqual([true]);
      });
    });

    it('still wakes a waiter when set and cleared at once', async () => {
      // test_clear_with_waiters: set() wakes the waiters that wait now, even
      // if clear() follows at once. Here woken waiters leave the queue at
      // set(), where asyncio's stay listed until they run.
      await runVirtual(async () => {
        const event = new Event();
        const result: number[] = [];
        const waiter = createTask(shape.seq(() => event.wait(), () => result.push(1)));
        await sleep(0);
        expect(result).toEqual([]);
        event.set();
        event.clear();
        expect(event.isSet()).toBe(false);
        event.set();
        event.set();
        expect(inspect(event)).toBe('Event [set]');
        expect(await waiter).toEqual([true, 1]);
        expect(result).toEqual([1]);
      });
    });

    it('leaves no waiter behind when waitFor() times out', async () => {
      await runVirtual(async () => {
        const event = new Event();
        await expect(createTask(shape.seq(() => waitFor(event.wait(), 1)))).rejects.toThrow(TimeoutError);
        expect(inspect(event)).toBe('Event [unset]');
      });
    });
  });
});
