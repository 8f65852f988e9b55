/**
 * LoopThread: an asyncio-ts event loop running forever in a worker thread
 * (the asyncio guide's AsyncRunner: a loop in a thread of its own, fed from
 * synchronous code, whose results are waited for by blocking).
 *
 * Differences from asyncio: the thread is a worker thread with its own
 * memory, so coroutine functions cross as module references or
 * self-contained functions and values are structured-cloned; `join()` blocks
 * and `shutdown()` is its non-blocking promise.
 */
import { inspect } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import { RuntimeError, wakeWord, type WorkerArgs, type WorkerResult } from '@asyncio-ts/executors';
import { BrokenLoopThread } from './errors.js';
import { createChannel } from './internal/channel.js';
import { Connection } from './internal/connection.js';
import { bootstrap, entryExecArgv, loopBoot } from './internal/entry.js';
import { EXITED, RUNNING, STOPPED, STOPPING, type LoopWorkerData } from './internal/protocol.js';
import type { LoopHandle } from './loop-handle.js';
import type { RemoteFuture } from './remote-future.js';

/** Options of LoopThread. */
export interface LoopThreadOptions {
  /**
   * Let the process exit while the thread runs (Python's daemon threads).
   * @default false
   */
  daemon?: boolean;
  /** The worker's name, shown in debuggers. @default 'asyncio-ts loop' */
  name?: string;
}

type Status = 'initial' | 'started' | 'stopping' | 'exited';

/**
 * An event loop in a worker thread.
 * @example
 * using runner = new LoopThread().start();
 * const future = runner.runCoroutine(async (x: number) => x + 1, 41);
 * future.result(5); // 42, blocking this thread
 */
export class LoopThread {
  readonly #options: LoopThreadOptions;
  readonly #state = new Int32Array(new SharedArrayBuffer(4));
  #status: Status = 'initial';
  #worker: Worker | null = null;
  #connection: Connection | null = null;
  #exited: Promise<void> | null = null;
  #error: unknown = undefined;

