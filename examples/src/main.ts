/**
 * Runs every example of the seed guide in order, with a heading for each:
 * what `npm start` runs (as examples/dist/main.js).
 *
 * Each example runs first as async functions at the guide's own durations,
 * then as `function*` generators at a fifth of them (so that the whole run
 * stays around 30 seconds).
 *
 *   node examples/dist/main.js [--shape=async|generator|both] [--scale=N] [--only=name,...]
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { examples, waitingFor } from './examples.js';
import type { Shape } from './options.js';

// blocking-io.ts sends blockingIo to its worker threads as the module
// reference { module: import.meta.url, export: 'blockingIo' }. In the bundle
// (dist/main.js) import.meta.url is this module's, so the workers import it
// and find blockingIo here; the guard at the bottom keeps them from running
// the examples.
export { blockingIo } from './blocking-io.js';

/** The generator pass repeats what the async pass showed: it runs faster. */
const GENERATOR_PASS_SCALE = 0.2;

const shapeLabel: Record<Shape, string> = { async: 'async function', generator: 'function*' };

/** Runs the examples as the command line asks; resolves when all have run. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      shape: { type: 'string', default: 'both' },
      scale: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const shapes: Shape[] = values.shape === 'both' ? ['async', 'generator'] : [values.shape as Shape];
  if (!shapes.every((shape) => shape === 'async' || shape === 'generator')) {
    throw new TypeError(`--shape must be async, generator or both, got ${values.shape}`);
  }
  const scale = values.scale === undefined ? undefined : Number(values.scale);
  const only = values.only?.split(',');
  const chosen = only === undefined ? examples : examples.filter((example) => only.includes(example.name));
  if (only !== undefined && chosen.length !== only.length) {
    throw new TypeError(`--only names unknown examples; choose from ${examples.map((example) => example.name).join(', ')}`);
  }

  for (const example of chosen) {
    for (const shape of shapes) {
      const shapeScale = (scale ?? 1) * (shape === 'generator' && shapes.length > 1 ? GENERATOR_PASS_SCALE : 1);
      const note = shapeScale === 1 ? '' : `, durations ×${Number(shapeScale.toFixed(4))}`;
      console.log(`\n=== ${example.name}: ${example.title} (${shapeLabel[shape]}${note}) ===`);
      await example.main({ shape, scale: shapeScale });
    }
  }

  if (only === undefined) {
    console.log('\n=== Not runnable yet: waiting for packages ===');
    for (const { example, packages } of waitingFor) console.log(`- ${example}: needs ${packages}`);
  }
}

if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
