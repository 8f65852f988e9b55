/**
 * createServer(): listens for stream connections and gives each a transport
 * and a new protocol (asyncio's loop.create_server and create_unix_server).
 * On the EventLoop the listeners are Node's net.Server / tls.Server; on a
 * SelectorEventLoop the loop's own sockets (selector-transport.ts).
 *
 * Differences from asyncio:
 * - The loop is the first argument (loop.createServer() delegates here).
 * - Options are an object; `path` stands for create_unix_server.
 * - `ssl` is Node's TLS server options (`{key, cert, ...}`, see
 *   tls.createServer()), where Python takes an SSLContext (EventLoop only;
 *   Node's tls.Server cannot take a ready SecureContext).
 * - On the EventLoop, with no host Node listens on one dual-stack socket
 *   (`::`) where Python binds one socket per address family; a host name is
 *   resolved to its first address only. Node always sets SO_REUSEADDR, so
 *   `reuseAddress: false` is not honoured there; `reusePort` needs Node
 *   22.12 or later (or the SelectorEventLoop).
 * - An incoming connection whose protocolFactory() throws is closed and the
 *   error goes to the loop's exception handler (asyncio reports it only in
 *   debug mode).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { BaseEventLoop } from './base-event-loop.js';
import { ValueError } from './errors.js';
import type { Future } from './future.js';
import { describe } from './internal/checks.js';
import { logger } from './logger.js';
import { ignoreUntilTransport, NetTransport, toOSError } from './net-transport.js';
import type { StreamProtocol } from './protocols.js';
import { SelectorTransport } from './selector-transport.js';
import { ListeningSocket, Server, type ServerListener, type ServerSocket } from './server.js';
import type { Coroutine } from './coroutines.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  ConnectionAbortedError,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  OSError,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_REUSEPORT,
  Socket,
} from '@asyncio-ts/selectors';

import {
  checkFactory,
  checkHandshakeTimeout,
  checkPort,
  checkSslOnLoop,
  failedFuture,
  isSecureContext,
  nodeFamily,
  ownsSockets,
  resolveAddresses,
  type SocketLike,
} from './create-connection.js';

/** The `ssl` option of createServer(): Node's TLS server options (`{key, cert, ...}`). */
export type ServerSsl = tls.TlsOptions;

/** Options of {@link createServer}, asyncio's keyword arguments. */
export interface CreateServerOptions {
  /** AF_INET or AF_INET6 (or 4 / 6) to listen on one address family only. */
  family?: number;
  /** The listen() backlog. @default 100 */
  backlog?: number;
  /** SO_REUSEADDR (default true on POSIX, as asyncio). */
  reuseAddress?: boolean;
  /** SO_REUSEPORT: several servers share the port. */
  reusePort?: boolean;
  /** Serve TLS (EventLoop only). */
  ssl?: ServerSsl | null;
  /** Seconds a client's TLS handshake may take (default 60). Only with ssl. */
  sslHandshakeTimeout?: number;
  /** A bound socket to listen on instead of host and port: a net.Server, or a selectors Socket. */
  sock?: net.Server | SocketLike;
  /** Start accepting at once; with false, call server.startServing() or serveForever() later. @default true */
  startServing?: boolean;
  /** A Unix socket path instead of host and port (asyncio's create_unix_server). */
  path?: string;
}

/** createServer()'s arguments, checked. @internal */
export interface ServeRequest {
  /** One entry per listener; undefined: every address. */
  hosts: (string | undefined)[];
  port: number;
  path: string | undefined;
  sock: net.Server | SocketLike | undefined;
  family: 0 | 4 | 6;
  backlog: number;
  reuseAddress: boolean;
  reusePort: boolean;
  ssl: tls.TlsOptions | null;
  sslGiven: ServerSsl | null | undefined;
  sslHandshakeTimeout: number;
  startServing: boolean;
}

/**
 * Listens on `host`:`port` (a host, a list of hosts, or every address when
 * host is undefined or ''), or on `options.path` or `options.sock`; each
 * connection gets `protocolFactory()` and a transport. The Future gives the
 * Server once it listens (and serves, unless `startServing: false`).
 *
 * The Future fails with an OSError (`code` 'EADDRINUSE', ...) when the
 * address cannot be bound, with ValueError for bad options.
 * @example
 * const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
 * console.log(server.sockets[0].getsockname()); // ['127.0.0.1', 40123]
 */
