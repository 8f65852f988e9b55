/**
 * Write flow control, in one place (asyncio's transports._FlowControlMixin):
 * the write buffer's high- and low-water marks, and the protocol's
 * pauseWriting()/resumeWriting() calls as the buffer crosses them. The
 * stream transports (net and selector) extend FlowControlTransport; the
 * datagram transports hold a WriteFlowControl.
 *
 * The subclass measures its buffer (getWriteBufferSize()) and calls
 * maybePauseProtocol() whenever the buffer grew and maybeResumeProtocol()
 * whenever it shrank, from loop code (a write() or a loop handle), never from
 * a Node event handler: the protocol's callbacks run on the loop.
 */
import type { BaseEventLoop } from '../base-event-loop.js';
import { ValueError } from '../errors.js';
import { Transport, type BaseTransport } from '../transports.js';
import { describe } from './checks.js';

/** asyncio's default high-water mark: 64 KiB; the low one is a quarter of it. */
export const DEFAULT_HIGH_WATER = 64 * 1024;

/** What write flow control needs of a transport (stream or datagram). */
interface FlowControlled extends BaseTransport {
  getWriteBufferSize(): number;
}

/**
 * The water marks and the paused flag of one transport: what every
 * transport with a write buffer has (asyncio's _FlowControlMixin), held by
 * composition so that stream and datagram transports share it.
 */
export class WriteFlowControl {
  #paused = false;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;

  constructor(
    readonly loop: BaseEventLoop,
    readonly transport: FlowControlled,
  ) {}

  /** True while the protocol was told to pause writing. */
  get paused(): boolean {
    return this.#paused;
  }

  get low(): number {
    return this.#low;
  }

  /** setWriteBufferLimits(): see FlowControlTransport. */
  setLimits(high?: number, low?: number): void {
    if (high !== undefined && high !== null) checkLimit('high', high);
    if (low !== undefined && low !== null) checkLimit('low', low);
    if (high === undefined || high === null) high = low === undefined || low === null ? DEFAULT_HIGH_WATER : 4 * low;
    if (low === undefined || low === null) low = Math.floor(high / 4);
    if (!(high >= low && low >= 0)) {
      throw new ValueError(`setWriteBufferLimits(): high (${high}) must be >= low (${low}) must be >= 0`);
    }
    this.#high = high;
    this.#low = low;
    this.maybePause();
  }

  limits(): [number, number] {
    return [this.#low, this.#high];
  }

  /** The buffer grew: above the high-water mark, tell the protocol to pause (once). */
  maybePause(): void {
    if (this.#paused || this.transport.getWriteBufferSize() <= this.#high) return;
    this.#paused = true;
    try {
      this.transport.getProtocol().pauseWriting();
    } catch (error) {
      this.#report('protocol.pauseWriting() failed', error);
    }
  }

  /** The buffer shrank: at or below the low-water mark, tell a paused protocol to resume. */
  maybeResume(): void {
    if (!this.#paused || this.transport.getWriteBufferSize() > this.#low) return;
    this.#paused = false;
    try {
      this.transport.getProtocol().resumeWriting();
    } catch (error) {
      this.#report('protocol.resumeWriting() failed', error);
    }
  }

  #report(message: string, error: unknown): void {
    const transport = this.transport;
    this.loop.callExceptionHandler({ message, exception: error, transport, protocol: transport.getProtocol() });
  }
}

/** A Transport with asyncio's write flow control (the base of NetTransport and SelectorTransport; not exported). */
export abstract class FlowControlTransport extends Transport {
  /** The loop the transport's callbacks run on. @internal */
  protected readonly loop: BaseEventLoop;
  readonly #flow: WriteFlowControl;

  constructor(loop: BaseEventLoop) {
    super();
    this.loop = loop;
    this.#flow = new WriteFlowControl(loop, this);
  }

  /** True while the protocol was told to pause writing. @internal */
  protected get protocolPaused(): boolean {
    return this.#flow.paused;
  }

  /** The low-water mark in bytes. @internal */
  protected get lowWater(): number {
    return this.#flow.low;
  }

  /**
   * Sets the water marks; the protocol is paused at once if the buffer is
   * already above the new high mark (as asyncio's).
   * @throws ValueError when not `high >= low >= 0`; TypeError for a value that is not a number.
   */
  setWriteBufferLimits(high?: number, low?: number): void {
    this.#flow.setLimits(high, low);
  }

  getWriteBufferLimits(): [number, number] {
    return this.#flow.limits();
  }

  /**
   * The buffer grew: above the high-water mark, tell the protocol to pause
   * (once). A protocol that throws is reported to the loop's exception handler.
   * @internal
   */
  protected maybePauseProtocol(): void {
    this.#flow.maybePause();
  }

  /** The buffer shrank: at or below the low-water mark, tell a paused protocol to resume. @internal */
  protected maybeResumeProtocol(): void {
    this.#flow.maybeResume();
  }
}

function checkLimit(name: string, value: unknown): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`setWriteBufferLimits() expects ${name} as a number of bytes, got ${describe(value)}`);
  }
}
