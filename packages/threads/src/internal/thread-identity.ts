// Which loop, if any, this thread runs: set by the loop thread's entry, read
// by result() to refuse blocking a loop's own thread on that loop.
const key = Symbol.for('asyncio-ts.threads.loop-id');
const holder = globalThis as typeof globalThis & { [key]?: number };

/** The id of the loop this thread runs (a LoopThread's worker), or null. */
export function currentLoopId(): number | null {
  return holder[key] ?? null;
}

export function setCurrentLoopId(id: number): void {
  holder[key] = id;
}
