/**
 * createConnection(): opens a stream connection and gives it a transport and
 * a protocol (asyncio's loop.create_connection and create_unix_connection).
 * On the EventLoop the connection is Node's (net.connect, tls.connect); on a
 * SelectorEventLoop the loop's own non-blocking socket (selector-transport.ts).
 *
 * Differences from asyncio:
 * - The loop is the first argument (loop.createConnection() delegates here).
 * - Options are an object: `{ssl, serverHostname, sock, localAddr, family,
 *   sslHandshakeTimeout, path}`; `path` stands for create_unix_connection.
 * - `ssl` is `true` or Node's TLS options (`{ca, cert, key, ...}`, see
 *   tls.connect()) or a tls.SecureContext, where Python takes an SSLContext;
 *   TLS needs the EventLoop (Node's tls).
 * - Without happy eyeballs options: Node's net.connect tries the addresses of
 *   a host name its own way (autoSelectFamily where Node enables it).
 * - `family` takes AF_INET / AF_INET6 (from @asyncio-ts/selectors) or Node's 4 / 6.
 */
import * as net from 'node:net';
import { constants as osConstants } from 'node:os';
import * as tls from 'node:tls';
import * as dns from 'node:dns';
import { AF_INET, AF_INET6, AF_UNIX, OSError, SOCK_STREAM, SOL_SOCKET, SO_ERROR, Socket } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from './base-event-loop.js';
import { CancelledError, ValueError } from './errors.js';
import type { Future } from './future.js';
import { describe } from './internal/checks.js';
import { ignoreUntilTransport, NetTransport, toOSError } from './net-transport.js';
import type { StreamProtocol } from './protocols.js';
import { SelectorTransport } from './selector-transport.js';
import type { Coroutine } from './coroutines.js';
import type { Transport } from './transports.js';

/** The `ssl` option of createConnection(): `true` for the system's CAs, Node's TLS options, or a SecureContext. */
export type ClientSsl = boolean | tls.SecureContext | tls.ConnectionOptions;

/** A socket a caller passes in: a connected Node socket (EventLoop) or a selectors Socket. */
export interface SocketLike {
  fileno(): number;
  detach?(): number;
}

/** Options of {@link createConnection}, asyncio's keyword arguments. */
export interface CreateConnectionOptions {
  /** Wrap the connection in TLS (EventLoop only). */
  ssl?: ClientSsl | null;
  /** The name the server's certificate must match (default: host); '' skips the check. Only with ssl. */
  serverHostname?: string;
  /** An already connected socket instead of host and port: a net.Socket, or a selectors Socket. */
  sock?: net.Socket | SocketLike;
  /** `[host, port]` to bind the local end to. */
  localAddr?: [string, number];
  /** AF_INET or AF_INET6 (or 4 / 6) to pick an address family; 0 for either. */
  family?: number;
  /** Seconds the TLS handshake may take before the connection is aborted (default 60). Only with ssl. */
  sslHandshakeTimeout?: number;
  /** A Unix socket path instead of host and port (asyncio's create_unix_connection). */
  path?: string;
}

/** asyncio's constants.SSL_HANDSHAKE_TIMEOUT: seconds. */
export const SSL_HANDSHAKE_TIMEOUT = 60;

/**
 * Connects to `host`:`port` (or `options.path`, or uses `options.sock`), makes
 * a protocol with `protocolFactory()` and a transport for it; the Future
 * gives `[transport, protocol]` once the protocol's connectionMade() ran.
 *
 * The Future fails with an OSError subclass when connecting fails
 * (ConnectionRefusedError, ...), with ValueError for bad options; cancelling
 * it closes the connection under way.
 * @example
 * const [transport, protocol] = await createConnection(loop, () => new EchoClient(), '127.0.0.1', 8888);
 */
