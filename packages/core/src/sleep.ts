/**
 * sleep(): a Future that completes after `delay` seconds (asyncio.sleep).
 *
 * sleep(0) takes exactly one loop iteration, like asyncio's bare yield: a
 * generator task resumes on the next iteration, and an async function right
 * after it.
 */
import type { BaseEventLoop } from './base-event-loop.js';
import { getRunningLoop } from './events.js';
import { Future } from './future.js';
import type { TimerHandle } from './handle.js';
import { checkDelay } from './internal/checks.js';
import { neverAwaited } from './internal/never-awaited.js';

/** The Future sleep() returns; cancelling it cancels its timer. */
export class SleepFuture<T> extends Future<T> {
  #timer: TimerHandle | null = null;
  readonly #delay: number;
  #watched = false;

  constructor(loop: BaseEventLoop, delay: number, result: T) {
    super({ loop });
    this.#delay = delay;
    if (delay <= 0) {
      loop.scheduleSoon(settleSleep, null, this, result);
    } else {
      this.#timer = loop.scheduleAt(loop.time() + delay, settleSleep, null, this, result);
    }
    if (loop.getDebug()) {
      this.#watched = true;
      neverAwaited.watch(this, 'sleep');
    }
  }

  override cancel(message?: string): boolean {
    const cancelled = super.cancel(message);
    if (cancelled) this.#timer?.cancel();
    return cancelled;
  }

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#observed();
    return super.then(onFulfilled, onRejected);
  }

  override [Symbol.iterator](): Iterator<unknown, T, unknown> {
    this.#observed();
    return super[Symbol.iterator]();
  }

  /**
   * sleep(0) yields bare, as asyncio's __sleep0: its task steps again on the
   * next iteration, just after this Future got its result. @internal
   */
  override wakesAwaitersInline(): boolean {
    return this.#delay <= 0;
  }

  override yieldValue(): unknown {
    return this.#delay > 0 ? this : undefined;
  }

  #observed(): void {
    if (!this.#watched) return;
    this.#watched = false;
    neverAwaited.forget(this);
  }

  override toString(): string {
    return `<sleep ${this.#delay.toFixed(3)}s ${this.describeState()}>`;
  }
}

function settleSleep(future: Future<unknown>, result: unknown): void {
  if (!future.done()) future.setResult(result);
}

/**
 * A Future that completes with `result` after `delay` seconds.
 * @throws TypeError or ValueError when delay is not a number >= 0; RuntimeError when no loop runs.
 * @example
 * await sleep(0.5);               // async function
 * yield* sleep(0.5);              // generator coroutine
 */
export function sleep<T = undefined>(delay: number, result?: T): SleepFuture<T> {
  checkDelay('sleep', 'delay', delay);
  return new SleepFuture(getRunningLoop(), delay, result as T);
}
