/**
 * The loop's socket operations on @asyncio-ts/selectors' Socket: sockRecv,
 * sockRecvInto, sockSendall, sockConnect and sockAccept (asyncio's
 * BaseSelectorEventLoop.sock_recv and friends), called through the loop's
 * thin methods of the same names.
 *
 * Each tries its system call at once and, when it would block, waits with a
 * reader or writer on the socket's fd and tries again each time the fd is
 * ready. Cancelling the Future removes that reader or writer (on the next
 * iteration, from a done callback, as asyncio's).
 *
 * Differences from asyncio: they return loop Futures (`await` them, or
 * `yield*` them in a generator) where asyncio's are coroutines, and a socket
 * that is not non-blocking is refused always, not only in debug mode: a
 * blocking call would freeze the thread, loop included. sockConnect()
 * resolves a host name with Node's dns.lookup() (asyncio's getaddrinfo in
 * the default executor).
 */
import { lookup } from 'node:dns';
import { isIP } from 'node:net';
import {
  AF_INET,
  AF_INET6,
  BlockingIOError,
  InterruptedError,
  OSError,
  SOL_SOCKET,
  SO_ERROR,
  type Address,
  type Socket,
} from '@asyncio-ts/selectors';
import type { BaseEventLoop } from './base-event-loop.js';
import { ValueError } from './errors.js';
import type { Future } from './future.js';
import type { Handle } from './handle.js';
import { describe } from './internal/checks.js';

/**
 * Receives up to `nbytes` bytes from `sock`; the Future's result is the data
 * (an empty Buffer at end of file).
 */
export function sockRecv(loop: BaseEventLoop, sock: Socket, nbytes: number): Future<Buffer> {
  checkSocket('sockRecv', sock);
  if (!Number.isInteger(nbytes) || nbytes < 0) {
    throw new ValueError(`sockRecv() expects nbytes as a non-negative integer, got ${describe(nbytes)}`);
  }
  const future = loop.createFuture<Buffer>();
  const state: RecvState = { sock, buffer: Buffer.allocUnsafe(nbytes) };
  if (!recv(future, state)) waitReadable('sockRecv', loop, future, sock, recvWhenReady, state);
  return future;
}

/**
 * Receives into `buffer` (up to its length); the Future's result is the
 * number of bytes received, 0 at end of file.
 */
export function sockRecvInto(loop: BaseEventLoop, sock: Socket, buffer: ArrayBufferView): Future<number> {
  checkSocket('sockRecvInto', sock);
  const bytes = bytesOf('sockRecvInto', 'buffer', buffer);
  const future = loop.createFuture<number>();
  if (!recvInto(future, sock, bytes)) waitReadable('sockRecvInto', loop, future, sock, recvIntoWhenReady, sock, bytes);
  return future;
}

/**
 * Sends all of `data` (a string goes as UTF-8), waiting for room as often as
 * needed. On an error, how much was sent is unknown, as in asyncio.
 */
export function sockSendall(loop: BaseEventLoop, sock: Socket, data: ArrayBufferView | string): Future<void> {
  checkSocket('sockSendall', sock);
  const bytes = typeof data === 'string' ? Buffer.from(data) : bytesOf('sockSendall', 'data', data);
  const future = loop.createFuture<void>();
  const state: SendState = { sock, bytes, offset: 0 };
  if (!send(future, state)) waitWritable('sockSendall', loop, future, sock, sendWhenReady, state);
  return future;
}

/**
 * Connects `sock` to `address` (`[host, port]`, or a path for AF_UNIX); a host
 * name is looked up first (dns.lookup, in the socket's family). The Future
 * fails with the connect error (ConnectionRefusedError, …).
 */
export function sockConnect(loop: BaseEventLoop, sock: Socket, address: Address): Future<void> {
  checkSocket('sockConnect', sock);
  const future = loop.createFuture<void>();
  const host = Array.isArray(address) ? address[0] : undefined;
  const family = sock.family;
  if ((family === AF_INET || family === AF_INET6) && typeof host === 'string' && host !== '' && isIP(host) === 0) {
    const port = (address as [string, number])[1];
    lookup(host, { family: family === AF_INET6 ? 6 : 4 }, (error, resolved) => {
      if (future.done()) return;
      if (error !== null) future.setException(error);
      else connect(loop, future, sock, [resolved, port]);
    });
  } else {
    connect(loop, future, sock, address);
  }
  return future;
}

/**
 * Accepts a connection on the listening `sock`; the Future's result is the
 * new non-blocking Socket and the peer's address.
 */
export function sockAccept(loop: BaseEventLoop, sock: Socket): Future<[Socket, Address]> {
  checkSocket('sockAccept', sock);
  const future = loop.createFuture<[Socket, Address]>();
  if (!accept(future, sock)) waitReadable('sockAccept', loop, future, sock, acceptWhenReady, sock);
  return future;
}

// --- the attempts: each returns true once the Future is settled ------------

interface RecvState {
  readonly sock: Socket;
  readonly buffer: Buffer;
}

interface SendState {
  readonly sock: Socket;
  readonly bytes: Uint8Array;
  offset: number;
}

