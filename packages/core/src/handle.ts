/**
 * Handle and TimerHandle: a callback scheduled on a loop, as asyncio's
 * events.Handle and events.TimerHandle.
 *
 * Differences from asyncio: a Handle runs in the AsyncLocalStorage context it
 * was scheduled in (our contextvars); when scheduled from the loop's own
 * callbacks no context is captured, since it is the same one.
 */
import { inspect } from 'node:util';
import type { ContextRunner } from './internal/context.js';
import type { HeapItem } from './internal/heap.js';

/** What a Handle needs of its loop. */
export interface HandleOwner {
  callExceptionHandler(context: ExceptionContext): void;
  /** @internal */
  timerHandleCancelled(handle: TimerHandle): void;
}

/** The context object given to an exception handler, as asyncio's. */
export interface ExceptionContext {
  message: string;
  exception?: unknown;
  future?: unknown;
  task?: unknown;
  handle?: Handle;
  /** Where the object at fault was created, in debug mode. */
  sourceTraceback?: string;
  /** Where the handle at fault was created, in debug mode. */
  handleTraceback?: string;
  [key: string]: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callbacks take whatever their args are
export type Callback<Args extends unknown[] = any[]> = (...args: Args) => unknown;

const EMPTY: unknown[] = [];

/** A callback scheduled on a loop by callSoon(); cancel() stops it from running. */
export class Handle {
  /** @internal */ callback: Callback | null;
  /** @internal */ args: unknown[];
  /** @internal */ readonly loop: HandleOwner;
  /** @internal */ readonly context: ContextRunner | null;
  /** @internal */ isCancelled = false;
  /** Where the handle was created, in debug mode. @internal */
  sourceTraceback: string | undefined;
  /** @internal */ repr: string | undefined;

  constructor(callback: Callback, args: unknown[] | undefined, loop: HandleOwner, context: ContextRunner | null) {
    this.callback = callback;
    this.args = args ?? EMPTY;
    this.loop = loop;
    this.context = context;
  }

  /** Cancels the callback; it will not run. Cancelling twice does nothing. */
  cancel(): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    // Keep a description for debug output before dropping the references.
    if (this.sourceTraceback !== undefined) this.repr = this.toString();
    this.callback = null;
    this.args = EMPTY;
  }

  /** True when cancel() was called. */
  cancelled(): boolean {
    return this.isCancelled;
  }

  /** Runs the callback; an error goes to the loop's exception handler. @internal */
  run(): void {
    const callback = this.callback!;
    try {
      if (this.context === null) callback(...this.args);
      else this.context.runInAsyncScope(callback, null, ...this.args);
    } catch (error) {
      const context: ExceptionContext = { message: `Exception in callback ${describeCallback(callback, this.args)}`, exception: error, handle: this };
      if (this.sourceTraceback !== undefined) context.sourceTraceback = this.sourceTraceback;
      this.loop.callExceptionHandler(context);
    }
  }

  toString(): string {
    if (this.repr !== undefined) return this.repr;
    return `<${this.constructor.name}${this.describeState()}>`;
  }

  /** @internal */
  describeState(): string {
    const parts: string[] = [];
    if (this.isCancelled) parts.push('cancelled');
    if (this.callback !== null) parts.push(describeCallback(this.callback, this.args));
    if (this.sourceTraceback !== undefined) parts.push(`created at ${creationSite(this.sourceTraceback)}`);
    return parts.length > 0 ? ` ${parts.join(' ')}` : '';
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A callback scheduled for a point in loop time by callLater() or callAt(). */
export class TimerHandle extends Handle implements HeapItem {
  /** @internal */ readonly deadline: number;
  /** @internal */ heapSequence = 0;
  /** True while the handle sits in the loop's timer heap. @internal */
  scheduled = false;

  constructor(when: number, callback: Callback, args: unknown[] | undefined, loop: HandleOwner, context: ContextRunner | null) {
    super(callback, args, loop, context);
    this.deadline = when;
  }

  /** The loop time (seconds) the callback is scheduled for. */
  when(): number {
    return this.deadline;
  }

  override cancel(): void {
    if (!this.isCancelled) this.loop.timerHandleCancelled(this);
    super.cancel();
  }

  /** @internal */
  override describeState(): string {
    return ` when=${this.deadline.toFixed(3)}${super.describeState()}`;
  }
}

/** `name(args)` for messages, as asyncio's format_helpers. */
export function describeCallback(callback: Callback, args: unknown[]): string {
  const name = callback.name || 'anonymous';
  const shown = args.map((arg) => inspect(arg, { depth: 0, breakLength: Infinity, maxStringLength: 30 }));
  return `${name.replace(/^bound /, '')}(${shown.join(', ')})`;
}

/** The first stack frame outside asyncio-ts itself: where the user created something. */
export function creationSite(stack: string): string {
  const frames = stack.split('\n').slice(1);
  const user = frames.find((frame) => !/[/\\](core|asyncio-ts)[/\\](src|dist)[/\\]/.test(frame) && !frame.includes('node:'));
  return (user ?? frames[0] ?? '').trim().replace(/^at\s+/, '');
}
