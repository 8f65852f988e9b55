/**
 * NetTransport: the stream transport of the hosted EventLoop, over Node's
 * net.Socket or tls.TLSSocket (uvloop's UVStream over libuv, here over Node's
 * own libuv streams). Node reads and writes; the transport turns its events
 * into protocol calls made from loop handles, in order, with asyncio's rules
 * (selector_events._SelectorSocketTransport).
 *
 * Differences from asyncio:
 * - The write buffer is Node's: getWriteBufferSize() is `socket.writableLength`,
 *   and write() keeps a reference to the Buffer it is given until it is sent
 *   (as Node's socket.write() does): do not change it afterwards.
 * - Received chunks are Node's Buffers, as Node cut them (up to 64 KiB).
 *   A BufferedProtocol gets them copied into its getBuffer() buffers.
 * - When both directions have ended (writeEof() sent and EOF received, with
 *   eofReceived() returning true), Node closes the socket and the protocol's
 *   connectionLost(undefined) follows without a close() call.
 * - write() after close() or abort() throws RuntimeError (asyncio appends to
 *   a buffer that is never sent); after the connection was lost, writes are
 *   dropped with a warning, as asyncio's.
 * - TLS transports cannot half-close: writeEof() throws (asyncio's raises
 *   NotImplementedError).
 */
