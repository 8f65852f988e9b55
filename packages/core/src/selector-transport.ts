/**
 * SelectorTransport: the stream transport of a SelectorEventLoop, over a
 * non-blocking @asyncio-ts/selectors Socket, doing its own recv/send through
 * the loop's readers and writers (asyncio's
 * selector_events._SelectorSocketTransport).
 *
 * As CPython's: write() tries to send at once and buffers only what the
 * socket did not take, with a writer registered only while something is
 * buffered; a readable socket gives one read of up to 256 KiB per iteration.
 * What differs is how lean the hot path is: reads go into a shared slab
 * (the chunk given to dataReceived() is a view of it, never copied), the
 * write buffer is one growable byte array (a partial send costs one copy, as
 * CPython's bytearray), and the socket's try* calls signal a would-block
 * with -1 instead of an exception.
 *
 * Differences from asyncio:
 * - write() takes a string too (UTF-8) and throws RuntimeError after close()
 *   or abort(); after the connection was lost, writes are dropped with a
 *   warning, as asyncio's.
 * - The chunks given to dataReceived() are views of a shared slab: keep them
 *   as they are, but copy (Buffer.from) a chunk you mean to keep for long if
 *   memory matters, as the slab stays alive while any view of it does.
 */
import { inspect } from 'node:util';
import { IPPROTO_TCP, OSError, SHUT_WR, TCP_NODELAY, AF_INET, AF_INET6, type Socket } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from './base-event-loop.js';
import { RuntimeError } from './errors.js';
import type { Future } from './future.js';
import { describe } from './internal/checks.js';
import { FlowControlTransport } from './internal/flow-control.js';
import { logger } from './logger.js';
import { isBufferedProtocol, LOG_THRESHOLD_FOR_CONNLOST_WRITES, toBytes, type TransportOwner } from './net-transport.js';
import type { BaseProtocol, BufferedProtocol, Protocol, StreamProtocol } from './protocols.js';

/** asyncio's _SelectorTransport.max_size: the most one read takes. */
export const MAX_READ_SIZE = 256 * 1024;

/** How the received bytes are carved: a fresh slab when less than this is left in the current one. */
const SLAB_SIZE = 1024 * 1024;
const MIN_SLAB_ROOM = MAX_READ_SIZE;

// One slab for every transport of the thread: reads land in it back to back,
// and each chunk handed to a protocol is a view of it.
let slab: Buffer | null = null;
let slabOffset = 0;

/** How a SelectorTransport is made. @internal */
export interface SelectorTransportOptions {
  /** Completed (on a later iteration) once connectionMade() was called. */
  waiter?: Future<void> | null;
  /** The server that accepted the connection. */
  server?: TransportOwner | null;
  /** Extra info known up front (e.g. 'peername' from accept()). */
  extra?: Record<string, unknown>;
}

/**
 * A stream transport over a non-blocking selectors Socket, for a
 * SelectorEventLoop. Made by createConnection() and createServer().
 */
export class SelectorTransport extends FlowControlTransport {
  #socket: Socket | null;
  readonly #fd: number;
  #protocol: StreamProtocol;
  #buffered: boolean;
  #server: TransportOwner | null;
  readonly #extra: Record<string, unknown>;
  /** The write buffer: bytes [#outStart, #outEnd) of #out wait to be sent. */
  #out: Buffer | null = null;
  #outStart = 0;
  #outEnd = 0;
  #closing = false;
  #closedByUser = false;
  #eof = false;
  /** connectionLost() is scheduled or done; counts the writes after, as asyncio's _conn_lost. */
  #connectionLost = 0;
  #paused = false;

