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
import { IPPROTO_TCP, SHUT_WR, TCP_NODELAY, AF_INET, AF_INET6, type Socket } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from './base-event-loop.js';
import { RuntimeError } from './errors.js';
import { describe } from './internal/checks.js';
import { LOG_THRESHOLD_FOR_CONNLOST_WRITES, StreamTransport, type StreamTransportOptions } from './internal/stream-transport.js';
import { logger } from './logger.js';
import type { BufferedProtocol, Protocol, StreamProtocol } from './protocols.js';

/** asyncio's _SelectorTransport.max_size: the most one read takes. */
export const MAX_READ_SIZE = 256 * 1024;

/** How the received bytes are carved: a fresh slab when less than this is left in the current one. */
const SLAB_SIZE = 1024 * 1024;
const MIN_SLAB_ROOM = MAX_READ_SIZE;

// One slab for every transport of the thread: reads land in it back to back,
// and each chunk handed to a protocol is a view of it.
let slab: Buffer | null = null;
let slabOffset = 0;

/**
 * A stream transport over a non-blocking selectors Socket, for a
 * SelectorEventLoop. Made by createConnection() and createServer().
 */
export class SelectorTransport extends StreamTransport {
  #socket: Socket | null;
  readonly #fd: number;
  /** The write buffer: bytes [#outStart, #outEnd) of #out wait to be sent. */
  #out: Buffer | null = null;
  #outStart = 0;
  #outEnd = 0;

  /** @internal */
  constructor(loop: BaseEventLoop, socket: Socket, protocol: StreamProtocol, options: StreamTransportOptions = {}) {
    super(loop, socket, protocol, options);
    this.#socket = socket;
    this.#fd = socket.fileno();
    this.extra.sockname ??= tryAddress(() => socket.getsockname());
    this.extra.peername ??= tryAddress(() => socket.getpeername());
    // Small writes go out without waiting for the peer's ACK (asyncio's _set_nodelay).
    if (socket.family === AF_INET || socket.family === AF_INET6) socket.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    loop.setFdOwner(this.#fd, this);
  }

  // --- reading -----------------------------------------------------------------

  /**
   * The socket is readable: one read, as asyncio's _read_ready, into the
   * shared slab (a Protocol) or into the buffer getBuffer() gives (a
   * BufferedProtocol). One function for both, so the recv and its outcomes
   * are handled once and a chunk costs no call of its own.
   */
  static #readReady(transport: SelectorTransport): void {
    if (transport.connectionLost) return;
    const protocol = transport.protocol;
    const buffered = transport.buffered;
    let into: Uint8Array;
    let offset: number;
    let length: number;
    if (buffered) {
      try {
        into = (protocol as BufferedProtocol).getBuffer(-1);
        if (!(into instanceof Uint8Array)) throw new TypeError(`getBuffer() must return a Uint8Array, got ${describe(into)}`);
        if (into.length === 0) throw new RuntimeError('getBuffer() returned an empty buffer');
      } catch (error) {
        transport.fatalError(error, 'Fatal error: protocol.getBuffer() call failed.');
        return;
      }
      offset = 0;
      length = into.length;
    } else {
      if (slab === null || SLAB_SIZE - slabOffset < MIN_SLAB_ROOM) {
        slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
        slabOffset = 0;
      }
      into = slab;
      offset = slabOffset;
      length = MAX_READ_SIZE;
    }
    let count: number;
    try {
      count = transport.#socket!.tryRecvInto(into, offset, length);
    } catch (error) {
      transport.fatalError(error, 'Fatal read error on socket transport');
      return;
    }
    if (count < 0) return;
    if (count === 0) {
      transport.#readEof();
      return;
    }
    if (buffered) {
      try {
        (protocol as BufferedProtocol).bufferUpdated(count);
      } catch (error) {
        transport.fatalError(error, 'Fatal error: protocol.bufferUpdated() call failed.');
      }
      return;
    }
    const data = (into as Buffer).subarray(offset, offset + count);
    // Keep the next chunk 8-byte aligned.
    slabOffset += (count + 7) & ~7;
    try {
      (protocol as Protocol).dataReceived(data);
    } catch (error) {
      transport.fatalError(error, 'Fatal error: protocol.dataReceived() call failed.');
    }
  }

