/**
 * The error classes of @asyncio-ts/executors, with concurrent.futures' names
 * and hierarchy: CancelledError, TimeoutError, InvalidStateError, and
 * BrokenExecutor (a RuntimeError) with BrokenThreadPool and BrokenProcessPool.
 *
 * Differences from concurrent.futures: Python's TimeoutError and
 * RuntimeError are built-ins; here they are classes of this package. The
 * codes match @asyncio-ts/core's (`ASYNCIO_CANCELLED`, ...), so a check by
 * code or by `isInstance()` treats both packages' errors alike.
 */

const marker = Symbol.for('asyncio-ts.error');

/**
 * The base of this package's errors (concurrent.futures.Error): a `name`, a
 * stable `code`, and a static `isInstance()` that also recognises errors
 * from another copy of the package.
 */
export class FuturesError extends Error {
  /** A stable machine-readable code, e.g. `ASYNCIO_CANCELLED`. */
  readonly code: string;
  declare readonly [marker]: string;

  constructor(message?: string, options?: { cause?: unknown }, code = 'ASYNCIO_FUTURES_ERROR') {
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

/** The Future was cancelled: thrown by result() and exception(). */
export class CancelledError extends FuturesError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_CANCELLED');
  }
}

/** A blocking call (result(), exception(), map's next(), asCompleted) ran past its timeout. */
export class TimeoutError extends FuturesError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_TIMEOUT');
  }
}

/** A Future was used in a state that does not allow the operation (setResult() twice, say). */
export class InvalidStateError extends FuturesError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_INVALID_STATE');
  }
}

/** Misuse of an executor: submit() after shutdown(), or a wait that could never end. */
export class RuntimeError extends FuturesError {
  constructor(message?: string, options?: { cause?: unknown }, code = 'ASYNCIO_RUNTIME') {
    super(message, options, code);
  }
}

/**
 * The executor is broken and can no longer run work: a worker died or an
 * initializer failed. Every future that was pending gets this error, and so
 * does every later submit().
 */
export class BrokenExecutor extends RuntimeError {
  constructor(message?: string, options?: { cause?: unknown }, code = 'ASYNCIO_BROKEN_EXECUTOR') {
    super(message, options, code);
  }
}

/** A ThreadPoolExecutor is broken: a worker thread died, or its initializer failed. */
export class BrokenThreadPool extends BrokenExecutor {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_BROKEN_THREAD_POOL');
  }
}

/** A ProcessPoolExecutor is broken: a child process died, or its initializer failed. */
export class BrokenProcessPool extends BrokenExecutor {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_BROKEN_PROCESS_POOL');
  }
}