  /** @internal */
  constructor(loop: BaseEventLoop, socket: Socket, protocol: StreamProtocol, options: SelectorTransportOptions = {}) {
    super(loop);
    this.#socket = socket;
    this.#fd = socket.fileno();
    this.#protocol = protocol;
    this.#buffered = isBufferedProtocol(protocol);
    this.#server = options.server ?? null;
    this.#extra = { ...options.extra, socket };
    this.#extra.sockname ??= tryAddress(() => socket.getsockname());
    this.#extra.peername ??= tryAddress(() => socket.getpeername());
    // Small writes go out without waiting for the peer's ACK (asyncio's _set_nodelay).
    if (socket.family === AF_INET || socket.family === AF_INET6) socket.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    this.#server?.attach(this);
    loop.setFdOwner(this.#fd, this);
    loop.scheduleSoon(SelectorTransport.#connectionMade, null, this);
    // Reading starts once connectionMade() ran.
    loop.scheduleSoon(SelectorTransport.#startReading, null, this);
    if (options.waiter) loop.scheduleSoon(setResultUnlessDone, null, options.waiter);
  }

  static #connectionMade(transport: SelectorTransport): void {
    if (transport.#connectionLost) return;
    transport.#protocol.connectionMade(transport);
  }

  static #startReading(transport: SelectorTransport): void {
    if (transport.isReading()) transport.loop.ioAddReader(transport.#fd, SelectorTransport.#readReady, null, transport);
  }

  // --- reading -----------------------------------------------------------------

  /** The socket is readable: one read, as asyncio's _read_ready. */
  static #readReady(transport: SelectorTransport): void {
    if (transport.#connectionLost) return;
    if (transport.#buffered) transport.#readIntoProtocolBuffer();
    else transport.#readChunk();
  }

  #readChunk(): void {
    if (slab === null || SLAB_SIZE - slabOffset < MIN_SLAB_ROOM) {
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      slabOffset = 0;
    }
    const into = slab;
    let count: number;
    try {
      count = this.#socket!.tryRecvInto(into, slabOffset, MAX_READ_SIZE);
    } catch (error) {
      this.#fatalError(error, 'Fatal read error on socket transport');
      return;
    }
    if (count < 0) return;
    if (count === 0) {
      this.#readEof();
      return;
    }
    const data = into.subarray(slabOffset, slabOffset + count);
    // Keep the next chunk 8-byte aligned.
    slabOffset += (count + 7) & ~7;
    try {
      (this.#protocol as Protocol).dataReceived(data);
    } catch (error) {
      this.#fatalError(error, 'Fatal error: protocol.dataReceived() call failed.');
    }
  }

  #readIntoProtocolBuffer(): void {
    const protocol = this.#protocol as BufferedProtocol;
    let buffer: Uint8Array;
    try {
      buffer = protocol.getBuffer(-1);
      if (!(buffer instanceof Uint8Array)) throw new TypeError(`getBuffer() must return a Uint8Array, got ${describe(buffer)}`);
      if (buffer.length === 0) throw new RuntimeError('getBuffer() returned an empty buffer');
    } catch (error) {
      this.#fatalError(error, 'Fatal error: protocol.getBuffer() call failed.');
      return;
    }
    let count: number;
    try {
      count = this.#socket!.tryRecvInto(buffer, 0, buffer.length);
    } catch (error) {
      this.#fatalError(error, 'Fatal read error on socket transport');
      return;
    }
    if (count < 0) return;
    if (count === 0) {
      this.#readEof();
      return;
    }
    try {
      protocol.bufferUpdated(count);
    } catch (error) {
      this.#fatalError(error, 'Fatal error: protocol.bufferUpdated() call failed.');
    }
  }

  #readEof(): void {
    if (this.loop.getDebug()) logger.debug(`${this} received EOF`);
    let keepOpen: unknown;
    try {
      keepOpen = this.#protocol.eofReceived();
    } catch (error) {
      this.#fatalError(error, 'Fatal error: protocol.eofReceived() call failed.');
      return;
    }
    // Kept open so that the protocol can write on; there is nothing more to read.
    if (keepOpen) this.loop.ioRemoveReader(this.#fd);
    else this.#close();
  }

  isReading(): boolean {
    return !this.#closing && !this.#paused;
  }

  pauseReading(): void {
    if (!this.isReading()) return;
    this.#paused = true;
    this.loop.ioRemoveReader(this.#fd);
    if (this.loop.getDebug()) logger.debug(`${this} pauses reading`);
  }

  resumeReading(): void {
    if (this.#closing || !this.#paused) return;
    this.#paused = false;
    this.loop.ioAddReader(this.#fd, SelectorTransport.#readReady, null, this);
    if (this.loop.getDebug()) logger.debug(`${this} resumes reading`);
  }

  // --- writing -----------------------------------------------------------------

  /**
   * Sends at once what the socket takes and buffers the rest (copied), with
   * a writer registered until the buffer is empty.
   * @throws TypeError for data that is not a Uint8Array or string;
   * RuntimeError after writeEof(), close() or abort().
   */
  write(data: Uint8Array | string): void {
    const bytes = toBytes(data);
    if (this.#eof) throw new RuntimeError('write(): cannot write after writeEof(); the write side is already closed');
    if (this.#closedByUser) {
      throw new RuntimeError('write(): the transport is closed (close() or abort() was called); write before closing, or open a new connection');
    }
    if (bytes.length === 0) return;
    if (this.#connectionLost) {
      if (this.#connectionLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warn('socket.send() raised exception.');
      this.#connectionLost++;
      return;
    }
    let sent = 0;
    if (this.#outEnd === this.#outStart) {
      // Nothing waits: try to send now.
      try {
        sent = this.#socket!.trySend(bytes, 0, bytes.length);
      } catch (error) {
        this.#fatalError(error, 'Fatal write error on socket transport');
        return;
      }
      if (sent === bytes.length) return;
      if (sent < 0) sent = 0;
      this.loop.ioAddWriter(this.#fd, SelectorTransport.#writeReady, null, this);
    }
    this.#append(bytes, sent);
    this.maybePauseProtocol();
  }

  /** Appends `bytes[from:]` to the write buffer, growing it as a bytearray grows. */
  #append(bytes: Uint8Array, from: number): void {
    const length = bytes.length - from;
    let out = this.#out;
    if (out === null || this.#outEnd + length > out.length) {
      const pending = this.#outEnd - this.#outStart;
      const needed = pending + length;
      if (out !== null && needed <= out.length && this.#outStart > 0) {
        out.copyWithin(0, this.#outStart, this.#outEnd);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed, out === null ? 0 : out.length * 2, 16 * 1024));
        if (out !== null) out.copy(grown, 0, this.#outStart, this.#outEnd);
        this.#out = out = grown;
      }
      this.#outStart = 0;
      this.#outEnd = pending;
    }
    out.set(from === 0 ? bytes : bytes.subarray(from), this.#outEnd);
    this.#outEnd += length;
  }

  /** The socket is writable: send what is buffered, as asyncio's _write_ready. */
  static #writeReady(transport: SelectorTransport): void {
    if (transport.#connectionLost) return;
    const loop = transport.loop;
    let sent: number;
    try {
      sent = transport.#socket!.trySend(transport.#out!, transport.#outStart, transport.#outEnd - transport.#outStart);
    } catch (error) {
      loop.ioRemoveWriter(transport.#fd);
      transport.#clearBuffer();
      transport.#fatalError(error, 'Fatal write error on socket transport');
      return;
    }
    if (sent > 0) {
      transport.#outStart += sent;
      if (transport.#outStart === transport.#outEnd) transport.#clearBuffer();
    }
    // May write more: the buffer is looked at again after.
    transport.maybeResumeProtocol();
    if (transport.#outEnd !== transport.#outStart || transport.#connectionLost) return;
    loop.ioRemoveWriter(transport.#fd);
    if (transport.#closing) SelectorTransport.#callConnectionLost(transport, undefined);
    else if (transport.#eof) transport.#shutdownWrite();
  }

  #clearBuffer(): void {
    this.#outStart = this.#outEnd = 0;
    // A large buffer is let go once empty; a small one is kept for the next burst.
    if (this.#out !== null && this.#out.length > 256 * 1024) this.#out = null;
  }

  #shutdownWrite(): void {
    try {
      this.#socket!.shutdown(SHUT_WR);
    } catch (error) {
      this.#fatalError(error, 'Fatal error on shutdown(SHUT_WR)');
    }
  }

  getWriteBufferSize(): number {
    return this.#outEnd - this.#outStart;
  }

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    this.#eof = true;
    if (this.#outEnd === this.#outStart) this.#shutdownWrite();
  }

  canWriteEof(): boolean {
    return true;
  }

  // --- closing -----------------------------------------------------------------

  isClosing(): boolean {
    return this.#closing;
  }

  close(): void {
    if (this.#closing) return;
    this.#closedByUser = true;
    this.#close();
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.loop.ioRemoveReader(this.#fd);
    if (this.#outEnd === this.#outStart) {
      this.#connectionLost++;
      this.loop.ioRemoveWriter(this.#fd);
      this.loop.scheduleSoon(SelectorTransport.#callConnectionLost, null, this, undefined);
    }
  }

  abort(): void {
    this.#closedByUser = true;
    this.#forceClose(undefined);
  }

  #fatalError(error: unknown, message: string): void {
    if (OSError.isInstance(error)) {
      if (this.loop.getDebug()) logger.debug(`${this}: ${message}`, error);
    } else {
      this.loop.callExceptionHandler({ message, exception: error, transport: this, protocol: this.#protocol });
    }
    this.#forceClose(error as Error);
  }

  #forceClose(error: Error | undefined): void {
    if (this.#connectionLost) return;
    if (this.#outEnd !== this.#outStart) {
      this.#clearBuffer();
      this.loop.ioRemoveWriter(this.#fd);
    }
    if (!this.#closing) {
      this.#closing = true;
      this.loop.ioRemoveReader(this.#fd);
    }
    this.#connectionLost++;
    this.loop.scheduleSoon(SelectorTransport.#callConnectionLost, null, this, error);
  }

  static #callConnectionLost(transport: SelectorTransport, error: Error | undefined): void {
    const socket = transport.#socket;
    if (socket === null) return;
    transport.#connectionLost ||= 1;
    const server = transport.#server;
    transport.#server = null;
    try {
      transport.#protocol.connectionLost(error);
    } finally {
      transport.#socket = null;
      if (!transport.loop.isClosed()) transport.loop.deleteFdOwner(transport.#fd);
      socket.close();
      server?.detach(transport);
    }
  }

  // --- the rest ----------------------------------------------------------------

  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    return name in this.#extra ? ((this.#extra[name] ?? defaultValue) as T | undefined) : defaultValue;
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol as StreamProtocol;
    this.#buffered = isBufferedProtocol(protocol);
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  override toString(): string {
    const state = this.#socket === null ? ' closed' : this.#closing ? ' closing' : '';
    const read = this.isReading() ? 'polling' : 'idle';
    const write = this.#outEnd !== this.#outStart ? 'polling' : 'idle';
    return `<${this.constructor.name}${state} fd=${this.#fd} read=${read} write=<${write}, bufsize=${this.getWriteBufferSize()}>>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function tryAddress(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    // Not connected (or not bound): asyncio records None.
    return undefined;
  }
}

function setResultUnlessDone(waiter: Future<void>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}
