// Python's `<` and `==` on the values a PriorityQueue orders, so that it
// pops in heapq's order: numbers (and bigints and booleans, Python's ints)
// by value, strings by code point, Dates by time, arrays element by element
// as tuples (the first unequal pair decides; a shorter prefix comes first).
// Anything else cannot be ordered, as in Python: TypeError.
import { describe } from './checks.js';

type Numeric = number | bigint | boolean;

function isNumeric(value: unknown): value is Numeric {
  const type = typeof value;
  return type === 'number' || type === 'bigint' || type === 'boolean';
}

/** Python's `a == b` for the values pythonLess() orders; other objects are equal only to themselves. */
export function pythonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // 1 == 1n == true, as in Python; NaN equals nothing.
  if (isNumeric(a) && isNumeric(b)) return a == b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pythonEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

/**
 * Python's `a < b`.
 * @throws TypeError when a and b cannot be ordered (Python's "'<' not supported").
 */
export function pythonLess(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return a < b;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b) < 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      if (!pythonEqual(a[i], b[i])) return pythonLess(a[i], b[i]);
    }
    return a.length < b.length;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() < b.getTime();
  throw new TypeError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)} ('<' is defined on numbers, strings, Dates and arrays of them, as in Python); ` +
      'put [priority, counter, item] arrays, or pass { compare } to the PriorityQueue',
  );
}

/** Compares strings by code point, as Python does (JavaScript's `<` compares UTF-16 code units). */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) must sort after U+E000..U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x += x < 0xe000 ? 0x2000 : -0x800;
      y += y < 0xe000 ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}
