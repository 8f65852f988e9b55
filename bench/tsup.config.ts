import { defineConfig } from 'tsup';

// Bundles the workspace packages in, so the figures are for the built code.
// @asyncio-ts/selectors stays external: its loader finds the native addon
// beside its own module (packages/selectors/build), which a bundle would move.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  clean: true,
  target: 'node20',
  noExternal: [/^@asyncio-ts\/(?!selectors$)/, 'asyncio-ts'],
  external: ['@asyncio-ts/selectors'],
});
