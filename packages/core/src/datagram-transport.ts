/**
 * NetDatagramTransport: the EventLoop's datagram transport, over a Node
 * dgram socket (asyncio's selector_events._SelectorDatagramTransport).
 *
 * Node's events become loop callbacks: each datagram is handed to
 * datagramReceived() on the loop, in arrival order; a failed send or
 * receive to errorReceived(); the socket's close to connectionLost(), once.
 *
 * Differences from asyncio:
 * - sendto() hands the datagram to Node, which queues what the kernel does
 *   not take at once (getWriteBufferSize() counts it, and the protocol's
 *   pauseWriting()/resumeWriting() follow it across the water marks).
 * - close() lets the queued datagrams go out first, then closes.
 */
import type { Socket as DgramSocket, RemoteInfo } from 'node:dgram';
import { inspect } from 'node:util';
import type { BaseEventLoop } from './base-event-loop.js';
import type { Future } from './future.js';
import { datagramBytes, datagramDestination } from './internal/datagram-checks.js';
import { WriteFlowControl } from './internal/flow-control.js';
import { LOG_THRESHOLD_FOR_CONNLOST_WRITES, setResultUnlessDone } from './internal/stream-transport.js';
import { logger } from './logger.js';
import { ignoreUntilTransport, toOSError } from './net-transport.js';
import type { BaseProtocol, DatagramAddress, DatagramProtocol } from './protocols.js';
import { DatagramTransport, type Data } from './transports.js';

export class NetDatagramTransport extends DatagramTransport {
  readonly #loop: BaseEventLoop;
  #socket: DgramSocket | null;
  #protocol: DatagramProtocol;
  /** The connected peer (remoteAddr), to which every datagram goes; null when not connected. */
  readonly #remote: DatagramAddress | null;
  readonly #extra: Record<string, unknown>;
  #closing = false;
  /** connectionLost() is scheduled or done. */
  #lost = false;
  /** Sends handed to Node and not yet done: close() waits for them. */
  #sending = 0;
  /** Datagrams given to sendto() after the connection was lost (asyncio warns from the fifth). */
  #lostSends = 0;
  readonly #flow: WriteFlowControl;

