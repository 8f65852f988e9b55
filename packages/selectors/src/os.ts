/**
 * The few fd functions of Python's `os` and `socket` modules that an event
 * loop needs beside a selector, from the native addon: pipe, socketpair,
 * read, write, close, setBlocking and getBlocking.
 *
 * Differences from Python: `pipe()` and `socketpair()` give non-blocking fds
 * unless `{blocking: true}` is asked (a blocking read would freeze Node's
 * thread); `read(fd, buffer)` reads into a buffer and returns the count
 * (Python's `readinto`), and both `read` and `write` return `null` where
 * Python raises BlockingIOError (EAGAIN) — as a raw non-blocking stream's
 * `readinto`/`write` return None. Fds are close-on-exec.
 */
import { loadBinding } from './binding.js';
import { ValueError } from './errors.js';
import { describe } from './internal/checks.js';
import { nativeError } from './internal/native-error.js';

/** Options of {@link pipe} and {@link socketpair}. */
export interface FdPairOptions {
  /** Leave the fds blocking (O_NONBLOCK clear), as Python's are. @default false */
  blocking?: boolean;
}

function checkFd(fd: unknown, method: string): asserts fd is number {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 2 ** 31 - 1) {
    throw new ValueError(`${method}(): invalid file descriptor ${describe(fd)}; an fd is a non-negative integer`);
  }
}

function bytesOf(buffer: unknown, method: string): Uint8Array {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  throw new ValueError(`${method}(): expected a Buffer, Uint8Array or other ArrayBufferView, got ${describe(buffer)}`);
}

function call<R>(method: string, fd: number | undefined, body: () => R): R {
  try {
    return body();
  } catch (error) {
    throw nativeError(error, fd === undefined ? `${method}()` : `${method}(): fd ${fd}`);
  }
}

/**
 * A new pipe: `[readFd, writeFd]` (Python's `os.pipe`), close-on-exec and
 * non-blocking unless `{blocking: true}`.
 *
 * @throws {OSError} e.g. EMFILE when the process has no fd left.
 * @example
 * ```ts
 * const [readFd, writeFd] = os.pipe();
 * os.write(writeFd, Buffer.from('ping'));
 * ```
 */
export function pipe(options: FdPairOptions = {}): [number, number] {
  return call('pipe', undefined, () => loadBinding().pipe(!options.blocking));
}

/**
 * A connected pair of AF_UNIX stream sockets (Python's `socket.socketpair`),
 * as fds, close-on-exec and non-blocking unless `{blocking: true}`.
 *
 * @throws {OSError} e.g. EMFILE when the process has no fd left.
 */
export function socketpair(options: FdPairOptions = {}): [number, number] {
  return call('socketpair', undefined, () => loadBinding().socketpair(!options.blocking));
}

/**
 * Reads from `fd` into `buffer` (from `offset`, at most `length` bytes).
 *
 * @returns the number of bytes read, 0 at end of file, or `null` when a
 * non-blocking fd has nothing to read yet (EAGAIN).
 * @throws {ValueError} for a bad fd or buffer; {RangeError} when offset or
 * length fall outside the buffer; {OSError} when read(2) fails (EBADF, …).
 */
export function read(fd: number, buffer: ArrayBufferView, offset?: number, length?: number): number | null {
  checkFd(fd, 'read');
  const bytes = bytesOf(buffer, 'read');
  return call('read', fd, () => loadBinding().read(fd, bytes, offset, length));
}

/**
 * Writes `data` (from `offset`, at most `length` bytes) to `fd`.
 *
 * @returns the number of bytes written (maybe fewer than asked), or `null`
 * when a non-blocking fd has no room (EAGAIN).
 * @throws {BrokenPipeError} when the other end is closed (EPIPE); {OSError}
 * for other failures; {ValueError}/{RangeError} for bad arguments.
 */
export function write(fd: number, data: ArrayBufferView, offset?: number, length?: number): number | null {
  checkFd(fd, 'write');
  const bytes = bytesOf(data, 'write');
  return call('write', fd, () => loadBinding().write(fd, bytes, offset, length));
}

/**
 * Closes `fd` (Python's `os.close`).
 *
 * @throws {OSError} EBADF when it is not open.
 */
export function close(fd: number): void {
  checkFd(fd, 'close');
  call('close', fd, () => loadBinding().close(fd));
}

/**
 * Sets (`blocking = false`) or clears O_NONBLOCK on `fd` (Python's `os.set_blocking`).
 *
 * @throws {OSError} EBADF when it is not open.
 */
export function setBlocking(fd: number, blocking: boolean): void {
  checkFd(fd, 'setBlocking');
  call('setBlocking', fd, () => loadBinding().setBlocking(fd, blocking));
}

/**
 * False when O_NONBLOCK is set on `fd` (Python's `os.get_blocking`).
 *
 * @throws {OSError} EBADF when it is not open.
 */
export function getBlocking(fd: number): boolean {
  checkFd(fd, 'getBlocking');
  return call('getBlocking', fd, () => loadBinding().getBlocking(fd));
}
