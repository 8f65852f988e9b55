// The worker side of a pool: runs the tasks a worker thread or a child
// process receives, one at a time and in order, and reports each outcome.
//
// Speed: a task whose function returns a plain value runs with no promise
// and no await; after the queue runs dry the runner pulls any message that
// arrived meanwhile synchronously (receiveMessageOnPort) instead of waiting
// for the event loop to dispatch it.
import type { TransferListItem } from 'node:worker_threads';
import { closureError, type AnyFunction, type FunctionSpec } from '../function-reference.js';
import { isTransfer } from '../transfer.js';
import type { FromWorker, FunctionDefinition, TaskMessage, ToWorker } from './protocol.js';
import { serializeError } from './remote-error.js';
import { setCurrentContext, WorkerContext } from './task-context.js';
import { ensureTypeScript } from './typescript.js';

/** How the runner talks to its pool. */
export interface RunnerChannel {
  post(message: FromWorker, transferList?: readonly TransferListItem[]): void;
  /** Takes a queued task for running; false when the pool cancelled it or moved it elsewhere. */
  claim(task: TaskMessage): boolean;
  /** The task has ended (before its outcome is posted). */
  finished(task: TaskMessage): void;
  /** True when the task's future was cancelled while it runs. */
  abortRequested(task: TaskMessage): boolean;
  /** The next message that arrived, pulled synchronously; undefined when there is none. */
  poll(): ToWorker | undefined;
}

interface Loaded {
  fn: AnyFunction;
  spec: FunctionSpec;
}

type Entry = Loaded | Promise<Loaded>;

export class Runner {
  readonly #channel: RunnerChannel;
  readonly #functions = new Map<number, Entry>();
  #queue: (TaskMessage | undefined)[] = [];
  #head = 0;
  /** True while a task runs or the initializer does: received tasks wait in the queue. */
  #busy = true;
  #current: WorkerContext | null = null;

  constructor(channel: RunnerChannel) {
    this.#channel = channel;
  }

  /** Runs the initializer, then the tasks; on an initializer error, reports it and runs nothing. */
  async start(initializer: FunctionDefinition | null, initargs: unknown[]): Promise<void> {
    if (initializer !== null) {
      try {
        this.#define(initializer);
        const { fn } = await this.#functions.get(initializer.id)!;
        await fn(...initargs);
      } catch (error) {
        this.#channel.post({ type: 'init-failed', error: serializeError(closureError(initializer.spec, error)) });
        return;
      }
    }
    this.#busy = false;
    this.#pump();
  }

  /** Handles a message from the pool. */
  receive(message: ToWorker): void {
    this.#handle(message);
    if (!this.#busy) this.#pump();
  }

  #handle(message: ToWorker): void {
    if (message.type === 'run') {
      if (message.defs !== null) for (const definition of message.defs) this.#define(definition);
      for (const task of message.tasks) this.#queue.push(task);
    } else if (message.type === 'abort') {
      if (this.#current?.id === message.id) this.#current.abort();
    }
  }

  #define(definition: FunctionDefinition): void {
    if (this.#functions.has(definition.id)) return;
    const { spec } = definition;
    if (spec.kind === 'source') {
      this.#functions.set(definition.id, { fn: compileSource(spec.source), spec });
      return;
    }
    const loading = loadExport(spec).then((fn) => {
      const loaded = { fn, spec };
      this.#functions.set(definition.id, loaded);
      return loaded;
    });
    // Tasks that use a module that fails to load fail with its error; none is unhandled.
    loading.catch(() => {});
    this.#functions.set(definition.id, loading);
  }

  /** Runs queued tasks until the queue is empty or a task goes asynchronous. */
  #pump(): void {
    this.#busy = true;
    for (;;) {
      while (this.#head < this.#queue.length) {
        const task = this.#queue[this.#head]!;
        this.#queue[this.#head++] = undefined;
        if (!this.#channel.claim(task)) continue;
        const entry = this.#functions.get(task.fn);
        if (entry === undefined) {
          this.#fail(task, null, new Error(`internal error: function #${task.fn} was never sent to this worker`));
          continue;
        }
        const pending = entry instanceof Promise ? this.#runLoading(task, entry) : this.#run(task, entry);
        if (pending !== null) {
          void pending.then(() => this.#pump());
          return;
        }
      }
      this.#queue = [];
      this.#head = 0;
      const next = this.#channel.poll();
      if (next === undefined) break;
      this.#handle(next);
    }
    this.#busy = false;
  }

  async #runLoading(task: TaskMessage, entry: Promise<Loaded>): Promise<void> {
    let loaded: Loaded;
    try {
      loaded = await entry;
    } catch (error) {
      this.#fail(task, null, error);
      return;
    }
    await this.#run(task, loaded);
  }

  /** Runs one task; returns a promise when it went asynchronous, else null. */
  #run(task: TaskMessage, loaded: Loaded): Promise<void> | null {
    const context = new WorkerContext(task.id, () => this.#channel.abortRequested(task));
    this.#enter(context);
    const { fn } = loaded;
    try {
      if (!task.chunk) {
        const value = fn.apply(context, task.args);
        if (isThenable(value)) return this.#settleLater(task, loaded, Promise.resolve(value));
        this.#succeed(task, loaded, value);
      } else {
        const calls = task.args as unknown[][];
        const results: unknown[] = [];
        for (let i = 0; i < calls.length; i++) {
          const value = fn.apply(context, calls[i]!);
          if (isThenable(value)) return this.#settleLater(task, loaded, this.#finishChunk(context, fn, calls, results, value, i));
          results.push(value);
        }
        this.#succeed(task, loaded, results);
      }
    } catch (error) {
      this.#fail(task, loaded.spec, error);
    }
    this.#leave();
    return null;
  }

  async #finishChunk(context: WorkerContext, fn: AnyFunction, calls: unknown[][], results: unknown[], first: unknown, index: number): Promise<unknown[]> {
    results.push(await first);
    for (let i = index + 1; i < calls.length; i++) results.push(await fn.apply(context, calls[i]!));
    return results;
  }

