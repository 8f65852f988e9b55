/**
 * gather(): run awaitables concurrently and collect their results in order
 * (asyncio.gather).
 *
 * Differences from asyncio: the keyword `return_exceptions` is a trailing
 * options object, `gather(a, b, { returnExceptions: true })`.
 */
import type { BaseEventLoop } from './base-event-loop.js';
import { isCoroutine, type Awaitable, type AwaitedResult, type CoroutineLike } from './coroutines.js';
import { ensureFuture } from './ensure-future.js';
import { CancelledError } from './errors.js';
import { getEventLoop } from './events.js';
import { Future, isFuture, type DoneListener } from './future.js';
import { Task } from './task.js';

export interface GatherOptions {
  /** Deliver errors (and CancelledErrors) as results instead of failing on the first one. */
  returnExceptions?: boolean;
}

type Results<A extends readonly unknown[]> = { -readonly [K in keyof A]: AwaitedResult<A[K]> };

/** The Future gather() returns: cancelling it cancels every child. */
export class GatheringFuture<T> extends Future<T> {
  readonly #children: Future<unknown>[];
  /** @internal */ cancelRequested = false;

  constructor(children: Future<unknown>[], loop: BaseEventLoop) {
    super({ loop });
    this.#children = children;
  }

  override cancel(message?: string): boolean {
    if (this.done()) return false;
    let cancelled = false;
    for (const child of this.#children) if (child.cancel(message)) cancelled = true;
    // A child really cancelled: the cancellation propagates, whatever returnExceptions says.
    if (cancelled) this.cancelRequested = true;
    return cancelled;
  }

  /** The futures it gathers (for task dumps). @internal */
  components(): Future<unknown>[] {
    return this.#children;
  }
}

/**
 * Runs the awaitables concurrently; resolves to their results, in order.
 * The first error fails the returned Future (the others keep running), unless
 * `{ returnExceptions: true }` is the last argument.
 * @example
 * const [a, b] = await gather(fetchA(), fetchB());
 */
export function gather<A extends readonly Awaitable[]>(...awaitables: A): GatheringFuture<Results<A>>;
export function gather<A extends readonly Awaitable[]>(...args: [...A, GatherOptions]): GatheringFuture<Results<A>>;
export function gather(...args: unknown[]): GatheringFuture<unknown[]> {
  const options = isOptions(args[args.length - 1]) ? (args.pop() as GatherOptions) : {};
  const returnExceptions = options.returnExceptions === true;
  if (args.length === 0) {
    const outer = new GatheringFuture<unknown[]>([], getEventLoop());
    outer.setResult([]);
    return outer;
  }

  // Each distinct argument becomes one child (asyncio's arg_to_fut); an
  // argument given twice shares its child. Duplicates are rare: look them up
  // in a Map only when there are any.
  const distinct = new Set(args).size === args.length;
  const byArgument = distinct ? null : new Map<unknown, Future<unknown>>();
  const children: Future<unknown>[] = [];
  // The distinct children: the same array when no argument repeats.
  const unique: Future<unknown>[] = distinct ? children : [];
  let loop: BaseEventLoop | undefined;
  for (const argument of args) {
    let child = byArgument?.get(argument);
    if (child === undefined) {
      // A coroutine or function becomes a task on the loop (as in
      // ensureFuture(), without an options object per child).
      child =
        typeof argument === 'function' || isCoroutine(argument)
          ? (loop ?? getEventLoop()).createTask(argument as CoroutineLike<unknown>)
          : ensureFuture(argument as Awaitable, loop !== undefined ? { loop } : {});
      loop ??= child.getLoop();
      if (child !== argument && child instanceof Task) child.logDestroyPending = false;
      if (byArgument !== null) {
        byArgument.set(argument, child);
        unique.push(child);
      }
    }
    children.push(child);
  }
  const outer = new GatheringFuture<unknown[]>(children, loop!);
  const total = unique.length;
  let finished = 0;

  const onChildDone = (child: Future<unknown>): void => {
    finished++;
    if (outer.done()) {
      if (!child.cancelled()) child.exception(); // mark it retrieved
      return;
    }
    if (!returnExceptions) {
      if (child.cancelled()) {
        outer.setException(child.makeCancelledError());
        return;
      }
      const error = child.exception();
      if (error !== null) {
        outer.setException(error);
        return;
      }
    }
    if (finished < total) return;
    const results = children.map((each) => {
      if (each.cancelled()) return new CancelledError(each.cancelMessage);
      const error = each.exception();
      return error !== null ? error : each.result();
    });
    if (outer.cancelRequested) outer.setException(child.makeCancelledError());
    else outer.setResult(results);
  };
  // One listener for every child (not a done callback each): a gather of
  // 100,000 tasks holds one object, not 100,000.
  const listener = new ChildListener(onChildDone);
  for (const child of unique) child.addListener(listener);
  return outer;
}

/** Tells gather() of each child that completes, on the next iteration, as a done callback would be. */
class ChildListener implements DoneListener {
  constructor(readonly onChildDone: (child: Future<unknown>) => void) {}

  futureDone(child: Future<unknown>, loop: BaseEventLoop): void {
    loop.enqueueSoon(null, this.onChildDone, child);
  }
}

function isOptions(value: unknown): value is GatherOptions {
  return (
    typeof value === 'object' &&
    value !== null &&
    !isFuture(value) &&
    !isCoroutine(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}
