/**
 * How a function reaches a worker: a reference to a module's export
 * (`{ module: URL | string, export: string }`, TypeScript modules included),
 * or a self-contained function, sent as its source text and compiled again
 * in the worker.
 *
 * Differences from concurrent.futures: Python pickles a function by its
 * module and name; JavaScript cannot, and closures do not cross threads. A
 * function that uses a variable of the code around it fails in the worker
 * with a ReferenceError that says so and shows the module form.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe } from './internal/checks.js';

/**
 * A reference to a function exported by a module, which the worker imports.
 * `F` is the function's type, for typed submit() and map() calls.
 * @example
 * const fib: ModuleReference<typeof import('./fib.js').fib> = { module: new URL('./fib.js', import.meta.url), export: 'fib' };
 */
export interface ModuleReference<F extends AnyFunction = AnyFunction> {
  /** The module: a URL (`new URL('./work.js', import.meta.url)`), a file URL string or an absolute path. */
  module: URL | string;
  /** The export's name; 'default' when omitted. */
  export?: string;
  /** Carries the function's type only; never set. */
  readonly __function?: F;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function shape
export type AnyFunction = (...args: any[]) => unknown;

/** What a function running in a worker sees as `this`. */
export interface WorkerContext {
  /**
   * Aborted when the caller cancels this call with `future.cancel({ running: true })`
   * (or the executor shuts down with cancelFutures while it is running).
   * Reading `aborted` checks shared memory, so a busy loop sees it at once.
   */
  readonly signal: AbortSignal;
}

/** A function that can run in a worker: a self-contained function or a module reference. */
export type WorkerFunction<A extends unknown[] = any[], R = unknown> = // eslint-disable-line @typescript-eslint/no-explicit-any
  ((this: WorkerContext, ...args: A) => R) | ModuleReference<(...args: A) => R>;

/** The result type of a worker function, promises unwrapped. */
export type WorkerResult<F> = F extends ModuleReference<infer G> ? Awaited<ReturnType<G>> : F extends AnyFunction ? Awaited<ReturnType<F>> : unknown;

/** The argument types of a worker function. */
export type WorkerArgs<F> = F extends ModuleReference<infer G> ? Parameters<G> : F extends AnyFunction ? Parameters<F> : unknown[];

/** How the worker gets a function: what crosses the thread boundary. */
export type FunctionSpec =
  | { kind: 'module'; url: string; name: string; typescript: boolean }
  | { kind: 'source'; source: string; name: string };

/** A function resolved for sending, with the id workers know it by. */
export interface FunctionReference {
  readonly id: number;
  readonly spec: FunctionSpec;
}

let nextId = 1;
const byFunction = new WeakMap<AnyFunction, FunctionReference>();
const byKey = new Map<string, FunctionReference>();

/**
 * Resolves what the caller passed as a worker function; cached, so that a
 * worker receives each function once.
 * @throws TypeError for anything that cannot run in a worker, with the fix.
 */
export function resolveFunction(method: string, value: unknown): FunctionReference {
  if (typeof value === 'function') {
    const known = byFunction.get(value as AnyFunction);
    if (known !== undefined) return known;
    const spec = sourceSpec(method, value as AnyFunction);
    const reference = intern(`source:${spec.source}`, spec);
    byFunction.set(value as AnyFunction, reference);
    return reference;
  }
  if (typeof value === 'object' && value !== null && 'module' in value) {
    const spec = moduleSpec(method, value as ModuleReference);
    return intern(`module:${spec.url}#${spec.name}`, spec);
  }
  throw new TypeError(
    `${method} expects a function or a module reference { module: URL | string, export: string }, got ${describe(value)}`,
  );
}

function intern(key: string, spec: FunctionSpec): FunctionReference {
  let reference = byKey.get(key);
  if (reference === undefined) {
    reference = { id: nextId++, spec };
    byKey.set(key, reference);
  }
  return reference;
}

function moduleSpec(method: string, reference: ModuleReference): Extract<FunctionSpec, { kind: 'module' }> {
  const { module } = reference;
  const name = reference.export ?? 'default';
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${method}: the module reference's export must be the export's name, got ${describe(name)}`);
  }
  let url: string;
  if (module instanceof URL) url = module.href;
  else if (typeof module !== 'string' || module === '') {
    throw new TypeError(`${method}: the module reference's module must be a URL or an absolute path, got ${describe(module)}`);
  } else if (/^[a-z][a-z\d+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) url = module;
  else if (isAbsolute(module)) url = pathToFileURL(module).href;
  else if (module.startsWith('.')) {
    throw new TypeError(
      `${method}: the module ${JSON.stringify(module)} is relative, and a worker cannot tell to what; ` +
        `pass new URL(${JSON.stringify(module)}, import.meta.url) or an absolute path`,
    );
  } else url = module; // a package name, resolved from this package's location
  const typescript = /\.[cm]?tsx?$/i.test(new URL(url, 'file:///').pathname);
  return { kind: 'module', url, name, typescript };
}

function sourceSpec(method: string, fn: AnyFunction): Extract<FunctionSpec, { kind: 'source' }> {
  const text = Function.prototype.toString.call(fn);
  const name = fn.name || 'anonymous';
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
    throw new TypeError(
      `${method}: ${name.startsWith('bound ') ? 'a bound' : 'a built-in'} function (${name}) cannot be sent to a worker, which gets functions as source text; ` +
        `pass a self-contained function that calls it, or a module reference { module: import.meta.url, export: 'name' }`,
    );
  }
  if (/^class\b/.test(text)) {
    throw new TypeError(`${method}: a class (${name}) cannot run as a worker function; pass a function that uses it, or export one from a module`);
  }
  // A method written in shorthand (`run(x) { ... }`) is not an expression on its own.
  const source = compiles(`(${text})`) ? `(${text})` : `({ ${text} }[${JSON.stringify(name)}])`;
  if (!compiles(source)) {
    throw new TypeError(`${method}: the function ${name} cannot be compiled from its source text; pass a module reference instead`);
  }
  return { kind: 'source', source, name };
}

function compiles(expression: string): boolean {
  try {
    new Function(`return ${expression}`); // eslint-disable-line no-new-func -- compiled, never run
    return true;
  } catch {
    return false;
  }
}

/**
 * The ReferenceError a worker throws when a function sent as source uses a
 * variable it closed over: says so, and shows the module form. @internal
 */
export function closureError(spec: FunctionSpec, error: unknown): unknown {
  if (spec.kind !== 'source' || !(error instanceof ReferenceError)) return error;
  const match = /^(\S+) is not defined$/.exec(error.message);
  if (match === null) return error;
  const identifier = match[1]!;
  const escaped = identifier.replace(/[$]/g, '\\$');
  if (!new RegExp(`(^|[^\\w$.])${escaped}($|[^\\w$])`).test(spec.source)) return error;
  const what = /^__vite_ssr_import_\d+__$|^__vi_import_\d+__$/.test(identifier)
    ? `an import of the module it was written in (${identifier})`
    : `\`${identifier}\``;
  const closure = new ReferenceError(
    `The function ${spec.name} uses ${what}, which does not exist in the worker: a function is sent to a worker as its ` +
      'source text, so it cannot use variables of the code around it (closures do not cross threads). ' +
      `Pass the value as an argument, or export the function from a module and send a reference to it: ` +
      `executor.submit({ module: import.meta.url, export: '${spec.name === 'anonymous' ? 'name' : spec.name}' }, ...args)`,
    { cause: error },
  );
  closure.stack = `${closure.name}: ${closure.message}\n${(error.stack ?? '').split('\n').slice(1).join('\n')}`;
  return closure;
}