  constructor(options: LoopThreadOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`new LoopThread(options) expects an options object, got ${String(options)}`);
    this.#options = options;
  }

  /**
   * Starts the thread and its loop; returns this, for `new LoopThread().start()`.
   * @throws RuntimeError when called twice.
   */
  start(): this {
    if (this.#status !== 'initial') throw new RuntimeError(`start() on a ${this.#status} LoopThread; a LoopThread starts once, make a new one`);
    const { port1, port2 } = new MessageChannel();
    const channel = createChannel();
    const data: LoopWorkerData = { boot: loopBoot(), port: port2, wake: wakeWord(), channel, state: this.#state };
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: data,
      transferList: [port2],
      execArgv: entryExecArgv(),
      name: this.#options.name ?? 'asyncio-ts loop',
    });
    this.#worker = worker;
    this.#status = 'started';
    this.#connection = new Connection(port1, this.#state, worker.threadId, { hello: false, channel });
    worker.on('error', (error) => {
      this.#error = error;
    });
    this.#exited = new Promise((resolve) => {
      worker.on('exit', (code) => {
        this.#markExited(code);
        resolve();
      });
    });
    if (this.#options.daemon === true) worker.unref();
    return this;
  }

  /** The id of the loop's thread (its worker's threadId); -1 before start(). */
  get loopId(): number {
    return this.#connection?.loopId ?? -1;
  }

  /** True from start() until the thread has exited. */
  isAlive(): boolean {
    return this.#status === 'started' || (this.#status === 'stopping' && Atomics.load(this.#state, 0) < EXITED);
  }

  /** True once the loop runs in its thread. */
  isRunning(): boolean {
    return this.#status === 'started' && Atomics.load(this.#state, 0) === RUNNING;
  }

  /**
   * Runs `fn(...args)` as a task on the thread's loop; returns a concurrent
   * Future: `result(timeout)` blocks, `await` waits, `cancel()` cancels the task.
   * `fn` is a coroutine function (async or `function*`, self-contained) or a
   * module reference `{ module, export }`.
   * @throws RuntimeError before start() or after stop(); BrokenLoopThread when the thread died.
   */
  runCoroutine<F>(fn: F, ...args: WorkerArgs<F>): RemoteFuture<WorkerResult<F>> {
    return this.#open('runCoroutine').submit('runCoroutine()', fn, args, 'task');
  }

  /**
   * Calls `fn(...args)` soon on the thread's loop (loop.call_soon_threadsafe);
   * the Future gets its return value once it ran, and `cancel()` drops a call
   * that has not run yet.
   */
  callSoonThreadsafe<F>(fn: F, ...args: WorkerArgs<F>): RemoteFuture<WorkerResult<F>> {
    return this.#open('callSoonThreadsafe').submit('callSoonThreadsafe()', fn, args, 'soon');
  }

  /**
   * A new handle to this loop, which any thread can use with
   * runCoroutineThreadsafe(); post it with `[handle.port]` in the transfer list.
   */
  handle(): LoopHandle {
    const connection = this.#open('handle');
    const { port1, port2 } = new MessageChannel();
    connection.attach(port2);
    return { kind: 'asyncio-ts.loop-handle', loopId: connection.loopId, port: port1, state: this.#state };
  }

  /** Asks the loop to stop; the thread then exits, and work still pending fails with BrokenLoopThread. Idempotent. */
  stop(): void {
    if (this.#status !== 'started') return;
    this.#status = 'stopping';
    Atomics.compareExchange(this.#state, 0, RUNNING, STOPPING);
    this.#connection!.stop();
  }

  /**
   * Blocks until the thread has exited, or `timeout` seconds (null: no
   * limit); returns true when it has. (threading.Thread.join; call stop() first.)
   * @throws RuntimeError before start().
   */
  join(timeout: number | null = null): boolean {
    if (this.#status === 'initial') throw new RuntimeError('join() before start(): start the LoopThread first');
    if (timeout !== null && (typeof timeout !== 'number' || !(timeout >= 0))) throw new TypeError(`join(timeout) expects seconds >= 0 or null, got ${String(timeout)}`);
    const deadline = timeout === null ? Infinity : performance.now() + timeout * 1000;
    for (;;) {
      const state = Atomics.load(this.#state, 0);
      if (state === EXITED) break;
      if (state === STOPPED) {
        // The loop is done and its ports closed: end the thread whatever it left behind.
        void this.#worker!.terminate();
        break;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      // Atomics.wait can return on a stale wake-up: the loop re-checks the word.
      Atomics.wait(this.#state, 0, state, remaining === Infinity ? undefined : remaining);
    }
    this.#connection!.drain();
    return true;
  }

  /** Stops the loop and resolves once the thread has exited, without blocking. */
  async shutdown(): Promise<void> {
    this.stop();
    // Keep the process alive until the thread has exited, daemon or not.
    this.#worker?.ref();
    await this.#exited;
  }

  /** `using runner = new LoopThread().start()`: stop() and join() at the end of the scope. */
  [Symbol.dispose](): void {
    if (this.#status === 'initial') return;
    this.stop();
    this.join();
  }

  /** `await using`: shutdown() at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  #open(method: string): Connection {
    if (this.#status === 'initial') throw new RuntimeError(`${method}() before start(): call loopThread.start() first`);
    if (this.#status !== 'started') throw new BrokenLoopThread(`${method}() after stop(): the loop thread is ${this.#status}; start a new LoopThread`);
    return this.#connection!;
  }

  #markExited(code: number): void {
    this.#status = 'exited';
    Atomics.store(this.#state, 0, EXITED);
    Atomics.notify(this.#state, 0);
    const cause = this.#error;
    const reason = cause !== undefined ? `died of an uncaught ${cause instanceof Error ? cause.name : 'error'}` : `exited with code ${code}`;
    this.#connection!.drain();
    this.#connection!.fail(new BrokenLoopThread(`the loop thread ${reason} while this work was pending; it will never complete`, cause === undefined ? undefined : { cause }));
  }

  /** `LoopThread [started, pending:2]` */
  [inspect.custom](): string {
    return `LoopThread [${this.#status}${this.#connection !== null ? `, pending:${this.#connection.pending}` : ''}]`;
  }
}
