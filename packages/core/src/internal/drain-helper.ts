// DrainFlowControl: the write flow control StreamWriter.drain() waits on
// (asyncio's streams.FlowControlMixin). The transport calls pauseWriting()
// when its write buffer passes the high-water mark and resumeWriting() when
// it drains; drainHelper() waits while writing is paused.
//
// Differences from asyncio: a mixin there, a base class here (StreamReaderProtocol
// extends it). drainHelper() returns a Future instead of being a coroutine;
// cancelling it only withdraws that waiter.
import os from 'node:os';
import { ConnectionResetError } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from '../base-event-loop.js';
import { Future } from '../future.js';
import { logger } from '../logger.js';
import { Protocol } from '../protocols.js';

/** A drain() waiter; cancelling it takes it off the list. */
class DrainWaiter extends Future<void> {
  constructor(
    loop: BaseEventLoop,
    readonly waiters: Set<DrainWaiter>,
  ) {
    super({ loop });
  }

  override cancel(message?: string): boolean {
    this.waiters.delete(this);
    return super.cancel(message);
  }
}

/** The error drain() fails with once the connection is lost, as asyncio's ConnectionResetError('Connection lost'). */
export function connectionLostError(): ConnectionResetError {
  return new ConnectionResetError(os.constants.errno.ECONNRESET, { context: 'Connection lost' });
}

export class DrainFlowControl extends Protocol {
  /** @internal */
  readonly loop: BaseEventLoop;
  #paused = false;
  #connectionLost = false;
  readonly #drainWaiters = new Set<DrainWaiter>();
  /** The done Future drainHelper() returns while writing is not paused. */
  #done: Future<void> | null = null;

  constructor(loop: BaseEventLoop) {
    super();
    this.loop = loop;
  }

  override pauseWriting(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (this.loop.getDebug()) logger.debug(`${this.constructor.name} pauses writing`);
  }

  override resumeWriting(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.loop.getDebug()) logger.debug(`${this.constructor.name} resumes writing`);
    this.#wakeDrainWaiters(undefined);
  }

  override connectionLost(error: Error | undefined): void {
    this.#connectionLost = true;
    // Wake up the writers if currently paused.
    if (this.#paused) this.#wakeDrainWaiters(error);
  }

  /**
   * What StreamWriter.drain() waits on: done at once unless writing is paused.
   * @throws ConnectionResetError (in the Future) once the connection is lost.
   * @internal
   */
  drainHelper(): Future<void> {
    if (this.#connectionLost) {
      const failed = new Future<void>({ loop: this.loop });
      failed.setException(connectionLostError());
      return failed;
    }
    if (!this.#paused) {
      if (this.#done === null) {
        this.#done = new Future<void>({ loop: this.loop });
        this.#done.setResult(undefined);
      }
      return this.#done;
    }
    const waiter = new DrainWaiter(this.loop, this.#drainWaiters);
    this.#drainWaiters.add(waiter);
    return waiter;
  }

  /** True while the transport asked to stop writing. @internal */
  get writingPaused(): boolean {
    return this.#paused;
  }

  #wakeDrainWaiters(error: Error | undefined): void {
    const waiters = [...this.#drainWaiters];
    this.#drainWaiters.clear();
    for (const waiter of waiters) {
      if (waiter.done()) continue;
      if (error === undefined) waiter.setResult(undefined);
      else waiter.setException(error);
    }
  }
}
