/**
 * BaseEventLoop: the ready queue, the timer heap, `runOnce`, the exception
 * handler and the run state; the I/O and the way the loop is driven are the
 * subclasses' (asyncio's base_events.BaseEventLoop).
 *
 * Differences from asyncio: `runForever()` and `runUntilComplete()` return
 * promises, because JavaScript cannot block its thread on the loop that runs
 * on it; `run()` nested in a running loop still throws at once.
 */
import { inspect } from 'node:util';
import { RuntimeError } from './errors.js';
import { Future, isFuture } from './future.js';
import { Handle, TimerHandle, creationSite, type Callback, type ExceptionContext, type HandleOwner } from './handle.js';
import { checkCallback, checkDelay, checkWhen, describe } from './internal/checks.js';
import { LoopScope, releaseTaskStoreWhenIdle, type ContextRunner } from './internal/context.js';
import { TimerHeap } from './internal/heap.js';
import { ReadyQueue } from './internal/ready-queue.js';
import { loops } from './internal/running.js';
import { SignalHandlers } from './internal/signals.js';
import { monotonicClock, type Clock } from './internal/time.js';
import { logger } from './logger.js';
import { Task, type TaskOptions } from './task.js';
import type { CoroutineLike } from './coroutines.js';
import type { Executor, WorkerArgs, WorkerFunction, WorkerResult } from '@asyncio-ts/executors';
import { closeDefaultExecutor, runInExecutor, setDefaultExecutor, shutdownDefaultExecutor, type ShutdownDefaultExecutorOptions } from './executor-bridge.js';
import { DefaultSelector, type Address, type BaseSelector, type FileObject, type Socket } from '@asyncio-ts/selectors';
import { sockAccept, sockConnect, sockRecv, sockRecvInto, sockSendall } from './sock-operations.js';
import { createConnection, type ClientSsl, type CreateConnectionOptions } from './create-connection.js';
import { createServer, type CreateServerOptions, type ServerSsl } from './create-server.js';
import type { BaseProtocol, DatagramProtocol, StreamProtocol } from './protocols.js';
import { createDatagramEndpoint, type CreateDatagramEndpointOptions } from './create-datagram-endpoint.js';
import { startTls, type StartTlsOptions } from './start-tls.js';
import type { Server } from './server.js';
import type { DatagramTransport, Transport } from './transports.js';
import { IoRegistry, type FdOwner, type IoEntry } from './internal/io-registry.js';

/** An exception handler: `(loop, context) => void`, as asyncio's. */
export type ExceptionHandler = (loop: BaseEventLoop, context: ExceptionContext) => void;

/** A task factory: `(loop, coro, options) => Task`, as asyncio's set_task_factory. */
export type TaskFactory = <T>(loop: BaseEventLoop, coro: CoroutineLike<T>, options: TaskOptions) => Task<T>;

export interface EventLoopOptions {
  /** The clock the loop reads its time from (seconds, monotonic); the real one by default. */
  clock?: Clock;
  /** Debug mode; defaults to the ASYNCIO_TS_DEBUG environment variable. */
  debug?: boolean;
}

// asyncio's constants: rebuild the timer heap when more than this many
// cancelled timers sit in it and they are more than this share of it.
const MIN_SCHEDULED_TIMER_HANDLES = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5;

let loopCount = 0;
const NO_ARGS: unknown[] = [];
const NO_TASK_OPTIONS: Omit<TaskOptions, 'loop'> = Object.freeze({});

export abstract class BaseEventLoop implements HandleOwner {
  /** A callback slower than this (seconds) is reported in debug mode. */
  slowCallbackDuration = 0.1;

  readonly #clock: Clock;
  readonly #ready = new ReadyQueue(1024);
  readonly #timers = new TimerHeap<TimerHandle>();
  #cancelledTimers = 0;
  #state: 'idle' | 'running' | 'closed' = 'idle';
  #stopping = false;
  #debug: boolean;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  /** Every pending task, strongly held; each task knows its index (O(1) removal). */
  readonly #tasks: Task<unknown>[] = [];
  readonly #signals = new SignalHandlers((callback, args) => this.callSoonThreadsafe(callback, ...args));
  readonly #id = ++loopCount;
  #stepping: Task<unknown> | null = null;
  /** Debug mode: the async-function tasks woken since the last hop, for naming slow continuations. */
  #resuming: Task<unknown>[] = [];
  /** The last task that stepped, for naming a slow callback in debug mode. */
  #steppedTask: Task<unknown> | null = null;
  /** The iteration in which a task last stepped. */
  #stepIteration = -1;
  /** The readers and writers, made on the first addReader()/addWriter(). */
  #io: IoRegistry | null = null;
  /** The same while it has fds registered, else null: runOnce()'s one check for I/O. */
  #ioPolling: IoRegistry | null = null;
  /** True while runOnce() calls handles. @internal */
  inCallbacks = false;
  /** Counts iterations: an async task's step runs on in the microtasks after its iteration. @internal */
  iteration = 0;
  /** The async scope the loop's callbacks run in. @internal */
  readonly scope = new LoopScope();
  /**
   * Set when async-function code has work queued as microtasks: a Future
   * settled a promise awaiting it, or the step of an async-function task ran
   * (its `await future` reaches the Future only a microtask later). The driver
   * lets those microtasks run before the next iteration. @internal
   */
  promiseWork = false;

