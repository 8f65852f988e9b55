// Where the worker entry files are, and how a worker thread or a child
// process boots into one. Kept at the top of src/ so that the relative path
// is the same from the sources (src/workers/*.ts) and from the bundles
// (dist/workers/*.js beside dist/index.js).
//
// From the TypeScript sources (the workspace, tests), the entries are .ts:
// the bootstrap registers tsx first, and passes the "@asyncio-ts/source"
// condition so that '@asyncio-ts/executors/worker' resolves to the sources too.
import type { Boot } from './internal/protocol.js';
import { resolveTsxApi } from './internal/typescript.js';

export type EntryName = 'supervisor' | 'thread' | 'process-proxy' | 'child';

const here = import.meta.url;
const fromSources = /\.[cm]?ts$/.test(new URL(here).pathname);

let tsxApi: string | null | undefined;

/** How to boot into `name`: its URL, and tsx when it is TypeScript. */
export function bootFor(name: EntryName): Boot {
  const entry = new URL(`./workers/${name}.${fromSources ? 'ts' : 'js'}`, here).href;
  if (!fromSources) return { entry, tsx: null };
  tsxApi ??= resolveTsxApi(here);
  if (tsxApi === null) throw new Error('@asyncio-ts/executors runs from its TypeScript sources here and needs tsx to start workers; install tsx');
  return { entry, tsx: tsxApi };
}

/** Node options for our workers and children: the source condition when we run from sources. */
export function entryExecArgv(): string[] {
  return fromSources ? ['--conditions=@asyncio-ts/source'] : [];
}

/**
 * The code of a worker thread's bootstrap (an `eval` worker, CommonJS):
 * registers tsx when asked, then imports the entry, which reads workerData.
 */
export const threadBootstrap = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.boot;
(tsx === null ? import(entry) : import(tsx).then((api) => {
  api.register();
  globalThis[Symbol.for('asyncio-ts.executors.tsx-registered')] = Promise.resolve();
  return import(entry);
})).catch((error) => process.nextTick(() => { throw error; }));
`;

/**
 * The code of a child process's bootstrap (`node --input-type=module -e`):
 * the same, with the boot record as its first argument.
 */
export const childBootstrap = `
const { entry, tsx } = JSON.parse(process.argv[1]);
if (tsx !== null) {
  (await import(tsx)).register();
  globalThis[Symbol.for('asyncio-ts.executors.tsx-registered')] = Promise.resolve();
}
await import(entry);
`;
