/**
 * Handle and TimerHandle: a callback scheduled on a loop, as asyncio's
 * events.Handle and events.TimerHandle.
 *
 * Differences from asyncio: a Handle runs in the AsyncLocalStorage context it
 * was scheduled in (our contextvars); when scheduled from the loop's own
 * callbacks no context is captured, since it is the same one.
 */
import { inspect } from 'node:util';
import type { ContextRunner, LoopScope } from './internal/context.js';
import type { HeapItem } from './internal/heap.js';

/** What a Handle needs of its loop. */
export interface HandleOwner {
  callExceptionHandler(context: ExceptionContext): void;
  /** @internal */
  readonly scope: LoopScope;
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

/** Debug-mode facts about a handle, kept apart so that handles stay small. @internal */
export interface HandleDebugInfo {
  sourceTraceback: string;
  repr?: string;
}

const debugInfo = new WeakMap<Handle, HandleDebugInfo>();

/**
 * A callback scheduled on a loop by callSoon(); cancel() stops it from running.
 *
 * Three fields only: a loop can hold a million of them at once. The loop
 * that runs a handle passes itself to run(); a cancelled handle is one whose
 * callback is gone; debug-mode facts live in a side table. (The package's
 * own callbacks, which need no Handle, are queued without one: see
 * internal/ready-queue.ts.)
 */
export class Handle {
  /** The callback; null once cancelled. @internal */
  callback: Callback | null;
  /** The arguments the callback gets. @internal */
  args: unknown[];
  /** @internal */ readonly context: ContextRunner | null;

  /**
   * `args` as given to callSoon(), or null with up to two arguments given
   * inline by the package's own callers (kept as an array here).
   * @internal
   */
  constructor(callback: Callback, args: unknown[] | null, context: ContextRunner | null, arg0?: unknown, arg1?: unknown) {
    this.callback = callback;
    this.args = args ?? (arg1 !== undefined ? [arg0, arg1] : arg0 !== undefined ? [arg0] : EMPTY);
    this.context = context;
  }

  /** True when cancel() was called. @internal */
  get isCancelled(): boolean {
    return this.callback === null;
  }

  /** Where the handle was created, in debug mode. @internal */
  get sourceTraceback(): string | undefined {
    return debugInfo.get(this)?.sourceTraceback;
  }

  /** Records where the handle was created (debug mode). @internal */
  setSourceTraceback(stack: string): void {
    debugInfo.set(this, { sourceTraceback: stack });
  }

  /** Cancels the callback; it will not run. Cancelling twice does nothing. */
  cancel(): void {
    const callback = this.callback;
    if (callback === null) return;
    // Keep a description for debug output before dropping the references.
    const debug = debugInfo.get(this);
    this.callback = null;
    if (debug !== undefined) debug.repr = `<${this.constructor.name}${this.describeState(callback)}>`;
    this.args = EMPTY;
  }

  /** True when cancel() was called. */
  cancelled(): boolean {
    return this.callback === null;
  }

  /** Runs the callback for `loop`; an error goes to the loop's exception handler. @internal */
  run(loop: HandleOwner): void {
    if (this.context !== null) this.context.runInAsyncScope(this.runHere, this, loop);
    else this.runHere(loop);
  }

  /** run(), in the async context that is current (the loop entered the handle's). @internal */
  runHere(loop: HandleOwner): void {
    const callback = this.callback!;
    loop.scope.callbackStarting();
    const args = this.args;
    try {
      if (args.length === 0) callback();
      else if (args.length === 1) callback(args[0]);
      else callback(...args);
    } catch (error) {
      reportCallbackError(loop, this, callback, error);
    }
  }

  /** The arguments the callback gets. @internal */
  arguments(): unknown[] {
    return this.args;
  }

  toString(): string {
    const repr = debugInfo.get(this)?.repr;
    if (repr !== undefined) return repr;
    return `<${this.constructor.name}${this.describeState()}>`;
  }

  /** `callback`: the one a cancelled handle had, for its debug description. @internal */
  describeState(callback: Callback | null = this.callback): string {
    const parts: string[] = [];
    if (this.callback === null) parts.push('cancelled');
    if (callback !== null) parts.push(describeCallback(callback, this.arguments()));
    const sourceTraceback = this.sourceTraceback;
    if (sourceTraceback !== undefined) parts.push(`created at ${creationSite(sourceTraceback)}`);
    return parts.length > 0 ? ` ${parts.join(' ')}` : '';
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A callback scheduled for a point in loop time by callLater() or callAt(). */
export class TimerHandle extends Handle implements HeapItem {
  /** @internal */ readonly loop: HandleOwner;
  /** @internal */ readonly deadline: number;
  /** True while the handle sits in the loop's timer heap. @internal */
  scheduled = false;

  constructor(when: number, callback: Callback, args: unknown[] | null, loop: HandleOwner, context: ContextRunner | null, arg0?: unknown, arg1?: unknown) {
    super(callback, args, context, arg0, arg1);
    this.loop = loop;
    this.deadline = when;
  }

  /** The loop time (seconds) the callback is scheduled for. */
  when(): number {
    return this.deadline;
  }

  override cancel(): void {
    if (this.callback !== null) this.loop.timerHandleCancelled(this);
    super.cancel();
  }

  /** @internal */
  override describeState(callback: Callback | null = this.callback): string {
    return ` when=${this.deadline.toFixed(3)}${super.describeState(callback)}`;
  }
}

/** A handle's callback threw: tell the loop's exception handler, as asyncio's Handle._run. @internal */
export function reportCallbackError(loop: HandleOwner, handle: Handle, callback: Callback, error: unknown): void {
  const context: ExceptionContext = { message: `Exception in callback ${describeCallback(callback, handle.arguments())}`, exception: error, handle };
  const sourceTraceback = handle.sourceTraceback;
  if (sourceTraceback !== undefined) context.sourceTraceback = sourceTraceback;
  loop.callExceptionHandler(context);
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
