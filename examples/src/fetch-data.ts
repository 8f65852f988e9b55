/**
 * run() returns the main coroutine's result (the guide's "Getting and
 * Running Event Loops").
 *
 * Prints:
 *   Data retrieved  (after half a second)
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's fetch_data(), as an async function. */
export async function fetchData(scale = 1): Promise<string> {
  await asyncio.sleep(0.5 * scale);
  return 'Data retrieved';
}

/** The same coroutine as a generator. */
export function* fetchDataGenerator(scale = 1): asyncio.Coroutine<string> {
  yield* asyncio.sleep(0.5 * scale);
  return 'Data retrieved';
}

/** Runs the example: `result = asyncio.run(fetch_data()); print(result)`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  const result = shape === 'generator' ? await asyncio.run(fetchDataGenerator(scale)) : await asyncio.run(() => fetchData(scale));
  console.log(result);
}
