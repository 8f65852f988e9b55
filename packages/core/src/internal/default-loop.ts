// Which loop a Future or Task belongs to when none is given: the running
// loop, else the current one, else a new one from the factory that events.ts
// registers (so that this module does not import the loop classes).
import type { BaseEventLoop } from '../base-event-loop.js';
import { RuntimeError } from '../errors.js';
import { loops } from './running.js';

let factory: (() => BaseEventLoop) | null = null;

/** Registers how a missing current loop is made (by events.ts). */
export function setDefaultLoopFactory(make: () => BaseEventLoop): void {
  factory = make;
}

export function captureLoop(what: string): BaseEventLoop {
  const loop = loops.running ?? loops.current;
  if (loop !== null && !loop.isClosed()) return loop;
  if (factory === null) throw new RuntimeError(`${what}: no running event loop; pass { loop } or call it from a running loop`);
  const created = factory();
  loops.current = created;
  return created;
}