  #readEof(): void {
    // Kept open so that the protocol can write on; there is nothing more to read.
    if (this.deliverEof()) this.loop.ioRemoveReader(this.#fd);
  }

  /** @internal */
  protected readingPaused(): void {
    this.loop.ioRemoveReader(this.#fd);
  }

  /** @internal */
  protected readingResumed(): void {
    this.loop.ioAddReader(this.#fd, SelectorTransport.#readReady, null, this);
  }

  // --- writing -----------------------------------------------------------------

  /**
   * Sends at once what the socket takes and buffers the rest (copied), with
   * a writer registered until the buffer is empty.
   * @throws TypeError for data that is not a Uint8Array or string;
   * RuntimeError after writeEof(), close() or abort().
   */
  write(data: Uint8Array | string): void {
    const bytes = this.bytesToWrite(data);
    if (bytes.length === 0) return;
    if (this.connectionLost) {
      if (this.connectionLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warn('socket.send() raised exception.');
      this.connectionLost++;
      return;
    }
    let sent = 0;
    if (this.#outEnd === this.#outStart) {
      // Nothing waits: try to send now.
      try {
        sent = this.#socket!.trySend(bytes, 0, bytes.length);
      } catch (error) {
        this.fatalError(error, 'Fatal write error on socket transport');
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
    if (transport.connectionLost) return;
    const loop = transport.loop;
    let sent: number;
    try {
      sent = transport.#socket!.trySend(transport.#out!, transport.#outStart, transport.#outEnd - transport.#outStart);
    } catch (error) {
      loop.ioRemoveWriter(transport.#fd);
      transport.#clearBuffer();
      transport.fatalError(error, 'Fatal write error on socket transport');
      return;
    }
    if (sent > 0) {
      transport.#outStart += sent;
      if (transport.#outStart === transport.#outEnd) transport.#clearBuffer();
    }
    // May write more: the buffer is looked at again after.
    transport.maybeResumeProtocol();
    if (transport.#outEnd !== transport.#outStart || transport.connectionLost) return;
    loop.ioRemoveWriter(transport.#fd);
    if (transport.closing) transport.callConnectionLost(undefined);
    else if (transport.eof) transport.#shutdownWrite();
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
      this.fatalError(error, 'Fatal error on shutdown(SHUT_WR)');
    }
  }

  getWriteBufferSize(): number {
    return this.#outEnd - this.#outStart;
  }

  writeEof(): void {
    if (this.closing || this.eof) return;
    this.eof = true;
    if (this.#outEnd === this.#outStart) this.#shutdownWrite();
  }

  canWriteEof(): boolean {
    return true;
  }

  // --- closing -----------------------------------------------------------------

  /** Reading stops now; the writer sends what is buffered, then connectionLost(). @internal */
  protected closeAfterFlush(): void {
    if (this.closing) return;
    this.closing = true;
    this.loop.ioRemoveReader(this.#fd);
    if (this.#outEnd === this.#outStart) {
      this.connectionLost++;
      this.loop.ioRemoveWriter(this.#fd);
      this.scheduleConnectionLost(undefined);
    }
  }

  /** @internal */
  protected forceClose(error: Error | undefined): void {
    if (this.connectionLost) return;
    if (this.#outEnd !== this.#outStart) {
      this.#clearBuffer();
      this.loop.ioRemoveWriter(this.#fd);
    }
    if (!this.closing) {
      this.closing = true;
      this.loop.ioRemoveReader(this.#fd);
    }
    this.connectionLost++;
    this.scheduleConnectionLost(error);
  }

  /** @internal */
  protected override callConnectionLost(error: Error | undefined): void {
    if (this.#socket === null) return;
    this.connectionLost ||= 1;
    super.callConnectionLost(error);
  }

  /** @internal */
  protected releaseSocket(): void {
    const socket = this.#socket!;
    this.#socket = null;
    if (!this.loop.isClosed()) this.loop.deleteFdOwner(this.#fd);
    socket.close();
  }

  // --- the rest ----------------------------------------------------------------

  override toString(): string {
    const state = this.#socket === null ? ' closed' : this.closing ? ' closing' : '';
    const read = this.isReading() ? 'polling' : 'idle';
    const write = this.#outEnd !== this.#outStart ? 'polling' : 'idle';
    return `<${this.constructor.name}${state} fd=${this.#fd} read=${read} write=<${write}, bufsize=${this.getWriteBufferSize()}>>`;
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
