import { defineConfig } from 'tsup';

// `npm start` runs `node examples/dist/main.js`: one ESM bundle of every
// example, importing asyncio-ts from its built package.
export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