import type { Socket as NodeSocket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { OSError } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from './base-event-loop.js';
import { RuntimeError } from './errors.js';
import { describe } from './internal/checks.js';
import { LOG_THRESHOLD_FOR_CONNLOST_WRITES, StreamTransport, type StreamTransportOptions, type TransportOwner } from './internal/stream-transport.js';
import { logger } from './logger.js';
import type { BufferedProtocol, Protocol, StreamProtocol } from './protocols.js';

const EMPTY = Buffer.alloc(0);

/**
 * A stream transport over a Node socket, for the hosted EventLoop. Made by
 * createConnection() and createServer(); not constructed by users.
 */
export class NetTransport extends StreamTransport {
  #socket: NodeSocket | null;
  readonly #tls: boolean;
  /** Writes dropped while closing (asyncio warns from the fifth). */
  #connectionLostWrites = 0;
  /** Chunks that arrived while reading was paused, delivered on resumeReading(). */
  #held: Buffer[] | null = null;
  /** The peer's EOF arrived while reading was paused (after #held). */
  #eofHeld = false;
  /** An error Node reported: connectionLost() gets it. */
  #error: Error | undefined = undefined;
  #resumeScheduled = false;
  /** The socket went to a TLS layer (handOverSocket()): writes here are a mistake, not a lost connection. */
  #handedOver = false;

  /** @internal */
  constructor(loop: BaseEventLoop, socket: NodeSocket, protocol: StreamProtocol, options: StreamTransportOptions = {}) {
    super(loop, socket, protocol, options);
    this.#socket = socket;
    this.#tls = (socket as TLSSocket).encrypted === true;
    // Captured now, as asyncio's: a closed Node socket forgets its addresses.
    this.extra.peername ??= socketAddress(socket.remoteAddress, socket.remotePort);
    this.extra.sockname ??= socketAddress(socket.localAddress, socket.localPort);
    // Small writes go out without waiting for the peer's ACK (asyncio's _set_nodelay).
    if (socket.remotePort !== undefined) socket.setNoDelay(true);
    // Reading starts after connectionMade(), as in asyncio; until then Node
    // keeps what arrives in the socket's own buffer.
    socket.pause();
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.off('error', ignoreUntilTransport);
    // The socket may have failed or closed before its transport was made: that shows now.
    if (socket.destroyed) {
      if (socket.errored) this.#error = toOSError(socket.errored) as Error;
      loop.scheduleSoon(NetTransport.#socketClosed, null, this);
    }
  }

  // --- Node's events, queued as bare loop callbacks (no Handle per chunk) ------

  readonly #onData = (chunk: Buffer): void => {
    if (this.#schedulable()) this.loop.enqueueSoon(null, NetTransport.#dataArrived, this, chunk);
  };

  readonly #onEnd = (): void => {
    if (this.#schedulable()) this.loop.enqueueSoon(null, NetTransport.#eofArrived, this);
  };

  readonly #onError = (error: Error): void => {
    this.#error ??= toOSError(error) as Error;
  };

  readonly #onClose = (): void => {
    if (!this.connectionLost && this.#schedulable()) this.loop.enqueueSoon(null, NetTransport.#socketClosed, this);
  };

  /** Called by Node once a write that took the buffer above the low-water mark is flushed. */
  readonly #afterWrite = (): void => {
    if (!this.protocolPaused || this.#resumeScheduled || this.connectionLost) return;
    if (this.getWriteBufferSize() > this.lowWater || !this.#schedulable()) return;
    this.#resumeScheduled = true;
    this.loop.enqueueSoon(null, NetTransport.#writeBufferDrained, this);
  };

  /** close() with data buffered: Node flushed it (or failed to). */
  readonly #afterFlushForClose = (error?: Error | null): void => {
    if (this.connectionLost || !this.#schedulable()) return;
    this.forceClose(error ? (toOSError(error) as Error) : this.#error);
  };

  /** A Node event may come after the loop closed: then nothing more can run, and the socket goes. */
  #schedulable(): boolean {
    if (!this.loop.isClosed()) return true;
    this.#socket?.destroy();
    return false;
  }

  // --- the handles -------------------------------------------------------------

  static #dataArrived(transport: NetTransport, chunk: Buffer): void {
    if (transport.closing) return;
    if (transport.paused || transport.#held !== null) (transport.#held ??= []).push(chunk);
    else transport.#deliver(chunk);
  }

  static #eofArrived(transport: NetTransport): void {
    if (transport.closing) return;
    if (transport.paused || transport.#held !== null) transport.#eofHeld = true;
    else transport.deliverEof();
  }

  static #deliverHeld(transport: NetTransport): void {
    const held = transport.#held;
    while (held !== null && held.length > 0 && !transport.paused && !transport.closing) transport.#deliver(held.shift()!);
    if (transport.paused || transport.closing) return;
    transport.#held = null;
    if (transport.#eofHeld) {
      transport.#eofHeld = false;
      transport.deliverEof();
    }
  }

  static #socketClosed(transport: NetTransport): void {
    if (transport.connectionLost) return;
    transport.forceClose(transport.#error);
  }

  static #writeBufferDrained(transport: NetTransport): void {
    transport.#resumeScheduled = false;
    if (!transport.connectionLost) transport.maybeResumeProtocol();
  }

  // --- reading -----------------------------------------------------------------

  /** Hands one chunk to the protocol; a protocol that throws closes the transport. */
  #deliver(chunk: Buffer): void {
    if (!this.buffered) {
      try {
        (this.protocol as Protocol).dataReceived(chunk);
      } catch (error) {
        this.fatalError(error, 'Fatal error: protocol.dataReceived() call failed.');
      }
      return;
    }
    this.#deliverBuffered(chunk);
  }

  /** BufferedProtocol: copy the chunk into getBuffer()'s buffers, as many as it takes. */
  #deliverBuffered(chunk: Buffer): void {
    const protocol = this.protocol as BufferedProtocol;
    let offset = 0;
    while (offset < chunk.length) {
      let buffer: Uint8Array;
      try {
        buffer = protocol.getBuffer(chunk.length - offset);
        if (!(buffer instanceof Uint8Array)) throw new TypeError(`getBuffer() must return a Uint8Array, got ${describe(buffer)}`);
        if (buffer.length === 0) throw new RuntimeError('getBuffer() returned an empty buffer');
      } catch (error) {
        this.fatalError(error, 'Fatal error: protocol.getBuffer() call failed.');
        return;
      }
      const count = Math.min(buffer.length, chunk.length - offset);
      buffer.set(chunk.subarray(offset, offset + count));
      offset += count;
      try {
        protocol.bufferUpdated(count);
      } catch (error) {
        this.fatalError(error, 'Fatal error: protocol.bufferUpdated() call failed.');
        return;
      }
      if (this.closing) return;
      if (this.paused && offset < chunk.length) {
        // Paused in the middle of a chunk: keep the rest for resumeReading().
        (this.#held ??= []).unshift(chunk.subarray(offset));
        return;
      }
    }
  }

  /** @internal */
  protected readingPaused(): void {
    this.#socket!.pause();
  }

  /** Delivers what arrived while paused, on a later iteration, and lets Node read on. @internal */
  protected readingResumed(): void {
    if (this.#held !== null || this.#eofHeld) {
      this.#held ??= [];
      this.loop.scheduleSoon(NetTransport.#deliverHeld, null, this);
    }
    this.#socket!.resume();
  }

  // --- writing -----------------------------------------------------------------

  /**
   * Writes without blocking; Node buffers what the kernel does not take now.
   * Above the high-water mark the protocol's pauseWriting() is called.
   * @throws TypeError for data that is not a Uint8Array or string;
   * RuntimeError after writeEof(), close() or abort().
   */
  write(data: Uint8Array | string): void {
    const bytes = this.bytesToWrite(data);
    if (bytes.length === 0) return;
    if (this.closing) {
      if (this.#handedOver) throw new RuntimeError('write(): this transport was upgraded to TLS by startTls(); write to the transport startTls() gave');
      // The connection is lost (or closing after EOF or an error): asyncio drops the data, and warns.
      if (++this.#connectionLostWrites >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warn('socket.send() raised exception.');
      return;
    }
    const socket = this.#socket!;
    // Ask Node for word once a write leaves the buffer above the low-water
    // mark: only then can resumeWriting() become due.
    if (socket.writableLength + bytes.length > this.lowWater) socket.write(bytes, this.#afterWrite);
    else socket.write(bytes);
    this.maybePauseProtocol();
  }

  getWriteBufferSize(): number {
    return this.#socket === null ? 0 : this.#socket.writableLength;
  }

  override setWriteBufferLimits(high?: number, low?: number): void {
    const wasPaused = this.protocolPaused;
    super.setWriteBufferLimits(high, low);
    // Paused by the new limits: the writes already buffered may have been made
    // without a callback (they were below the old low-water mark); an empty
    // write after them tells when they are flushed.
    if (!wasPaused && this.protocolPaused && this.#socket !== null && !this.closing) this.#socket.write(EMPTY, this.#afterWrite);
  }

  /** Sends EOF once the buffer is flushed; reading goes on. Not on TLS (see canWriteEof()). */
  writeEof(): void {
    if (this.#tls) {
      throw new RuntimeError('writeEof(): TLS transports cannot half-close (as asyncio); use close() instead');
    }
    if (this.closing || this.eof) return;
    this.eof = true;
    this.#socket!.end();
  }

  canWriteEof(): boolean {
    return !this.#tls;
  }

  // --- closing -----------------------------------------------------------------

  /** Reading stops now; Node flushes the buffer, then closes. @internal */
  protected closeAfterFlush(): void {
    if (this.closing) return;
    this.closing = true;
    this.#held = null;
    const socket = this.#socket!;
    socket.pause();
    if (socket.writableLength === 0) this.forceClose(undefined);
    else if (this.eof) socket.once('finish', this.#afterFlushForClose);
    else socket.end(this.#afterFlushForClose);
  }

  /** @internal */
  protected forceClose(error: Error | undefined): void {
    if (this.connectionLost) return;
    this.connectionLost = 1;
    this.closing = true;
    this.#held = null;
    this.#socket?.destroy();
    this.scheduleConnectionLost(error);
  }

  /** @internal */
  protected releaseSocket(): void {
    this.#socket?.destroy();
    this.#socket = null;
  }

  // --- handing the socket over (startTls) -------------------------------------------

  /**
   * What the socket gave before this transport took it (startTls()'s
   * handshake read on): delivered first, once reading starts, as what
   * arrives while paused is.
   * @internal
   */
  holdEarly(chunks: Buffer[], ended: boolean): void {
    if (chunks.length > 0) (this.#held ??= []).push(...chunks);
    if (ended) {
      this.#held ??= [];
      this.#eofHeld = true;
    }
  }

  /**
   * Gives the socket up to a TLS layer (loop.startTls()): the transport lets
   * go of it without closing it, stops hearing its events, closes itself
   * without calling connectionLost() (the protocol goes on over TLS). Its
   * server is returned, still counting it: the caller detaches it once the
   * TLS transport is attached, or the upgrade failed. What arrived and was
   * not delivered goes back into the socket, for the TLS layer to read first.
   * @internal
   */
  handOverSocket(): { socket: NodeSocket; server: TransportOwner | null } {
    const socket = this.#socket;
    if (socket === null || this.closing) throw new RuntimeError('startTls(): the transport is closing; upgrade an open connection');
    if (this.#tls) throw new RuntimeError('startTls(): the transport is already TLS');
    // Nothing more for the protocol from here: what Node holds stays for the TLS layer.
    socket.pause();
    this.paused = true;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    socket.off('error', this.#onError);
    socket.off('close', this.#onClose);
    socket.on('error', ignoreUntilTransport);
    const held = this.#held;
    if (held !== null) for (let index = held.length - 1; index >= 0; index--) socket.unshift(held[index]!);
    this.#held = null;
    this.#socket = null;
    this.#handedOver = true;
    this.closing = true;
    this.connectionLost = 1;
    const server = this.server;
    this.server = null;
    return { socket, server };
  }

  // --- the rest ----------------------------------------------------------------

  /** Extra info, and on TLS 'peercert' and 'cipher' asked of Node's socket. */
  override getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    const socket = this.extra.socket as TLSSocket;
    if (this.#tls && socket && !(name in this.extra)) {
      if (name === 'peercert') return (socket.getPeerCertificate() ?? defaultValue) as T | undefined;
      if (name === 'cipher') return (socket.getCipher() ?? defaultValue) as T | undefined;
    }
    return super.getExtraInfo(name, defaultValue);
  }

  override toString(): string {
    const state = this.#socket === null ? ' closed' : this.closing ? ' closing' : '';
    const read = this.isReading() ? 'polling' : 'idle';
    const peer = this.extra.peername;
    const where = Array.isArray(peer) ? ` peer=${peer[0]}:${peer[1]}` : typeof peer === 'string' ? ` peer=${peer}` : '';
    return `<${this.constructor.name}${state}${where} read=${read} write=<bufsize=${this.getWriteBufferSize()}>>`;
  }
}

/**
 * Listens for a socket's errors between its connection and its transport
 * (without a listener Node would throw them): Node keeps the error
 * (socket.errored) and the transport sees it. @internal
 */
export function ignoreUntilTransport(): void {}

/** `[host, port]`, or undefined when Node does not know the address (a closed socket, a Unix socket). */
function socketAddress(host: string | undefined, port: number | undefined): [string, number] | undefined {
  return host === undefined || port === undefined ? undefined : [host, port];
}

/**
 * A Node system error as the OSError subclass Python would raise
 * (ConnectionRefusedError for ECONNREFUSED, ...), Node's error kept as its
 * `cause`; any other error as it is. @internal
 */
export function toOSError(error: unknown, context?: string): unknown {
  if (!(error instanceof Error) || OSError.isInstance(error)) return error;
  const errno = (error as NodeJS.ErrnoException).errno;
  if (typeof errno !== 'number') return error;
  const syscall = (error as NodeJS.ErrnoException).syscall;
  return OSError.fromErrno(Math.abs(errno), { syscall, context, cause: error });
}
