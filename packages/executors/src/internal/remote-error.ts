// Errors crossing a thread or process: structured clone keeps only the
// built-in error classes, so an error is sent as a plain record (class name,
// name, message, the worker's stack, code, cause, own properties) and
// rebuilt on the other side as an error of a class with the same name.
import * as errors from '../errors.js';

const errorTag = '$asyncio-ts.error';

export interface SerializedError {
  [errorTag]: true;
  className: string;
  name: string;
  message: string;
  stack: string | undefined;
  cause?: unknown;
  errors?: unknown[];
  props: Record<string, unknown>;
}

const MAX_DEPTH = 4;

/** A form of `error` that survives structured clone (and v8.serialize). */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error) && !looksLikeError(error)) return cloneable(error) ? error : String(error);
  const value = error as Error & { cause?: unknown; errors?: unknown[] };
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === 'cause' || key === 'errors' || key === 'stack' || key === 'message' || key === 'name') continue;
    const prop = (value as unknown as Record<string, unknown>)[key];
    if (cloneable(prop)) props[key] = prop;
  }
  // `code` of our errors (and of Node's) is often not an own enumerable property.
  const code = (value as { code?: unknown }).code;
  if (code !== undefined && !('code' in props) && cloneable(code)) props.code = code;
  const record: SerializedError = {
    [errorTag]: true,
    className: value.constructor?.name ?? 'Error',
    name: String(value.name),
    message: String(value.message),
    stack: typeof value.stack === 'string' ? value.stack : undefined,
    props,
  };
  if (depth < MAX_DEPTH && 'cause' in value && value.cause !== undefined) record.cause = serializeError(value.cause, depth + 1);
  if (depth < MAX_DEPTH && Array.isArray(value.errors)) record.errors = value.errors.map((each) => serializeError(each, depth + 1));
  return record;
}

/** The error serializeError() described, rebuilt. Other values come back as they are. */
export function deserializeError(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || (data as { [errorTag]?: boolean })[errorTag] !== true) return data;
  const record = data as SerializedError;
  const error = instantiate(record);
  Object.defineProperty(error, 'name', { value: record.name, enumerable: false, configurable: true, writable: true });
  for (const [key, value] of Object.entries(record.props)) {
    try {
      Object.defineProperty(error, key, { value, enumerable: true, configurable: true, writable: true });
    } catch {
      // A read-only property of the class (rare): the value stays the class's.
    }
  }
  if (record.cause !== undefined) Object.defineProperty(error, 'cause', { value: deserializeError(record.cause), enumerable: false, configurable: true, writable: true });
  if (record.errors !== undefined) Object.defineProperty(error, 'errors', { value: record.errors.map(deserializeError), enumerable: false, configurable: true, writable: true });
  // The worker's stack: where the error really happened.
  Object.defineProperty(error, 'stack', { value: record.stack ?? `${record.name}: ${record.message}`, enumerable: false, configurable: true, writable: true });
  return error;
}

const builtins: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

const ours: Record<string, new (message?: string) => Error> = {
  FuturesError: errors.FuturesError,
  CancelledError: errors.CancelledError,
  TimeoutError: errors.TimeoutError,
  InvalidStateError: errors.InvalidStateError,
  RuntimeError: errors.RuntimeError,
  BrokenExecutor: errors.BrokenExecutor,
  BrokenThreadPool: errors.BrokenThreadPool,
  BrokenProcessPool: errors.BrokenProcessPool,
};

// One class per foreign name, so that errors of one worker class share it.
const remoteClasses = new Map<string, new (message?: string) => Error>();

function instantiate(record: SerializedError): Error {
  const { className, message } = record;
  if (className === 'AggregateError') return new AggregateError([], message);
  if (className === 'DOMException') return new DOMException(message, record.name);
  const known = builtins[className] ?? ours[className];
  if (known !== undefined) return new known(message);
  let remote = remoteClasses.get(className);
  if (remote === undefined) {
    const name = /^[A-Za-z_$][\w$]*$/.test(className) ? className : 'RemoteError';
    remote = { [name]: class extends Error {} }[name]!;
    remoteClasses.set(className, remote);
  }
  return new remote(message);
}

function looksLikeError(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Error]';
}

function cloneable(value: unknown): boolean {
  if (value === null) return true;
  const type = typeof value;
  if (type === 'function' || type === 'symbol') return false;
  if (type !== 'object') return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
