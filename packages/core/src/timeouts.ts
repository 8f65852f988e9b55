/**
 * timeout() and timeoutAt(): cancel the body when a deadline passes and throw
 * TimeoutError in its place (asyncio.timeout, Python 3.11+).
 *
 * Differences from asyncio: `async with asyncio.timeout(d) as t:` becomes
 * `await timeout(d, async (t) => …)` or `yield* timeout(d, function* (t) {…})`;
 * the body runs inside the current task and its return value is the result.
 */
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import type { Coroutine } from './coroutines.js';
import { CancelledError, RuntimeError, TimeoutError } from './errors.js';
import { getRunningLoop } from './events.js';
import type { Handle } from './handle.js';
import { checkDelay, checkWhen } from './internal/checks.js';
import { ScopedFuture, type Body, type Outcome, type Scope } from './internal/scoped.js';
import type { Task } from './task.js';

type TimeoutState = 'created' | 'active' | 'expiring' | 'expired' | 'finished';

/** The deadline of a timeout() block: inspect it, move it, ask whether it fired. */
export class Timeout implements Scope<Timeout, unknown> {
  #state: TimeoutState = 'created';
  #when: number | null;
  #handle: Handle | null = null;
  #task: Task<unknown> | null = null;
  #loop: BaseEventLoop | null = null;
  #cancelling = 0;

  /** @param when the loop time of the deadline, or null for none. */
  constructor(when: number | null) {
    this.#when = when;
  }

  /** The deadline (loop time, seconds), or null. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline to loop time `when` (null: no deadline).
   * @throws RuntimeError when the block is not running.
   */
  reschedule(when: number | null): void {
    if (this.#state !== 'active') {
      if (this.#state === 'created') throw new RuntimeError('Timeout has not been entered');
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    if (when !== null) checkWhen('reschedule', 'when', when);
    this.#when = when;
    this.#handle?.cancel();
    this.#handle = null;
    if (when === null) return;
    const loop = this.#loop!;
    this.#handle = when <= loop.time() ? loop.scheduleSoon(this.#onTimeout, []) : loop.scheduleAt(when, this.#onTimeout, []);
  }

  /** True once the deadline passed and the body was cancelled. */
  expired(): boolean {
    return this.#state === 'expiring' || this.#state === 'expired';
  }

  /** @internal */
  enter(task: Task<unknown>, loop: BaseEventLoop): Timeout {
    if (this.#state !== 'created') throw new RuntimeError('Timeout has already been entered');
    this.#state = 'active';
    this.#task = task;
    this.#loop = loop;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
    return this;
  }

  /** @internal */
  *exit(outcome: Outcome<unknown>): Coroutine<unknown> {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === 'expiring') {
      this.#state = 'expired';
      if (this.#task!.uncancel() <= this.#cancelling && !outcome.ok && CancelledError.isInstance(outcome.error)) {
        // No other cancellation is pending: this one was ours.
        throw new TimeoutError(`timed out (deadline ${this.#when?.toFixed(3)})`, { cause: outcome.error });
      }
    } else if (this.#state === 'active') {
      this.#state = 'finished';
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  readonly #onTimeout = () => {
    this.#task!.cancel();
    this.#state = 'expiring';
    this.#handle = null;
  };

  toString(): string {
    // As asyncio's repr: the deadline of an active block, `when=null` when it has none.
    const when = this.#state !== 'active' ? '' : ` when=${this.#when === null ? 'null' : this.#when.toFixed(3)}`;
    return `<Timeout [${this.#state}]${when}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Runs `body` in the current task; if it is still running after `delay`
 * seconds (null: never), it is cancelled and TimeoutError is thrown instead.
 * @throws TypeError or ValueError for a bad delay; RuntimeError outside a task.
 * @example
 * const data = await timeout(2, async () => fetchSlowly());
 * const data = yield* timeout(2, function* () { return yield* fetchSlowly(); });
 */
export function timeout<T>(delay: number | null, body: Body<Timeout, T>): ScopedFuture<Timeout, T> {
  if (delay !== null) checkDelay('timeout', 'delay', delay);
  const loop = getRunningLoop();
  return timeoutAtLoopTime('timeout', delay === null ? null : loop.time() + delay, body);
}

/**
 * Like timeout(), with the deadline as a loop time (see loop.time()).
 * @example
 * await timeoutAt(getRunningLoop().time() + 10, async () => longWork());
 */
export function timeoutAt<T>(when: number | null, body: Body<Timeout, T>): ScopedFuture<Timeout, T> {
  if (when !== null) checkWhen('timeoutAt', 'when', when);
  return timeoutAtLoopTime('timeoutAt', when, body);
}

function timeoutAtLoopTime<T>(name: string, when: number | null, body: Body<Timeout, T>): ScopedFuture<Timeout, T> {
  return new ScopedFuture(name, new Timeout(when) as unknown as Scope<Timeout, T>, body);
}
