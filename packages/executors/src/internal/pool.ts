// The pool behind ThreadPoolExecutor and ProcessPoolExecutor: a backlog of
// calls, up to maxWorkers seats (a worker thread each; for a process pool,
// a thread that proxies one child process), and the bookkeeping between them.
//
// Design for speed: one postMessage to a worker per batch of calls and one
// back per result; each worker holds up to PREFETCH calls so it never waits
// for the next one, and an idle worker steals queued calls from a busy one
// (see protocol.ts for the compareExchange that makes a queued call
// cancellable and movable until its worker starts it). Workers start lazily,
// as Python's do: a new one only when no worker is idle. A seat's port keeps
// the process alive only while it has calls in flight.
import { MessageChannel, receiveMessageOnPort, type MessagePort, type TransferListItem } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { bootFor, type EntryName } from '../entries.js';
import { RuntimeError, type BrokenExecutor } from '../errors.js';
import type { FunctionReference } from '../function-reference.js';
import { Future, type FutureWork } from '../future.js';
import { addResultSource, removeResultSource, wakeWord, type ResultSource } from './blocking.js';
import { Deque } from './deque.js';
import { ABORT, CANCELLED, MAX_TAG, QUEUED, RUNNING, STATES, type ChildOptions, type FromWorker, type FunctionDefinition, type TaskMessage } from './protocol.js';
import { deserializeError } from './remote-error.js';
import type { FromSupervisor } from './supervision.js';
import { startedSupervisor, supervisor } from './supervisor-client.js';

/** How many calls a worker may hold (one running, the rest queued in it). */
export const PREFETCH = 16;

/** Seconds a process proxy has to end its child before it is terminated. */
const PROXY_CLOSE_GRACE = 2;

export interface PoolConfig {
  kind: 'thread' | 'process';
  maxWorkers: number;
  initializer: FunctionReference | null;
  initargs: unknown[];
  /** Seconds a cancelled running call has to stop before its worker is killed. */
  cancelGrace: number;
  resourceLimits: ResourceLimits | undefined;
  child: ChildOptions | undefined;
  /** The pool's BrokenExecutor class. */
  broken: (message: string, options?: { cause?: unknown }) => BrokenExecutor;
}

/** One call: its future, what to run, and where it is. */
class WorkItem implements FutureWork {
  readonly id: number;
  readonly future = new Future<unknown>();
  readonly fn: FunctionReference;
  readonly args: unknown[];
  readonly transferList: TransferListItem[];
  readonly chunk: boolean;
  readonly #pool: WorkerPool;
  seat: Seat | null = null;
  slot = -1;
  word = 0;

  constructor(pool: WorkerPool, id: number, fn: FunctionReference, args: unknown[], transferList: TransferListItem[], chunk: boolean) {
    this.#pool = pool;
    this.id = id;
    this.fn = fn;
    this.args = args;
    this.transferList = transferList;
    this.chunk = chunk;
    this.future.attachWork(this);
  }

  cancelPending(): boolean {
    return this.#pool.cancelPending(this);
  }

  abortRunning(grace: number | undefined): boolean {
    return this.#pool.abortRunning(this, grace);
  }

  started(): boolean {
    return this.seat !== null && this.#pool.stateOf(this) !== QUEUED;
  }
}

/** A place for one worker; a worker that was killed is replaced in the same seat. */
class Seat {
  readonly index: number;
  /** The supervisor's key of the live worker; 0 when the seat has none. */
  key = 0;
  port: MessagePort | null = null;
  readonly inflight: WorkItem[] = [];
  readonly freeSlots: number[] = [];
  /** Functions this worker has been sent. */
  readonly known = new Set<number>();
  referenced = false;

  constructor(index: number) {
    this.index = index;
    for (let i = PREFETCH - 1; i >= 0; i--) this.freeSlots.push(index * PREFETCH + i);
  }

  get live(): boolean {
    return this.key !== 0;
  }
}

type PoolState = 'open' | 'shutdown' | 'broken';

