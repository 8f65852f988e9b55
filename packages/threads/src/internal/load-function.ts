// The receiving side of function-spec.ts: compiles a source function or
// imports a module's export, once per connection and id.
import type { AnyFunction } from '@asyncio-ts/executors';
import type { FunctionDefinition } from './protocol.js';
import type { FunctionSpec } from './function-spec.js';

// Helpers that transpilers put into function bodies (esbuild's __name, vitest's
// dynamic import), which a source function must find where it runs.
const helpers: Record<string, unknown> = {
  __name: (target: unknown, value: string) => Object.defineProperty(target, 'name', { value, configurable: true }),
  __vite_ssr_dynamic_import__: (specifier: string) => import(specifier),
};

export type Loaded = AnyFunction | Promise<AnyFunction>;

/** The functions one connection has defined, by id. */
export class FunctionTable {
  readonly #functions = new Map<number, Loaded>();

  /** The function for a call: defined by `def` when the caller sent it, else known from before. */
  get(id: number, def: FunctionDefinition | null): Loaded {
    let loaded = this.#functions.get(id);
    if (loaded === undefined) {
      if (def === null) return Promise.reject(new Error(`internal error: function #${id} was never sent on this connection`));
      loaded = load(def.spec);
      if (loaded instanceof Promise) {
        // Settled, the entry becomes the function, or one that throws why it could not load.
        loaded.then(
          (fn) => this.#functions.set(id, fn),
          (error: unknown) =>
            this.#functions.set(id, () => {
              throw error;
            }),
        );
      }
      this.#functions.set(id, loaded);
    }
    return loaded;
  }
}

function load(spec: FunctionSpec): Loaded {
  if (spec.kind === 'source') {
    try {
      return new Function(...Object.keys(helpers), `return ${spec.source}`)(...Object.values(helpers)) as AnyFunction; // eslint-disable-line no-new-func -- sent as source
    } catch (error) {
      return () => {
        throw error;
      };
    }
  }
  return (async () => {
    const namespace = (await import(spec.url)) as Record<string, unknown>;
    let fn = namespace[spec.name];
    if (fn === undefined && typeof namespace.default === 'object' && namespace.default !== null) fn = (namespace.default as Record<string, unknown>)[spec.name];
    if (typeof fn !== 'function') {
      throw new TypeError(`The module ${spec.url} has no function exported as '${spec.name}' (its exports: ${Object.keys(namespace).join(', ') || 'none'})`);
    }
    return fn as AnyFunction;
  })();
}
