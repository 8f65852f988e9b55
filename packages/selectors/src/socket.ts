/**
 * Socket: Python's `socket.socket` over the addon's system calls, for the
 * loop's sock* methods and its selector transports; and `socketpair()`.
 *
 * Differences from Python:
 * - fds are numbers; `family` and `type` are plain numbers, not IntEnums.
 * - Hosts are numeric addresses ('' = any, 'localhost' = loopback): Socket
 *   never resolves names (the loop's `sockConnect` does, with dns.lookup).
 * - No timeouts: a socket is blocking or not (`setBlocking`); a blocking call
 *   blocks Node's whole thread, so use blocking mode only where that is meant.
 * - `send`/`sendall` also take a string (sent as UTF-8).
 * - The fast path has no Python counterpart: `tryRecvInto`, `trySend` and
 *   `tryAccept` return -1 (or null) where Python raises BlockingIOError, so a
 *   would-block costs no Error.
 * - `new Socket(family, type, proto, fileno)` adopts an fd, as Python's does;
 *   `Socket.fromFd()` duplicates it, as Python's `socket.fromfd()` does.
 * - `accept()` gives a blocking socket, as Python's; `tryAccept()` gives a
 *   non-blocking one (what a transport wants, with no extra system call).
 */
import { constants as osConstants } from 'node:os';
import { inspect } from 'node:util';
import { loadBinding, type NativeAddress, type NativeSocketFunctions } from './binding.js';
import { OSError, ValueError } from './errors.js';
import { describe } from './internal/checks.js';
import { nativeError } from './internal/native-error.js';
import { bytesOf, checkInteger, socketError, typeName } from './internal/socket-checks.js';
import {
  familyName,
  formatAddress,
  fromNativeAddress,
  toNativeAddress,
  type Address,
} from './internal/socket-address.js';
import { AF_INET, AF_UNIX, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOMAXCONN } from './socket-constants.js';

export type { Address } from './internal/socket-address.js';

const { EAGAIN, EWOULDBLOCK, EBADF, ECONNRESET } = osConstants.errno;
const typeFlags = (SOCK_NONBLOCK ?? 0) | (SOCK_CLOEXEC ?? 0);

let functions: NativeSocketFunctions | undefined;

/** The addon's socket functions, loaded on first use (not at import). */
function native(): NativeSocketFunctions {
  functions ??= loadBinding().socket;
  return functions;
}

/**
 * A socket (Python's `socket.socket`): create it, then bind/listen/accept or
 * connect, and recv/send bytes. Close-on-exec; blocking until
 * `setBlocking(false)`.
 *
 * @example
 * ```ts
 * using server = new Socket(AF_INET, SOCK_STREAM);
 * server.bind(['127.0.0.1', 0]);
 * server.listen();
 * using client = new Socket();
 * client.connect(server.getsockname());
 * const [connection] = server.accept();
 * client.sendall(Buffer.from('ping'));
 * console.log(connection.recv(1024).toString()); // 'ping'
 * connection.close();
 * ```
 */
export class Socket implements Disposable {
  #fd: number;
  readonly #family: number;
  readonly #type: number;
  readonly #proto: number;
  #blocking: boolean;
  readonly #native: NativeSocketFunctions;

  /**
   * A new socket, or (with `fileno`) a Socket that takes over an open fd.
   *
   * @param family AF_INET (default), AF_INET6 or AF_UNIX.
   * @param type SOCK_STREAM (default) or SOCK_DGRAM, optionally or-ed with
   *   SOCK_NONBLOCK where the system has it.
   * @param proto the protocol, 0 (default) for the family's usual one.
   * @param fileno an open socket fd to own (closed by `close()`); its
   *   blocking mode is read from the fd.
   * @throws {OSError} when the system refuses (EAFNOSUPPORT, EMFILE, …).
   */
  constructor(family: number = AF_INET, type: number = SOCK_STREAM, proto = 0, fileno?: number) {
    checkInteger(family, 'family', 'new Socket');
    checkInteger(type, 'type', 'new Socket');
    checkInteger(proto, 'proto', 'new Socket');
    this.#native = native();
    this.#family = family;
    this.#type = type & ~typeFlags;
    this.#proto = proto;
    if (fileno === undefined) {
      const fd = this.#native.create(family, type, proto);
      if (fd < 0) {
        throw OSError.fromErrno(-fd, {
          syscall: 'socket',
          context: `new Socket(${familyName(family)}, ${typeName(type & ~typeFlags)}, ${proto})`,
        });
      }
      this.#fd = fd;
      this.#blocking = SOCK_NONBLOCK === undefined || (type & SOCK_NONBLOCK) === 0;
    } else {
      checkInteger(fileno, 'fileno', 'new Socket');
      if (fileno < 0) throw new ValueError(`new Socket(): fileno must be an open fd, got ${fileno}`);
      try {
        this.#blocking = loadBinding().getBlocking(fileno);
      } catch (error) {
        throw nativeError(error, `new Socket(): fileno ${fileno}`);
      }
      this.#fd = fileno;
    }
  }

