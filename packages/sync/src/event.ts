/**
 * Event: a flag tasks can wait for (asyncio.Event).
 *
 * Differences from asyncio: wait() returns a loop Future (`await` it or
 * `yield*` it). set() takes the woken waiters out of the queue at once, so
 * `waiters:N` in the printed state counts only tasks still waiting.
 */
import { inspect } from 'node:util';
import { getRunningLoop, type Future } from '@asyncio-ts/core';
import { LoopBound } from './internal/loop-bound.js';
import { doneOn, Waiter } from './internal/waiter.js';
import { WaiterList } from './internal/waiter-list.js';

/**
 * A flag, initially unset: wait() blocks until set() sets it.
 * @example
 * const ready = new Event();
 * createTask(async () => { await sleep(1); ready.set(); });
 * await ready.wait();            // async function
 * yield* ready.wait();           // generator coroutine
 */
export class Event extends LoopBound {
  #value = false;
  readonly #waiters = new WaiterList<Waiter<true>>();
  #done: Waiter<true> | null = null;

  /** True when the flag is set. */
  isSet(): boolean {
    return this.#value;
  }

  /** Sets the flag and wakes every waiter; wait() no longer blocks until clear(). */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    for (let waiter = this.#waiters.shift(); waiter !== null; waiter = this.#waiters.shift()) waiter.setResult(true);
  }

  /** Unsets the flag: wait() blocks again until the next set(). */
  clear(): void {
    this.#value = false;
  }

  /**
   * A Future that resolves to true once the flag is set (already done when
   * it is, and then perhaps the same Future as an earlier call's).
   * @throws RuntimeError when no loop is running, or the event waits on another loop.
   */
  wait(): Future<true> {
    const loop = getRunningLoop();
    if (this.#value) return (this.#done = doneOn(this.#done, loop, true));
    this.bindLoop(loop);
    const waiter = new Waiter<true>(loop, null, undefined);
    this.#waiters.push(waiter);
    return waiter;
  }

  /** `Event [unset, waiters:1]`, as asyncio's repr. */
  override toString(): string {
    const waiters = this.#waiters.length;
    return `Event [${this.#value ? 'set' : 'unset'}${waiters > 0 ? `, waiters:${waiters}` : ''}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
