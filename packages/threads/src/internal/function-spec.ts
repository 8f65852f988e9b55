// What crosses a thread for a function: a module reference or a
// self-contained function's source, as @asyncio-ts/executors sends them.
// Executors keeps its resolver internal (src/function-reference.ts); this is
// the small part the thread bridge needs, in the same shapes.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyFunction, ModuleReference } from '@asyncio-ts/executors';

export type FunctionSpec = { kind: 'module'; url: string; name: string } | { kind: 'source'; source: string; name: string };

export interface FunctionReference {
  readonly id: number;
  readonly spec: FunctionSpec;
}

let nextId = 1;
const byFunction = new WeakMap<AnyFunction, FunctionReference>();
const byKey = new Map<string, FunctionReference>();
const byObject = new WeakMap<object, { module: unknown; name: unknown; reference: FunctionReference }>();

/**
 * Resolves a function or module reference for sending; cached, so that each
 * connection receives a function's definition once.
 * @throws TypeError for anything that cannot cross a thread, with the fix.
 */
export function resolveFunction(method: string, value: unknown): FunctionReference {
  if (typeof value === 'function') {
    const known = byFunction.get(value as AnyFunction);
    if (known !== undefined) return known;
    const reference = intern(sourceSpec(method, value as AnyFunction));
    byFunction.set(value as AnyFunction, reference);
    return reference;
  }
  if (typeof value === 'object' && value !== null && 'module' in value) {
    // The same reference object, passed call after call, is resolved once (its fields are not expected to change).
    const known = byObject.get(value);
    if (known !== undefined && known.module === (value as ModuleReference).module && known.name === (value as ModuleReference).export) return known.reference;
    const reference = intern(moduleSpec(method, value as ModuleReference));
    byObject.set(value, { module: (value as ModuleReference).module, name: (value as ModuleReference).export, reference });
    return reference;
  }
  throw new TypeError(`${method} expects a function or a module reference { module: URL | string, export: string }, got ${show(value)}`);
}

function intern(spec: FunctionSpec): FunctionReference {
  const key = spec.kind === 'module' ? `module:${spec.url}#${spec.name}` : `source:${spec.source}`;
  let reference = byKey.get(key);
  if (reference === undefined) byKey.set(key, (reference = { id: nextId++, spec }));
  return reference;
}

function moduleSpec(method: string, reference: ModuleReference): FunctionSpec {
  const { module } = reference;
  const name = reference.export ?? 'default';
  let url: string;
  if (module instanceof URL) url = module.href;
  else if (typeof module !== 'string' || module === '') {
    throw new TypeError(`${method}: the module reference's module must be a URL or an absolute path, got ${show(module)}`);
  } else if (isAbsolute(module)) url = pathToFileURL(module).href;
  else if (module.startsWith('.')) {
    throw new TypeError(`${method}: the module ${JSON.stringify(module)} is relative; pass new URL(${JSON.stringify(module)}, import.meta.url) or an absolute path`);
  } else url = module;
  return { kind: 'module', url, name };
}

function sourceSpec(method: string, fn: AnyFunction): FunctionSpec {
  const text = Function.prototype.toString.call(fn);
  const name = fn.name || 'anonymous';
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text) || /^class\b/.test(text)) {
    throw new TypeError(`${method}: ${name} cannot be sent to another thread as source text; pass a self-contained function or a module reference { module: import.meta.url, export: 'name' }`);
  }
  // A method written in shorthand (`run(x) { ... }`) is not an expression on its own.
  const source = compiles(`(${text})`) ? `(${text})` : `({ ${text} }[${JSON.stringify(name)}])`;
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

export function show(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}