  /**
   * A Socket on a duplicate of `fd` (Python's `socket.fromfd()`): `fd` stays
   * open and yours to close. To take `fd` over instead, pass it as
   * `new Socket(family, type, proto, fd)`.
   *
   * @throws {OSError} EBADF when `fd` is not open.
   */
  static fromFd(fd: number, family: number, type: number, proto = 0): Socket {
    checkInteger(fd, 'fd', 'Socket.fromFd');
    const copy = native().dup(fd);
    if (copy < 0) {
      throw OSError.fromErrno(-copy, { syscall: 'fcntl', context: `Socket.fromFd(): fd ${fd}` });
    }
    try {
      return new Socket(family, type, proto, copy);
    } catch (error) {
      loadBinding().close(copy);
      throw error;
    }
  }

  /** The address family: AF_INET, AF_INET6 or AF_UNIX. */
  get family(): number {
    return this.#family;
  }

  /** The socket type (SOCK_STREAM, SOCK_DGRAM), without SOCK_NONBLOCK/SOCK_CLOEXEC. */
  get type(): number {
    return this.#type;
  }

  /** The protocol number (0 for the family's usual one). */
  get proto(): number {
    return this.#proto;
  }

  /** The fd, or -1 once closed or detached. */
  fileno(): number {
    return this.#fd;
  }

  /** Gives up the fd without closing it and returns it; the Socket then acts closed. */
  detach(): number {
    const fd = this.#fd;
    this.#fd = -1;
    return fd;
  }

