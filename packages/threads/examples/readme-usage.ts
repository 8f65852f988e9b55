// The README's usage snippet, run by test/examples.test.ts.
import { sleep } from '@asyncio-ts/core';
import { LoopThread, runCoroutineThreadsafe, runSync } from '../src/index.js';

// Coroutine functions cross the thread as module references (or self-contained functions).
export async function fetchGreeting(name: string): Promise<string> {
  await sleep(0.01);
  return `hello, ${name}`;
}

export function main(): string[] {
  const greeting = { module: import.meta.url, export: 'fetchGreeting' };
  const out: string[] = [];

  // Async code from sync code, blocking for the result, on a shared loop thread.
  out.push(runSync(greeting, 'sync world') as string);

  // A loop thread of your own: result(timeout) blocks, await works too.
  using runner = new LoopThread().start();
  const future = runner.runCoroutine(greeting, 'loop thread');
  out.push(future.result(5) as string);

  // A handle to the loop that any thread can hold (transfer handle.port with it).
  const handle = runner.handle();
  out.push(runCoroutineThreadsafe(async (a: number, b: number) => String(a + b), handle, 40, 2).result(5));
  return out;
}