export function createConnection<P extends StreamProtocol>(
  loop: BaseEventLoop,
  protocolFactory: () => P,
  host?: string | null,
  port?: number | string | null,
  options: CreateConnectionOptions = {},
): Future<[Transport, P]> {
  let request: ConnectRequest;
  try {
    request = checkConnectArguments(protocolFactory, host, port, options);
    checkSslOnLoop(loop, 'createConnection', request.ssl, 'TLS connections');
  } catch (error) {
    return failedFuture(loop, error);
  }
  if (ownsSockets(loop)) return loop.createTask(selectorConnect(loop, protocolFactory, request));
  const future = loop.createFuture<[Transport, P]>();
  netCreateConnection(loop, future, protocolFactory, request);
  return future;
}

/** createConnection()'s arguments, checked. @internal */
export interface ConnectRequest {
  host: string | undefined;
  port: number | undefined;
  path: string | undefined;
  sock: net.Socket | SocketLike | undefined;
  /** Node's family: 0, 4 or 6. */
  family: 0 | 4 | 6;
  localAddr: [string, number] | undefined;
  ssl: tls.ConnectionOptions | null;
  sslGiven: ClientSsl | null | undefined;
  serverHostname: string | undefined;
  sslHandshakeTimeout: number;
}

function checkConnectArguments(
  protocolFactory: unknown,
  host: string | null | undefined,
  port: number | string | null | undefined,
  options: CreateConnectionOptions,
): ConnectRequest {
  checkFactory('createConnection', protocolFactory);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createConnection() expects options as an object, got ${describe(options)}`);
  }
  const { ssl, sock, path, localAddr } = options;
  let serverHostname = options.serverHostname;
  if (serverHostname !== undefined && !ssl) throw new ValueError('createConnection(): serverHostname is only meaningful with ssl');
  if (serverHostname === undefined && ssl) {
    if (!host) {
      throw new ValueError('createConnection(): you must set serverHostname when using ssl without a host (pass serverHostname: "" to skip the check)');
    }
    serverHostname = host;
  }
  if (options.sslHandshakeTimeout !== undefined && !ssl) {
    throw new ValueError('createConnection(): sslHandshakeTimeout is only meaningful with ssl');
  }
  const sslHandshakeTimeout = checkHandshakeTimeout('createConnection', options.sslHandshakeTimeout);
  const hasAddress = (host !== undefined && host !== null) || (port !== undefined && port !== null);
  if (hasAddress && sock !== undefined) throw new ValueError('createConnection(): host/port and sock can not be specified at the same time');
  if (path !== undefined) {
    if (hasAddress || sock !== undefined) {
      throw new ValueError('createConnection(): path and host/port or sock can not be specified at the same time');
    }
    if (typeof path !== 'string' || path === '') throw new TypeError(`createConnection() expects path as a non-empty string, got ${describe(path)}`);
  } else if (!hasAddress && sock === undefined) {
    throw new ValueError('createConnection(): host and port was not specified and no sock specified; pass host and port, options.path or options.sock');
  } else if (hasAddress) {
    if (host === undefined || host === null || host === '') {
      throw new ValueError(`createConnection(): host is missing (port ${describe(port)}); pass the host to connect to, e.g. '127.0.0.1'`);
    }
    if (typeof host !== 'string') throw new TypeError(`createConnection() expects host as a string, got ${describe(host)}`);
    if (port === undefined || port === null) {
      throw new ValueError(`createConnection(): port is missing for host ${describe(host)}; pass the port to connect to`);
    }
  }
  if (localAddr !== undefined && (!Array.isArray(localAddr) || localAddr.length !== 2)) {
    throw new TypeError(`createConnection() expects localAddr as [host, port], got ${describe(localAddr)}`);
  }
  return {
    host: host ?? undefined,
    port: port === undefined || port === null ? undefined : checkPort('createConnection', port, false),
    path,
    sock,
    family: nodeFamily('createConnection', options.family),
    localAddr: localAddr && [localAddr[0], checkPort('createConnection', localAddr[1], true)],
    ssl: ssl ? clientTlsOptions(ssl) : null,
    sslGiven: ssl,
    serverHostname,
    sslHandshakeTimeout,
  };
}

/** A protocol factory must be a function. @internal */
export function checkFactory(method: string, protocolFactory: unknown): void {
  if (typeof protocolFactory !== 'function') {
    throw new TypeError(`${method}() expects protocolFactory as a function returning a protocol, got ${describe(protocolFactory)}; pass e.g. () => new MyProtocol()`);
  }
}

/** A port: an integer 0..65535, or a string of one. @internal */
export function checkPort(method: string, port: unknown, zeroAllowed: boolean): number {
  const value = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535 || (!zeroAllowed && value === 0)) {
    const range = zeroAllowed ? '0..65535' : '1..65535';
    throw new ValueError(`${method}() expects port as an integer in ${range}, got ${describe(port)}`);
  }
  return value;
}

/** sslHandshakeTimeout in seconds (> 0), 60 by default. @internal */
export function checkHandshakeTimeout(method: string, timeout: unknown): number {
  if (timeout === undefined || timeout === null) return SSL_HANDSHAKE_TIMEOUT;
  if (typeof timeout !== 'number' || !(timeout > 0)) {
    throw new ValueError(`${method}(): sslHandshakeTimeout should be a positive number of seconds, got ${describe(timeout)}`);
  }
  return timeout;
}

/** AF_INET / AF_INET6 (Python's) or 4 / 6 (Node's) as Node's family. @internal */
export function nodeFamily(method: string, family: unknown): 0 | 4 | 6 {
  if (family === undefined || family === null || family === 0) return 0;
  if (family === AF_INET || family === 4) return 4;
  if (family === AF_INET6 || family === 6) return 6;
  throw new ValueError(`${method}() expects family as AF_INET, AF_INET6 or 0, got ${describe(family)}`);
}

/** createConnection()'s `ssl` as Node's TLS options. @internal */
export function clientTlsOptions(ssl: ClientSsl): tls.ConnectionOptions {
  if (ssl === true) return {};
  if (isSecureContext(ssl)) return { secureContext: ssl };
  if (typeof ssl !== 'object') throw new TypeError(`createConnection() expects ssl as true, TLS options or a SecureContext, got ${describe(ssl)}`);
  return ssl as tls.ConnectionOptions;
}

/** tls.createSecureContext()'s result (Node exports no class to test against). @internal */
export function isSecureContext(value: unknown): value is tls.SecureContext {
  return typeof value === 'object' && value !== null && value.constructor?.name === 'SecureContext';
}

/** True on a loop whose transports do their own syscalls (SelectorEventLoop). @internal */
export function ownsSockets(loop: BaseEventLoop): boolean {
  return (loop as { ownsSockets?: boolean }).ownsSockets === true;
}

/**
 * Throws ValueError when TLS (`ssl` not null) is asked of a SelectorEventLoop,
 * whose sockets are its own: TLS comes from Node's tls, on the EventLoop. @internal
 */
export function checkSslOnLoop(loop: BaseEventLoop, method: string, ssl: unknown, what: string): void {
  if (ssl === null || !ownsSockets(loop)) return;
  throw new ValueError(
    `${method}(): ssl needs the EventLoop (TLS comes from Node's tls); a SelectorEventLoop does its own socket I/O and has no TLS. Use new EventLoop() (the default loop) for ${what}`,
  );
}

