// While a task runs, core keeps an AsyncLocalStorage enabled (it tells an
// async-function task which Task it belongs to), and Node then runs its
// promise hooks on every promise of the process. Once no loop runs on the
// thread, core disables it again, so that code after run() pays nothing.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { currentTask, run, sleep, type Coroutine } from '@asyncio-ts/core';

/** True when Node's promise hooks ran on a new promise (they tag it with async ids). */
function promiseHooksOn(): boolean {
  return Object.getOwnPropertySymbols(Promise.resolve()).length > 0;
}

const shapes = {
  'async function': async (): Promise<string | undefined> => {
    await sleep(0);
    return currentTask()?.getName();
  },
  'function* generator': function* (): Coroutine<string | undefined> {
    yield* sleep(0);
    return currentTask()?.getName();
  },
};

describe.each(Object.keys(shapes) as (keyof typeof shapes)[])('promise hooks around run() with a %s', (shape) => {
  it('are on while a task runs and off a turn after the loop stopped', async () => {
    let during = false;
    await run(async () => {
      during = promiseHooksOn();
      return shapes[shape]();
    });
    expect(during).toBe(true);
    await nextTurn();
    await nextTurn();
    expect(promiseHooksOn()).toBe(false);
  });

  it('come back for the next run, where currentTask() still works', async () => {
    await run(shapes[shape]);
    await nextTurn();
    await nextTurn();
    expect(promiseHooksOn()).toBe(false);
    const name = await run(shapes[shape]);
    expect(name).toMatch(/^Task-\d+$/);
    expect(promiseHooksOn()).toBe(true);
  });
});
