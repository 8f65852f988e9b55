// Argument checks shared by the public API: each error names the argument,
// shows the value and says what to do instead.
import { ValueError } from '../errors.js';
import { inspect } from 'node:util';

export function describe(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Infinity, maxStringLength: 40, maxArrayLength: 5 });
}

/** A delay or timeout in seconds: a finite, non-negative number. */
export function checkDelay(method: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${method}() expects ${name} as a number of seconds, got ${describe(value)}; pass e.g. 0.5 for half a second`);
  }
  if (value < 0) {
    throw new ValueError(`${method}() expects ${name} >= 0 seconds, got ${value}; use 0 to run as soon as possible`);
  }
  return value;
}

/** A point in loop time (seconds), as callAt() and timeoutAt() take. */
export function checkWhen(method: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${method}() expects ${name} as a loop time in seconds (see loop.time()), got ${describe(value)}`);
  }
  return value;
}

/** An optional timeout: undefined or null mean "no timeout". */
export function checkTimeout(method: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  return checkDelay(method, 'timeout', value);
}

export function checkCallback(method: string, callback: unknown): asserts callback is (...args: never[]) => unknown {
  if (typeof callback === 'function') return;
  const hint = isCoroutineLike(callback)
    ? '; use createTask() for a coroutine'
    : '; pass a function';
  throw new TypeError(`${method}() expects a function as callback, got ${describe(callback)}${hint}`);
}

function isCoroutineLike(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as { then?: unknown }).then === 'function' || typeof (value as { next?: unknown }).next === 'function')
  );
}