/** A Future of `loop` already failed with `error`: how the create functions report bad arguments. @internal */
export function failedFuture<T>(loop: BaseEventLoop, error: unknown): Future<T> {
  const future = loop.createFuture<T>();
  future.setException(error);
  return future;
}

// --- on the EventLoop: Node's sockets ---------------------------------------------

function netCreateConnection<P extends StreamProtocol>(
  loop: BaseEventLoop,
  future: Future<[Transport, P]>,
  protocolFactory: () => P,
  request: ConnectRequest,
): void {
  const socket = openNetSocket(request);
  const ssl = request.ssl !== null;
  const where = request.path ?? `('${request.host}', ${request.port})`;
  let timer: { cancel(): void } | null = null;
  let settled = false;

  const cleanUp = () => {
    settled = true;
    socket.off(ssl ? 'secureConnect' : 'connect', onReady);
    socket.off('error', onError);
    timer?.cancel();
  };
  const fail = (error: unknown) => {
    if (settled) return;
    cleanUp();
    socket.destroy();
    if (!future.done() && !loop.isClosed()) future.setException(error);
  };
  const onError = (error: Error) => fail(toOSError(error, ssl ? `TLS connection to ${where} failed` : `Connect call failed ${where}`));
  const onReady = () => {
    if (settled) return;
    cleanUp();
    socket.on('error', ignoreUntilTransport);
    // The rest calls the user's protocolFactory(): it runs on the loop.
    if (loop.isClosed()) socket.destroy();
    else loop.scheduleSoon(connectionReady, [loop, future, protocolFactory, socket, request.sslGiven]);
  };

  socket.on('error', onError);
  if (ssl) {
    timer = loop.callLater(request.sslHandshakeTimeout, () => {
      fail(OSError.fromErrno(ECONNABORTED, { context: `SSL handshake is taking longer than ${request.sslHandshakeTimeout} seconds: aborting the connection` }));
    });
  }
  future.addDoneCallback(() => {
    if (future.cancelled()) fail(undefined);
  });
  const connected = ssl ? false : !(socket as net.Socket).connecting && !socket.pending && !socket.destroyed;
  if (connected) onReady();
  else if (!ssl && socket.destroyed) fail(new ValueError('createConnection(): options.sock is already closed; pass a connected socket'));
  else socket.on(ssl ? 'secureConnect' : 'connect', onReady);
}

