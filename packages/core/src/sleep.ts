/**
 * sleep(): a Future that completes after `delay` seconds (asyncio.sleep).
 *
 * sleep(0) takes exactly one loop iteration, like asyncio's bare yield, in
 * both coroutine shapes.
 */
import type { BaseEventLoop } from './base-event-loop.js';
import { getRunningLoop } from './events.js';
import { Future } from './future.js';
import type { TimerHandle } from './handle.js';
import { checkDelay } from './internal/checks.js';
import { neverAwaited } from './internal/never-awaited.js';

/** sleep(0): its completion is scheduled on the loop. */
const SCHEDULED = 1;
/** sleep(0): it has yielded (bare) to a generator, which completes it when it steps again. */
const YIELDED = 2;
/** Debug mode: watched for "never awaited". */
const WATCHED = 4;

/** The result a bare yield gives `yield*`: shared, since nothing writes to it. */
const BARE_YIELD: IteratorResult<unknown, never> = Object.freeze({ done: false, value: undefined });
/** The result `yield* sleep(0)` returns with (no result given): shared, as BARE_YIELD. */
const DONE_UNDEFINED: IteratorResult<unknown, never> = Object.freeze({ done: true, value: undefined as never });

/**
 * The Future sleep() returns; cancelling it cancels its timer.
 *
 * sleep(0) schedules nothing of its own until something waits on it. In a
 * generator it is its own iterator: it yields bare once, and when the task
 * steps again (one iteration later) it completes there and then. Awaited,
 * or given to gather() and the like, it completes on the next iteration.
 */
export class SleepFuture<T> extends Future<T> implements Iterator<unknown, T, unknown> {
  #timer: TimerHandle | null = null;
  readonly #delay: number;
  readonly #value: T;
  /** SCHEDULED | YIELDED | WATCHED. */
  #flags = 0;

  constructor(loop: BaseEventLoop, delay: number, result: T) {
    super({ loop });
    this.#delay = delay;
    this.#value = result;
    if (delay > 0) this.#timer = loop.scheduleAt(loop.time() + delay, settleSleep, null, this, result);
    if (loop.getDebug()) {
      this.#flags |= WATCHED;
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
    SleepFuture.#observed(this);
    SleepFuture.#scheduleCompletion(this);
    return super.then(onFulfilled, onRejected);
  }

  /** @internal */
  override addListener(listener: Parameters<Future<T>['addListener']>[0]): void {
    SleepFuture.#scheduleCompletion(this);
    super.addListener(listener);
  }

  override [Symbol.iterator](): this {
    SleepFuture.#observed(this);
    return this;
  }

  /** `yield* sleep(d)`: the Future while pending (sleep(0): a bare yield), then the result. */
  next(): IteratorResult<unknown, T> {
    if (this.done()) {
      const value = this.result();
      return value === undefined ? DONE_UNDEFINED : { done: true, value };
    }
    if (this.#delay > 0) return { done: false, value: this };
    if ((this.#flags & YIELDED) === 0) {
      this.#flags |= YIELDED;
      return BARE_YIELD;
    }
    // The task stepped again: the iteration asyncio's bare yield takes is over.
    this.setResult(this.#value);
    return this.#value === undefined ? DONE_UNDEFINED : { done: true, value: this.#value };
  }

  /** An error thrown into the generator at this `yield*` surfaces there. */
  throw(error: unknown): IteratorResult<unknown, T> {
    throw error;
  }

  return(value?: T): IteratorResult<unknown, T> {
    return { done: true, value: value as T };
  }

  /**
   * sleep(0)'s completion already took the iteration asyncio's bare yield
   * takes: its awaiters resume at once. @internal
   */
  override wakesAwaitersInline(): boolean {
    return this.#delay <= 0;
  }

  // Static: a private instance method would cost every sleep() a field (V8's brand).
  /** sleep(0) completes on the next iteration, once something waits for it. */
  static #scheduleCompletion(future: SleepFuture<unknown>): void {
    if (future.#delay > 0 || (future.#flags & SCHEDULED) !== 0 || future.done()) return;
    future.#flags |= SCHEDULED;
    future.getLoop().enqueueSoon(null, settleSleep, future, future.#value);
  }

  static #observed(future: SleepFuture<unknown>): void {
    if ((future.#flags & WATCHED) === 0) return;
    future.#flags &= ~WATCHED;
    neverAwaited.forget(future);
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
