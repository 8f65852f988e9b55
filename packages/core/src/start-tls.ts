/**
 * loop.startTls(): upgrades a connection that is already up to TLS, for
 * protocols that switch in mid-stream (SMTP's STARTTLS, IMAP, XMPP, a
 * PostgreSQL client), as asyncio's loop.start_tls().
 *
 * Differences from asyncio:
 * - The EventLoop only: the TLS layer is Node's (a tls.TLSSocket over the
 *   transport's Node socket). A SelectorEventLoop has no TLS (ValueError, as
 *   its createConnection({ssl}) gives); a transport of another kind is a
 *   TypeError.
 * - `sslcontext` is what createConnection()'s `ssl` takes on the client side
 *   (`true`, Node's TLS options, a SecureContext), and on the server side
 *   Node's TLS options with `key` and `cert`, or a SecureContext.
 * - The old transport is closed when the new one is made (asyncio keeps it
 *   as the raw layer under the TLS one); its protocol is not told, as in
 *   asyncio: it goes on over the new transport, without a second
 *   connectionMade().
 */
import net from 'node:net';
import { constants as osConstants } from 'node:os';
import tls from 'node:tls';
import { OSError } from '@asyncio-ts/selectors';
import type { BaseEventLoop } from './base-event-loop.js';
import { checkHandshakeTimeout, checkSslOnLoop, failedFuture, isSecureContext, tlsClientOptions, type ClientSsl } from './create-connection.js';
import type { ServerSsl } from './create-server.js';
import { ValueError } from './errors.js';
import type { Future } from './future.js';
import { describe } from './internal/checks.js';
import type { TransportOwner } from './internal/stream-transport.js';
import { ignoreUntilTransport, NetTransport, toOSError } from './net-transport.js';
import type { BaseProtocol, StreamProtocol } from './protocols.js';
import type { Transport } from './transports.js';

/** Options of startTls(), asyncio's keywords. */
export interface StartTlsOptions {
  /** This end is the TLS server (default false: the client). */
  serverSide?: boolean;
  /** The name the server's certificate must match (client side; required, '' skips the check). */
  serverHostname?: string | null;
  /** Seconds the handshake may take before the connection is aborted (default 60). */
  sslHandshakeTimeout?: number | null;
}

const ECONNABORTED = osConstants.errno.ECONNABORTED;

/**
 * Upgrades `transport` (a connection of this loop, `protocol`'s) to TLS;
 * resolves to the new transport once the handshake is done. Cancelled, or
 * failed, the connection is closed.
 */
export function startTls(
  loop: BaseEventLoop,
  transport: Transport,
  protocol: BaseProtocol,
  sslcontext: ClientSsl | ServerSsl,
  options: StartTlsOptions = {},
): Future<Transport> {
  let upgrade: () => tls.TLSSocket;
  let handshakeTimeout: number;
  try {
    checkSslOnLoop(loop, 'startTls', sslcontext, 'startTls()');
    if (!(transport instanceof NetTransport)) {
      throw new TypeError(`startTls() expects a transport made by this EventLoop (createConnection, createServer, openConnection), got ${describe(transport)}`);
    }
    if (typeof protocol !== 'object' || protocol === null) throw new TypeError(`startTls() expects the transport's protocol, got ${describe(protocol)}`);
    handshakeTimeout = checkHandshakeTimeout('startTls', options.sslHandshakeTimeout);
    upgrade = options.serverSide === true ? serverUpgrade(sslcontext as ServerSsl, options) : clientUpgrade(sslcontext as ClientSsl, transport, options);
  } catch (error) {
    return failedFuture(loop, error);
  }
  const extra = {
    peername: transport.getExtraInfo('peername'),
    sockname: transport.getExtraInfo('sockname'),
    sslcontext,
  };
  let handedOver: ReturnType<NetTransport['handOverSocket']>;
  try {
    // A closing transport, or one on TLS already, refuses (RuntimeError).
    handedOver = transport.handOverSocket();
  } catch (error) {
    return failedFuture(loop, error);
  }
  const { socket: raw, server } = handedOver;
  const future = loop.createFuture<Transport>();
  let socket: tls.TLSSocket;
  try {
    socket = upgrade.call(raw);
  } catch (error) {
    // Node refused the TLS options: the connection, already handed over, closes.
    raw.destroy();
    server?.detach(transport);
    future.setException(error);
    loop.scheduleSoon(connectionLost, null, protocol, error);
    return future;
  }
  new Handshake(loop, future, socket, transport, server, protocol as StreamProtocol, extra, handshakeTimeout, options.serverSide === true);
  return future;
}

/** The client's side: tls.connect() over the socket, checking the server's name. */
function clientUpgrade(sslcontext: ClientSsl, transport: NetTransport, options: StartTlsOptions): (this: net.Socket) => tls.TLSSocket {
  const ssl = clientSslOptions(sslcontext);
  const serverHostname = options.serverHostname;
  if (serverHostname === undefined || serverHostname === null) {
    throw new ValueError('startTls(): serverHostname is required on the client side (the name the certificate must match; pass "" to skip the check)');
  }
  if (typeof serverHostname !== 'string') throw new TypeError(`startTls() expects serverHostname as a string, got ${describe(serverHostname)}`);
  const peer = transport.getExtraInfo<unknown>('peername');
  const host = Array.isArray(peer) && typeof peer[0] === 'string' ? peer[0] : undefined;
  const tlsOptions = tlsClientOptions(ssl, serverHostname, host);
  return function (this: net.Socket) {
    return tls.connect({ ...tlsOptions, socket: this });
  };
}

