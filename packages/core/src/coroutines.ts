/**
 * The two coroutine shapes and how to tell them apart.
 *
 * A generator coroutine (`function*`) is the exact model of a Python
 * coroutine: not started until its Task steps it. An async function's promise
 * is the ergonomic model. A Task also takes a function returning either, so
 * that the body starts in the task's first step, as in Python.
 */
import { isFuture, type Future } from './future.js';

/** A generator coroutine: `function*` bodies that `yield*` futures. */
export type Coroutine<T = unknown> = Generator<unknown, T, unknown>;

/** What a Task can run: a generator, a promise, or a function returning one (or a plain value). */
export type CoroutineLike<T = unknown> = Coroutine<T> | PromiseLike<T> | (() => Coroutine<T> | PromiseLike<T> | T);

/** Anything asyncio-ts can await: a Future or Task, or what a Task can run. */
export type Awaitable<T = unknown> = Future<T> | CoroutineLike<T>;

/** The result type of an Awaitable. */
export type AwaitedResult<A> = A extends Future<infer T>
  ? T
  : A extends Generator<unknown, infer T, unknown>
    ? T
    : A extends PromiseLike<infer T>
      ? T
      : A extends () => infer R
        ? AwaitedResult<R>
        : A;

const futureMarker = Symbol.for('asyncio-ts.future');

/** True for a generator object (a started or unstarted generator coroutine); a Future is not one. */
export function isGenerator(value: unknown): value is Coroutine {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [futureMarker]?: boolean })[futureMarker] !== true &&
    typeof (value as Coroutine).next === 'function' &&
    typeof (value as Coroutine).throw === 'function' &&
    typeof (value as Coroutine)[Symbol.iterator] === 'function'
  );
}

/** True for a promise or any object with a then() method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** asyncio.iscoroutine: a generator coroutine or a promise; not a Future (nor a Task), as in asyncio. */
export function isCoroutine(value: unknown): value is Coroutine | PromiseLike<unknown> {
  return isGenerator(value) || (isThenable(value) && !isFuture(value));
}

/** The name of a coroutine, for reprs: the function's name, or the generator's. */
export function coroutineName(coro: unknown): string {
  if (typeof coro === 'function') return coro.name || 'anonymous';
  if (isGenerator(coro)) {
    const name = (Object.getPrototypeOf(coro) as { constructor?: { name?: string } })?.constructor?.name;
    return name && name !== 'Object' && name !== 'Generator' ? name : 'generator';
  }
  if (isThenable(coro)) return 'promise';
  return String(coro);
}
