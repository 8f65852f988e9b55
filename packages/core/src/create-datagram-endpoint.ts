/**
 * loop.createDatagramEndpoint(): a UDP endpoint and its DatagramProtocol
 * (asyncio's loop.create_datagram_endpoint()): on the EventLoop over Node's
 * dgram (NetDatagramTransport), on a SelectorEventLoop over the loop's own
 * non-blocking socket (SelectorDatagramTransport).
 *
 * Differences from asyncio:
 * - Options are an object: `{localAddr, remoteAddr, family, reuseAddress,
 *   reusePort, allowBroadcast}`; addresses are `[host, port]`. Unix datagram
 *   sockets (a path) and `sock` are not supported (Node's dgram has neither).
 * - With neither address, the socket is bound to an ephemeral port on the
 *   first send, as the kernel does for asyncio's unbound socket.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { BaseEventLoop } from './base-event-loop.js';
import { constants as osConstants } from 'node:os';
import { AF_INET, AF_INET6, OSError, SOCK_DGRAM, SOL_SOCKET, SO_BROADCAST, SO_REUSEADDR, SO_REUSEPORT, Socket } from '@asyncio-ts/selectors';
import type { Coroutine } from './coroutines.js';
import { connectionMade, failedFuture, nodeFamily, protocolFor, protocolOrClose, resolveAddresses } from './create-connection.js';
import { SelectorDatagramTransport } from './selector-datagram-transport.js';
import { NetDatagramTransport } from './datagram-transport.js';
import { ValueError } from './errors.js';
import type { Future } from './future.js';
import { describe } from './internal/checks.js';
import { ignoreUntilTransport, toOSError } from './net-transport.js';
import type { DatagramAddress, DatagramProtocol } from './protocols.js';
import type { DatagramTransport } from './transports.js';

/** Options of createDatagramEndpoint(), asyncio's keywords. */
export interface CreateDatagramEndpointOptions {
  /** Bind to this address, `[host, port]` (port 0: any free one). */
  localAddr?: DatagramAddress | null;
  /** Connect to this address: every datagram goes there, and only its datagrams come in. */
  remoteAddr?: DatagramAddress | null;
  /** AF_INET or AF_INET6 (or Node's 4, 6); by default that of the addresses given, else IPv4. */
  family?: number | null;
  /** SO_REUSEADDR, so that several sockets may bind the same address (multicast receivers). */
  reuseAddress?: boolean | null;
  /** SO_REUSEPORT (Node 22.12 or later). */
  reusePort?: boolean | null;
  /** SO_BROADCAST: allow sending to broadcast addresses. */
  allowBroadcast?: boolean | null;
}

interface EndpointRequest {
  /** As asked (0: any); `type` is what the EventLoop's dgram socket is made as. */
  family: 0 | 4 | 6;
  type: 'udp4' | 'udp6';
  local: DatagramAddress | null;
  remote: DatagramAddress | null;
  reuseAddress: boolean;
  reusePort: boolean;
  allowBroadcast: boolean;
}

/**
 * Makes a UDP endpoint: resolves to `[transport, protocol]` once the socket
 * is bound (and connected, with remoteAddr) and the protocol's
 * connectionMade() ran. Cancelled before that, the socket is closed.
 */
export function createDatagramEndpoint<P extends DatagramProtocol>(
  loop: BaseEventLoop,
  protocolFactory: () => P,
  options: CreateDatagramEndpointOptions = {},
): Future<[DatagramTransport, P]> {
  let request: EndpointRequest;
  try {
    if (typeof protocolFactory !== 'function') throw new TypeError(`createDatagramEndpoint() expects protocolFactory as a function, got ${describe(protocolFactory)}`);
    request = endpointRequest(options);
  } catch (error) {
    return failedFuture(loop, error);
  }
  if (loop.ownsSockets) return loop.createTask(selectorEndpoint(loop, protocolFactory, request));
  const future = loop.createFuture<[DatagramTransport, P]>();
  openEndpoint(loop, future, protocolFactory, request);
  return future;
}

function endpointRequest(options: CreateDatagramEndpointOptions): EndpointRequest {
  if (typeof options !== 'object' || options === null) throw new TypeError(`createDatagramEndpoint() expects options as an object, got ${describe(options)}`);
  if ('sock' in options) throw new ValueError("createDatagramEndpoint(): sock is not supported (Node's dgram cannot adopt a socket); pass localAddr or remoteAddr");
  const local = address('localAddr', options.localAddr);
  const remote = address('remoteAddr', options.remoteAddr);
  const family = nodeFamily('createDatagramEndpoint', options.family);
  const literal = [local?.[0], remote?.[0]].find((host) => host !== undefined && net.isIP(host) !== 0);
  const version = family !== 0 ? family : literal !== undefined ? net.isIP(literal) : 4;
  return {
    family,
    type: version === 6 ? 'udp6' : 'udp4',
    local,
    remote,
    reuseAddress: options.reuseAddress === true,
    reusePort: options.reusePort === true,
    allowBroadcast: options.allowBroadcast === true,
  };
}

