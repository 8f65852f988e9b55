// Argument checks shared by the public API: each error names the method and
// the argument, shows the value and says what to pass instead.
import { inspect } from 'node:util';

export function describe(value: unknown): string {
  return inspect(value, { depth: 0, breakLength: Infinity, maxStringLength: 40, maxArrayLength: 5 });
}

/** An optional number of seconds >= 0: undefined and null mean "no limit". */
export function checkTimeout(method: string, name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${method}() expects ${name} as a number of seconds or null, got ${describe(value)}; pass e.g. 0.5 for half a second`);
  }
  if (value < 0) throw new RangeError(`${method}() expects ${name} >= 0 seconds, got ${value}`);
  return value;
}

/** A whole number >= `min`, or undefined for the default. */
export function checkCount(method: string, name: string, value: unknown, min: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${method} expects ${name} as a whole number, got ${describe(value)}`);
  }
  if (value < min) throw new RangeError(`${method} expects ${name} >= ${min}, got ${value}`);
  return value;
}
