import { defineConfig } from 'tsup';

// `npm start` runs `node examples/dist/main.js`: one ESM bundle of every
// example, importing asyncio-ts from its built package; thread-work.js
// beside it is the module the thread examples' loop threads import.
export default defineConfig({
  entry: { main: 'src/main.ts', 'thread-work': 'src/thread-work.ts' },
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
