/**
 * Protocols: the callbacks a transport calls as a connection lives (asyncio's
 * protocols.py). Subclass one and override what you need; every method has a
 * do-nothing default, as in asyncio.
 *
 * Stream protocols' connectionMade() receives a Transport: override it as
 * `connectionMade(transport: Transport)` (method parameters are bivariant).
 *
 * Differences from asyncio: data arrives as a Node `Buffer` (a Uint8Array)
 * instead of `bytes`; `getBuffer(sizeHint)` returns a Uint8Array to fill.
 */
import type { BaseTransport } from './transports.js';

/** What every protocol has: connection made and lost, and write flow control. */
export class BaseProtocol {
  /** Called once the connection is made, with its transport. */
  connectionMade(transport: BaseTransport): void {
    void transport;
  }

  /** Called once the connection is closed: `error` is undefined for a clean close (EOF or close()). */
  connectionLost(error: Error | undefined): void {
    void error;
  }

  /** The transport's write buffer went over its high-water mark: stop writing until resumeWriting(). */
  pauseWriting(): void {}

  /** The transport's write buffer drained to its low-water mark: writing may go on. */
  resumeWriting(): void {}
}

/** A stream protocol: bytes in, in the order they were sent. */
export class Protocol extends BaseProtocol {
  /** Called with each chunk of bytes received. */
  dataReceived(data: Buffer): void {
    void data;
  }

  /**
   * Called when the peer half-closed (sent EOF). Return true to keep the
   * transport open for writing; anything else closes it.
   */
  eofReceived(): boolean | void {
    return undefined;
  }
}

/**
 * A stream protocol that owns its receive buffer (asyncio's BufferedProtocol):
 * the transport reads straight into the buffer getBuffer() returns.
 */
export class BufferedProtocol extends BaseProtocol {
  /** Returns the buffer to read the next bytes into (at least 1 byte; `sizeHint` is a wish, -1 for any). */
  getBuffer(sizeHint: number): Uint8Array {
    void sizeHint;
    throw new TypeError('BufferedProtocol.getBuffer(sizeHint) must be overridden to return a Uint8Array');
  }

  /** Called after `nbytes` were written into the buffer getBuffer() returned. */
  bufferUpdated(nbytes: number): void {
    void nbytes;
  }

  /** As Protocol.eofReceived(). */
  eofReceived(): boolean | void {
    return undefined;
  }
}

/** Either kind of stream protocol a transport can drive. */
export type StreamProtocol = Protocol | BufferedProtocol;

/** Where a datagram came from, or goes: `[host, port]`. */
export type DatagramAddress = [host: string, port: number];

/** A datagram protocol (UDP, asyncio's DatagramProtocol): whole datagrams, each with its sender. */
export class DatagramProtocol extends BaseProtocol {
  /** Called with each datagram received and the address it came from. */
  datagramReceived(data: Buffer, address: DatagramAddress): void {
    void data;
    void address;
  }

  /**
   * Called when a send or a receive failed (an OSError: the port of a
   * connected endpoint's peer refused, a datagram too large, ...). The
   * transport stays open.
   */
  errorReceived(error: Error): void {
    void error;
  }
}