/** Python's errno of an aborted connection, on this system. */
const ECONNABORTED = osConstants.errno.ECONNABORTED;

/** The Node socket for the request: made and connecting, or the one given (made TLS if asked). */
function openNetSocket(request: ConnectRequest): net.Socket {
  let raw: net.Socket | undefined;
  if (request.sock !== undefined) raw = adoptSocket(request.sock);
  if (request.ssl !== null) {
    const tlsOptions = tlsClientOptions(request.ssl, request.serverHostname ?? '', request.host);
    if (raw !== undefined) return tls.connect({ ...tlsOptions, socket: raw });
    return tls.connect({ ...tlsOptions, ...netConnectOptions(request) } as tls.ConnectionOptions);
  }
  if (raw !== undefined) return raw;
  return net.connect(netConnectOptions(request));
}

/**
 * tls.connect()'s options for a client: the server's name to check the
 * certificate against (SNI for a name, not for an IP address), '' to check
 * nothing; `host` is the address connected to, when known. @internal
 */
export function tlsClientOptions(ssl: tls.ConnectionOptions, serverHostname: string, host?: string | null): tls.ConnectionOptions {
  // allowHalfOpen reaches the TLSSocket's net.Socket (Node's types leave it out).
  const tlsOptions = {
    ...ssl,
    allowHalfOpen: true,
    servername: serverHostname === '' || net.isIP(serverHostname) !== 0 ? undefined : serverHostname,
  } as tls.ConnectionOptions;
  if (serverHostname === '') tlsOptions.checkServerIdentity = () => undefined;
  else if (net.isIP(serverHostname) !== 0 && serverHostname !== host) {
    tlsOptions.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(serverHostname, cert);
  }
  return tlsOptions;
}

function netConnectOptions(request: ConnectRequest): net.NetConnectOpts {
  if (request.path !== undefined) return { path: request.path, allowHalfOpen: true };
  const options: net.TcpNetConnectOpts = { host: request.host, port: request.port!, allowHalfOpen: true, noDelay: true };
  if (request.family !== 0) options.family = request.family;
  if (request.localAddr !== undefined) {
    options.localAddress = request.localAddr[0];
    options.localPort = request.localAddr[1];
  }
  return options;
}