  async #settleLater(task: TaskMessage, loaded: Loaded, promise: Promise<unknown>): Promise<void> {
    try {
      this.#succeed(task, loaded, await promise);
    } catch (error) {
      this.#fail(task, loaded.spec, error);
    } finally {
      this.#leave();
    }
  }

  #enter(context: WorkerContext): void {
    this.#current = context;
    setCurrentContext(context);
  }

  #leave(): void {
    this.#current = null;
    setCurrentContext(null);
  }

  #succeed(task: TaskMessage, loaded: Loaded, value: unknown): void {
    this.#channel.finished(task);
    let transferList: readonly TransferListItem[] | undefined;
    if (isTransfer(value)) {
      transferList = value.transferList;
      value = value.value;
    } else if (task.chunk) {
      const list: TransferListItem[] = [];
      value = (value as unknown[]).map((each) => (isTransfer(each) ? (list.push(...each.transferList), each.value) : each));
      if (list.length > 0) transferList = list;
    }
    try {
      this.#channel.post({ type: 'done', id: task.id, ok: true, value }, transferList);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#fail(task, null, new TypeError(`The result of ${loaded.spec.name} cannot be sent back from the worker: ${message}`, { cause: error }));
    }
  }

  #fail(task: TaskMessage, spec: FunctionSpec | null, error: unknown): void {
    this.#channel.finished(task);
    const reported = spec === null ? error : closureError(spec, error);
    this.#channel.post({ type: 'done', id: task.id, ok: false, error: serializeError(reported) });
  }
}

// Helpers that transpilers put into function bodies, which a source
// function must find in the worker as it did in its module: esbuild (tsx,
// vitest) wraps named inner functions in __name(fn, "name"), and vitest
// turns import() into __vite_ssr_dynamic_import__().
const transpilerHelpers: Record<string, unknown> = {
  __name: (target: unknown, value: string) => Object.defineProperty(target, 'name', { value, configurable: true }),
  __vite_ssr_dynamic_import__: (specifier: string) => import(specifier),
};
const helperNames = Object.keys(transpilerHelpers);
const helperValues = Object.values(transpilerHelpers);

function compileSource(source: string): AnyFunction {
  try {
    return new Function(...helperNames, `return ${source}`)(...helperValues) as AnyFunction; // eslint-disable-line no-new-func -- the function was sent as source
  } catch (error) {
    // Each call fails with the compile error, rather than the worker.
    return () => {
      throw error;
    };
  }
}

async function loadExport(spec: Extract<FunctionSpec, { kind: 'module' }>): Promise<AnyFunction> {
  if (spec.typescript) await ensureTypeScript(spec.url, import.meta.url);
  const namespace = (await import(spec.url)) as Record<string, unknown>;
  let fn = namespace[spec.name];
  // A CommonJS module's exports arrive as the default export.
  if (fn === undefined && typeof namespace.default === 'object' && namespace.default !== null) {
    fn = (namespace.default as Record<string, unknown>)[spec.name];
  }
  if (typeof fn !== 'function') {
    const names = Object.keys(namespace).join(', ') || 'none';
    throw new TypeError(`The module ${spec.url} has no function exported as '${spec.name}' (its exports: ${names})`);
  }
  return fn as AnyFunction;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