export class WorkerPool implements ResultSource {
  readonly #config: PoolConfig;
  readonly #seats: Seat[] = [];
  readonly #backlog = new Deque<WorkItem>();
  readonly #inflight = new Map<number, WorkItem>();
  readonly #slots: Int32Array;
  readonly #wake = wakeWord();
  #nextId = 1;
  #nextTag = 1;
  #state: PoolState = 'open';
  #brokenMessage = '';
  #flushScheduled = false;
  #flushing = false;
  #registered = false;
  #closing = false;
  readonly #terminating = new Set<number>();
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(config: PoolConfig) {
    this.#config = config;
    this.#slots = new Int32Array(new SharedArrayBuffer(config.maxWorkers * PREFETCH * 4));
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  // --- the executor's side ---------------------------------------------------

  /**
   * Queues a call and returns its future.
   * @throws BrokenExecutor when the pool is broken; RuntimeError after shutdown.
   */
  submit(fn: FunctionReference, args: unknown[], transferList: TransferListItem[], chunk: boolean): Future<unknown> {
    this.checkOpen();
    const item = new WorkItem(this, this.#nextId++, fn, args, transferList, chunk);
    this.#backlog.push(item);
    this.#scheduleFlush();
    this.#updateRegistration();
    return item.future;
  }

  /** @throws BrokenExecutor when broken; RuntimeError after shutdown. */
  checkOpen(): void {
    if (this.#state === 'broken') throw this.#config.broken(this.#brokenMessage);
    if (this.#state === 'shutdown') throw new RuntimeError('cannot schedule new futures after shutdown');
  }

  /**
   * Stops taking calls; with cancelFutures, cancels those not started. The
   * workers end once the calls left are done. Resolves when they have ended.
   */
  shutdown(cancelFutures: boolean): Promise<void> {
    if (this.#state === 'open') this.#state = 'shutdown';
    if (cancelFutures) {
      for (const item of this.#backlog) item.future.cancel();
      for (const item of [...this.#inflight.values()]) item.future.cancel();
    }
    this.#maybeClose();
    return this.#closed;
  }

  /** True while calls are queued or in flight. */
  get busy(): boolean {
    if (this.#inflight.size > 0) return true;
    // Cancelled calls wait in the backlog until flush() meets them.
    while (this.#backlog.length > 0 && this.#backlog.peek()!.future.done()) this.#backlog.shift();
    return this.#backlog.length > 0;
  }

  /** The futures not done yet. */
  pendingFutures(): Future<unknown>[] {
    const futures: Future<unknown>[] = [];
    for (const item of this.#backlog) if (!item.future.done()) futures.push(item.future);
    for (const item of this.#inflight.values()) if (!item.future.done()) futures.push(item.future);
    return futures;
  }

  get workerCount(): number {
    let count = 0;
    for (const seat of this.#seats) if (seat.live) count++;
    return count;
  }

  // --- what a Future asks of its work ----------------------------------------

  /** @internal */
  stateOf(item: WorkItem): number {
    return Atomics.load(this.#slots, item.slot) - item.word;
  }

  /** @internal */
  cancelPending(item: WorkItem): boolean {
    if (item.seat === null) {
      // Still in the backlog: flush() skips it, now that its future is done.
      this.#scheduleFlush();
      return true;
    }
    if (Atomics.compareExchange(this.#slots, item.slot, item.word + QUEUED, item.word + CANCELLED) !== item.word + QUEUED) return false;
    this.#release(item);
    this.#scheduleFlush();
    return true;
  }

  /** @internal */
  abortRunning(item: WorkItem, grace: number | undefined): boolean {
    const seat = item.seat;
    if (seat === null || seat.port === null) return false;
    if (Atomics.compareExchange(this.#slots, item.slot, item.word + RUNNING, item.word + ABORT) !== item.word + RUNNING) return false;
    const seconds = grace ?? this.#config.cancelGrace;
    seat.port.postMessage({ type: 'abort', id: item.id, grace: seconds });
    // A process proxy kills its child itself; a thread needs the supervisor.
    if (this.#config.kind === 'thread' && seconds !== Infinity) {
      supervisor().killAfter(seat.key, this.#slots, item.slot, item.word + ABORT, seconds);
    }
    return true;
  }

  // --- dispatch --------------------------------------------------------------

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Hands queued calls to workers: idle ones, new ones, then as prefetch. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#flushing || this.#state === 'broken') return;
    this.#flushing = true;
    try {
      const batches = new Map<Seat, WorkItem[]>();
      while (this.#backlog.length > 0) {
        const item = this.#backlog.peek()!;
        if (item.future.done()) {
          this.#backlog.shift();
          continue;
        }
        const seat = this.#pickSeat();
        if (seat === null) break;
        this.#backlog.shift();
        this.#assign(seat, item);
        let batch = batches.get(seat);
        if (batch === undefined) batches.set(seat, (batch = []));
        batch.push(item);
      }
      for (const [seat, items] of batches) this.#send(seat, items);
      if (this.#backlog.length === 0) this.#balance();
      for (const seat of this.#seats) this.#updateRef(seat);
    } finally {
      this.#flushing = false;
    }
    this.#maybeClose();
    this.#updateRegistration();
  }

  #pickSeat(): Seat | null {
    let best: Seat | null = null;
    let empty: Seat | null = null;
    for (const seat of this.#seats) {
      if (!seat.live) {
        empty ??= seat;
        continue;
      }
      const load = seat.inflight.length;
      if (load === 0) return seat;
      if (load < PREFETCH && (best === null || load < best.inflight.length)) best = seat;
    }
    // No idle worker: start one, as Python does, while below maxWorkers.
    if (empty !== null) return this.#spawn(empty);
    if (this.#seats.length < this.#config.maxWorkers) {
      const seat = new Seat(this.#seats.length);
      this.#seats.push(seat);
      return this.#spawn(seat);
    }
    return best;
  }

  #assign(seat: Seat, item: WorkItem): void {
    const tag = this.#nextTag;
    this.#nextTag = tag >= MAX_TAG ? 1 : tag + 1;
    item.seat = seat;
    item.slot = seat.freeSlots.pop()!;
    item.word = tag * STATES;
    Atomics.store(this.#slots, item.slot, item.word + QUEUED);
    seat.inflight.push(item);
    this.#inflight.set(item.id, item);
  }

  #release(item: WorkItem): void {
    const seat = item.seat!;
    const index = seat.inflight.indexOf(item);
    if (index === 0) seat.inflight.shift();
    else if (index > 0) seat.inflight.splice(index, 1);
    seat.freeSlots.push(item.slot);
    this.#inflight.delete(item.id);
    item.seat = null;
  }

  #send(seat: Seat, items: WorkItem[]): void {
    let defs: FunctionDefinition[] | null = null;
    let transferList: TransferListItem[] | undefined;
    const tasks: TaskMessage[] = [];
    for (const item of items) {
      const { fn } = item;
      if (!seat.known.has(fn.id) && (defs === null || !defs.some((each) => each.id === fn.id))) (defs ??= []).push({ id: fn.id, spec: fn.spec });
      if (item.transferList.length > 0) (transferList ??= []).push(...item.transferList);
      tasks.push({ id: item.id, slot: item.slot, word: item.word, fn: fn.id, args: item.args, chunk: item.chunk });
    }
    try {
      seat.port!.postMessage({ type: 'run', defs, tasks }, transferList);
    } catch (error) {
      // Nothing was sent. Find the call that cannot be sent; the others go.
      if (items.length > 1) {
        for (const item of items) this.#send(seat, [item]);
        return;
      }
      const [item] = items as [WorkItem];
      this.#release(item);
      const message = error instanceof Error ? error.message : String(error);
      item.future.setException(new TypeError(`The arguments of ${item.fn.spec.name} cannot be sent to a worker: ${message}`, { cause: error }));
      return;
    }
    if (defs !== null) for (const definition of defs) seat.known.add(definition.id);
  }

  /** An idle worker takes half the queued calls of the busiest one. */
  #balance(): void {
    for (const idle of this.#seats) {
      if (!idle.live || idle.inflight.length > 0) continue;
      let victim: Seat | null = null;
      for (const seat of this.#seats) {
        if (seat.live && seat !== idle && seat.inflight.length > 1 && (victim === null || seat.inflight.length > victim.inflight.length)) victim = seat;
      }
      if (victim === null) return;
      // The first call is probably running; take half of those behind it, from the back.
      const wanted = Math.ceil((victim.inflight.length - 1) / 2);
      const stolen: WorkItem[] = [];
      for (let i = victim.inflight.length - 1; i >= 1 && stolen.length < wanted; i--) {
        const item = victim.inflight[i]!;
        if (Atomics.compareExchange(this.#slots, item.slot, item.word + QUEUED, item.word + CANCELLED) !== item.word + QUEUED) break;
        stolen.push(item);
      }
      if (stolen.length === 0) continue;
      stolen.reverse();
      for (const item of stolen) {
        this.#release(item);
        this.#assign(idle, item);
      }
      this.#send(idle, stolen);
    }
  }

  // --- workers ---------------------------------------------------------------

  #spawn(seat: Seat): Seat {
    const { port1, port2 } = new MessageChannel();
    const entry: EntryName = this.#config.kind === 'thread' ? 'thread' : 'process-proxy';
    const initializer = this.#config.initializer;
    const key = supervisor().spawn({
      boot: bootFor(entry),
      workerData: {
        port: port2,
        wake: this.#wake,
        slots: this.#slots,
        initializer: initializer === null ? null : { id: initializer.id, spec: initializer.spec },
        initargs: this.#config.initargs,
        child: this.#config.child,
      },
      transferList: [port2],
      resourceLimits: this.#config.resourceLimits,
      onExit: (report) => this.#onExit(seat, key, report),
    });
    seat.key = key;
    seat.port = port1;
    seat.known.clear();
    seat.referenced = true;
    port1.on('message', (message: FromWorker) => {
      this.#handle(seat, message);
      // Pull whatever else arrived: one event for a burst of results.
      for (let next = receiveMessageOnPort(port1); next !== undefined && seat.port === port1; next = receiveMessageOnPort(port1)) {
        this.#handle(seat, next.message as FromWorker);
      }
      this.#afterMessages();
    });
    return seat;
  }

  /** Handles one message of a seat's worker. */
  #handle(seat: Seat, message: FromWorker): void {
    switch (message.type) {
      case 'done': {
        const item = this.#inflight.get(message.id);
        if (item === undefined || item.seat !== seat) return;
        this.#release(item);
        if (item.future.done()) return; // cancelled while running: the outcome is dropped
        if (message.ok) item.future.setResult(message.value);
        else item.future.setException(deserializeError(message.error));
        return;
      }
      case 'init-failed': {
        const what = this.#config.kind === 'thread' ? 'A thread initializer failed, the thread pool' : 'A process initializer failed, the process pool';
        this.#break(`${what} is not usable anymore`, deserializeError(message.error));
        return;
      }
      case 'died':
        this.#break(message.message);
        return;
    }
  }

  #afterMessages(): void {
    if (this.#state === 'broken') return;
    this.flush();
  }

  #onExit(seat: Seat, key: number, report: FromSupervisor): void {
    if (this.#terminating.delete(key)) {
      this.#supervisorReleased();
      if (this.#closing && this.#terminating.size === 0) this.#resolveClosed();
    }
    if (seat.key !== key) return;
    this.#vacate(seat);
    if (this.#state === 'broken' || report.reason === 'terminated') return;
    if (report.reason === 'killed') {
      this.#requeueKilled(seat);
      this.flush();
      return;
    }
    const error = report.error === null ? undefined : deserializeError(report.error);
    const detail = error instanceof Error ? `: ${error.message}` : '';
    const what = this.#config.kind === 'thread' ? 'A worker thread' : 'A process worker';
    this.#break(`${what} terminated abruptly (exit code ${report.code}${detail}), the ${this.#config.kind} pool is not usable anymore`, error);
  }

  #vacate(seat: Seat): void {
    seat.port?.close();
    seat.port = null;
    seat.key = 0;
    seat.referenced = false;
    seat.known.clear();
  }

  /**
   * A worker was killed because its cancelled call ignored its signal: the
   * calls it had not started go back to the front of the backlog.
   */
  #requeueKilled(seat: Seat): void {
    const items = seat.inflight.slice();
    const requeue: WorkItem[] = [];
    for (const item of items) {
      const started = Atomics.compareExchange(this.#slots, item.slot, item.word + QUEUED, item.word + CANCELLED) !== item.word + QUEUED;
      this.#release(item);
      if (item.future.done()) continue;
      if (started) {
        // It started in the moment between the check and the kill: it cannot be resumed.
        item.future.setException(new RuntimeError(`The worker running ${item.fn.spec.name} was killed (another call on it ignored its cancellation)`));
      } else requeue.push(item);
    }
    for (let i = requeue.length - 1; i >= 0; i--) this.#backlog.unshift(requeue[i]!);
  }

  #terminate(seat: Seat): void {
    if (!seat.live || this.#terminating.has(seat.key)) return;
    this.#terminating.add(seat.key);
    supervisor().hold();
    if (this.#config.kind === 'process') {
      // The proxy ends (and reaps) its child, then itself; terminated if it takes too long.
      seat.port?.postMessage({ type: 'close' });
      supervisor().terminate(seat.key, PROXY_CLOSE_GRACE);
    } else {
      supervisor().terminate(seat.key);
    }
    seat.port?.unref();
    seat.referenced = false;
  }

  #supervisorReleased(): void {
    startedSupervisor()?.release();
  }

  /** The pool is broken: every call not done fails with the pool's BrokenExecutor. */
  #break(message: string, cause?: unknown): void {
    if (this.#state === 'broken') return;
    this.#state = 'broken';
    this.#brokenMessage = message;
    const error = this.#config.broken(message, cause === undefined ? undefined : { cause });
    const items = [...this.#backlog, ...this.#inflight.values()];
    this.#backlog.filter(() => false);
    for (const item of this.#inflight.values()) this.#release(item);
    for (const seat of this.#seats) this.#terminate(seat);
    this.#closing = true;
    if (this.#terminating.size === 0) this.#resolveClosed();
    this.#updateRegistration();
    for (const item of items) if (!item.future.done()) item.future.setException(error);
  }

  #maybeClose(): void {
    if (this.#state !== 'shutdown' || this.#closing || this.busy) return;
    this.#closing = true;
    for (const seat of this.#seats) this.#terminate(seat);
    if (this.#terminating.size === 0) this.#resolveClosed();
  }

  #updateRef(seat: Seat): void {
    const wanted = seat.inflight.length > 0;
    if (seat.port === null || wanted === seat.referenced) return;
    seat.referenced = wanted;
    if (wanted) seat.port.ref();
    else seat.port.unref();
  }

  /** A pool with work is drained by blocking waits on this thread. */
  #updateRegistration(): void {
    const wanted = this.#backlog.length > 0 || this.#inflight.size > 0;
    if (wanted === this.#registered) return;
    this.#registered = wanted;
    if (wanted) addResultSource(this);
    else removeResultSource(this);
  }

  // --- blocking waits --------------------------------------------------------

  /** Handles every message that has arrived, without the event loop (see blocking.ts). */
  drain(): void {
    startedSupervisor()?.drain();
    if (this.#flushScheduled) this.flush();
    for (const seat of this.#seats) {
      const port = seat.port;
      if (port === null) continue;
      for (let next = receiveMessageOnPort(port); next !== undefined && seat.port === port; next = receiveMessageOnPort(port)) {
        this.#handle(seat, next.message as FromWorker);
      }
    }
    this.#afterMessages();
    this.#updateRegistration();
  }
}
