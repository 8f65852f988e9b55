/**
 * SelectorDatagramTransport: the datagram transport of a SelectorEventLoop,
 * over a non-blocking @asyncio-ts/selectors Socket, doing its own
 * recvfrom/sendto through the loop's readers and writers (asyncio's
 * selector_events._SelectorDatagramTransport).
 *
 * As CPython's: a readable socket gives one datagram per iteration;
 * sendto() sends at once, and queues a datagram only when the socket has no
 * room, with a writer registered while any is queued; a failed send or
 * receive goes to errorReceived() and the transport stays open.
 *
 * The protocol's pauseWriting()/resumeWriting() follow the queue's water
 * marks (setWriteBufferLimits()), as asyncio's.
 */
import { BlockingIOError, OSError, type Address, type Socket } from '@asyncio-ts/selectors';
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import type { Future } from './future.js';
import { datagramBytes, datagramDestination } from './internal/datagram-checks.js';
import { WriteFlowControl } from './internal/flow-control.js';
import { LOG_THRESHOLD_FOR_CONNLOST_WRITES, setResultUnlessDone } from './internal/stream-transport.js';
import { logger } from './logger.js';
import type { BaseProtocol, DatagramAddress, DatagramProtocol } from './protocols.js';
import { DatagramTransport, type Data } from './transports.js';

/** The largest UDP datagram, and so the receive buffer of a transport. */
const MAX_DATAGRAM = 65536;

export class SelectorDatagramTransport extends DatagramTransport {
  readonly #loop: BaseEventLoop;
  #socket: Socket | null;
  readonly #fd: number;
  #protocol: DatagramProtocol;
  readonly #remote: DatagramAddress | null;
  readonly #receiveBuffer = Buffer.allocUnsafe(MAX_DATAGRAM);
  /** Datagrams the socket had no room for, in order, with where each goes. */
  readonly #queue: Array<[Uint8Array, DatagramAddress]> = [];
  #queuedBytes = 0;
  #closing = false;
  /** connectionLost() is scheduled or done. */
  #lost = false;
  #lostSends = 0;
  readonly #flow: WriteFlowControl;