function recv(future: Future<Buffer>, state: RecvState): boolean {
  const { sock, buffer } = state;
  let count: number;
  try {
    count = sock.tryRecvInto(buffer, 0, buffer.length);
  } catch (error) {
    future.setException(error);
    return true;
  }
  if (count < 0) return false;
  // Keep a short message from pinning a large buffer.
  future.setResult(count * 2 >= buffer.length ? buffer.subarray(0, count) : Buffer.from(buffer.subarray(0, count)));
  return true;
}

function recvInto(future: Future<number>, sock: Socket, bytes: Uint8Array): boolean {
  let count: number;
  try {
    count = sock.tryRecvInto(bytes, 0, bytes.length);
  } catch (error) {
    future.setException(error);
    return true;
  }
  if (count < 0) return false;
  future.setResult(count);
  return true;
}

function send(future: Future<void>, state: SendState): boolean {
  const { sock, bytes } = state;
  while (state.offset < bytes.length) {
    let count: number;
    try {
      count = sock.trySend(bytes, state.offset, bytes.length - state.offset);
    } catch (error) {
      future.setException(error);
      return true;
    }
    if (count < 0) return false;
    state.offset += count;
  }
  future.setResult(undefined);
  return true;
}

function accept(future: Future<[Socket, Address]>, sock: Socket): boolean {
  let accepted: [Socket, Address] | null;
  try {
    accepted = sock.tryAccept();
  } catch (error) {
    future.setException(error);
    return true;
  }
  if (accepted === null) return false;
  future.setResult(accepted);
  return true;
}

function connect(loop: BaseEventLoop, future: Future<void>, sock: Socket, address: Address): void {
  try {
    sock.connect(address);
  } catch (error) {
    // A non-blocking connect goes on in the background (EINPROGRESS, or
    // EINTR): the socket turns writable when it is done, either way.
    if (BlockingIOError.isInstance(error) || InterruptedError.isInstance(error)) {
      try {
        waitWritable('sockConnect', loop, future, sock, connectWhenReady, sock, address);
      } catch (registerError) {
        future.setException(registerError);
      }
    } else {
      future.setException(error);
    }
    return;
  }
  future.setResult(undefined);
}

// --- the readers and writers, called when the fd is ready ------------------

function recvWhenReady(future: Future<Buffer>, state: RecvState): void {
  if (!future.done()) recv(future, state);
}

function recvIntoWhenReady(future: Future<number>, sock: Socket, bytes: Uint8Array): void {
  if (!future.done()) recvInto(future, sock, bytes);
}

function sendWhenReady(future: Future<void>, state: SendState): void {
  if (!future.done()) send(future, state);
}

function acceptWhenReady(future: Future<[Socket, Address]>, sock: Socket): void {
  if (!future.done()) accept(future, sock);
}

function connectWhenReady(future: Future<void>, sock: Socket, address: Address): void {
  if (future.done()) return;
  let errno: number;
  try {
    errno = sock.getsockopt(SOL_SOCKET, SO_ERROR);
  } catch (error) {
    future.setException(error);
    return;
  }
  if (errno === 0) future.setResult(undefined);
  else future.setException(OSError.fromErrno(errno, { context: `sockConnect(): connect call failed ${describe(address)}` }));
}

// --- waiting -----------------------------------------------------------------

type ReadyCallback = (future: never, ...args: never[]) => void;

function waitReadable(method: string, loop: BaseEventLoop, future: Future<unknown>, sock: Socket, callback: ReadyCallback, ...args: unknown[]): void {
  const fd = sock.fileno();
  loop.ioCheckNoOwner(method, fd);
  const handle = loop.ioAddReader(fd, callback as (...args: unknown[]) => void, [future, ...args]);
  future.addCallback(() => removeUnlessCancelled(loop, fd, handle, false), null);
}

function waitWritable(method: string, loop: BaseEventLoop, future: Future<unknown>, sock: Socket, callback: ReadyCallback, ...args: unknown[]): void {
  const fd = sock.fileno();
  loop.ioCheckNoOwner(method, fd);
  const handle = loop.ioAddWriter(fd, callback as (...args: unknown[]) => void, [future, ...args]);
  future.addCallback(() => removeUnlessCancelled(loop, fd, handle, true), null);
}

/** asyncio's _sock_read_done/_sock_write_done: a handle replaced since (and so cancelled) is not ours to remove. */
function removeUnlessCancelled(loop: BaseEventLoop, fd: number, handle: Handle, writer: boolean): void {
  if (handle.cancelled()) return;
  if (writer) loop.ioRemoveWriter(fd);
  else loop.ioRemoveReader(fd);
}

// --- checks ------------------------------------------------------------------

function checkSocket(method: string, sock: unknown): asserts sock is Socket {
  const candidate = sock as Partial<Socket> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.fileno !== 'function' || typeof candidate.tryRecvInto !== 'function') {
    throw new TypeError(`${method}() expects a Socket of @asyncio-ts/selectors, got ${describe(sock)}`);
  }
  if (candidate.getBlocking!()) {
    throw new ValueError(`${method}(): the socket must be non-blocking; call sock.setBlocking(false) first`);
  }
}

function bytesOf(method: string, name: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${method}() expects ${name} as a Buffer, Uint8Array or other ArrayBufferView, got ${describe(value)}`);
}
