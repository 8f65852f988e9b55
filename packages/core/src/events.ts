/**
 * Which loop runs: getRunningLoop, getEventLoop, setEventLoop, newEventLoop
 * (asyncio's events module, without the policy layer).
 */
import type { BaseEventLoop, EventLoopOptions } from './base-event-loop.js';
import { RuntimeError } from './errors.js';
import { EventLoop } from './event-loop.js';
import { setDefaultLoopFactory } from './internal/default-loop.js';
import { loops } from './internal/running.js';
import { describe } from './internal/checks.js';

/**
 * The loop running on this thread.
 * @throws RuntimeError when no loop is running.
 */
export function getRunningLoop(): BaseEventLoop {
  const loop = loops.running;
  if (loop === null) throw new RuntimeError('no running event loop; call this from a coroutine or callback run by run() or a loop');
  return loop;
}

/** The running loop, or null (asyncio's _get_running_loop). */
export function tryGetRunningLoop(): BaseEventLoop | null {
  return loops.running;
}

/**
 * The running loop; else the thread's current loop, made and set on first use.
 */
export function getEventLoop(): BaseEventLoop {
  if (loops.running !== null) return loops.running;
  if (loops.current === null || loops.current.isClosed()) loops.current = newEventLoop();
  return loops.current;
}

/** Sets the thread's current loop (null clears it). */
export function setEventLoop(loop: BaseEventLoop | null): void {
  if (loop !== null && (typeof loop !== 'object' || typeof (loop as BaseEventLoop).runOnce !== 'function')) {
    throw new TypeError(`setEventLoop() expects an event loop or null, got ${describe(loop)}`);
  }
  loops.current = loop;
}

/** A new EventLoop hosted on Node's event loop. */
export function newEventLoop(options: EventLoopOptions = {}): EventLoop {
  return new EventLoop(options);
}

setDefaultLoopFactory(() => newEventLoop());