function address(name: string, value: unknown): DatagramAddress | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') throw new ValueError(`createDatagramEndpoint(): ${name} as a path (a Unix datagram socket) is not supported by Node's dgram; pass [host, port]`);
  if (!Array.isArray(value) || value.length < 2 || typeof value[0] !== 'string' || !Number.isInteger(value[1]) || value[1] < 0 || value[1] > 65535) {
    throw new TypeError(`createDatagramEndpoint() expects ${name} as [host, port] with a port from 0 to 65535, got ${describe(value)}`);
  }
  return [value[0], value[1]];
}

// --- on the EventLoop: Node's dgram ---------------------------------------------------

/** Binds (and connects) a dgram socket, then makes the protocol and transport on the loop. */
function openEndpoint<P extends DatagramProtocol>(loop: BaseEventLoop, future: Future<[DatagramTransport, P]>, protocolFactory: () => P, request: EndpointRequest): void {
  const socket = dgram.createSocket({ type: request.type, reuseAddr: request.reuseAddress, ...(request.reusePort ? { reusePort: true } : {}) } as dgram.SocketOptions);
  let settled = false;
  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
    socket.off('error', fail);
    socket.close();
    if (!future.done() && !loop.isClosed() && error !== undefined) future.setException(toOSError(error));
  };
  const ready = () => {
    if (settled) return;
    settled = true;
    socket.off('error', fail);
    // Until the transport listens (next iteration): an error then must not crash the process.
    socket.on('error', ignoreUntilTransport);
    if (request.allowBroadcast) socket.setBroadcast(true);
    // The peer as resolved ('localhost' -> '127.0.0.1'), what datagrams come from.
    let remote: DatagramAddress | null = null;
    if (request.remote !== null) {
      const { address: host, port } = socket.remoteAddress();
      remote = [host, port];
    }
    if (loop.isClosed()) socket.close();
    else loop.scheduleSoon(endpointReady, [loop, future, protocolFactory, socket, remote]);
  };
  socket.on('error', fail);
  future.addDoneCallback(() => {
    if (future.cancelled()) fail(undefined);
  });
  const connect = () => {
    if (request.remote === null) return ready();
    socket.connect(request.remote[1], request.remote[0], (error?: Error) => (error ? fail(error) : ready()));
  };
  if (request.local !== null) socket.bind(request.local[1], request.local[0], connect);
  else connect();
}

/** On the loop: make the protocol and its transport; resolve once connectionMade() ran. */
function endpointReady<P extends DatagramProtocol>(
  loop: BaseEventLoop,
  future: Future<[DatagramTransport, P]>,
  protocolFactory: () => P,
  socket: dgram.Socket,
  remote: DatagramAddress | null,
): void {
  const protocol = protocolFor(future, protocolFactory, () => socket.close());
  if (protocol === null) return;
  const waiter = loop.createFuture<void>();
  const transport = new NetDatagramTransport(loop, socket, protocol, remote, waiter);
  waiter.addDoneCallback(() => {
    if (future.done()) transport.close();
    else future.setResult([transport, protocol]);
  });
}

// --- on a SelectorEventLoop: the loop's own socket ----------------------------------

/** Resolves the addresses, makes, binds and connects a non-blocking socket, then the protocol and its transport. */
function* selectorEndpoint<P extends DatagramProtocol>(loop: BaseEventLoop, protocolFactory: () => P, request: EndpointRequest): Coroutine<[DatagramTransport, P]> {
  let family = request.family;
  const resolve = function* (address: DatagramAddress): Coroutine<[number, DatagramAddress]> {
    const [first] = yield* resolveAddresses(loop, address[0], family);
    if (first === undefined) throw OSError.fromErrno(osConstants.errno.EADDRNOTAVAIL, { context: `createDatagramEndpoint(): no address for ${address[0]}` });
    // The second address must be of the first one's family.
    family = first[0] === AF_INET6 ? 6 : 4;
    return [first[0], [first[1], address[1]]];
  };
  const local = request.local === null ? null : yield* resolve(request.local);
  const remote = request.remote === null ? null : yield* resolve(request.remote);
  const sock = new Socket(local?.[0] ?? remote?.[0] ?? (family === 6 ? AF_INET6 : AF_INET), SOCK_DGRAM);
  try {
    sock.setBlocking(false);
    if (request.reuseAddress) sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    if (request.reusePort) {
      if (SO_REUSEPORT === undefined) throw new ValueError('createDatagramEndpoint(): reusePort is not supported on this system');
      sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
    }
    if (request.allowBroadcast) sock.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
    if (local !== null) sock.bind(local[1]);
    // A datagram socket connects at once: it only fixes the peer.
    if (remote !== null) sock.connect(remote[1]);
  } catch (error) {
    sock.close();
    throw error;
  }
  const protocol = protocolOrClose(protocolFactory, sock);
  const waiter = loop.createFuture<void>();
  const transport = new SelectorDatagramTransport(loop, sock, protocol, remote === null ? null : remote[1], waiter);
  yield* connectionMade(transport, waiter);
  return [transport, protocol];
}
