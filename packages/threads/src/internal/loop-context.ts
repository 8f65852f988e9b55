// What a loop thread's entry leaves for the code running on its loop (the
// portal and getLoopHandle()). On globalThis, because the entry bundle and
// the package's index bundle are separate copies of these modules.
import type { Server } from './server.js';

export interface LoopContext {
  readonly loopId: number;
  readonly state: Int32Array;
  /** The port to the thread that started this one. */
  readonly primary: Server;
  /** Serves a new port (the far end of a loop handle). */
  serve(port: import('node:worker_threads').MessagePort): void;
}

const key = Symbol.for('asyncio-ts.threads.loop-context');
const holder = globalThis as typeof globalThis & { [key]?: LoopContext };

export function loopContext(): LoopContext | null {
  return holder[key] ?? null;
}

export function setLoopContext(context: LoopContext): void {
  holder[key] = context;
}
