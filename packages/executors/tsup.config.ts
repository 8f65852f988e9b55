import { defineConfig } from 'tsup';

// The worker entries are built beside index.js so that the pool finds them
// at ./workers/<name>.js relative to its own bundle (see src/entries.ts).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    worker: 'src/worker.ts',
    'workers/supervisor': 'src/workers/supervisor.ts',
    'workers/thread': 'src/workers/thread.ts',
    'workers/process-proxy': 'src/workers/process-proxy.ts',
    'workers/child': 'src/workers/child.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', worker: 'src/worker.ts' } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
});
