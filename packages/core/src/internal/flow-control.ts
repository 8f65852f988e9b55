/**
 * Write flow control for stream transports, in one place (asyncio's
 * transports._FlowControlMixin): the write buffer's high- and low-water marks,
 * and the protocol's pauseWriting()/resumeWriting() calls as the buffer
 * crosses them. Both the net transport (EventLoop) and the selector transport
 * (SelectorEventLoop) extend it.
 *
 * The subclass measures its buffer (getWriteBufferSize()) and calls
 * maybePauseProtocol() whenever the buffer grew and maybeResumeProtocol()
 * whenever it shrank, from loop code (a write() or a loop handle), never from
 * a Node event handler: the protocol's callbacks run on the loop.
 */
import type { BaseEventLoop } from '../base-event-loop.js';
import { ValueError } from '../errors.js';
import { Transport } from '../transports.js';
import { describe } from './checks.js';

/** asyncio's default high-water mark: 64 KiB; the low one is a quarter of it. */
export const DEFAULT_HIGH_WATER = 64 * 1024;

/** A Transport with asyncio's write flow control (the base of NetTransport and SelectorTransport; not exported). */
export abstract class FlowControlTransport extends Transport {
  /** The loop the transport's callbacks run on. @internal */
  protected readonly loop: BaseEventLoop;
  #protocolPaused = false;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;

  constructor(loop: BaseEventLoop) {
    super();
    this.loop = loop;
  }

  /** True while the protocol was told to pause writing. @internal */
  protected get protocolPaused(): boolean {
    return this.#protocolPaused;
  }

  /** The low-water mark in bytes. @internal */
  protected get lowWater(): number {
    return this.#low;
  }

  /**
   * Sets the water marks; the protocol is paused at once if the buffer is
   * already above the new high mark (as asyncio's).
   * @throws ValueError when not `high >= low >= 0`; TypeError for a value that is not a number.
   */
  setWriteBufferLimits(high?: number, low?: number): void {
    if (high !== undefined && high !== null) checkLimit('high', high);
    if (low !== undefined && low !== null) checkLimit('low', low);
    if (high === undefined || high === null) high = low === undefined || low === null ? DEFAULT_HIGH_WATER : 4 * low;
    if (low === undefined || low === null) low = Math.floor(high / 4);
    if (!(high >= low && low >= 0)) {
      throw new ValueError(`setWriteBufferLimits(): high (${high}) must be >= low (${low}) must be >= 0`);
    }
    this.#high = high;
    this.#low = low;
    this.maybePauseProtocol();
  }

  getWriteBufferLimits(): [number, number] {
    return [this.#low, this.#high];
  }

  /**
   * The buffer grew: above the high-water mark, tell the protocol to pause
   * (once). A protocol that throws is reported to the loop's exception handler.
   * @internal
   */
  protected maybePauseProtocol(): void {
    if (this.#protocolPaused || this.getWriteBufferSize() <= this.#high) return;
    this.#protocolPaused = true;
    try {
      this.getProtocol().pauseWriting();
    } catch (error) {
      this.#report('protocol.pauseWriting() failed', error);
    }
  }

  /** The buffer shrank: at or below the low-water mark, tell a paused protocol to resume. @internal */
  protected maybeResumeProtocol(): void {
    if (!this.#protocolPaused || this.getWriteBufferSize() > this.#low) return;
    this.#protocolPaused = false;
    try {
      this.getProtocol().resumeWriting();
    } catch (error) {
      this.#report('protocol.resumeWriting() failed', error);
    }
  }

  #report(message: string, error: unknown): void {
    this.loop.callExceptionHandler({ message, exception: error, transport: this, protocol: this.getProtocol() });
  }
}

function checkLimit(name: string, value: unknown): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`setWriteBufferLimits() expects ${name} as a number of bytes, got ${describe(value)}`);
  }
}
