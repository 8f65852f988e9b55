// Where the loop thread's entry is, and how a worker boots into it. From the
// TypeScript sources (the workspace, tests) the entry is .ts: the bootstrap
// registers tsx first and the worker gets the "@asyncio-ts/source" condition.
// (As @asyncio-ts/executors' entries.ts does, which keeps it internal.)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Boot } from './protocol.js';

const here = import.meta.url;
const fromSources = /\.[cm]?ts$/.test(new URL(here).pathname);
let tsxApi: string | null | undefined;

/** How to boot into the loop thread's entry. */
export function loopBoot(): Boot {
  // From the sources this file is src/internal/entry.ts; bundled, it is part of dist/index.js (or a chunk beside it).
  const entry = new URL(fromSources ? '../workers/loop.ts' : './workers/loop.js', here).href;
  if (!fromSources) return { entry, tsx: null };
  tsxApi ??= resolveTsxApi();
  if (tsxApi === null) throw new Error('@asyncio-ts/threads runs from its TypeScript sources here and needs tsx to start its thread; install tsx');
  return { entry, tsx: tsxApi };
}

export function entryExecArgv(): string[] {
  return fromSources ? ['--conditions=@asyncio-ts/source'] : [];
}

function resolveTsxApi(): string | null {
  try {
    const manifestPath = createRequire(here).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
    const api = manifest.exports?.['./esm/api'];
    const relative = typeof api?.import === 'string' ? api.import : (api?.import?.default ?? './dist/esm/api/index.mjs');
    return pathToFileURL(join(dirname(manifestPath), relative)).href;
  } catch {
    return null;
  }
}

/** The loop thread's bootstrap (an eval worker, CommonJS): tsx when asked, then the entry. */
export const bootstrap = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.boot;
(tsx === null ? import(entry) : import(tsx).then((api) => {
  api.register();
  globalThis[Symbol.for('asyncio-ts.executors.tsx-registered')] = Promise.resolve();
  return import(entry);
})).catch((error) => {
  // The loop never started: mark the thread exited and wake the starter, so that its futures fail at once.
  Atomics.store(workerData.state, 0, 3);
  Atomics.notify(workerData.state, 0);
  Atomics.add(workerData.wake, 0, 1);
  Atomics.notify(workerData.wake, 0);
  process.nextTick(() => { throw error; });
});
`;
