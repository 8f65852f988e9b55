/**
 * Task creation for concurrent execution: two workers run side by side, so
 * the shorter one (Task-2, 1 s) finishes before the longer one (Task-1, 2 s),
 * and gather() returns their results in the order they were passed.
 *
 * Prints:
 *   Task-1 starting
 *   Task-2 starting
 *   Task-2 finished
 *   Task-1 finished
 *   Results: ['Task-1 result', 'Task-2 result']
 *
 * The whole run takes about 2 s, not 3: the sleeps overlap.
 */
import * as asyncio from 'asyncio-ts';
import { resolveOptions, type ExampleOptions } from './options.js';

/** The guide's worker(name, delay), as an async function. */
export async function worker(name: string, delay: number): Promise<string> {
  console.log(`${name} starting`);
  await asyncio.sleep(delay);
  console.log(`${name} finished`);
  return `${name} result`;
}

/** The same worker as a generator. */
export function* workerGenerator(name: string, delay: number): asyncio.Coroutine<string> {
  console.log(`${name} starting`);
  yield* asyncio.sleep(delay);
  console.log(`${name} finished`);
  return `${name} result`;
}

/** A list of strings as Python prints it: ['a', 'b']. */
function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(', ')}]`;
}

/** The guide's main(), as an async function. */
export async function runWorkers(scale = 1): Promise<void> {
  // Create tasks for concurrent execution. A function is passed, so that the
  // worker's body starts in the task's first step, as in Python.
  const task1 = asyncio.createTask(() => worker('Task-1', 2 * scale));
  const task2 = asyncio.createTask(() => worker('Task-2', 1 * scale));

  // Tasks run concurrently
  const results = await asyncio.gather(task1, task2);
  console.log(`Results: ${pythonList(results)}`);
}

/** The same main as a generator: a generator object is not started until its task steps it. */
export function* runWorkersGenerator(scale = 1): asyncio.Coroutine<void> {
  const task1 = asyncio.createTask(workerGenerator('Task-1', 2 * scale));
  const task2 = asyncio.createTask(workerGenerator('Task-2', 1 * scale));
  const results = yield* asyncio.gather(task1, task2);
  console.log(`Results: ${pythonList(results)}`);
}

/** Runs the example: `asyncio.run(main())`. */
export async function main(options: ExampleOptions = {}): Promise<void> {
  const { shape, scale } = resolveOptions(options);
  if (shape === 'generator') await asyncio.run(runWorkersGenerator(scale));
  else await asyncio.run(() => runWorkers(scale));
}
