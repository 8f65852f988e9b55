// The per-thread loop registry: which loop is running, and the loop that
// getEventLoop() hands out. Kept on globalThis under a registered symbol so
// that the ESM and CJS builds (or two installs) of core agree on it; each
// worker thread has its own globalThis, as each Python thread its own state.
import type { BaseEventLoop } from '../base-event-loop.js';

interface LoopRegistry {
  running: BaseEventLoop | null;
  current: BaseEventLoop | null;
}

const key = Symbol.for('asyncio-ts.loop-registry');
const holder = globalThis as typeof globalThis & { [key]?: LoopRegistry };

export const loops: LoopRegistry = (holder[key] ??= { running: null, current: null });