/** options.sock on the EventLoop: a Node socket as it is; a selectors Socket handed over to Node by its fd. */
function adoptSocket(sock: net.Socket | SocketLike): net.Socket {
  if (sock instanceof net.Socket) return sock;
  if (typeof (sock as SocketLike).fileno === 'function' && typeof (sock as SocketLike).detach === 'function') {
    const fd = (sock as SocketLike).fileno();
    if (fd < 0) throw new ValueError('createConnection(): options.sock is closed; pass a connected socket');
    // Node's socket owns the fd from now on: the Socket object lets go of it.
    (sock as SocketLike).detach!();
    return new net.Socket({ fd, allowHalfOpen: true, readable: true, writable: true });
  }
  throw new TypeError(`createConnection() expects options.sock as a connected net.Socket or a selectors Socket, got ${describe(sock)}`);
}

/** On the loop: the connection is up; make the protocol and its transport. */
function connectionReady<P extends StreamProtocol>(
  loop: BaseEventLoop,
  future: Future<[Transport, P]>,
  protocolFactory: () => P,
  socket: net.Socket,
  sslGiven: ClientSsl | null | undefined,
): void {
  const protocol = protocolFor(future, protocolFactory, () => socket.destroy());
  if (protocol === null) return;
  const extra = sslGiven ? { sslcontext: sslGiven } : {};
  const transport = new NetTransport(loop, socket, protocol, { extra });
  // Scheduled after the transport's connectionMade(): the caller resumes once it ran.
  loop.scheduleSoon(settleConnection, [future, transport, protocol]);
}

/**
 * The protocol of a connection made for `future` (on the loop: the user's
 * factory runs there), or null when the caller cancelled meanwhile or the
 * factory threw (then `future` fails with that error); on null the
 * connection's socket is closed.
 * @internal
 */
export function protocolFor<P>(future: Future<unknown>, protocolFactory: () => P, closeSocket: () => void): P | null {
  if (future.done()) {
    closeSocket();
    return null;
  }
  try {
    return protocolFactory();
  } catch (error) {
    closeSocket();
    future.setException(error);
    return null;
  }
}

/** Gives `[transport, protocol]` to the caller; a caller that cancelled meanwhile gets the transport closed. @internal */
export function settleConnection<P>(future: Future<[Transport, P]>, transport: Transport, protocol: P): void {
  if (future.done()) transport.close();
  else future.setResult([transport, protocol]);
}

// --- on a SelectorEventLoop: the loop's own sockets ---------------------------------

/** Connects a socket of the loop's own, then makes the protocol and its SelectorTransport (asyncio's steps). */
function* selectorConnect<P extends StreamProtocol>(loop: BaseEventLoop, protocolFactory: () => P, request: ConnectRequest): Coroutine<[Transport, P]> {
  let sock: Socket;
  if (request.sock !== undefined) {
    if (!(request.sock instanceof Socket)) {
      throw new TypeError(`createConnection() on a SelectorEventLoop expects options.sock as a connected selectors Socket, got ${describe(request.sock)}`);
    }
    sock = request.sock;
    if (sock.type !== SOCK_STREAM) throw new ValueError(`createConnection(): a stream socket was expected, got ${describe(sock)}`);
    sock.setBlocking(false);
  } else if (request.path !== undefined) {
    sock = yield* connectFirst(loop, [[AF_UNIX, request.path]], request);
  } else {
    const addresses = yield* resolveAddresses(loop, request.host!, request.family);
    sock = yield* connectFirst(loop, addresses.map(([family, host]) => [family, [host, request.port!]]), request);
  }
  const protocol = protocolOrClose(protocolFactory, sock);
  const waiter = loop.createFuture<void>();
  const transport = new SelectorTransport(loop, sock, protocol, { waiter });
  yield* connectionMade(transport, waiter);
  return [transport, protocol];
}