  constructor(options: EventLoopOptions = {}) {
    this.#clock = options.clock ?? monotonicClock;
    this.#debug = options.debug ?? debugFromEnvironment();
  }

  /**
   * True when a task stepped in this iteration: a `then()` its step caused may
   * still be on its way (a microtask later). @internal
   */
  steppedInIteration(): boolean {
    return this.#stepIteration === this.iteration;
  }

  /** The task whose step is running now, if any. @internal */
  get stepping(): Task<unknown> | null {
    return this.#stepping;
  }

  set stepping(task: Task<unknown> | null) {
    this.#stepping = task;
    if (task === null) return;
    this.#stepIteration = this.iteration;
    if (this.#debug) this.#steppedTask = task;
    // A generator task's awaits come back through done callbacks; an async
    // function's body continues in microtasks that must run between iterations.
    if (!task.steppedAsGenerator) this.promiseWork = true;
  }

  // --- running and stopping ------------------------------------------------

  /** True while the loop runs (between runForever() starting and its promise settling). */
  isRunning(): boolean {
    return this.#state === 'running';
  }

  /** True once close() was called. */
  isClosed(): boolean {
    return this.#state === 'closed';
  }

  /**
   * Runs the loop until stop() is called. Resolves when it stops.
   * @throws RuntimeError when the loop is closed or already running, or another loop runs on this thread.
   */
  runForever(): Promise<void> {
    this.#checkClosed('runForever');
    this.#checkNotRunning();
    this.#state = 'running';
    loops.running = this;
    return new Promise<void>((resolve) => this.startRunning(resolve));
  }

  /**
   * Runs the loop until `future` is done and returns its result (a coroutine,
   * promise or function is wrapped in a Task first).
   * @throws RuntimeError when the loop stops before the future is done.
   */
  async runUntilComplete<T>(future: Future<T> | CoroutineLike<T>): Promise<T> {
    this.#checkClosed('runUntilComplete');
    this.#checkNotRunning();
    const isNewTask = !isFuture(future);
    const target = isNewTask ? this.createTask(future as CoroutineLike<T>) : (future as Future<T>);
    if (target.getLoop() !== this) {
      throw new RuntimeError('runUntilComplete(): the future belongs to another loop; create it with this loop');
    }
    const stopWhenDone = () => this.stop();
    target.addDoneCallback(stopWhenDone);
    try {
      await this.runForever();
    } finally {
      target.removeDoneCallback(stopWhenDone);
    }
    if (!target.done()) throw new RuntimeError('Event loop stopped before Future completed.');
    return target.result();
  }

  /**
   * Stops the loop after the callbacks of the current iteration have run; if
   * the loop is not running, the next runForever() runs one iteration and stops.
   */
  stop(): void {
    this.#stopping = true;
    // Called from outside the loop's callbacks (a Node callback), it must
    // wake an idle loop to take effect.
    if (this.#state === 'running' && !this.inCallbacks) this.readyWhileIdle();
  }

  /**
   * Closes the loop: pending callbacks are dropped and the loop can no longer
   * be used. Closing twice does nothing.
   * @throws RuntimeError when the loop is running.
   */
  close(): void {
    if (this.#state === 'running') throw new RuntimeError('Cannot close a running event loop; stop() it first, or close it after runForever() resolves');
    if (this.#state === 'closed') return;
    if (this.#debug) logger.debug(`Close ${this}`);
    this.#state = 'closed';
    this.#ready.clear();
    this.#timers.filter(() => false);
    this.#cancelledTimers = 0;
    this.#signals.clear();
    this.#io?.close();
    this.releasePendingTasks();
    // As asyncio's close(): the default executor shuts down, without waiting.
    closeDefaultExecutor(this);
    if (loops.current === this) loops.current = null;
  }

  // --- time and scheduling ---------------------------------------------------

  /** The loop's time in seconds, from its monotonic clock. */
  time(): number {
    return this.#clock.now();
  }

  /**
   * Schedules `callback(...args)` for the next iteration of the loop; callbacks
   * run in the order they were scheduled.
   * @throws TypeError when callback is not a function; RuntimeError when the loop is closed.
   * @example
   * loop.callSoon(console.log, 'runs next');
   */
  callSoon<Args extends unknown[]>(callback: (...args: Args) => unknown, ...args: Args): Handle {
    checkCallback('callSoon', callback);
    // The shared empty array when there are no arguments: the rest array then
    // does not escape, and V8 need not allocate it.
    return this.scheduleSoonIn(this.scope.capture(), callback as Callback, args.length === 0 ? NO_ARGS : args);
  }

  /**
   * callSoon() for callers outside the loop's thread of control (another
   * worker's message, a signal, a Node callback); it wakes the loop.
   */
  callSoonThreadsafe<Args extends unknown[]>(callback: (...args: Args) => unknown, ...args: Args): Handle {
    return this.callSoon(callback, ...args);
  }

  /**
   * Schedules `callback(...args)` to run after `delay` seconds.
   * @throws TypeError when delay is not a number or callback not a function;
   * ValueError when delay is negative; RuntimeError when the loop is closed.
   * @example
   * const timer = loop.callLater(0.5, console.log, 'half a second later');
   */
  callLater<Args extends unknown[]>(delay: number, callback: (...args: Args) => unknown, ...args: Args): TimerHandle {
    checkDelay('callLater', 'delay', delay);
    checkCallback('callLater', callback);
    if (this.#state === 'closed') this.#checkClosed('callLater');
    return this.scheduleAtIn(this.scope.capture(), this.time() + delay, callback as Callback, args.length === 0 ? NO_ARGS : args);
  }

  /**
   * Schedules `callback(...args)` to run at loop time `when` (seconds, see
   * time()); a time already past runs on the next iteration.
   * @throws TypeError when when is not a number or callback not a function; RuntimeError when the loop is closed.
   */
  callAt<Args extends unknown[]>(when: number, callback: (...args: Args) => unknown, ...args: Args): TimerHandle {
    checkWhen('callAt', 'when', when);
    checkCallback('callAt', callback);
    return this.scheduleAtIn(this.scope.capture(), when, callback as Callback, args.length === 0 ? NO_ARGS : args);
  }

  /**
   * callSoon() without the checks, for the package's own callbacks: `args`
   * as given, or null with up to two arguments inline (no array to
   * allocate). No async context is captured: the package's own callbacks
   * need none, and capturing one costs an AsyncResource.
   * @internal
   */
  scheduleSoon(callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): Handle {
    return this.scheduleSoonIn(null, callback, args, arg0, arg1);
  }

  /** scheduleSoon() in a context captured earlier (a done callback's, a task's). @internal */
  scheduleSoonIn(context: ContextRunner | null, callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): Handle {
    if (this.#state === 'closed') this.#checkClosed('callSoon');
    const handle = new Handle(callback, args, context, arg0, arg1);
    if (this.#debug) handle.setSourceTraceback(captureStack());
    this.#ready.push(handle);
    if (!this.inCallbacks) this.readyWhileIdle();
    return handle;
  }

  /**
   * scheduleSoonIn() for a callback whose Handle no one needs (a task's
   * step, a done callback): it is queued bare, with no Handle made, except
   * in debug mode, which records where each handle was created. @internal
   */
  enqueueSoon(context: ContextRunner | null, callback: Callback, arg0?: unknown, arg1?: unknown): void {
    if (this.#debug) {
      this.scheduleSoonIn(context, callback, null, arg0, arg1);
      return;
    }
    if (this.#state === 'closed') this.#checkClosed('callSoon');
    this.#ready.pushCall(callback, arg0, arg1, context);
    if (!this.inCallbacks) this.readyWhileIdle();
  }

  /** callAt() without the checks, for the package's own callbacks (no context); arguments as in scheduleSoon(). @internal */
  scheduleAt(when: number, callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): TimerHandle {
    return this.scheduleAtIn(null, when, callback, args, arg0, arg1);
  }

  /** scheduleAt() in a given context. @internal */
  scheduleAtIn(context: ContextRunner | null, when: number, callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): TimerHandle {
    if (this.#state === 'closed') this.#checkClosed('callAt');
    const timer = new TimerHandle(when, callback, args, this, context, arg0, arg1);
    if (this.#debug) timer.setSourceTraceback(captureStack());
    timer.scheduled = true;
    this.#timers.push(timer);
    if (!this.inCallbacks) this.timerAddedWhileIdle(timer);
    return timer;
  }

  /** @internal */
  timerHandleCancelled(handle: TimerHandle): void {
    if (handle.scheduled) this.#cancelledTimers++;
  }

  // --- futures and tasks ---------------------------------------------------

  /** A new Future attached to this loop. */
  createFuture<T = unknown>(): Future<T> {
    return new Future<T>({ loop: this });
  }

  /**
   * Wraps a coroutine (a generator, a promise, or a function returning either)
   * in a Task scheduled on this loop; the task's factory decides how.
   */
  createTask<T>(coro: CoroutineLike<T>, options: Omit<TaskOptions, 'loop'> = NO_TASK_OPTIONS): Task<T> {
    this.#checkClosed('createTask');
    // Without options (the usual case), one shared options object: no
    // object per task for the collector.
    const taskOptions = options === NO_TASK_OPTIONS ? (this.#taskOptions ??= Object.freeze({ loop: this })) : { ...options, loop: this };
    if (this.#taskFactory !== null) return this.#taskFactory(this, coro, options === NO_TASK_OPTIONS ? { loop: this } : taskOptions);
    return new Task<T>(coro, taskOptions);
  }

  /** The options createTask() gives a Task when it was given none. */
  #taskOptions: TaskOptions | null = null;

  /** Sets the factory createTask() uses (null for the default Task); see eagerTaskFactory. */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== 'function') {
      throw new TypeError(`setTaskFactory() expects a function or null, got ${describe(factory)}`);
    }
    this.#taskFactory = factory;
  }

  getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  /** Every task of this loop that is not done yet. @internal */
  pendingTasks(): Task<unknown>[] {
    return [...this.#tasks].sort((a, b) => a.serial - b.serial);
  }

  /** The loop keeps a strong reference to each pending task, so none is collected mid-flight. @internal */
  registerTask(task: Task<unknown>): void {
    if (task.registryIndex >= 0) return;
    task.registryIndex = this.#tasks.length;
    this.#tasks.push(task);
  }

  /** @internal */
  unregisterTask(task: Task<unknown>): void {
    const index = task.registryIndex;
    if (index < 0) return;
    const last = this.#tasks.pop()!;
    if (last !== task) {
      this.#tasks[index] = last;
      last.registryIndex = index;
    }
    task.registryIndex = -1;
  }

  /** On close, pending tasks lose the loop's reference; collecting them then warns. @internal */
  protected releasePendingTasks(): void {
    for (const task of this.#tasks) {
      task.registryIndex = -1;
      task.watchDestroyPending();
    }
    this.#tasks.length = 0;
  }

  // --- executors ---------------------------------------------------------------

  /**
   * Runs `fn(...args)` in `executor` (the loop's default ThreadPoolExecutor
   * when null, made on first use) and returns a Future of its result.
   * @throws RuntimeError when the loop is closed, or (default executor) after shutdownDefaultExecutor().
   * @example
   * const data = await loop.runInExecutor(null, { module: import.meta.url, export: 'blockingIo' }, 2);
   */
  runInExecutor<F extends WorkerFunction>(executor: Executor | null, fn: F, ...args: WorkerArgs<F>): Future<WorkerResult<F>> {
    return runInExecutor(this, executor, fn, ...args);
  }

  /** Sets the executor that runInExecutor(null, ...) and toThread() use. */
  setDefaultExecutor(executor: Executor): void {
    setDefaultExecutor(this, executor);
  }

  /** Shuts the default executor down; the Future completes once its work is done (run() calls this at the end). */
  shutdownDefaultExecutor(options?: ShutdownDefaultExecutorOptions): Future<void> {
    return shutdownDefaultExecutor(this, options);
  }

  // --- I/O: readers and writers (kept in internal/io-registry.ts) -----------

  /**
   * Calls `callback(...args)` on the loop whenever `fd` is readable, until
   * removeReader(fd); replaces the fd's earlier reader (which will not run).
   * The callback runs as a loop handle, in the iteration that found the fd ready.
   * @param fd an open fd, or an object with `fileno()` (a Socket).
   * @throws ValueError when fd is not an fd; OSError (EBADF) when it is not
   * open; RuntimeError when the loop is closed or a transport owns the fd.
   * @example
   * loop.addReader(sock, () => console.log(sock.recv(1024)));
   */
  addReader<Args extends unknown[]>(fd: FileObject, callback: (...args: Args) => unknown, ...args: Args): void {
    checkCallback('addReader', callback);
    const io = this.#ioFor('addReader');
    io.checkNoOwner('addReader', fd);
    io.addReader('addReader', fd, this.#ioHandle(this.scope.capture(), callback as Callback, args.length === 0 ? NO_ARGS : args));
  }

  /** Stops watching `fd` for reading; true when it had a reader. A closed loop returns false. */
  removeReader(fd: FileObject): boolean {
    const io = this.#io;
    if (io === null || this.#state === 'closed') return false;
    io.checkNoOwner('removeReader', fd);
    return io.removeReader('removeReader', fd);
  }

  /**
   * Calls `callback(...args)` on the loop whenever `fd` is writable, until
   * removeWriter(fd); replaces the fd's earlier writer (which will not run).
   * @throws as addReader().
   */
  addWriter<Args extends unknown[]>(fd: FileObject, callback: (...args: Args) => unknown, ...args: Args): void {
    checkCallback('addWriter', callback);
    const io = this.#ioFor('addWriter');
    io.checkNoOwner('addWriter', fd);
    io.addWriter('addWriter', fd, this.#ioHandle(this.scope.capture(), callback as Callback, args.length === 0 ? NO_ARGS : args));
  }

  /** Stops watching `fd` for writing; true when it had a writer. A closed loop returns false. */
  removeWriter(fd: FileObject): boolean {
    const io = this.#io;
    if (io === null || this.#state === 'closed') return false;
    io.checkNoOwner('removeWriter', fd);
    return io.removeWriter('removeWriter', fd);
  }

  /**
   * addReader() for the package's own callbacks (asyncio's _add_reader): no
   * context captured, no transport check, arguments as in scheduleSoon();
   * returns the handle. @internal
   */
  ioAddReader(fd: FileObject, callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): Handle {
    const handle = this.#ioHandle(null, callback, args, arg0, arg1);
    this.#ioFor('addReader').addReader('addReader', fd, handle);
    return handle;
  }

  /** removeReader() without the transport check (asyncio's _remove_reader). @internal */
  ioRemoveReader(fd: FileObject): boolean {
    const io = this.#io;
    return io !== null && this.#state !== 'closed' && io.removeReader('removeReader', fd);
  }

  /** addWriter() for the package's own callbacks, as ioAddReader(). @internal */
  ioAddWriter(fd: FileObject, callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): Handle {
    const handle = this.#ioHandle(null, callback, args, arg0, arg1);
    this.#ioFor('addWriter').addWriter('addWriter', fd, handle);
    return handle;
  }

  /** removeWriter() without the transport check (asyncio's _remove_writer). @internal */
  ioRemoveWriter(fd: FileObject): boolean {
    const io = this.#io;
    return io !== null && this.#state !== 'closed' && io.removeWriter('removeWriter', fd);
  }

  /**
   * Records that a transport owns `fd` (asyncio's _transports): the public
   * addReader() and friends refuse it until the transport is closing. @internal
   */
  setFdOwner(fd: number, owner: FdOwner): void {
    this.#ioFor('setFdOwner').setOwner(fd, owner);
  }

  /** Forgets the transport that owned `fd`. @internal */
  deleteFdOwner(fd: number): void {
    this.#io?.deleteOwner(fd);
  }

  /** Throws RuntimeError when a live transport owns `fd` (asyncio's _ensure_fd_no_transport). @internal */
  ioCheckNoOwner(method: string, fd: FileObject): void {
    this.#io?.checkNoOwner(method, fd);
  }

  // --- I/O: socket operations (in sock-operations.ts) ------------------------

  /**
   * Receives up to `nbytes` bytes from the non-blocking `sock`, waiting until
   * some arrive; an empty Buffer at end of file.
   * @throws ValueError (at once) when sock is blocking; the Future fails with the OSError of recv().
   * @example
   * const data = await loop.sockRecv(sock, 1024);
   */
  sockRecv(sock: Socket, nbytes: number): Future<Buffer> {
    return sockRecv(this, sock, nbytes);
  }

  /** Receives into `buffer`, waiting until some bytes arrive; resolves to their count (0 at end of file). */
  sockRecvInto(sock: Socket, buffer: ArrayBufferView): Future<number> {
    return sockRecvInto(this, sock, buffer);
  }

  /**
   * Sends all of `data` on the non-blocking `sock`, waiting for room as often as needed.
   * @example
   * await loop.sockSendall(sock, Buffer.from('ping'));
   */
  sockSendall(sock: Socket, data: ArrayBufferView | string): Future<void> {
    return sockSendall(this, sock, data);
  }

  /**
   * Connects the non-blocking `sock` to `address` (`[host, port]`, a host name
   * is looked up first; or an AF_UNIX path).
   * @example
   * await loop.sockConnect(sock, ['127.0.0.1', 8080]);
   */
  sockConnect(sock: Socket, address: Address): Future<void> {
    return sockConnect(this, sock, address);
  }

  /** Accepts a connection on the listening non-blocking `sock`: a non-blocking Socket and the peer's address. */
  sockAccept(sock: Socket): Future<[Socket, Address]> {
    return sockAccept(this, sock);
  }

  // --- I/O: transports and servers (in create-connection.ts, create-server.ts) ---

  /**
   * Connects to `host`:`port` (or `options.path`, or uses `options.sock`) and
   * makes a transport for `protocolFactory()`'s protocol; resolves to
   * `[transport, protocol]` once connectionMade() ran (asyncio's create_connection).
   * @example
   * const [transport, protocol] = await loop.createConnection(() => new EchoClient(), '127.0.0.1', 8888);
   */
  createConnection<P extends StreamProtocol>(
    protocolFactory: () => P,
    host?: string | null,
    port?: number | string | null,
    options?: CreateConnectionOptions,
  ): Future<[Transport, P]> {
    return createConnection(this, protocolFactory, host, port, options);
  }

  /**
   * Listens on `host`:`port` (every address when host is undefined; port 0
   * picks a free one), each connection getting `protocolFactory()`'s protocol
   * and a transport; resolves to the Server (asyncio's create_server).
   * @example
   * const server = await loop.createServer(() => new Echo(), '127.0.0.1', 0);
   */
  createServer(
    protocolFactory: () => StreamProtocol,
    host?: string | readonly string[] | null,
    port?: number | string | null,
    options?: CreateServerOptions,
  ): Future<Server> {
    return createServer(this, protocolFactory, host, port, options);
  }

  /**
   * Makes a UDP endpoint for `protocolFactory()`'s DatagramProtocol, bound
   * to `localAddr` and/or connected to `remoteAddr`; resolves to
   * `[transport, protocol]` once connectionMade() ran (asyncio's
   * create_datagram_endpoint). EventLoop only.
   * @example
   * const [transport] = await loop.createDatagramEndpoint(() => new Echo(), { localAddr: ['127.0.0.1', 9999] });
   */
  createDatagramEndpoint<P extends DatagramProtocol>(protocolFactory: () => P, options?: CreateDatagramEndpointOptions): Future<[DatagramTransport, P]> {
    return createDatagramEndpoint(this, protocolFactory, options);
  }

  /**
   * Upgrades a connection of this loop to TLS in mid-stream (STARTTLS);
   * resolves to the new transport, which `protocol` goes on with, once the
   * handshake is done (asyncio's start_tls). EventLoop only.
   * @example
   * const tlsTransport = await loop.startTls(transport, protocol, true, { serverHostname: 'mail.example.com' });
   */
  startTls(transport: Transport, protocol: BaseProtocol, sslcontext: ClientSsl | ServerSsl, options?: StartTlsOptions): Future<Transport> {
    return startTls(this, transport, protocol, sslcontext, options);
  }

  /**
   * True when this loop's transports are its own (selector transports doing
   * their syscalls through addReader/addWriter), false when they stand on
   * Node's net (the hosted EventLoop). @internal
   */
  get ownsSockets(): boolean {
    return false;
  }

  /** True when an fd registered with the loop is ready now (without taking it in). @internal */
  ioReadyNow(): boolean {
    const io = this.#ioPolling;
    return io !== null && io.selector.select(0).length > 0;
  }

  /** How many fds have a reader or a writer. @internal */
  get ioCount(): number {
    return this.#io === null ? 0 : this.#io.size;
  }

  /** The selector of the loop's readers and writers, made on first use (DefaultSelector unless overridden). */
  protected createSelector(): BaseSelector<IoEntry> {
    return new DefaultSelector<IoEntry>();
  }

  /** The selector in use, or null before the first addReader()/addWriter(). */
  protected get ioSelector(): BaseSelector<IoEntry> | null {
    return this.#io === null ? null : this.#io.selector;
  }

  /** The registry went from no fd to some (true), or back (false). */
  protected ioActiveChanged(_active: boolean): void {}

  /**
   * How long runOnce() may wait for I/O, in seconds (null: for ever): 0 on a
   * loop hosted on Node's; a SelectorEventLoop waits until the next timer.
   */
  protected ioTimeout(): number | null {
    return 0;
  }

  #ioFor(method: string): IoRegistry {
    this.#checkClosed(method);
    return (this.#io ??= new IoRegistry(this.createSelector(), (active) => {
      this.#ioPolling = active ? this.#io : null;
      this.ioActiveChanged(active);
    }));
  }

  #ioHandle(context: ContextRunner | null, callback: Callback, args: unknown[] | null, arg0?: unknown, arg1?: unknown): Handle {
    const handle = new Handle(callback, args, context, arg0, arg1);
    if (this.#debug) handle.setSourceTraceback(captureStack());
    return handle;
  }

  // --- signals ---------------------------------------------------------------

  /**
   * Calls `callback(...args)` on the loop when the process gets `signal`
   * ('SIGINT', 'SIGTERM', ... or a number). Replaces an earlier handler.
   * @throws RuntimeError in a worker thread, or for SIGKILL and SIGSTOP; ValueError for an unknown signal.
   */
  addSignalHandler<Args extends unknown[]>(signal: NodeJS.Signals | number, callback: (...args: Args) => unknown, ...args: Args): void {
    this.#checkClosed('addSignalHandler');
    checkCallback('addSignalHandler', callback);
    this.#signals.add(signal, callback as Callback, args);
  }

  /** Removes the handler for `signal`; true when there was one. */
  removeSignalHandler(signal: NodeJS.Signals | number): boolean {
    return this.#signals.remove(signal);
  }

  // --- errors ------------------------------------------------------------------

  /** Sets the handler for errors no one else catches (null restores the default). */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== 'function') {
      throw new TypeError(`setExceptionHandler() expects a function (loop, context) => void or null, got ${describe(handler)}`);
    }
    this.#exceptionHandler = handler;
  }

  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /** Logs the context to core's logger, as asyncio's default_exception_handler. */
  defaultExceptionHandler(context: ExceptionContext): void {
    const lines = [context.message || 'Unhandled exception in event loop'];
    for (const [key, value] of Object.entries(context)) {
      if (key === 'message' || key === 'exception' || value === undefined) continue;
      // JavaScript stacks list the most recent call first, unlike Python's tracebacks.
      if (key === 'sourceTraceback') lines.push(`Object created at (most recent call first):\n${stackFrames(value)}`);
      else if (key === 'handleTraceback') lines.push(`Handle created at (most recent call first):\n${stackFrames(value)}`);
      else lines.push(`${key}: ${typeof value === 'string' ? value : inspect(value, { depth: 1 })}`);
    }
    if (context.exception !== undefined) lines.push(formatException(context.exception));
    logger.error(lines.join('\n'));
  }

  /** Passes `context` to the exception handler, or logs it; never throws. */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    if (handler === null) {
      try {
        this.defaultExceptionHandler(context);
      } catch (error) {
        process.stderr.write(`Exception in default exception handler: ${formatException(error)}\n`);
      }
      return;
    }
    try {
      handler(this, context);
    } catch (error) {
      // The custom handler failed: report both, through the default handler.
      try {
        this.defaultExceptionHandler({ message: 'Unhandled error in exception handler', exception: error, context });
      } catch (secondError) {
        process.stderr.write(`Exception in default exception handler: ${formatException(secondError)}\n`);
      }
    }
  }

  // --- debug -------------------------------------------------------------------

  getDebug(): boolean {
    return this.#debug;
  }

  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
  }

  // --- the iteration -------------------------------------------------------

  /**
   * One iteration of the loop, as asyncio's _run_once: move the timers that are
   * due to the ready queue, then run exactly the callbacks that are ready now.
   * Callbacks they schedule wait for the next iteration.
   *
   * This is the only place where callbacks are actually *called*.
   * @internal
   */
  runOnce(): void {
    this.iteration++;
    const timers = this.#timers;
    // Drop cancelled timers: all of them when they crowd the heap, else just
    // those at its top, so a cancelled timer costs nothing when it comes due.
    if (timers.length > MIN_SCHEDULED_TIMER_HANDLES && this.#cancelledTimers / timers.length > MIN_CANCELLED_TIMER_HANDLES_FRACTION) {
      timers.filter(keepScheduled);
      this.#cancelledTimers = 0;
    } else {
      while (timers.length > 0 && timers.peek()!.isCancelled) {
        this.#cancelledTimers--;
        timers.pop()!.scheduled = false;
      }
    }

    // The timers due now run after the callbacks that are ready now, as if
    // moved to the end of the ready queue (asyncio's order); each runs as it
    // leaves the heap, while it is still in the cache. Timers added during
    // this iteration wait for the next, as in asyncio.
    // Take in the I/O that is ready (a SelectorEventLoop waits here until
    // some is, or the next timer is due): one null check when no fd is registered.
    if (this.#ioPolling !== null) this.#ioPolling.poll(this.#ready, this.ioTimeout());
    const end = timers.length > 0 ? this.time() : -Infinity;
    const firstNewTimer = timers.nextSequence;

    const ready = this.#ready;
    let count = ready.length;
    const debug = this.#debug;
    this.inCallbacks = true;
    try {
      while (count > 0) {
        count--;
        if (debug) {
          const handle = ready.shift()!;
          if (handle.callback !== null) this.#runTimed(handle);
          continue;
        }
        const context = ready.peekContext()!;
        if (context === null) ready.runFirst(this);
        else count = this.scope.enter(context, this.#runInContext, this, count);
      }
      let added: TimerHandle[] | null = null;
      // (No timers when the iteration began: nothing can be due.)
      while (end !== -Infinity && timers.peekDeadline() <= end) {
        if (timers.peekSequence() >= firstNewTimer) {
          (added ??= []).push(timers.pop()!);
          continue;
        }
        const timer = timers.pop()!;
        timer.scheduled = false;
        if (timer.isCancelled) this.#cancelledTimers--;
        else if (debug) this.#runTimed(timer);
        else timer.run(this);
      }
      if (added !== null) for (const timer of added) timers.push(timer);
    } finally {
      this.inCallbacks = false;
      ready.iterationDone();
    }
  }

  /**
   * Runs the first ready entry and those after it that were scheduled in the
   * same async context, inside that context entered once (entering one costs
   * more than a short callback); returns how many of this iteration's
   * entries are left.
   */
  #runInContext(context: ContextRunner, count: number): number {
    const ready = this.#ready;
    ready.runFirst(this);
    while (count > 0 && ready.peekContext() === context) {
      count--;
      ready.runFirst(this);
    }
    return count;
  }

  #runTimed(handle: Handle): void {
    const start = this.time();
    this.#steppedTask = null;
    handle.run(this);
    const elapsed = this.time() - start;
    const task = this.#steppedTask;
    // Hold no task beyond its step: one kept alive is never reported as never retrieved.
    this.#steppedTask = null;
    if (elapsed >= this.slowCallbackDuration) {
      // A task's step is named by its task, as asyncio's _format_handle does.
      this.reportSlowCallback(task !== null ? describeTask(task) : String(handle), elapsed, handle);
    }
  }

  /**
   * Reports, in debug mode, code that held the loop for `elapsed` seconds: to
   * the exception handler when one is set, else as a warning to the logger.
   * @internal
   */
  reportSlowCallback(what: string, elapsed: number, handle?: Handle): void {
    const message = `Executing ${what} took ${elapsed.toFixed(3)} seconds`;
    if (this.#exceptionHandler === null) logger.warn(message);
    else this.callExceptionHandler(handle === undefined ? { message } : { message, handle });
  }

  /**
   * The async-function tasks about to resume: their awaited Future is done,
   * so their continuation is queued as a microtask. For naming slow
   * continuations in debug mode. @internal
   */
  describeResumingTasks(): string {
    const resuming = this.#resuming;
    this.#resuming = [];
    return resuming.length === 0 ? '<async-function code between iterations>' : resuming.map(describeTask).join(', ');
  }

  /** Debug mode: an async-function task resumes (its awaited Future woke it). @internal */
  noteResuming(task: Task<unknown>): void {
    if (this.#debug) this.#resuming.push(task);
  }

  /** How many callbacks are ready. @internal */
  get readyCount(): number {
    return this.#ready.length;
  }

  /** Seconds until the next timer is due (0 when ready or due now); Infinity when there is none. @internal */
  nextTimeout(): number {
    if (this.#ready.length > 0 || this.#stopping) return 0;
    const timers = this.#timers;
    while (timers.length > 0 && timers.peek()!.isCancelled) {
      this.#cancelledTimers--;
      timers.pop()!.scheduled = false;
    }
    if (timers.length === 0) return Infinity;
    return Math.max(0, timers.peekDeadline() - this.time());
  }

  /** True when stop() was called; the driver ends the run after this iteration. @internal */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Ends a run: called by the driver once stop() took effect. @internal */
  protected finishRunning(): void {
    this.#stopping = false;
    this.#state = 'idle';
    if (loops.running === this) loops.running = null;
    releaseTaskStoreWhenIdle(noLoopRuns);
  }

  // --- what a subclass provides ----------------------------------------------

  /** Starts driving iterations; calls `done` once a stop took effect. */
  protected abstract startRunning(done: () => void): void;

  /** A callback became ready while the loop was not inside runOnce(). */
  protected abstract readyWhileIdle(): void;

  /** A timer was added while the loop was not inside runOnce(). */
  protected abstract timerAddedWhileIdle(timer: TimerHandle): void;

  // --- checks --------------------------------------------------------------

  #checkClosed(method: string): void {
    if (this.#state === 'closed') throw new RuntimeError(`${method}(): Event loop is closed; create a new one with newEventLoop()`);
  }

  #checkNotRunning(): void {
    if (this.#state === 'running') throw new RuntimeError('This event loop is already running');
    if (loops.running !== null && loops.running !== this) {
      throw new RuntimeError('Cannot run the event loop while another loop is running');
    }
  }

  toString(): string {
    return `<${this.constructor.name} #${this.#id} running=${this.isRunning()} closed=${this.isClosed()} debug=${this.#debug}>`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A task as asyncio prints it in debug mode, with where it was created. */
function describeTask(task: Task<unknown>): string {
  const text = String(task);
  if (task.sourceTraceback === undefined) return text;
  return `${text.slice(0, -1)} created at ${creationSite(task.sourceTraceback)}>`;
}

function noLoopRuns(): boolean {
  return loops.running === null;
}

function keepScheduled(timer: TimerHandle): boolean {
  if (timer.isCancelled) timer.scheduled = false;
  return !timer.isCancelled;
}

function debugFromEnvironment(): boolean {
  const value = process.env.ASYNCIO_TS_DEBUG;
  return value !== undefined && value !== '' && value !== '0';
}

/** A stack for debug mode, without this package's own frames. @internal */
export function captureStack(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, captureStack);
  return holder.stack ?? '';
}

/** The frames of a captured stack, without its `Error` header line. */
function stackFrames(stack: unknown): string {
  return String(stack).replace(/^Error:?[^\n]*\n/, '');
}

/** An error with its stack, for logs. @internal */
export function formatException(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return inspect(error);
}

export { creationSite };
