/**
 * What the two stream transports share (asyncio's selector_events._SelectorTransport
 * under _SelectorSocketTransport): the protocol and its connectionMade() /
 * eofReceived() / connectionLost() calls, the server a transport reports to,
 * extra info, the reading flag, write()'s checks, close() / abort() and the
 * fatal-error path. NetTransport (Node's sockets, the hosted EventLoop) and
 * SelectorTransport (selectors Sockets, SelectorEventLoop) fill in the
 * socket: how reading stops and resumes, how a close flushes, how the socket
 * is let go.
 *
 * The per-chunk paths stay in the subclasses: the state they read is plain
 * fields here (no getters), and write() makes one call for its checks, as it
 * made one to convert its argument before.
 */
import { inspect } from 'node:util';
import { OSError } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from '../base-event-loop.js';
import { RuntimeError } from '../errors.js';
import type { Future } from '../future.js';
import { logger } from '../logger.js';
import type { BaseProtocol, BufferedProtocol, StreamProtocol } from '../protocols.js';
import { describe } from './checks.js';
import { FlowControlTransport } from './flow-control.js';

/** asyncio's constants.LOG_THRESHOLD_FOR_CONNLOST_WRITES: warn from the fifth write after the connection was lost. */
export const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

/** What a transport made by a server tells its server (asyncio's Server._attach/_detach). */
export interface TransportOwner {
  attach(transport: FlowControlTransport): void;
  detach(transport: FlowControlTransport): void;
}

/** How a stream transport is made. @internal */
export interface StreamTransportOptions {
  /** Completed (on a later iteration) once connectionMade() was called. */
  waiter?: Future<void> | null;
  /** The server that accepted the connection. */
  server?: TransportOwner | null;
  /** Extra info known up front (e.g. 'sslcontext', or 'peername' from accept()). */
  extra?: Record<string, unknown>;
  /**
   * Call the protocol's connectionMade() (default true); false for a
   * connection upgraded by startTls(), whose protocol is connected already.
   */
  connectionMade?: boolean;
}

/** The base of NetTransport and SelectorTransport (not exported from the package). */
export abstract class StreamTransport extends FlowControlTransport {
  /** @internal */
  protected protocol: StreamProtocol;
  /** The protocol is a BufferedProtocol (it has getBuffer()). @internal */
  protected buffered: boolean;
  /** @internal */
  protected server: TransportOwner | null;
  /** @internal */
  protected readonly extra: Record<string, unknown>;
  /** close() or abort() was called, or the transport closes itself (EOF, an error). @internal */
  protected closing = false;
  /** writeEof() was called. @internal */
  protected eof = false;
  /** pauseReading() was called. @internal */
  protected paused = false;
  /**
   * Non-zero once connectionLost() is scheduled (it is called exactly once);
   * SelectorTransport counts the writes made after it here, as asyncio's _conn_lost.
   * @internal
   */
  protected connectionLost = 0;
  /** The user called close() or abort(): write() then throws. */
  #closedByUser = false;

  /** @internal */
  constructor(loop: BaseEventLoop, socket: object, protocol: StreamProtocol, options: StreamTransportOptions) {
    super(loop);
    this.protocol = protocol;
    this.buffered = isBufferedProtocol(protocol);
    this.server = options.server ?? null;
    this.extra = { ...options.extra, socket };
    this.server?.attach(this);
    if (options.connectionMade !== false) loop.scheduleSoon(StreamTransport.#connectionMade, null, this);
    // Reading starts once connectionMade() ran, as in asyncio.
    loop.scheduleSoon(StreamTransport.#startReading, null, this);
    if (options.waiter) loop.scheduleSoon(setResultUnlessDone, null, options.waiter);
  }

  static #connectionMade(transport: StreamTransport): void {
    if (transport.connectionLost) return;
    transport.protocol.connectionMade(transport);
  }

  static #startReading(transport: StreamTransport): void {
    if (transport.isReading()) transport.readingResumed();
  }