/** protocolFactory() for a socket of the loop's own, which closes when it throws. @internal */
export function protocolOrClose<P>(protocolFactory: () => P, sock: { close(): void }): P {
  try {
    return protocolFactory();
  } catch (error) {
    sock.close();
    throw error;
  }
}

/** Waits for a new transport's connectionMade() (its waiter); cancelled meanwhile, the transport closes. @internal */
export function* connectionMade(transport: { close(): void }, waiter: Future<void>): Coroutine<void> {
  try {
    yield* waiter;
  } catch (error) {
    transport.close();
    throw error;
  }
}

type Target = [family: number, address: [string, number] | string];

/** Tries each address in turn, as asyncio's create_connection without happy eyeballs. */
function* connectFirst(loop: BaseEventLoop, targets: Target[], request: ConnectRequest): Coroutine<Socket> {
  const errors: Error[] = [];
  for (const [family, address] of targets) {
    const sock = new Socket(family, SOCK_STREAM);
    try {
      sock.setBlocking(false);
      if (request.localAddr !== undefined) sock.bind(request.localAddr);
      yield* connectSocket(loop, sock, address);
      return sock;
    } catch (error) {
      sock.close();
      if (CancelledError.isInstance(error) || !OSError.isInstance(error)) throw error;
      errors.push(error as Error);
    }
  }
  if (errors.length === 0) throw OSError.fromErrno(osConstants.errno.EADDRNOTAVAIL, { context: 'createConnection(): no address to connect to' });
  if (errors.length === 1 || errors.every((error) => error.message === errors[0]!.message)) throw errors[0];
  throw OSError.fromErrno((errors[0] as OSError).errno, { context: `Multiple exceptions: ${errors.map((error) => error.message).join(', ')}` });
}

/** A non-blocking connect, finished when the socket becomes writable (asyncio's _sock_connect). @internal */
export function connectSocket(loop: BaseEventLoop, sock: Socket, address: [string, number] | string): Future<void> {
  const future = loop.createFuture<void>();
  const where = typeof address === 'string' ? address : `('${address[0]}', ${address[1]})`;
  const errno = sock.connectEx(address);
  if (errno === 0) future.setResult(undefined);
  else if (errno !== osConstants.errno.EINPROGRESS && errno !== osConstants.errno.EAGAIN && errno !== osConstants.errno.EINTR) {
    future.setException(OSError.fromErrno(errno, { context: `Connect call failed ${where}` }));
  } else {
    const fd = sock.fileno();
    loop.ioAddWriter(fd, connectDone, null, future, [sock, where]);
    future.addDoneCallback(() => loop.ioRemoveWriter(fd));
  }
  return future;
}

function connectDone(future: Future<void>, [sock, where]: [Socket, string]): void {
  if (future.done()) return;
  const errno = sock.getsockopt(SOL_SOCKET, SO_ERROR);
  if (errno === 0) future.setResult(undefined);
  else if (errno !== osConstants.errno.EINPROGRESS && errno !== osConstants.errno.EINTR) {
    future.setException(OSError.fromErrno(errno, { context: `Connect call failed ${where}` }));
  }
}

/** The addresses of `host` as `[family, address]`: a numeric one at once, a name through dns.lookup. @internal */
export function resolveAddresses(loop: BaseEventLoop, host: string, family: 0 | 4 | 6): Future<[number, string][]> {
  const future = loop.createFuture<[number, string][]>();
  const version = net.isIP(host);
  if (version !== 0) {
    if (family !== 0 && family !== version) {
      future.setException(new ValueError(`address ${host} is not of the family asked for (IPv${family})`));
    } else {
      future.setResult([[version === 6 ? AF_INET6 : AF_INET, host]]);
    }
    return future;
  }
  dns.lookup(host, { all: true, family }, (error, addresses) => {
    if (future.done() || loop.isClosed()) return;
    if (error) future.setException(toOSError(error, `getaddrinfo(${host}) failed`));
    else future.setResult(addresses.map(({ address, family: version }) => [version === 6 ? AF_INET6 : AF_INET, address]));
  });
  return future;
}