export function createServer(
  loop: BaseEventLoop,
  protocolFactory: () => StreamProtocol,
  host?: string | readonly string[] | null,
  port?: number | string | null,
  options: CreateServerOptions = {},
): Future<Server> {
  let request: ServeRequest;
  try {
    request = checkServeArguments(protocolFactory, host, port, options);
    checkSslOnLoop(loop, 'createServer', request.ssl, 'a TLS server');
  } catch (error) {
    return failedFuture(loop, error);
  }
  if (ownsSockets(loop)) return loop.createTask(selectorServe(loop, protocolFactory, request));
  const future = loop.createFuture<Server>();
  try {
    netCreateServer(loop, future, protocolFactory, request);
  } catch (error) {
    future.setException(error);
  }
  return future;
}

function checkServeArguments(
  protocolFactory: unknown,
  host: string | readonly string[] | null | undefined,
  port: number | string | null | undefined,
  options: CreateServerOptions,
): ServeRequest {
  checkFactory('createServer', protocolFactory);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createServer() expects options as an object, got ${describe(options)}`);
  }
  const { ssl, sock, path } = options;
  if (typeof ssl === 'boolean') {
    throw new TypeError('createServer(): ssl must be TLS options such as {key, cert}, not a boolean');
  }
  if (options.sslHandshakeTimeout !== undefined && !ssl) throw new ValueError('createServer(): sslHandshakeTimeout is only meaningful with ssl');
  const hasAddress = (host !== undefined && host !== null) || (port !== undefined && port !== null);
  if (hasAddress && sock !== undefined) throw new ValueError('createServer(): host/port and sock can not be specified at the same time');
  if (path !== undefined) {
    if (hasAddress || sock !== undefined) throw new ValueError('createServer(): path and host/port or sock can not be specified at the same time');
    if (typeof path !== 'string' || path === '') throw new TypeError(`createServer() expects path as a non-empty string, got ${describe(path)}`);
  } else if (!hasAddress && sock === undefined) {
    throw new ValueError('createServer(): neither host/port nor sock were specified; pass a port (0 picks a free one), options.path or options.sock');
  } else if (hasAddress && (port === undefined || port === null)) {
    throw new ValueError(`createServer(): port is missing for host ${describe(host)}; pass a port (0 picks a free one)`);
  }
  let hosts: (string | undefined)[] = [undefined];
  if (typeof host === 'string') hosts = [host === '' ? undefined : host];
  else if (Array.isArray(host)) {
    hosts = [...new Set(host as string[])];
    if (hosts.length === 0 || hosts.some((item) => typeof item !== 'string')) {
      throw new TypeError(`createServer() expects host as a string or a non-empty array of strings, got ${describe(host)}`);
    }
  } else if (host !== undefined && host !== null) {
    throw new TypeError(`createServer() expects host as a string or an array of strings, got ${describe(host)}`);
  }
  const backlog = options.backlog ?? 100;
  if (typeof backlog !== 'number' || !Number.isInteger(backlog) || backlog < 0) {
    throw new ValueError(`createServer() expects backlog as a non-negative integer, got ${describe(backlog)}`);
  }
  if (isSecureContext(ssl)) {
    throw new TypeError("createServer(): Node's tls.Server cannot take a SecureContext; pass the TLS options instead, e.g. {key, cert}");
  }
  if (ssl && typeof ssl !== 'object') throw new TypeError(`createServer() expects ssl as TLS options such as {key, cert}, got ${describe(ssl)}`);
  return {
    hosts,
    port: port === undefined || port === null ? 0 : checkPort('createServer', port, true),
    path,
    sock,
    family: nodeFamily('createServer', options.family),
    backlog,
    reuseAddress: options.reuseAddress ?? process.platform !== 'win32',
    reusePort: options.reusePort ?? false,
    ssl: ssl ? ssl : null,
    sslGiven: ssl,
    sslHandshakeTimeout: checkHandshakeTimeout('createServer', options.sslHandshakeTimeout),
    startServing: options.startServing ?? true,
  };
}

/** Makes the Server over `listeners` and, unless asked not to, starts serving; completes `future` on the next iteration. */
function finishServer(loop: BaseEventLoop, future: Future<Server>, listeners: ServerListener[], startServing: boolean): void {
  if (future.done()) {
    for (const listener of listeners) listener.close();
    return;
  }
  const server = new Server(loop, listeners);
  if (startServing) server.startServing();
  if (loop.getDebug()) logger.info(`${server} is serving`);
  // One iteration later, as asyncio's sleep(0) after _start_serving().
  loop.scheduleSoon(settleServer, null, future, server);
}

function settleServer(future: Future<Server>, server: Server): void {
  if (future.done()) server.close();
  else future.setResult(server);
}

// --- on the EventLoop: Node's servers ----------------------------------------------

/** Node 22.12 and 23.1 added listen({reusePort}). */
function nodeHasReusePort(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major! > 23 || (major === 23 && minor! >= 1) || (major === 22 && minor! >= 12);
}

function netCreateServer(loop: BaseEventLoop, future: Future<Server>, protocolFactory: () => StreamProtocol, request: ServeRequest): void {
  if (request.reusePort && !nodeHasReusePort()) {
    throw new ValueError(`createServer(): reusePort needs Node 22.12 or later on the EventLoop (this is ${process.version}); use a SelectorEventLoop`);
  }
  const listeners: NetListener[] = [];
  const targets: (string | undefined)[] = request.sock !== undefined || request.path !== undefined ? [undefined] : request.hosts;
  let waiting = targets.length;
  let failed = false;

  const fail = (error: unknown) => {
    if (failed) return;
    failed = true;
    for (const listener of listeners) listener.close();
    if (!future.done() && !loop.isClosed()) future.setException(error);
  };
  const listening = () => {
    if (failed || --waiting > 0) return;
    if (loop.isClosed()) return fail(undefined);
    for (const listener of listeners) listener.listening();
    finishServer(loop, future, listeners, request.startServing);
  };
  future.addDoneCallback(() => {
    if (future.cancelled()) fail(undefined);
  });

  for (const host of targets) {
    const netServer =
      request.ssl !== null
        ? tls.createServer({ ...request.ssl, allowHalfOpen: true, handshakeTimeout: request.sslHandshakeTimeout * 1000 })
        : net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const listener = new NetListener(loop, netServer, protocolFactory, request);
    listeners.push(listener);
    const onError = (error: Error) => fail(toOSError(error, `error while attempting to bind on address ${describeAddress(host, request)}`));
    netServer.once('error', onError);
    netServer.once('listening', () => {
      netServer.off('error', onError);
      listening();
    });
    listen(netServer, host, request);
  }
}

function listen(netServer: net.Server, host: string | undefined, request: ServeRequest): void {
  const backlog = request.backlog;
  if (request.sock !== undefined) {
    const sock = request.sock;
    if (sock instanceof net.Server) {
      throw new TypeError('createServer(): options.sock as a net.Server is not supported; pass a bound selectors Socket, or host and port');
    }
    if (typeof sock.fileno !== 'function' || typeof sock.detach !== 'function' || sock.fileno() < 0) {
      throw new TypeError(`createServer() expects options.sock as a bound selectors Socket, got ${describe(sock)}`);
    }
    // Node's server owns the fd from now on (it calls listen() on it).
    netServer.listen({ fd: sock.detach(), backlog });
    return;
  }
  if (request.path !== undefined) {
    netServer.listen({ path: request.path, backlog });
    return;
  }
  const options: net.ListenOptions & { reusePort?: boolean } = { port: request.port, backlog };
  if (host !== undefined) options.host = host;
  else if (request.family === 4) options.host = '0.0.0.0';
  else if (request.family === 6) options.host = '::';
  if (request.family === 6 || (host !== undefined && net.isIPv6(host))) options.ipv6Only = true;
  if (request.reusePort) options.reusePort = true;
  netServer.listen(options);
}

function describeAddress(host: string | undefined, request: ServeRequest): string {
  if (request.path !== undefined) return request.path;
  if (request.sock !== undefined) return 'of options.sock';
  return `('${host ?? '::'}', ${request.port})`;
}

/** One Node server of a Server: accepts, and gives each connection a NetTransport. */
class NetListener implements ServerListener {
  readonly #loop: BaseEventLoop;
  readonly #netServer: net.Server;
  readonly #protocolFactory: () => StreamProtocol;
  readonly #sslGiven: ServerSsl | null | undefined;
  #server: Server | null = null;
  /** Connections accepted before startServing(): served then. */
  #held: net.Socket[] = [];
  #closed = false;
  #address: [string, number] | string = ['', 0];
  readonly socket: ServerSocket;

  constructor(loop: BaseEventLoop, netServer: net.Server, protocolFactory: () => StreamProtocol, request: ServeRequest) {
    this.#loop = loop;
    this.#netServer = netServer;
    this.#protocolFactory = protocolFactory;
    this.#sslGiven = request.sslGiven;
    netServer.on(request.ssl !== null ? 'secureConnection' : 'connection', this.#onConnection);
    if (request.ssl !== null) netServer.on('tlsClientError', this.#onTlsClientError);
    this.socket = new ListeningSocket(
      () => this.#address,
      () => (this.#closed ? -1 : ((netServer as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1)),
    );
  }

  /** The Node server listens: note its address, and report its later errors. */
  listening(): void {
    const address = this.#netServer.address();
    this.#address = address === null ? ['', 0] : typeof address === 'string' ? address : [address.address, address.port];
    this.#netServer.on('error', this.#onServerError);
  }

  startServing(server: Server): void {
    if (this.#closed) return;
    this.#server = server;
    const held = this.#held;
    this.#held = [];
    for (const socket of held) this.#loop.scheduleSoon(NetListener.#accept, null, this, socket);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#server = null;
    this.#netServer.close();
    for (const socket of this.#held) socket.destroy();
    this.#held = [];
  }

  readonly #onConnection = (socket: net.Socket): void => {
    if (this.#closed || this.#loop.isClosed()) {
      socket.destroy();
      return;
    }
    // Unread until its transport reads; errors until then show when it is made.
    socket.pause();
    socket.on('error', ignoreUntilTransport);
    if (this.#server === null) this.#held.push(socket);
    else this.#loop.scheduleSoon(NetListener.#accept, null, this, socket);
  };

  readonly #onServerError = (error: Error): void => {
    if (this.#loop.isClosed()) return;
    this.#loop.callExceptionHandler({ message: 'socket.accept() failed', exception: toOSError(error), socket: this.socket });
  };

  readonly #onTlsClientError = (error: Error, socket: tls.TLSSocket): void => {
    socket.destroy();
    if (!this.#loop.isClosed() && this.#loop.getDebug()) logger.debug(`TLS handshake with a client failed: ${error.message}`);
  };

  /** On the loop: make the protocol and the transport of an accepted connection. */
  static #accept(listener: NetListener, socket: net.Socket): void {
    const server = listener.#server;
    if (listener.#closed || server === null) {
      socket.destroy();
      return;
    }
    let protocol: StreamProtocol;
    try {
      protocol = listener.#protocolFactory();
    } catch (error) {
      socket.destroy();
      listener.#loop.callExceptionHandler({ message: 'Error on transport creation for incoming connection', exception: error, socket: listener.socket });
      return;
    }
    const extra = listener.#sslGiven ? { sslcontext: listener.#sslGiven } : {};
    new NetTransport(listener.#loop, socket, protocol, { server, extra });
  }
}

// --- on a SelectorEventLoop: the loop's own sockets ---------------------------------

/** asyncio's constants.ACCEPT_RETRY_DELAY: seconds before accepting again after running out of fds. */
const ACCEPT_RETRY_DELAY = 1;

/** errnos after which accept() is retried later rather than reported as a failure. */
const OUT_OF_RESOURCES = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM']);

/** Binds the sockets (one per address, as asyncio's), then makes the Server over them. */
function* selectorServe(loop: BaseEventLoop, protocolFactory: () => StreamProtocol, request: ServeRequest): Coroutine<Server> {
  const sockets: Socket[] = [];
  let completed = false;
  try {
    if (request.sock !== undefined) {
      if (!(request.sock instanceof Socket)) {
        throw new TypeError(`createServer() on a SelectorEventLoop expects options.sock as a bound selectors Socket, got ${describe(request.sock)}`);
      }
      if (request.sock.type !== SOCK_STREAM) throw new ValueError(`createServer(): a stream socket was expected, got ${describe(request.sock)}`);
      sockets.push(request.sock);
    } else if (request.path !== undefined) {
      const sock = new Socket(AF_UNIX, SOCK_STREAM);
      sockets.push(sock);
      bindSocket(sock, request.path);
    } else {
      const seen = new Set<string>();
      for (const host of request.hosts) {
        const addresses: [number, string][] =
          host === undefined ? anyAddresses(request.family) : yield* resolveAddresses(loop, host, request.family);
        for (const [family, address] of addresses) {
          // A host given twice, or two names of one address, is bound once (as asyncio's set of infos).
          if (seen.has(`${family} ${address}`)) continue;
          seen.add(`${family} ${address}`);
          let sock: Socket;
          try {
            sock = new Socket(family, SOCK_STREAM);
          } catch (error) {
            // No IPv6 on this system, say: asyncio skips the address too.
            if (loop.getDebug()) logger.warn(`createServer() failed to create a socket for ${address}: ${String(error)}`);
            continue;
          }
          sockets.push(sock);
          if (request.reuseAddress) sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
          if (request.reusePort) {
            if (SO_REUSEPORT === undefined) throw new ValueError('createServer(): reusePort is not supported on this system');
            sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1);
          }
          // One family per socket: no IPv4 on an IPv6 socket (Linux's dual stack), as asyncio.
          if (family === AF_INET6) sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
          bindSocket(sock, [address, request.port]);
        }
      }
    }
    for (const sock of sockets) sock.setBlocking(false);
    completed = true;
  } finally {
    if (!completed) for (const sock of sockets) sock.close();
  }
  const listeners = sockets.map((sock) => new SelectorListener(loop, sock, protocolFactory, request.backlog));
  const server = new Server(loop, listeners);
  if (request.startServing) {
    server.startServing();
    try {
      // One iteration, so that the readers are in place (asyncio's sleep(0)).
      yield* settledNextIteration(loop);
    } catch (error) {
      server.close();
      throw error;
    }
  }
  if (loop.getDebug()) logger.info(`${server} is serving`);
  return server;
}

function settledNextIteration(loop: BaseEventLoop): Future<void> {
  const future = loop.createFuture<void>();
  loop.scheduleSoon(settleVoid, null, future);
  return future;
}

function settleVoid(future: Future<void>): void {
  if (!future.done()) future.setResult(undefined);
}

/** Every address of the family asked for (Python's getaddrinfo(None, port, AI_PASSIVE)). */
function anyAddresses(family: 0 | 4 | 6): [number, string][] {
  if (family === 4) return [[AF_INET, '0.0.0.0']];
  if (family === 6) return [[AF_INET6, '::']];
  return [
    [AF_INET, '0.0.0.0'],
    [AF_INET6, '::'],
  ];
}

function bindSocket(sock: Socket, address: [string, number] | string): void {
  try {
    sock.bind(address);
  } catch (error) {
    if (!OSError.isInstance(error)) throw error;
    const where = typeof address === 'string' ? address : `('${address[0]}', ${address[1]})`;
    throw OSError.fromErrno((error as OSError).errno, { context: `error while attempting to bind on address ${where}`, cause: error });
  }
}

/** One socket of a Server on a SelectorEventLoop: listens, and accepts when readable. */
class SelectorListener implements ServerListener {
  readonly #loop: BaseEventLoop;
  readonly #sock: Socket;
  readonly #fd: number;
  readonly #protocolFactory: () => StreamProtocol;
  readonly #backlog: number;
  #server: Server | null = null;
  #listening = false;
  readonly socket: ServerSocket;

  constructor(loop: BaseEventLoop, sock: Socket, protocolFactory: () => StreamProtocol, backlog: number) {
    this.#loop = loop;
    this.#sock = sock;
    this.#fd = sock.fileno();
    this.#protocolFactory = protocolFactory;
    this.#backlog = backlog;
    this.socket = new ListeningSocket(
      () => sock.getsockname() as [string, number] | string,
      () => sock.fileno(),
    );
  }

  startServing(server: Server): void {
    this.#server = server;
    if (!this.#listening) {
      this.#sock.listen(this.#backlog);
      this.#listening = true;
    }
    this.#loop.ioAddReader(this.#fd, SelectorListener.#acceptReady, null, this);
  }

  close(): void {
    if (this.#sock.fileno() < 0) return;
    this.#server = null;
    this.#loop.ioRemoveReader(this.#fd);
    this.#sock.close();
  }

  /** Accepts the connections that wait, up to the backlog (asyncio's _accept_connection). */
  static #acceptReady(listener: SelectorListener): void {
    const loop = listener.#loop;
    for (let count = 0; count < listener.#backlog; count++) {
      const server = listener.#server;
      if (server === null) return;
      let accepted: ReturnType<Socket['tryAccept']>;
      try {
        accepted = listener.#sock.tryAccept();
      } catch (error) {
        if (ConnectionAbortedError.isInstance(error)) return;
        if (OSError.isInstance(error) && OUT_OF_RESOURCES.has((error as OSError).code)) {
          // Some systems keep reporting the socket ready: stop reading it for a while.
          loop.callExceptionHandler({ message: 'socket.accept() out of system resource', exception: error, socket: listener.socket });
          loop.ioRemoveReader(listener.#fd);
          loop.callLater(ACCEPT_RETRY_DELAY, () => {
            if (listener.#server !== null) listener.startServing(listener.#server);
          });
          return;
        }
        throw error;
      }
      if (accepted === null) return;
      const [conn, address] = accepted;
      let protocol: StreamProtocol;
      try {
        protocol = listener.#protocolFactory();
      } catch (error) {
        conn.close();
        loop.callExceptionHandler({ message: 'Error on transport creation for incoming connection', exception: error, socket: listener.socket });
        continue;
      }
      new SelectorTransport(loop, conn, protocol, { server, extra: { peername: address } });
    }
  }
}