/** The server's side: a TLSSocket that waits for the client's hello. */
function serverUpgrade(sslcontext: ServerSsl, options: StartTlsOptions): (this: net.Socket) => tls.TLSSocket {
  if (options.serverHostname !== undefined && options.serverHostname !== null) {
    throw new ValueError('startTls(): serverHostname is only meaningful on the client side (serverSide is true)');
  }
  if (typeof sslcontext !== 'object' || sslcontext === null) {
    throw new TypeError(`startTls() on the server side expects sslcontext as TLS options ({key, cert, ...}) or a SecureContext, got ${describe(sslcontext)}`);
  }
  const secureContext = isSecureContext(sslcontext) ? sslcontext : tls.createSecureContext(sslcontext);
  const serverOptions = isSecureContext(sslcontext) ? {} : sslcontext;
  return function (this: net.Socket) {
    return new tls.TLSSocket(this, { ...serverOptions, isServer: true, secureContext });
  };
}

function clientSslOptions(sslcontext: ClientSsl): tls.ConnectionOptions {
  if (sslcontext === true) return {};
  if (isSecureContext(sslcontext)) return { secureContext: sslcontext };
  if (typeof sslcontext !== 'object' || sslcontext === null) {
    throw new TypeError(`startTls() expects sslcontext as true, TLS options or a SecureContext, got ${describe(sslcontext)}`);
  }
  return sslcontext;
}

/** One handshake: settles the Future with the new transport, or fails it and closes the connection. */
class Handshake {
  readonly #timer: { cancel(): void };
  #settled = false;
  /**
   * What arrived once the handshake was done, before the transport took
   * the socket, and whether the peer's EOF came too: the transport delivers
   * them first. (The socket flows during the handshake: a paused one would
   * never see the peer abort it.)
   */
  readonly #early: Buffer[] = [];
  #ended = false;

  /** Waits for the handshake of `socket`: it listens to the socket, the timer and the Future's cancellation. */
  constructor(
    readonly loop: BaseEventLoop,
    readonly future: Future<Transport>,
    readonly socket: tls.TLSSocket,
    readonly old: NetTransport,
    readonly server: TransportOwner | null,
    readonly protocol: StreamProtocol,
    readonly extra: Record<string, unknown>,
    timeout: number,
    serverSide: boolean,
  ) {
    socket.on(serverSide ? 'secure' : 'secureConnect', this.#onSecure);
    socket.on('error', this.#onError);
    // The peer's EOF: the sockets allow half-open connections, so no 'close' follows on its own.
    socket.on('end', this.#onClose);
    socket.on('close', this.#onClose);
    socket.on('data', this.#onEarlyData);
    this.#timer = loop.callLater(timeout, () => {
      this.#fail(OSError.fromErrno(ECONNABORTED, { context: `SSL handshake is taking longer than ${timeout} seconds: aborting the connection` }));
    });
    future.addDoneCallback(() => {
      if (future.cancelled()) this.#fail(undefined);
    });
  }

  readonly #onSecure = (): void => {
    if (this.#settled) return;
    this.#cleanUp();
    // Made on the loop: the transport's callbacks must run there.
    if (this.loop.isClosed()) this.socket.destroy();
    else this.loop.scheduleSoon(Handshake.#secured, null, this);
  };

  readonly #onEarlyData = (chunk: Buffer): void => {
    this.#early.push(chunk);
  };

  readonly #onEarlyEnd = (): void => {
    this.#ended = true;
  };

  readonly #onError = (error: Error): void => this.#fail(toOSError(error, 'TLS handshake failed'));

  readonly #onClose = (): void => this.#fail(OSError.fromErrno(ECONNABORTED, { context: 'the connection closed during the TLS handshake' }));

  static #secured(handshake: Handshake): void {
    const { future, socket, server } = handshake;
    socket.off('data', handshake.#onEarlyData);
    socket.off('end', handshake.#onEarlyEnd);
    // Cancelled since the handshake ended.
    if (future.done()) return handshake.#close(undefined);
    const transport = new NetTransport(handshake.loop, socket, handshake.protocol, { server, extra: handshake.extra, connectionMade: false });
    transport.holdEarly(handshake.#early, handshake.#ended);
    // The old transport leaves its server only now, so that a server waiting
    // for its last connection does not see this one gone in between.
    server?.detach(handshake.old);
    future.setResult(transport);
  }

  #cleanUp(): void {
    this.#settled = true;
    this.#timer.cancel();
    this.socket.off('error', this.#onError);
    this.socket.off('end', this.#onClose);
    this.socket.off('close', this.#onClose);
    this.socket.on('end', this.#onEarlyEnd);
    this.socket.on('error', ignoreUntilTransport);
  }

  /**
   * The handshake failed (or was cancelled: `error` undefined): the
   * connection closes, and the protocol, connected until now, is told so.
   */
  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#cleanUp();
    this.socket.off('data', this.#onEarlyData);
    this.socket.off('end', this.#onEarlyEnd);
    if (error !== undefined && !this.future.done() && !this.loop.isClosed()) this.future.setException(error);
    this.#close(error);
  }

  /** Closes the connection; the protocol, connected until now, is told. */
  #close(error: unknown): void {
    this.socket.destroy();
    this.server?.detach(this.old);
    if (!this.loop.isClosed()) this.loop.scheduleSoon(connectionLost, null, this.protocol, error);
  }
}

function connectionLost(protocol: BaseProtocol, error: Error | undefined): void {
  protocol.connectionLost(error);
}
