import { defineConfig } from 'tsup';

// The loop thread's entry is built beside index.js, so that LoopThread finds
// it at ./workers/loop.js relative to its own bundle (see src/internal/entry.ts).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'workers/loop': 'src/workers/loop.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
});
