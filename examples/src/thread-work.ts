/**
 * The coroutines that the thread examples (loop-in-thread, async-runner)
 * run on a loop in another thread. A function crosses a thread as a
 * reference to a module's export, so they live in a module of their own,
 * which the bundle builds as an entry of its own (dist/thread-work.js).
 */
import * as asyncio from 'asyncio-ts';

/** Where the examples find this module: beside the code that refers to it, in src/ or in dist/. */
export function threadWork(from: string, name: string): { module: string; export: string } {
  return { module: new URL('./thread-work.js', from).href, export: name };
}

/** The guide's some_coroutine(): a little work on the loop thread, which says where it ran. */
export async function someCoroutine(label: string, scale = 1): Promise<string> {
  await asyncio.sleep(0.1 * scale);
  return `${label} ran on the loop thread, in ${asyncio.currentTask()?.getName()}`;
}

/** The same coroutine as a generator. */
export function* someCoroutineGenerator(label: string, scale = 1): asyncio.Coroutine<string> {
  yield* asyncio.sleep(0.1 * scale);
  return `${label} ran on the loop thread, in ${asyncio.currentTask()?.getName()}`;
}

/** The guide's async_operation(). */
export async function asyncOperation(scale = 1): Promise<string> {
  await asyncio.sleep(1 * scale);
  return 'Result from async';
}

/** The same coroutine as a generator. */
export function* asyncOperationGenerator(scale = 1): asyncio.Coroutine<string> {
  yield* asyncio.sleep(1 * scale);
  return 'Result from async';
}

/** A coroutine that fails on the loop thread: its error comes back to the caller. */
export async function failingOperation(message: string): Promise<never> {
  await asyncio.sleep(0);
  throw new RangeError(message);
}