  /** A new Socket on a duplicate fd (Python's `dup()`), of the same family, type and blocking mode. */
  dup(): Socket {
    this.#checkOpen('dup');
    return Socket.fromFd(this.#fd, this.#family, this.#type, this.#proto);
  }

  /**
   * Makes calls block (`true`) or fail with BlockingIOError when not ready
   * (`false`), by clearing or setting O_NONBLOCK.
   */
  setBlocking(flag: boolean): void {
    this.#checkOpen('setBlocking');
    try {
      loadBinding().setBlocking(this.#fd, Boolean(flag));
    } catch (error) {
      throw nativeError(error, 'setBlocking()');
    }
    this.#blocking = Boolean(flag);
  }

  /** True unless `setBlocking(false)` was called (or the socket was made non-blocking). */
  getBlocking(): boolean {
    return this.#blocking;
  }

  /**
   * Binds the socket to `address`: `[host, port]` (host '' for any address,
   * port 0 for a free one) or an AF_UNIX path.
   *
   * @throws {ValueError} for an address of the wrong shape.
   * @throws {OSError} EADDRINUSE and the like.
   */
  bind(address: Address): void {
    const [host, port] = this.#address(address, 'bind');
    const result = this.#native.bind(this.#fd, this.#family, host, port);
    if (result < 0) throw this.#error(-result, 'bind', 'bind', formatAddress(address));
  }

  /**
   * Lets a bound stream socket accept connections.
   *
   * @param backlog how many connections may wait; default `min(SOMAXCONN, 128)`.
   */
  listen(backlog: number = Math.min(SOMAXCONN, 128)): void {
    checkInteger(backlog, 'backlog', 'listen');
    this.#checkOpen('listen');
    const result = this.#native.listen(this.#fd, Math.max(0, backlog));
    if (result < 0) throw this.#error(-result, 'listen', 'listen');
  }

  /**
   * Takes the next connection: a new blocking Socket and its peer's address.
   *
   * @throws {BlockingIOError} when non-blocking and no connection waits.
   */
  accept(): [Socket, Address] {
    const accepted = this.#accept('accept', false);
    if (accepted === null) throw this.#error(EAGAIN, 'accept', 'accept');
    return accepted;
  }

  /**
   * The fast path of `accept()`: the next connection as a non-blocking
   * Socket and its peer's address, or null when none waits.
   *
   * @throws {OSError} for failures other than would-block (ECONNABORTED, EMFILE, …).
   */
  tryAccept(): [Socket, Address] | null {
    return this.#accept('tryAccept', true);
  }

  /**
   * Connects to `address`. Blocks until connected, or when non-blocking
   * throws BlockingIOError (EINPROGRESS) with the connection under way.
   *
   * @throws {ConnectionRefusedError} when nothing listens there; other OSErrors.
   */
  connect(address: Address): void {
    const error = this.#connect(address, 'connect');
    if (error !== 0) throw this.#error(error, 'connect', 'connect', formatAddress(address));
  }

  /**
   * Like `connect()`, but returns the errno instead of throwing it: 0 when
   * connected, EINPROGRESS when a non-blocking connection is under way.
   *
   * @throws {ValueError} for an address of the wrong shape (not an errno).
   */
  connectEx(address: Address): number {
    return this.#connect(address, 'connectEx');
  }

  /**
   * Receives up to `bufsize` bytes; an empty Buffer at end of file.
   *
   * @throws {BlockingIOError} when non-blocking and nothing is there yet.
   * @throws {ConnectionResetError} and other OSErrors.
   */
  recv(bufsize: number): Buffer {
    checkInteger(bufsize, 'bufsize', 'recv');
    if (bufsize < 0) throw new ValueError(`recv(): bufsize must not be negative, got ${bufsize}`);
    const buffer = Buffer.allocUnsafe(bufsize);
    const count = this.#native.recv(this.#fd, buffer, 0, bufsize);
    if (count < 0) throw this.#error(-count, 'recv', 'recv');
    // Keep a short message from pinning a large buffer.
    return count * 2 >= bufsize ? buffer.subarray(0, count) : Buffer.from(buffer.subarray(0, count));
  }

  /**
   * Receives into `buffer` (at most `nbytes`, default its whole length);
   * returns the count, 0 at end of file.
   *
   * @throws {ValueError} when `nbytes` is larger than the buffer.
   * @throws {BlockingIOError} when non-blocking and nothing is there yet.
   */
  recvInto(buffer: ArrayBufferView, nbytes = 0): number {
    const bytes = bytesOf(buffer, 'recvInto', 'buffer');
    checkInteger(nbytes, 'nbytes', 'recvInto');
    if (nbytes < 0 || nbytes > bytes.length) {
      throw new ValueError(`recvInto(): nbytes must be from 0 to the buffer's ${bytes.length} bytes, got ${nbytes}`);
    }
    const count = this.#native.recv(this.#fd, bytes, 0, nbytes || bytes.length);
    if (count < 0) throw this.#error(-count, 'recvInto', 'recv');
    return count;
  }

  /**
   * The fast path of `recvInto()`: receives into `buffer[offset, offset +
   * length)`. Returns the count, 0 at end of file, or -1 when nothing is
   * there yet (no Error is built).
   *
   * @throws {OSError} for failures other than would-block (ECONNRESET, EBADF, …).
   * @throws {RangeError} when offset or length fall outside the buffer.
   */
  tryRecvInto(buffer: Uint8Array, offset = 0, length: number = buffer.length - offset): number {
    const count = this.#native.recv(this.#fd, buffer, offset, length);
    if (count >= 0) return count;
    if (count === -EAGAIN || count === -EWOULDBLOCK) return -1;
    throw this.#error(-count, 'tryRecvInto', 'recv');
  }

  /**
   * Sends what it can of `data` (a string goes as UTF-8); returns the count.
   *
   * @throws {BlockingIOError} when non-blocking and there is no room.
   * @throws {BrokenPipeError}, {ConnectionResetError} and other OSErrors.
   */
  send(data: ArrayBufferView | string): number {
    const bytes = typeof data === 'string' ? Buffer.from(data) : bytesOf(data, 'send', 'data');
    const count = this.#native.send(this.#fd, bytes, 0, bytes.length);
    if (count < 0) throw this.#error(-count, 'send', 'send');
    return count;
  }

  /**
   * The fast path of `send()`: sends what it can of `buffer[offset, offset +
   * length)`. Returns the count, or -1 when there is no room (no Error is built).
   *
   * @throws {OSError} for failures other than would-block (EPIPE, ECONNRESET, …).
   */
  trySend(buffer: Uint8Array, offset = 0, length: number = buffer.length - offset): number {
    const count = this.#native.send(this.#fd, buffer, offset, length);
    if (count >= 0) return count;
    if (count === -EAGAIN || count === -EWOULDBLOCK) return -1;
    throw this.#error(-count, 'trySend', 'send');
  }

  /**
   * Receives one datagram of up to `bufsize` bytes (the rest of a longer one
   * is dropped, as the system does) and the address it came from.
   *
   * @throws {BlockingIOError} when non-blocking and nothing is there yet.
   * @throws {OSError} ECONNREFUSED (a connected UDP socket's peer refused an earlier datagram) and the like.
   */
  recvfrom(bufsize: number): [Buffer, Address | null] {
    checkInteger(bufsize, 'bufsize', 'recvfrom');
    if (bufsize < 0) throw new ValueError(`recvfrom(): bufsize must not be negative, got ${bufsize}`);
    const buffer = Buffer.allocUnsafe(bufsize);
    const [count, address] = this.#recvfrom(buffer, bufsize, 'recvfrom');
    return [count * 2 >= bufsize ? buffer.subarray(0, count) : Buffer.from(buffer.subarray(0, count)), address];
  }

  /**
   * Receives one datagram into `buffer` (at most `nbytes`, default its whole
   * length); returns the count and the address it came from.
   *
   * @throws {ValueError} when `nbytes` is larger than the buffer.
   * @throws {BlockingIOError} when non-blocking and nothing is there yet.
   */
  recvfromInto(buffer: ArrayBufferView, nbytes = 0): [number, Address | null] {
    const bytes = bytesOf(buffer, 'recvfromInto', 'buffer');
    checkInteger(nbytes, 'nbytes', 'recvfromInto');
    if (nbytes < 0 || nbytes > bytes.length) {
      throw new ValueError(`recvfromInto(): nbytes must be from 0 to the buffer's ${bytes.length} bytes, got ${nbytes}`);
    }
    return this.#recvfrom(bytes, nbytes || bytes.length, 'recvfromInto');
  }

  #recvfrom(bytes: Uint8Array, length: number, method: string): [number, Address | null] {
    const result = this.#native.recvfrom(this.#fd, bytes, 0, length);
    if (typeof result === 'number') throw this.#error(-result, method, 'recvfrom');
    return [result[0], result[1] === null ? null : fromNativeAddress(result[1])];
  }

  /**
   * Sends `data` (a string goes as UTF-8) as one datagram to `address`;
   * returns the count.
   *
   * @throws {BlockingIOError} when non-blocking and there is no room.
   * @throws {OSError} EMSGSIZE for a datagram too large, and the like.
   */
  sendto(data: ArrayBufferView | string, address: Address): number {
    const bytes = typeof data === 'string' ? Buffer.from(data) : bytesOf(data, 'sendto', 'data');
    const [host, port] = this.#address(address, 'sendto');
    const count = this.#native.sendto(this.#fd, bytes, 0, bytes.length, this.#family, host, port);
    if (count < 0) throw this.#error(-count, 'sendto', 'sendto', formatAddress(address));
    return count;
  }

  /**
   * Sends all of `data`, call after call. On a non-blocking socket it throws
   * BlockingIOError when the buffer fills, with an unknown part sent (as
   * Python's): use the loop's `sockSendall()` there.
   */
  sendall(data: ArrayBufferView | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : bytesOf(data, 'sendall', 'data');
    let offset = 0;
    do {
      const count = this.#native.send(this.#fd, bytes, offset, bytes.length - offset);
      if (count < 0) throw this.#error(-count, 'sendall', 'send');
      offset += count;
    } while (offset < bytes.length);
  }

  /**
   * Shuts down one or both halves: SHUT_RD, SHUT_WR (the peer reads end of
   * file) or SHUT_RDWR.
   */
  shutdown(how: number): void {
    if (how !== 0 && how !== 1 && how !== 2) {
      throw new ValueError(`shutdown(): how must be SHUT_RD, SHUT_WR or SHUT_RDWR, got ${describe(how)}`);
    }
    this.#checkOpen('shutdown');
    const result = this.#native.shutdown(this.#fd, how);
    if (result < 0) throw this.#error(-result, 'shutdown', 'shutdown');
  }

  /** Closes the fd; idempotent. A reset connection (ECONNRESET) closes without error. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    try {
      loadBinding().close(fd);
    } catch (error) {
      if ((error as { errno?: number }).errno === ECONNRESET) return;
      throw nativeError(error, `close(): fd ${fd}`);
    }
  }

  /** Closes the socket at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The socket's own address: `[host, port]`, or the AF_UNIX path ('' when unnamed). */
  getsockname(): Address {
    return this.#name('getsockname', this.#native.getsockname(this.#fd));
  }

  /**
   * The peer's address.
   *
   * @throws {OSError} ENOTCONN when not connected.
   */
  getpeername(): Address {
    return this.#name('getpeername', this.#native.getpeername(this.#fd));
  }

  /** Sets an integer option (`true`/`false` as 1/0), e.g. `setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)`. */
  setsockopt(level: number, option: number, value: number | boolean): void {
    checkInteger(level, 'level', 'setsockopt');
    checkInteger(option, 'option', 'setsockopt');
    const number = typeof value === 'boolean' ? Number(value) : value;
    checkInteger(number, 'value', 'setsockopt');
    this.#checkOpen('setsockopt');
    const result = this.#native.setsockopt(this.#fd, level, option, number);
    if (result < 0) throw this.#error(-result, 'setsockopt', 'setsockopt');
  }

  /** An integer option's value, e.g. `getsockopt(SOL_SOCKET, SO_ERROR)`. */
  getsockopt(level: number, option: number): number {
    checkInteger(level, 'level', 'getsockopt');
    checkInteger(option, 'option', 'getsockopt');
    this.#checkOpen('getsockopt');
    try {
      return this.#native.getsockopt(this.#fd, level, option);
    } catch (error) {
      throw nativeError(error, 'getsockopt()');
    }
  }

  /** Python's repr: `<socket fd=5, family=AF_INET, type=SOCK_STREAM, laddr=('127.0.0.1', 5000)>`. */
  [inspect.custom](): string {
    const closed = this.#fd < 0 ? ' [closed]' : '';
    let text = `<socket${closed} fd=${this.#fd}, family=${familyName(this.#family)}, type=${typeName(this.#type)}`;
    if (this.#proto !== 0) text += `, proto=${this.#proto}`;
    if (this.#fd >= 0) {
      for (const [label, value] of [
        ['laddr', this.#native.getsockname(this.#fd)],
        ['raddr', this.#native.getpeername(this.#fd)],
      ] as const) {
        if (typeof value !== 'number' && value) text += `, ${label}=${formatAddress(value)}`;
      }
    }
    return `${text}>`;
  }

  #accept(method: string, nonBlocking: boolean): [Socket, Address] | null {
    const result = this.#native.accept(this.#fd, nonBlocking);
    if (typeof result === 'number') {
      if (result === -EAGAIN || result === -EWOULDBLOCK) return null;
      throw this.#error(-result, method, 'accept');
    }
    const [fd, address] = result;
    let connection: Socket;
    try {
      connection = new Socket(this.#family, this.#type, this.#proto, fd);
    } catch (error) {
      loadBinding().close(fd);
      throw error;
    }
    return [connection, fromNativeAddress(address)];
  }

  #connect(address: Address, method: string): number {
    const [host, port] = this.#address(address, method);
    const result = this.#native.connect(this.#fd, this.#family, host, port);
    return result < 0 ? -result : 0;
  }

  #address(address: Address, method: string): [string, number] {
    const native = toNativeAddress(address, this.#family, method);
    this.#checkOpen(method);
    return native;
  }

  #name(method: string, result: NativeAddress | number): Address {
    if (typeof result === 'number') throw this.#error(-result, method, method);
    return fromNativeAddress(result);
  }

  #checkOpen(method: string): void {
    if (this.#fd < 0) throw this.#error(EBADF, method);
  }

  /** The OSError for `errno` from `method`, with the hint that fits. */
  #error(errno: number, method: string, syscall?: string, address?: string): OSError {
    return socketError(errno, { method, syscall, address, closed: this.#fd < 0 });
  }
}

/**
 * A connected pair of sockets (Python's `socket.socketpair()`), blocking,
 * close-on-exec. `os.socketpair()` gives the same as bare fds.
 *
 * @param family AF_UNIX (default); Linux also allows no other.
 * @param type SOCK_STREAM (default) or SOCK_DGRAM.
 * @example
 * ```ts
 * const [left, right] = socketpair();
 * left.sendall('ping');
 * right.recv(4).toString(); // 'ping'
 * ```
 */
export function socketpair(family: number = AF_UNIX, type: number = SOCK_STREAM, proto = 0): [Socket, Socket] {
  checkInteger(family, 'family', 'socketpair');
  checkInteger(type, 'type', 'socketpair');
  checkInteger(proto, 'proto', 'socketpair');
  const result = native().socketpair(family, type, proto);
  if (typeof result === 'number') {
    throw OSError.fromErrno(-result, { syscall: 'socketpair', context: `socketpair(${familyName(family)})` });
  }
  return [new Socket(family, type, proto, result[0]), new Socket(family, type, proto, result[1])];
}
