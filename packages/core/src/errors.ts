/**
 * The error classes of @asyncio-ts/core, with asyncio's names and hierarchy.
 *
 * Differences from asyncio: Python's CancelledError derives from BaseException
 * so that `except Exception` does not catch it; JavaScript has one `catch`, so
 * code that catches everything must rethrow CancelledError itself (or test it
 * with `CancelledError.isInstance(error)`). Python's RuntimeError and
 * ValueError are built-ins; here they are classes of this package.
 */

const marker = Symbol.for('asyncio-ts.error');

/**
 * The base of every asyncio-ts error: a `name`, a stable `code`, and a static
 * `isInstance()` that also recognises errors from another copy of the package.
 */
export class AsyncioError extends Error {
  /** A stable machine-readable code, e.g. `ASYNCIO_CANCELLED`. */
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
    // Every marked error is an AsyncioError, whatever copy of the package made it.
    if (this.name === 'AsyncioError') return true;
    // Across duplicate installs the prototype chain differs: match by name along ours.
    for (let proto = Object.getPrototypeOf(error); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      if (proto.constructor?.name === this.name) return true;
    }
    return (error as Record<symbol, string>)[marker] === this.name;
  }
}

/** The operation was cancelled: thrown into a task at the point it awaits. */
export class CancelledError extends AsyncioError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_CANCELLED');
  }
}

/** The operation exceeded its deadline (asyncio.TimeoutError, Python's builtin TimeoutError). */
export class TimeoutError extends AsyncioError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_TIMEOUT');
  }
}

/** A Future or Task was used in a state that does not allow the operation. */
export class InvalidStateError extends AsyncioError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_INVALID_STATE');
  }
}

/** Misuse of an event loop: nested run, no running loop, a closed loop. */
export class RuntimeError extends AsyncioError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_RUNTIME');
  }
}

/** A bad argument value (Python's ValueError), e.g. a negative delay. */
export class ValueError extends AsyncioError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options, 'ASYNCIO_VALUE');
  }
}

/** The stream ended before `expected` bytes were read; `partial` holds what was read. */
export class IncompleteReadError extends AsyncioError {
  readonly partial: Uint8Array;
  readonly expected: number | null;

  constructor(partial: Uint8Array, expected: number | null) {
    const wanted = expected === null ? 'undefined' : String(expected);
    super(`${partial.length} bytes read on a total of ${wanted} expected bytes`, undefined, 'ASYNCIO_INCOMPLETE_READ');
    this.partial = partial;
    this.expected = expected;
  }
}

/** A separator was not found within the stream's limit; the data stays buffered. */
export class LimitOverrunError extends AsyncioError {
  /** How many bytes may be consumed to get past the overrun. */
  readonly consumed: number;

  constructor(message: string, consumed: number) {
    super(message, undefined, 'ASYNCIO_LIMIT_OVERRUN');
    this.consumed = consumed;
  }
}

/**
 * Several errors raised together, as Python 3.11's ExceptionGroup: what a
 * failed TaskGroup throws. `exceptions` and `errors` both list every error.
 */
export class ExceptionGroup extends AggregateError {
  /** Every error of the group, as Python's `exceptions`. */
  readonly exceptions: readonly unknown[];
  readonly code = 'ASYNCIO_EXCEPTION_GROUP';

  constructor(message: string, errors: readonly unknown[]) {
    super(errors, `${message} (${errors.length} sub-exception${errors.length === 1 ? '' : 's'})`);
    Object.defineProperty(this, 'name', { value: 'ExceptionGroup', enumerable: false, configurable: true, writable: true });
    this.exceptions = errors;
  }

  /** True when `error` is an ExceptionGroup, from any copy of the package. */
  static isInstance(error: unknown): error is ExceptionGroup {
    return error instanceof ExceptionGroup || (error instanceof AggregateError && (error as { code?: string }).code === 'ASYNCIO_EXCEPTION_GROUP');
  }
}

/** The user interrupted the program (Ctrl+C) while run() was running its main coroutine. */
export class KeyboardInterrupt extends AsyncioError {
  constructor(message = 'interrupted') {
    super(message, undefined, 'ASYNCIO_KEYBOARD_INTERRUPT');
  }
}
