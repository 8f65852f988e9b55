// TypeScript modules in workers: Node 20 cannot load .ts files, so a worker
// registers tsx's loader first (tsx is an optional peer dependency).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The file URL of tsx's ESM API (`tsx/esm/api`), resolved from `from`; null when tsx is not installed. */
export function resolveTsxApi(from: string): string | null {
  try {
    const manifestPath = createRequire(from).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, unknown> };
    const api = manifest.exports?.['./esm/api'] as { import?: { default?: string } | string } | undefined;
    const relative = typeof api?.import === 'string' ? api.import : (api?.import?.default ?? './dist/esm/api/index.mjs');
    return pathToFileURL(join(dirname(manifestPath), relative)).href;
  } catch {
    return null;
  }
}

const registered = Symbol.for('asyncio-ts.executors.tsx-registered');
const holder = globalThis as typeof globalThis & { [registered]?: Promise<void> };

/** Marks tsx as registered on this thread (the bootstrap did it). */
export function markTypeScriptRegistered(): void {
  holder[registered] ??= Promise.resolve();
}

/**
 * Registers tsx's loader on this thread once, so that .ts modules import.
 * @throws Error naming the module and the fix when tsx is not installed.
 */
export function ensureTypeScript(moduleUrl: string, from: string, resolve: (from: string) => string | null = resolveTsxApi): Promise<void> {
  return (holder[registered] ??= (async () => {
    const api = resolve(from);
    if (api === null) {
      delete holder[registered];
      throw new Error(
        `Loading the TypeScript module ${moduleUrl} in a worker needs tsx, which is not installed: ` +
          'install it (npm install --save-dev tsx), or pass the compiled .js module',
      );
    }
    const { register } = (await import(api)) as { register: () => unknown };
    register();
  })());
}
