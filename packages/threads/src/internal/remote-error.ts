// Errors crossing a thread: structured clone keeps only built-in error
// classes, so an error travels as a record (class name, name, message, the
// remote stack, code) and comes back as an error of a class of that name.
// (A smaller sibling of @asyncio-ts/executors' internal remote-error.ts.)
import * as futures from '@asyncio-ts/executors';

const tag = '$asyncio-ts.threads.error';

interface ErrorRecord {
  [tag]: true;
  className: string;
  name: string;
  message: string;
  stack: string | undefined;
  code: unknown;
  cause: unknown;
}

/** A form of `error` that survives structured clone. */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) {
    try {
      return structuredClone(error);
    } catch {
      return String(error);
    }
  }
  const code = (error as { code?: unknown }).code;
  return {
    [tag]: true,
    className: error.constructor?.name ?? 'Error',
    name: String(error.name),
    message: String(error.message),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    cause: depth < 3 && error.cause !== undefined ? serializeError(error.cause, depth + 1) : undefined,
  } satisfies ErrorRecord;
}

const known: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
  CancelledError: futures.CancelledError,
  TimeoutError: futures.TimeoutError,
  InvalidStateError: futures.InvalidStateError,
  RuntimeError: futures.RuntimeError,
};
const remoteClasses = new Map<string, new (message?: string) => Error>();

/** The error serializeError() described; any other value as it is. */
export function deserializeError(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || (data as { [tag]?: boolean })[tag] !== true) return data;
  const record = data as ErrorRecord;
  let type: (new (message?: string) => Error) | undefined = known[record.className];
  if (type === undefined) {
    type = remoteClasses.get(record.className);
    if (type === undefined) {
      const name = /^[A-Za-z_$][\w$]*$/.test(record.className) ? record.className : 'RemoteError';
      type = { [name]: class extends Error {} }[name]!;
      remoteClasses.set(record.className, type);
    }
  }
  const error = new type(record.message);
  const define = (key: string, value: unknown) => Object.defineProperty(error, key, { value, enumerable: false, configurable: true, writable: true });
  define('name', record.name);
  if (record.code !== undefined) define('code', record.code);
  if (record.cause !== undefined) define('cause', deserializeError(record.cause));
  // The remote stack: where the error really happened.
  define('stack', record.stack ?? `${record.name}: ${record.message}`);
  return error;
}
