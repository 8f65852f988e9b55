import { defineConfig } from 'tsup';

// Bundles the workspace packages in, so the figures are for the built code.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  clean: true,
  target: 'node20',
  noExternal: [/^@asyncio-ts\//, 'asyncio-ts'],
});
