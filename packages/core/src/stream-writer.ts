/**
 * StreamWriter: the writing end of a stream (asyncio's streams.StreamWriter):
 * a thin wrapper of the transport, plus drain() for write flow control and
 * waitClosed().
 *
 * Differences from asyncio:
 * - drain() and waitClosed() return loop Futures (`await writer.drain()` or
 *   `yield* writer.drain()`). waitClosed() gives each caller its own Future,
 *   so cancelling one does not cancel the connection's.
 * - `await using writer = ...` closes the writer and waits until it is closed
 *   (the connection's own error, if any, is not thrown again there: reads
 *   and drain() report it).
 * - write() takes a Uint8Array or a string (UTF-8).
 */
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import { CancelledError } from './errors.js';
import { Future } from './future.js';
import type { StreamReader } from './stream-reader.js';
import type { StreamReaderProtocol } from './stream-reader-protocol.js';
import type { Data, Transport } from './transports.js';
import type { ClientSsl } from './create-connection.js';
import type { ServerSsl } from './create-server.js';

/** Options of StreamWriter.startTls() (the side comes from the connection: a startServer() one is the server). */
export interface StreamStartTlsOptions {
  /** The name the server's certificate must match (client side; required, '' skips the check). */
  serverHostname?: string | null;
  /** Seconds the handshake may take before the connection is aborted (default 60). */
  sslHandshakeTimeout?: number | null;
}

/**
 * The writing end of a stream: write without waiting, then `drain()` to wait
 * while the transport's write buffer is full.
 * @example
 * writer.write('hello\n');
 * await writer.drain();       // async function
 * writer.close();
 * yield* writer.waitClosed(); // generator coroutine
 */
export class StreamWriter implements AsyncDisposable {
  #transport: Transport;
  readonly #protocol: StreamReaderProtocol;
  readonly #reader: StreamReader | null;
  readonly #loop: BaseEventLoop;

  constructor(transport: Transport, protocol: StreamReaderProtocol, reader: StreamReader | null, loop: BaseEventLoop) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
    this.#loop = loop;
  }

  /** The transport written to. */
  get transport(): Transport {
    return this.#transport;
  }

  /**
   * Writes `data` without waiting: what the socket does not take now is
   * buffered. Follow with `drain()` to respect flow control.
   * @throws RuntimeError (from the transport) when it is closing.
   */
  write(data: Data): void {
    this.#transport.write(data);
  }

  /** Writes each chunk in turn, as write(). */
  writelines(chunks: Iterable<Data>): void {
    this.#transport.writelines(chunks);
  }

  /** Half-closes: sends EOF once the buffered data is written; reading goes on. */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /** True when writeEof() is supported (TCP and Unix sockets; not TLS). */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /** Closes the stream: buffered data is still written, then the connection is closed. */
  close(): void {
    this.#transport.close();
  }

  /** True once the stream is closing or closed. */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /**
   * A Future that completes once the connection is closed; it fails with the
   * connection's error if it was lost to one.
   * @example
   * writer.close();
   * await writer.waitClosed();
   */
  waitClosed(): Future<void> {
    return follow(this.#loop, this.#protocol.closeWaiter);
  }

  /** Information about the connection: 'peername', 'sockname', 'socket', 'sslcontext', … (see Transport.getExtraInfo). */
  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    return this.#transport.getExtraInfo<T>(name, defaultValue);
  }

  /**
   * Waits until it is fine to write again: done at once unless the
   * transport's write buffer is over its high-water mark, then done once it
   * drained. Fails with the reader's exception when the connection failed,
   * and with ConnectionResetError once the connection is lost.
   * @example
   * writer.write(data);
   * await writer.drain();
   */
  drain(): Future<void> {
    const error = this.#reader?.exception() ?? null;
    if (error !== null) {
      const failed = new Future<void>({ loop: this.#loop });
      failed.setException(error);
      return failed;
    }
    if (!this.#transport.isClosing()) return this.#protocol.drainHelper();
    // Closing: let one iteration pass so that connectionLost() may come
    // first, or code that calls `write(); await drain()` in a loop would never
    // see the connection fail (asyncio's sleep(0) there).
    const future = new Future<void>({ loop: this.#loop });
    this.#loop.callSoon(() => {
      if (future.done()) return;
      const helper = this.#protocol.drainHelper();
      copyInto(helper, future);
      // Cancelling drain() withdraws its waiter.
      future.addDoneCallback(() => helper.cancel());
    });
    return future;
  }

  /**
   * Upgrades the connection to TLS in mid-stream (STARTTLS): drains, then
   * does the handshake (as the server on a startServer() connection, else as
   * the client); the reader and writer go on over TLS. EventLoop only.
   * Cancelled or failed, the connection is closed.
   * @example
   * writer.write('STARTTLS\r\n');
   * await reader.readline();
   * await writer.startTls(true, { serverHostname: 'mail.example.com' });
   */
  startTls(sslcontext: ClientSsl | ServerSsl, options: StreamStartTlsOptions = {}): Future<void> {
    const done = new Future<void>({ loop: this.#loop });
    const drained = this.drain();
    let upgrade: Future<Transport> | null = null;
    done.addDoneCallback(() => {
      if (!done.cancelled()) return;
      drained.cancel();
      upgrade?.cancel();
    });
    drained.addDoneCallback(() => {
      if (done.done()) return;
      if (drained.cancelled()) return void done.cancel();
      if (drained.exception() !== null) return done.setException(drained.exception());
      upgrade = this.#loop.startTls(this.#transport, this.#protocol, sslcontext, {
        serverSide: this.#protocol.serverSide,
        serverHostname: options.serverHostname,
        sslHandshakeTimeout: options.sslHandshakeTimeout,
      });
      upgrade.addDoneCallback((upgraded) => {
        if (done.done()) return;
        if (upgraded.cancelled()) return void done.cancel();
        if (upgraded.exception() !== null) return done.setException(upgraded.exception());
        this.#transport = upgraded.result();
        this.#protocol.replaceWriter(this);
        done.setResult(undefined);
      });
    });
    return done;
  }

  /** `await using writer`: closes and waits until closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    try {
      await this.waitClosed();
    } catch (error) {
      // The connection's error was for the reads and drain() to report.
      if (CancelledError.isInstance(error)) throw error;
    }
  }

  toString(): string {
    const info = ['StreamWriter', `transport=${this.#transport.constructor.name}`];
    if (this.#reader !== null) info.push(`reader=${this.#reader}`);
    return `<${info.join(' ')}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A new Future with `source`'s outcome, once it has one; cancelling it leaves `source` alone. */
function follow<T>(loop: BaseEventLoop, source: Future<T>): Future<T> {
  const future = new Future<T>({ loop });
  copyInto(source, future);
  return future;
}

/** Gives `target` the outcome of `source`, now or as soon as `source` completes (in that very call, no iteration later). */
function copyInto<T>(source: Future<T>, target: Future<T>): void {
  source.addListener({
    futureDone() {
      if (target.done()) return;
      if (source.cancelled()) target.cancel();
      else if (source.exception() !== null) target.setException(source.exception());
      else target.setResult(source.result());
    },
  });
}
