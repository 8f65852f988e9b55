// What runs between two iterations: the continuations of the async-function
// tasks the last iteration resumed, up to their next wait, as a Python task's
// step runs to its next suspension before the loop goes on. An async function
// continues in microtasks, so both loops start the next iteration only once
// the microtask queue has drained, however long the promise chain it awaits.
// (A generator task's step runs inside the iteration: nothing is left over.)
import { describe, expect, it } from 'vitest';
import { SelectorEventLoop, type BaseEventLoop } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

const loops: [name: string, make: () => BaseEventLoop][] = [
  ['EventLoop', () => guard.newLoop()],
  ['SelectorEventLoop', () => guard.track(new SelectorEventLoop())],
];

/** A promise settled only after `links` microtasks. */
function chainOf(links: number): Promise<number> {
  let chain = Promise.resolve(0);
  for (let link = 0; link < links; link++) chain = chain.then((value) => value + 1);
  return chain;
}

describe.each(loops)('between two iterations of the %s', (_name, make) => {
  it('lets an async-function task run through a long promise chain before the next iteration', async () => {
    const loop = make();
    const log: string[] = [];
    await loop.runUntilComplete(
      loop.createTask(async () => {
        loop.callSoon(() => log.push('next iteration'));
        log.push(`chain of ${await chainOf(1000)}`);
      }),
    );
    expect(log).toEqual(['chain of 1000', 'next iteration']);
    loop.close();
  });

  it('runs the continuations of every task one iteration resumed before the next', async () => {
    const loop = make();
    const log: string[] = [];
    await loop.runUntilComplete(
      loop.createTask(async () => {
        const gate = loop.createFuture<void>();
        const waiters = [1, 2, 3].map((index) =>
          loop.createTask(async () => {
            await gate;
            log.push(`task ${index} resumed`);
            await chainOf(50 * index);
            log.push(`task ${index} reached its next wait`);
          }),
        );
        await new Promise<void>((resolve) => loop.callSoon(resolve));
        loop.callSoon(() => {
          gate.setResult();
          // The tasks wake on the next iteration; this runs on the one after.
          loop.callSoon(() => loop.callSoon(() => log.push('iteration after the wake-ups')));
        });
        for (const waiter of waiters) await waiter;
      }),
    );
    expect(log.indexOf('iteration after the wake-ups')).toBeGreaterThan(log.indexOf('task 3 reached its next wait'));
    expect(log.filter((entry) => entry.endsWith('next wait'))).toHaveLength(3);
    loop.close();
  });

  it('goes on iterating while an async function awaits a promise only the loop settles', async () => {
    const loop = make();
    const settled = await loop.runUntilComplete(
      loop.createTask(async () => {
        let turns = 0;
        for (let round = 0; round < 20; round++) {
          await new Promise<void>((resolve) => loop.callSoon(resolve));
          turns++;
        }
        return turns;
      }),
    );
    expect(settled).toBe(20);
    loop.close();
  });
});
