/** Argument checks and errors of Socket: integers, buffers, and OSErrors with hints. */
import { errnoName, OSError, ValueError } from '../errors.js';
import { SOCK_DGRAM, SOCK_STREAM } from '../socket-constants.js';
import { describe } from './checks.js';

/** Hints for the errno values a user can act on, by errno name. */
const hints: Record<string, string> = {
  EAGAIN: 'the socket is non-blocking and not ready; wait for it (FdWatcher, a selector, or the loop) and call again',
  EINPROGRESS:
    'the socket is non-blocking and the connection is under way; wait until it is writable, then read SO_ERROR (connectEx() returns the errno instead)',
  EADDRINUSE: 'another socket has this address; pick another port (0 picks a free one) or set SO_REUSEADDR before bind()',
  EADDRNOTAVAIL: 'this host has no such address',
  ECONNREFUSED: 'nothing is listening at that address',
  ENOTCONN: 'the socket is not connected; call connect() first (or accept() a connection)',
  EISCONN: 'the socket is already connected',
  ENAMETOOLONG: 'an AF_UNIX path has at most 107 bytes (103 on macOS); use a shorter path',
  ENOENT: 'no socket file exists at that path',
  EAFNOSUPPORT: 'the address does not fit the socket family',
};

/** @throws {ValueError} unless `value` is an integer. */
export function checkInteger(value: unknown, what: string, method: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ValueError(`${method}(): ${what} must be an integer, got ${describe(value)}`);
  }
}

/** `data` as a Uint8Array view, or a ValueError naming `argument`. */
export function bytesOf(data: unknown, method: string, argument: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new ValueError(
    `${method}(): ${argument} must be a Buffer, Uint8Array or other ArrayBufferView, got ${describe(data)}`,
  );
}

/** Where a socket error happened. */
export interface SocketErrorWhere {
  /** The Socket method, e.g. `'recv'`. */
  method: string;
  /** The system call, e.g. `'recv'`; left out of the message for a closed socket. */
  syscall?: string | undefined;
  /** The address, as printed, for bind and connect. */
  address?: string | undefined;
  /** The socket is closed (its fd is -1). */
  closed: boolean;
}

/** The OSError (of Python's subclass) for `errno`, with the hint that fits. */
export function socketError(errno: number, where: SocketErrorWhere): OSError {
  const code = errnoName(errno);
  const hint = where.closed && code === 'EBADF' ? 'the socket is closed; create a new one' : code ? hints[code] : undefined;
  const context = where.address ? `${where.method}() to ${where.address}` : `${where.method}()`;
  return OSError.fromErrno(errno, { context, syscall: where.closed ? undefined : where.syscall, hint });
}

/** The name of a type constant, for messages and inspect. */
export function typeName(type: number): string {
  if (type === SOCK_STREAM) return 'SOCK_STREAM';
  if (type === SOCK_DGRAM) return 'SOCK_DGRAM';
  return String(type);
}

