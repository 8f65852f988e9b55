/**
 * The error classes of @asyncio-ts/selectors, with Python's names: ValueError,
 * KeyError, RuntimeError, NotImplementedError and the OSError family.
 *
 * Differences from Python: these are classes of this package, not built-ins.
 * They carry the same `Symbol.for('asyncio-ts.error')` marker as
 * @asyncio-ts/core's errors, so `isInstance()` recognises a `ValueError` from
 * either package. An OSError's `code` is the errno name (`'EBADF'`), as on
 * Node's own system errors.
 */
import { constants as osConstants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

const marker = Symbol.for('asyncio-ts.error');

/**
 * The base of every error this package throws: a `name`, a stable `code`, and
 * a static `isInstance()` that also recognises errors from another copy of
 * the package.
 */
export class SelectorsError extends Error {
  /** A stable machine-readable code, e.g. `ASYNCIO_KEY` or `EBADF`. */
  readonly code: string;
  declare readonly [marker]: string;

  constructor(message?: string, options?: { cause?: unknown }, code = 'ASYNCIO_ERROR') {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, marker, { value: new.target.name, enumerable: false });
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true });
  }

  /** True when `error` is this class (or a subclass), from any copy of the package. */
  static isInstance(error: unknown): boolean {
    if (error instanceof this) return true;
    if (typeof error !== 'object' || error === null || !(marker in error)) return false;
    // Across duplicate installs the prototype chain differs: match by name along ours.
    for (let proto = Object.getPrototypeOf(error); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === this.name) return true;
    }
    return (error as Record<symbol, string>)[marker] === this.name;
  }
}

/** A bad argument value (Python's ValueError): a negative fd, an invalid events mask. */
export class ValueError extends SelectorsError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_VALUE');
  }
}

/** A file object registered twice, or not registered at all (Python's KeyError). */
export class KeyError extends SelectorsError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_KEY');
  }
}

/** Misuse of a selector, such as any call but close() after close(). */
export class RuntimeError extends SelectorsError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_RUNTIME');
  }
}

/** This system lacks what was asked for, e.g. EpollSelector on macOS. */
export class NotImplementedError extends SelectorsError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_NOT_IMPLEMENTED');
  }
}

/** The native addon is not built or cannot be loaded; the message says how to rebuild it. */
export class NativeAddonError extends SelectorsError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'SELECTORS_ADDON_MISSING');
  }
}

// libuv's table (getSystemErrorMap) lacks a few errno values a socket meets,
// EINPROGRESS first of all: their names come from os.constants, their text
// from here.
const missingTexts: Record<string, string> = {
  EINPROGRESS: 'operation now in progress',
  ENETRESET: 'network dropped connection on reset',
  EDQUOT: 'disk quota exceeded',
  ESTALE: 'stale file handle',
};
const errnoNames = new Map(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

/** `[code, strerror]` of a positive errno. */
function describeErrno(errno: number): [code: string, strerror: string] {
  const known = getSystemErrorMap().get(-errno);
  if (known) return [known[0], known[1]];
  const name = errnoNames.get(errno);
  if (name) return [name, missingTexts[name] ?? name];
  return [`E${errno}`, `unknown error ${errno}`];
}

/** @internal The errno's name, e.g. `'EINPROGRESS'` for 115 on Linux; undefined if unknown. */
export function errnoName(errno: number): string | undefined {
  return getSystemErrorMap().get(-errno)?.[0] ?? errnoNames.get(errno);
}

/** Where an OSError came from, beside its errno. */
export interface OSErrorOptions {
  /** The failed system call, e.g. `'epoll_ctl'`. */
  syscall?: string;
  /** What was being done, e.g. `'register(): fd 9'`; starts the message. */
  context?: string;
  /** How to fix it; ends the message. */
  hint?: string;
  cause?: unknown;
}

/**
 * A failed system call (Python's OSError): `errno` is the positive error
 * number, `code` its name (`'EBADF'`), `strerror` its text, `syscall` the call.
 * Build one with {@link OSError.fromErrno}, which picks the subclass that
 * Python would (BlockingIOError for EAGAIN, BrokenPipeError for EPIPE, …).
 */
export class OSError extends SelectorsError {
  readonly errno: number;
  readonly strerror: string;
  readonly syscall: string | undefined;

  constructor(errno: number, options: OSErrorOptions = {}) {
    const [code, strerror] = describeErrno(errno);
    const syscall = options.syscall ? ` (${options.syscall})` : '';
    const context = options.context ? `${options.context}: ` : '';
    const hint = options.hint ? `; ${options.hint}` : '';
    super(`${context}[Errno ${errno}] ${code}: ${strerror}${syscall}${hint}`, { cause: options.cause }, code);
    this.errno = errno;
    this.strerror = strerror;
    this.syscall = options.syscall;
  }

  /** The OSError, or the subclass Python maps `errno` to, for a failed call. */
  static fromErrno(errno: number, options: OSErrorOptions = {}): OSError {
    const code = errnoName(errno);
    const Class = (code && errnoClasses[code]) || OSError;
    return new Class(errno, options);
  }
}

/** EAGAIN / EWOULDBLOCK / EINPROGRESS / EALREADY: a non-blocking call would block. */
export class BlockingIOError extends OSError {}
/** EINTR: a signal interrupted the call. */
export class InterruptedError extends OSError {}
/** The base of the connection errors. */
export class ConnectionError extends OSError {}
/** EPIPE / ESHUTDOWN: writing to a pipe or socket whose other end is closed. */
export class BrokenPipeError extends ConnectionError {}
/** ECONNABORTED. */
export class ConnectionAbortedError extends ConnectionError {}
/** ECONNREFUSED. */
export class ConnectionRefusedError extends ConnectionError {}
/** ECONNRESET. */
export class ConnectionResetError extends ConnectionError {}

// errno name -> class, as Python's OSError.__new__ picks its subclass
// (one table, after uvloop's errors.pyx).
const errnoClasses: Record<string, typeof OSError> = {
  EAGAIN: BlockingIOError,
  EWOULDBLOCK: BlockingIOError,
  EINPROGRESS: BlockingIOError,
  EALREADY: BlockingIOError,
  EINTR: InterruptedError,
  EPIPE: BrokenPipeError,
  ESHUTDOWN: BrokenPipeError,
  ECONNABORTED: ConnectionAbortedError,
  ECONNREFUSED: ConnectionRefusedError,
  ECONNRESET: ConnectionResetError,
};