  /** @internal */
  constructor(loop: BaseEventLoop, socket: DgramSocket, protocol: DatagramProtocol, remote: DatagramAddress | null, waiter: Future<void> | null) {
    super();
    this.#loop = loop;
    this.#socket = socket;
    this.#protocol = protocol;
    this.#remote = remote;
    this.#flow = new WriteFlowControl(loop, this);
    this.#extra = { socket, peername: remote ?? undefined };
    socket.on('message', this.#onMessage);
    socket.off('error', ignoreUntilTransport);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    loop.scheduleSoon(NetDatagramTransport.#connectionMade, null, this);
    if (waiter !== null) loop.scheduleSoon(setResultUnlessDone, null, waiter);
  }

  static #connectionMade(transport: NetDatagramTransport): void {
    if (!transport.#lost) transport.#protocol.connectionMade(transport);
  }

  // --- Node's events, as loop callbacks ------------------------------------------

  readonly #onMessage = (message: Buffer, from: RemoteInfo): void => {
    if (!this.#loop.isClosed()) this.#loop.enqueueSoon(null, this.#received, message, [from.address, from.port]);
    else this.#socket?.close();
  };

  readonly #onError = (error: Error): void => {
    if (!this.#loop.isClosed()) this.#loop.enqueueSoon(null, NetDatagramTransport.#errorReceived, this, toOSError(error));
  };

  readonly #onClose = (): void => {
    if (!this.#loop.isClosed()) this.#loop.enqueueSoon(null, NetDatagramTransport.#socketClosed, this);
  };

  /** A datagram, on the loop (bound to the transport: the loop passes two arguments, and a datagram has two). */
  readonly #received = (message: Buffer, from: DatagramAddress): void => {
    if (this.#closing) return;
    try {
      this.#protocol.datagramReceived(message, from);
    } catch (error) {
      this.#fatalError(error, 'Fatal error: protocol.datagramReceived() call failed.');
    }
  };

  static #errorReceived(transport: NetDatagramTransport, error: Error): void {
    if (transport.#lost) return;
    try {
      transport.#protocol.errorReceived(error);
    } catch (thrown) {
      transport.#fatalError(thrown, 'Fatal error: protocol.errorReceived() call failed.');
    }
  }

  static #socketClosed(transport: NetDatagramTransport): void {
    transport.#connectionLost(undefined);
  }

  // --- sending -------------------------------------------------------------------

  sendto(data: Data, address?: DatagramAddress | null): void {
    const bytes = datagramBytes(data);
    const to = datagramDestination(address, this.#remote);
    if (bytes.length === 0) return;
    const socket = this.#socket;
    if (this.#closing || socket === null) {
      if (++this.#lostSends >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) logger.warn('socket.send() raised exception.');
      return;
    }
    this.#sending++;
    if (this.#remote !== null) socket.send(bytes, this.#afterSend);
    else socket.send(bytes, to[1], to[0], this.#afterSend);
    this.#flow.maybePause();
  }

  readonly #afterSend = (error: Error | null): void => {
    this.#sending--;
    if (error && !this.#loop.isClosed()) this.#loop.enqueueSoon(null, NetDatagramTransport.#errorReceived, this, toOSError(error));
    // Node's queue shrank: a paused protocol may resume, on the loop.
    if (this.#flow.paused && !this.#loop.isClosed()) this.#loop.enqueueSoon(null, NetDatagramTransport.#queueShrank, this);
    if (this.#closing && this.#sending === 0 && !this.#lost) this.#closeSocket();
  };

  getWriteBufferSize(): number {
    return this.#socket === null ? 0 : this.#socket.getSendQueueSize();
  }

  setWriteBufferLimits(high?: number, low?: number): void {
    this.#flow.setLimits(high, low);
  }

  getWriteBufferLimits(): [number, number] {
    return this.#flow.limits();
  }

  static #queueShrank(transport: NetDatagramTransport): void {
    if (!transport.#lost) transport.#flow.maybeResume();
  }

  // --- closing -------------------------------------------------------------------

  isClosing(): boolean {
    return this.#closing;
  }

  /** Stops receiving; the datagrams already handed over are still sent, then the socket closes and connectionLost(undefined) follows. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#sending === 0) this.#closeSocket();
  }

  abort(): void {
    this.#closing = true;
    this.#closeSocket();
  }

  #closeSocket(): void {
    const socket = this.#socket;
    if (socket === null) return;
    try {
      socket.close();
    } catch {
      // Closed already (ERR_SOCKET_DGRAM_NOT_RUNNING): its 'close' came or comes.
    }
  }

  /** A protocol callback threw: reported, and the transport closes (asyncio's _fatal_error). */
  #fatalError(error: unknown, message: string): void {
    this.#loop.callExceptionHandler({ message, exception: error, transport: this, protocol: this.#protocol });
    this.abort();
  }

  #connectionLost(error: Error | undefined): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#closing = true;
    const socket = this.#socket;
    this.#socket = null;
    socket?.off('message', this.#onMessage);
    try {
      this.#protocol.connectionLost(error);
    } finally {
      socket?.off('error', this.#onError);
      socket?.off('close', this.#onClose);
    }
  }

  // --- the rest ------------------------------------------------------------------

  /** 'sockname' (`[host, port]`, once bound: a first send binds), 'peername' (the remote address), 'socket' (Node's dgram socket). */
  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    if (name === 'sockname') {
      // Asked of the socket while it lives: Node binds it on the first send.
      if (this.#socket !== null) this.#extra.sockname = boundAddress(this.#socket);
    }
    return (this.#extra[name] ?? defaultValue) as T | undefined;
  }

  setProtocol(protocol: BaseProtocol): void {
    this.#protocol = protocol as DatagramProtocol;
  }

  getProtocol(): BaseProtocol {
    return this.#protocol;
  }

  override toString(): string {
    const state = this.#lost ? ' closed' : this.#closing ? ' closing' : '';
    const sockname = this.getExtraInfo<DatagramAddress>('sockname');
    const where = sockname ? ` sockname=${sockname[0]}:${sockname[1]}` : '';
    const peer = this.#remote ? ` peer=${this.#remote[0]}:${this.#remote[1]}` : '';
    return `<${this.constructor.name}${state}${where}${peer}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The socket's own address as `[host, port]`; undefined while it is not bound. */
function boundAddress(socket: DgramSocket): DatagramAddress | undefined {
  try {
    const { address, port } = socket.address();
    return [address, port];
  } catch {
    return undefined;
  }
}
