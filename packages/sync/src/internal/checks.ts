// Argument checks: each error names the argument, shows the value and says
// what to pass instead.
import { inspect } from 'node:util';
import { ValueError } from '@asyncio-ts/core';

export function describe(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Infinity, maxStringLength: 40, maxArrayLength: 5 });
}

/** A count: an integer >= min (a Semaphore's value, a Barrier's parties, notify()'s n). */
export function checkCount(method: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${method} expects ${name} as a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) && value !== Infinity) {
    throw new ValueError(`${method} expects ${name} as a whole number, got ${value}`);
  }
  if (value < min) {
    throw new ValueError(`${method} expects ${name} >= ${min}, got ${value}`);
  }
  return value;
}
