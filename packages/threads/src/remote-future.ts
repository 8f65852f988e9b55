/**
 * RemoteFuture: the concurrent Future of work submitted to a loop in another
 * thread (asyncio.run_coroutine_threadsafe's return value).
 *
 * Differences from concurrent.futures: result(timeout) on the very thread
 * that runs the target loop throws RuntimeError at once, since that loop
 * cannot run while its thread blocks (Python would deadlock).
 */
import { Future, RuntimeError, type CancelOptions } from '@asyncio-ts/executors';
import { currentLoopId } from './internal/thread-identity.js';

/** What a RemoteFuture needs from its connection. @internal */
export interface RemoteFutureOwner {
  readonly loopId: number;
  /** Asks the loop to cancel the remote task (or drop the callback). */
  cancelRemote(id: number): void;
  /** Briefly spins until `isDone()` (the future of call `id`), before a blocking wait sleeps. */
  spin(isDone: () => boolean, id: number): void;
}

/**
 * A concurrent Future (from @asyncio-ts/executors) whose work runs on a loop
 * in another thread. `result(timeout)` blocks, `await` waits, `cancel()`
 * cancels the remote task.
 */
export class RemoteFuture<T = unknown> extends Future<T> {
  readonly #owner: RemoteFutureOwner;
  readonly #id: number;

  /** @internal */
  constructor(owner: RemoteFutureOwner, id: number) {
    super();
    this.#owner = owner;
    this.#id = id;
  }

  /**
   * Cancels the Future and the remote task (asyncio cancels the task when the
   * concurrent future is cancelled). Returns false when it is already done.
   */
  override cancel(options: CancelOptions = {}): boolean {
    if (this.done()) return this.cancelled();
    const cancelled = super.cancel(options);
    if (cancelled) this.#owner.cancelRemote(this.#id);
    return cancelled;
  }

  /**
   * The result, blocking up to `timeout` seconds (null: no limit).
   * @throws RuntimeError at once when called on the thread that runs the
   *   target loop; TimeoutError when the timeout passes (the remote work goes
   *   on); the remote error, with its class name, message and remote stack.
   */
  override result(timeout?: number | null): T {
    this.#refuseOwnThread('result');
    if (!this.done() && timeout !== 0) this.#owner.spin(() => this.done(), this.#id);
    return super.result(timeout);
  }

  /** The remote error or null, blocking like result(). */
  override exception(timeout?: number | null): unknown {
    this.#refuseOwnThread('exception');
    return super.exception(timeout);
  }

  #refuseOwnThread(method: string): void {
    if (!this.done() && currentLoopId() === this.#owner.loopId) {
      throw new RuntimeError(
        `${method}() would deadlock: this thread runs the loop the work was submitted to, and that loop cannot run while its thread blocks; ` +
          'await the future instead (await future), or submit from another thread',
      );
    }
  }
}
