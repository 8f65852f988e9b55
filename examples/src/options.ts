/**
 * What every example's main() takes: which coroutine shape to run, and a
 * time scale so that tests (and the quick second pass of `npm start`) can
 * run the guide's durations faster.
 */

/** The two coroutine shapes asyncio-ts runs: async functions and `function*` generators. */
export type Shape = 'async' | 'generator';

export interface ExampleOptions {
  /** Which coroutine shape to run. Default: `'async'`. */
  shape?: Shape;
  /**
   * Multiplies every duration of the guide (1 = the guide's seconds).
   * Default: the ASYNCIO_TS_EXAMPLES_SCALE environment variable, else 1.
   */
  scale?: number;
}

/** The options with their defaults filled in; the environment is read at call time. */
export function resolveOptions(options: ExampleOptions = {}): Required<ExampleOptions> {
  const shape = options.shape ?? 'async';
  if (shape !== 'async' && shape !== 'generator') {
    throw new TypeError(`shape must be 'async' or 'generator', got ${String(shape)}`);
  }
  const scale = options.scale ?? scaleFromEnvironment();
  if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0)) {
    throw new RangeError(`scale must be a number > 0 (1 = the guide's durations), got ${String(scale)}`);
  }
  return { shape, scale };
}

function scaleFromEnvironment(): number {
  const value = process.env.ASYNCIO_TS_EXAMPLES_SCALE;
  return value === undefined || value === '' ? 1 : Number(value);
}
