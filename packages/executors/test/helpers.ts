// Shared by the tests: references to the fixture modules' exports.
import type { AnyFunction, ModuleReference } from '../src/index.js';
import type * as math from './fixtures/math.js';
import type * as cancel from './fixtures/cancel.js';
import type * as die from './fixtures/die.js';
import type * as init from './fixtures/init.js';

export function fixture<F extends AnyFunction = AnyFunction>(file: string, name: string): ModuleReference<F> {
  return { module: new URL(`./fixtures/${file}`, import.meta.url), export: name };
}

export const mathFixture = <K extends keyof typeof math>(name: K) => fixture<Extract<(typeof math)[K], AnyFunction>>('math.ts', name);
export const cancelFixture = <K extends keyof typeof cancel>(name: K) => fixture<Extract<(typeof cancel)[K], AnyFunction>>('cancel.ts', name);
export const dieFixture = <K extends keyof typeof die>(name: K) => fixture<Extract<(typeof die)[K], AnyFunction>>('die.ts', name);
export const initFixture = <K extends keyof typeof init>(name: K) => fixture<Extract<(typeof init)[K], AnyFunction>>('init.ts', name);

/** Seconds since `start` (a performance.now() value). */
export function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}