  /** @internal */
  constructor(loop: BaseEventLoop, socket: Socket, protocol: DatagramProtocol, remote: DatagramAddress | null, waiter: Future<void> | null) {
    super();
    this.#loop = loop;
    this.#socket = socket;
    this.#fd = socket.fileno();
    this.#protocol = protocol;
    this.#remote = remote;
    this.#flow = new WriteFlowControl(loop, this);
    loop.setFdOwner(this.#fd, this);
    loop.scheduleSoon(SelectorDatagramTransport.#connectionMade, null, this);
    // Reading starts once connectionMade() ran, as in asyncio.
    loop.scheduleSoon(SelectorDatagramTransport.#startReading, null, this);
    if (waiter !== null) loop.scheduleSoon(setResultUnlessDone, null, waiter);
  }

  static #connectionMade(transport: SelectorDatagramTransport): void {
    if (!transport.#lost) transport.#protocol.connectionMade(transport);
  }

  static #startReading(transport: SelectorDatagramTransport): void {
    if (!transport.#closing) transport.#loop.ioAddReader(transport.#fd, SelectorDatagramTransport.#readReady, null, transport);
  }

  // --- receiving -------------------------------------------------------------------

  static #readReady(transport: SelectorDatagramTransport): void {
    if (transport.#lost || transport.#socket === null) return;
    let count: number;
    let from: Address | null;
    try {
      [count, from] = transport.#socket.recvfromInto(transport.#receiveBuffer);
    } catch (error) {
      if (error instanceof BlockingIOError) return;
      if (OSError.isInstance(error)) transport.#errorReceived(error as Error);
      else transport.#fatalError(error, 'Fatal read error on datagram transport');
      return;
    }
    try {
      transport.#protocol.datagramReceived(Buffer.from(transport.#receiveBuffer.subarray(0, count)), from as DatagramAddress);
    } catch (error) {
      transport.#fatalError(error, 'Fatal error: protocol.datagramReceived() call failed.');
    }
  }

  #errorReceived(error: Error): void {
    try {
      this.#protocol.errorReceived(error);
    } catch (thrown) {
      this.#fatalError(thrown, 'Fatal error: protocol.errorReceived() call failed.');
    }
  }

  // --- sending -------------------------------------------------------------------

  sendto(data: Data, address?: DatagramAddress | null): void {
    const bytes = datagramBytes(data);
    const to = datagramDestination(address, this.#remote);
    if (bytes.length === 0) return;
    if (this.#closing || this.#socket === null) {
      if (++this.#lostSends >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warn('socket.send() raised exception.');
      return;
    }
    if (this.#queue.length === 0) {
      // At once when nothing waits: most datagrams never queue.
      if (this.#trySend(bytes, to)) return;
      this.#loop.ioAddWriter(this.#fd, SelectorDatagramTransport.#writeReady, null, this);
    }
    // Copied: the caller may reuse its buffer once sendto() returns.
    this.#queue.push([Uint8Array.prototype.slice.call(bytes), to]);
    this.#queuedBytes += bytes.length;
    this.#flow.maybePause();
  }

  /** Sends one datagram; false when the socket has no room (it must wait). A failure goes to errorReceived(). */
  #trySend(bytes: Uint8Array, to: DatagramAddress): boolean {
    try {
      if (this.#remote !== null) this.#socket!.send(bytes);
      else this.#socket!.sendto(bytes, to);
    } catch (error) {
      if (error instanceof BlockingIOError) return false;
      if (OSError.isInstance(error)) this.#errorReceived(error as Error);
      else this.#fatalError(error, 'Fatal write error on datagram transport');
    }
    return true;
  }

  static #writeReady(transport: SelectorDatagramTransport): void {
    const queue = transport.#queue;
    while (queue.length > 0 && transport.#socket !== null) {
      const [bytes, to] = queue[0]!;
      if (!transport.#trySend(bytes, to)) return;
      queue.shift();
      transport.#queuedBytes -= bytes.length;
    }
    transport.#flow.maybeResume();
    if (queue.length > 0) return;
    transport.#loop.ioRemoveWriter(transport.#fd);
    if (transport.#closing) transport.#scheduleConnectionLost(undefined);
  }

  getWriteBufferSize(): number {
    return this.#queuedBytes;
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#flow.setLimits(high, low);
  }

  getWriteBufferLimits(): [number, number] {
    return this.#flow.limits();
  }

  // --- closing -------------------------------------------------------------------

  isClosing(): boolean {
    return this.#closing;
  }

  /** Stops receiving; the queued datagrams are still sent, then connectionLost(undefined) follows. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#loop.ioRemoveReader(this.#fd);
    if (this.#queue.length === 0) this.#scheduleConnectionLost(undefined);
  }

  abort(): void {
    this.#forceClose(undefined);
  }

  #forceClose(error: Error | undefined): void {
    if (this.#lost) return;
    if (this.#queue.length > 0) {
      this.#queue.length = 0;
      this.#queuedBytes = 0;
      this.#loop.ioRemoveWriter(this.#fd);
    }
    if (!this.#closing) {
      this.#closing = true;
      this.#loop.ioRemoveReader(this.#fd);
    }
    this.#scheduleConnectionLost(error);
  }

  /** A protocol callback threw (or the socket failed oddly): reported, and the transport closes (asyncio's _fatal_error). */
  #fatalError(error: unknown, message: string): void {
    this.#loop.callExceptionHandler({ message, exception: error, transport: this, protocol: this.#protocol });
    this.#forceClose(error as Error);
  }

  #scheduleConnectionLost(error: Error | undefined): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#loop.scheduleSoon(SelectorDatagramTransport.#callConnectionLost, null, this, error);
  }

  static #callConnectionLost(transport: SelectorDatagramTransport, error: Error | undefined): void {
    const socket = transport.#socket;
    transport.#socket = null;
    try {
      transport.#protocol.connectionLost(error);
    } finally {
      if (!transport.#loop.isClosed()) transport.#loop.deleteFdOwner(transport.#fd);
      socket?.close();
    }
  }

  // --- the rest ------------------------------------------------------------------

  /** 'sockname', 'peername' (the remote address), 'socket' (the selectors Socket). */
  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    const socket = this.#socket;
    let value: unknown;
    if (name === 'socket') value = socket ?? undefined;
    else if (name === 'peername') value = this.#remote ?? undefined;
    else if (name === 'sockname' && socket !== null) value = socket.getsockname();
    return (value ?? defaultValue) as T | undefined;
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol as DatagramProtocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  override toString(): string {
    const state = this.#socket === null ? ' closed' : this.#closing ? ' closing' : '';
    const peer = this.#remote ? ` peer=${this.#remote[0]}:${this.#remote[1]}` : '';
    return `<${this.constructor.name} fd=${this.#fd}${state}${peer} queued=${this.#queuedBytes}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
