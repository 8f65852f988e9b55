import { defineConfig } from 'tsup';

// Bundles the TypeScript only: the addon is built by node-gyp at install
// time and found at run time by node-gyp-build, so a build never needs it.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
});
