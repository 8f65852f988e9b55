// The context of the task a worker runs: `this` of the worker function and
// what currentSignal() reads. Its AbortSignal is backed by shared memory:
// `aborted`, `reason` and `throwIfAborted()` first look at the task's state
// word, so a function busy in a loop (whose thread cannot receive messages)
// sees a cancellation at once; the abort message from the pool fires the
// 'abort' event for work that awaits.
import { CancelledError } from '../errors.js';
import type { WorkerContext as WorkerContextShape } from '../function-reference.js';

const currentKey = Symbol.for('asyncio-ts.executors.current-task');
const holder = globalThis as typeof globalThis & { [currentKey]?: WorkerContext | null };

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
const reasonGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'reason')!.get!;
const throwIfAborted = AbortSignal.prototype.throwIfAborted;

// Named for the stack frames of worker functions (`at WorkerContext.crunch`): it is their `this`.
export class WorkerContext implements WorkerContextShape {
  readonly id: number;
  readonly #abortRequested: () => boolean;
  #controller: AbortController | null = null;

  constructor(id: number, abortRequested: () => boolean) {
    this.id = id;
    this.#abortRequested = abortRequested;
  }

  get signal(): AbortSignal {
    if (this.#controller === null) this.#controller = this.#makeController();
    return this.#controller.signal;
  }

  /** The pool asked this task to stop: abort the signal now (fires 'abort'). */
  abort(): void {
    this.#poll(this.signal);
  }

  #makeController(): AbortController {
    const controller = new AbortController();
    const signal = controller.signal;
    Object.defineProperties(signal, {
      aborted: { get: () => (this.#poll(signal), abortedGetter.call(signal)), configurable: true },
      reason: { get: () => (this.#poll(signal), reasonGetter.call(signal)), configurable: true },
      throwIfAborted: {
        value: () => {
          this.#poll(signal);
          throwIfAborted.call(signal);
        },
        configurable: true,
        writable: true,
      },
    });
    return controller;
  }

  #poll(signal: AbortSignal): void {
    if (abortedGetter.call(signal) || !this.#abortRequested()) return;
    this.#controller!.abort(new CancelledError('the future of this call was cancelled'));
  }
}

/** The task running on this thread, or null. */
export function currentContext(): WorkerContext | null {
  return holder[currentKey] ?? null;
}

export function setCurrentContext(context: WorkerContext | null): void {
  holder[currentKey] = context;
}
