/**
 * Transports: the loop's side of a connection, which protocols write to
 * (asyncio's transports.py). The loop makes them: createConnection and
 * createServer on Node's net (EventLoop) or on the loop's own non-blocking
 * sockets (SelectorEventLoop).
 *
 * Differences from asyncio: `write()` takes a Uint8Array (Buffer) or a
 * string (encoded as UTF-8), as Node's sockets do.
 */
import type { BaseProtocol } from './protocols.js';

/** Bytes a transport accepts: a Uint8Array (Buffer) or a string, written as UTF-8. */
export type Data = Uint8Array | string;

/** The base of every transport: extra info, the protocol, closing. */
export abstract class BaseTransport {
  /**
   * Optional information about the connection, by asyncio's names:
   * 'peername' and 'sockname' (`[host, port]`), 'socket', 'sslcontext',
   * 'peercert', 'cipher', 'compression'. Returns `defaultValue` when unknown.
   */
  abstract getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined;

  /** True once the transport is closing or closed. */
  abstract isClosing(): boolean;

  /**
   * Closes the transport: buffered data is still flushed, then the protocol's
   * connectionLost(undefined) is called (on a later iteration).
   */
  abstract close(): void;

  /** Replaces the protocol that receives the events. */
  abstract setProtocol(protocol: BaseProtocol): void;

  /** The protocol that receives the events. */
  abstract getProtocol(): BaseProtocol;
}

/** The reading half of a stream transport. */
export abstract class ReadTransport extends BaseTransport {
  /** True while the protocol receives data (not paused). */
  abstract isReading(): boolean;

  /** Stops calling the protocol's dataReceived() until resumeReading(); idempotent. */
  abstract pauseReading(): void;

  /** Calls dataReceived() again after pauseReading(); idempotent. */
  abstract resumeReading(): void;
}

/** The writing half of a stream transport, with write-buffer flow control. */
export abstract class WriteTransport extends BaseTransport {
  /**
   * Sets the write buffer's high- and low-water marks (bytes): above `high`
   * the protocol's pauseWriting() is called, at `low` or below resumeWriting().
   * Defaults: high 64 KiB, low a quarter of high.
   * @throws ValueError when not `high >= low >= 0`.
   */
  abstract setWriteBufferLimits(high?: number, low?: number): void;

  /** `[low, high]`, the water marks in bytes. */
  abstract getWriteBufferLimits(): [number, number];

  /** Bytes waiting in the write buffer. */
  abstract getWriteBufferSize(): number;

  /**
   * Writes without blocking: what the socket does not take now is buffered.
   * @throws RuntimeError when the transport is closing or after writeEof().
   */
  abstract write(data: Data): void;

  /** Writes each chunk in turn, as write(). */
  writelines(chunks: Iterable<Data>): void {
    for (const chunk of chunks) this.write(chunk);
  }

  /** Half-closes: sends EOF once the buffered data is flushed; reading goes on. */
  abstract writeEof(): void;

  /** True when writeEof() is supported (TCP and Unix sockets; not TLS). */
  abstract canWriteEof(): boolean;

  /** Closes at once: buffered data is dropped, connectionLost(undefined) follows. */
  abstract abort(): void;
}

/** A bidirectional stream transport (TCP, Unix socket, TLS). */
export abstract class Transport extends WriteTransport {
  abstract isReading(): boolean;
  abstract pauseReading(): void;
  abstract resumeReading(): void;
}

/** A datagram transport (UDP, asyncio's DatagramTransport). */
export abstract class DatagramTransport extends BaseTransport {
  /**
   * Sends one datagram without waiting, to `address` (`[host, port]`), or to
   * the endpoint's remote address when it has one (then `address` must be
   * that one or omitted). An empty datagram is not sent, as in asyncio.
   */
  abstract sendto(data: Data, address?: [host: string, port: number] | null): void;

  /** Closes at once: datagrams not yet sent are dropped, connectionLost(undefined) follows. */
  abstract abort(): void;

  /** Bytes queued to send. */
  abstract getWriteBufferSize(): number;

  /**
   * Sets the high- and low-water marks of the send queue (64 KiB and a
   * quarter of it): above the high one the protocol's pauseWriting() is
   * called, back at the low one resumeWriting().
   */
  abstract setWriteBufferLimits(high?: number, low?: number): void;

  /** `[low, high]`. */
  abstract getWriteBufferLimits(): [number, number];
}