  static #callConnectionLost(transport: StreamTransport, error: Error | undefined): void {
    transport.callConnectionLost(error);
  }

  // --- the socket's side, filled in by the subclass ------------------------------

  /** Stop taking in data (pauseReading()). @internal */
  protected abstract readingPaused(): void;
  /** Take in data again (the first time once connectionMade() ran, then resumeReading()). @internal */
  protected abstract readingResumed(): void;
  /** close(): stop reading, flush the write buffer, then connectionLost(undefined). @internal */
  protected abstract closeAfterFlush(): void;
  /** Drop the write buffer and schedule connectionLost(error), unless already scheduled. @internal */
  protected abstract forceClose(error: Error | undefined): void;
  /** Close the socket, once connectionLost() was called. @internal */
  protected abstract releaseSocket(): void;

  // --- reading -------------------------------------------------------------------

  isReading(): boolean {
    return !this.closing && !this.paused;
  }

  /** Stops dataReceived() calls until resumeReading(); idempotent. */
  pauseReading(): void {
    if (!this.isReading()) return;
    this.paused = true;
    this.readingPaused();
    if (this.loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  /** Reads on (delivering first what arrived meanwhile, if anything was kept); idempotent. */
  resumeReading(): void {
    if (this.closing || !this.paused) return;
    this.paused = false;
    this.readingResumed();
    if (this.loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  /**
   * The peer sent EOF: tells the protocol, and closes unless its eofReceived()
   * returned true. Returns true when the transport stays open (to write on).
   * @internal
   */
  protected deliverEof(): boolean {
    if (this.loop.getDebug()) logger.debug(`${this} received EOF`);
    let keepOpen: unknown;
    try {
      keepOpen = this.protocol.eofReceived();
    } catch (error) {
      this.fatalError(error, 'Fatal error: protocol.eofReceived() call failed.');
      return false;
    }
    if (keepOpen) return true;
    this.closeAfterFlush();
    return false;
  }

  // --- writing -------------------------------------------------------------------

  /**
   * write()'s argument as bytes (a string is UTF-8), after write()'s checks.
   * @throws TypeError for data that is not a Uint8Array or string;
   * RuntimeError after writeEof(), close() or abort().
   * @internal
   */
  protected bytesToWrite(data: unknown): Uint8Array {
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) bytes = data;
    else if (typeof data === 'string') bytes = Buffer.from(data, 'utf8');
    else throw new TypeError(`write() expects a Buffer, Uint8Array or string, got ${describe(data)}`);
    if (this.eof) throw new RuntimeError('write(): cannot write after writeEof(); the write side is already closed');
    if (this.#closedByUser) {
      throw new RuntimeError('write(): the transport is closed (close() or abort() was called); write before closing, or open a new connection');
    }
    return bytes;
  }

  // --- closing -------------------------------------------------------------------

  isClosing(): boolean {
    return this.closing;
  }

  /**
   * Closes: reading stops now, buffered data is still sent, then the socket
   * closes and connectionLost(undefined) is called on a later iteration.
   */
  close(): void {
    if (this.closing) return;
    this.#closedByUser = true;
    this.closeAfterFlush();
  }

  /** Closes at once: buffered data is dropped; connectionLost(undefined) follows. */
  abort(): void {
    this.#closedByUser = true;
    this.forceClose(undefined);
  }

  /**
   * An error closes the transport: an OSError is logged in debug mode only,
   * anything else goes to the loop's exception handler (asyncio's _fatal_error).
   * @internal
   */
  protected fatalError(error: unknown, message: string): void {
    if (OSError.isInstance(error)) {
      if (this.loop.getDebug()) logger.debug(`${this}: ${message}`, error);
    } else {
      this.loop.callExceptionHandler({ message, exception: error, transport: this, protocol: this.protocol });
    }
    this.forceClose(error as Error);
  }

  /** Schedules callConnectionLost(error) as a loop handle. @internal */
  protected scheduleConnectionLost(error: Error | undefined): void {
    this.loop.scheduleSoon(StreamTransport.#callConnectionLost, null, this, error);
  }

  /** Calls the protocol's connectionLost(), then lets the socket go and tells the server. @internal */
  protected callConnectionLost(error: Error | undefined): void {
    const server = this.server;
    this.server = null;
    try {
      this.protocol.connectionLost(error);
    } finally {
      this.releaseSocket();
      server?.detach(this);
    }
  }

  // --- the rest ------------------------------------------------------------------

  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    return name in this.extra ? ((this.extra[name] ?? defaultValue) as T | undefined) : defaultValue;
  }

  setProtocol(protocol: BaseProtocol): void {
    this.protocol = protocol as StreamProtocol;
    this.buffered = isBufferedProtocol(protocol);
  }

  getProtocol(): BaseProtocol {
    return this.protocol;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A BufferedProtocol is recognised by its getBuffer() method, as asyncio recognises the class. @internal */
export function isBufferedProtocol(protocol: unknown): protocol is BufferedProtocol {
  return typeof (protocol as { getBuffer?: unknown }).getBuffer === 'function';
}

/** Completes a transport's waiter, unless its caller cancelled it. @internal */
export function setResultUnlessDone(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}
