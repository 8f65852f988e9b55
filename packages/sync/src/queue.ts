/**
 * Queue, PriorityQueue and LifoQueue: queues between tasks, with asyncio's
 * put/get/join/taskDone and Python 3.13's shutdown() (asyncio.Queue,
 * asyncio.PriorityQueue, asyncio.LifoQueue). One template: the variants
 * choose only where items are kept (createStore(), asyncio's _init/_get/_put).
 *
 * Waiters are served first come, first served. A woken getter is handed
 * its item, and a woken putter its free slot, when it is woken: nobody can
 * take them in between, and a waiter cancelled before it resumes gives them
 * back (the item goes back to the front), so nothing is lost.
 *
 * Differences from asyncio:
 * - get(), put() and join() return loop Futures (`await` or `yield*`); a
 *   queue is also async-iterable: `for await (const item of queue)` ends
 *   when the queue is shut down and empty.
 * - asyncio wakes a getter and lets it take the item when it runs, so a
 *   getNowait() in between can take the item first, and the getter waits
 *   again at the back; likewise a putNowait() can take a woken putter's
 *   slot. Here the item (or slot) is set aside for the woken waiter: qsize()
 *   drops when a getter is woken, and full() still counts the slot until the
 *   waiter resumes, so getNowait() and putNowait() cannot jump the queue.
 * - maxsize may be any number (Python allows a float); 0 or less means no
 *   limit.
 * - PriorityQueue orders items as heapq does with Python's `<` (numbers,
 *   strings, Dates, and arrays as tuples: `[priority, item]`), or by the
 *   `compare` option.
 */
import { inspect } from 'node:util';
import { getRunningLoop, ValueError, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { QueueEmpty, QueueFull, QueueShutDown } from './errors.js';
import { BinaryHeap } from './internal/binary-heap.js';
import { describe } from './internal/checks.js';
import { LoopBound } from './internal/loop-bound.js';
import { pythonLess } from './internal/python-order.js';
import { RingBuffer } from './internal/ring-buffer.js';
import { doneOn, Waiter, type WaiterOwner } from './internal/waiter.js';
import { WaiterList } from './internal/waiter-list.js';

/**
 * Where a queue keeps its items: what a subclass gives from createStore()
 * (asyncio's `_init`, `_get`, `_put`).
 */
export interface QueueStore<T> {
  /** How many items are stored. */
  readonly length: number;
  /** Stores an item (asyncio's `_put`). */
  put(item: T): void;
  /** Removes and returns the next item; called only when length > 0 (asyncio's `_get`). */
  get(): T;
  /** Stores again an item that get() just returned, so that it comes out next: a getter was cancelled before it could use it. */
  unget(item: T): void;
  /** The items, for printing. */
  toArray(): T[];
}

/** Options of a PriorityQueue. */
export interface PriorityQueueOptions<T> {
  /**
   * Orders the items: negative when `a` comes out before `b`, as
   * Array.prototype.sort's comparator. By default, Python's `<` as heapq uses it.
   */
  compare?: (a: T, b: T) => number;
}

/**
 * A FIFO queue between tasks.
 * @example
 * const queue = new Queue<string>(10);     // at most 10 items
 * // producer (generator coroutine)
 * yield* queue.put('job');
 * // consumer (async function)
 * for await (const job of queue) {
 *   await handle(job);
 *   queue.taskDone();
 * }
 */
export class Queue<T = unknown> extends LoopBound implements AsyncIterable<T> {
  readonly #maxsize: number;
  readonly #store: QueueStore<T>;
  // A getter's payload is the item handed to it; a putter's, the item it puts.
  readonly #getters = new WaiterList<Waiter<T>>();
  readonly #putters = new WaiterList<Waiter<void>>();
  // Getters handed an item and putters handed a free slot that have not
  // resumed yet: each keeps its slot (full() counts it), so that a cancelled
  // one can give it back. None is handed anything once the queue is shut
  // down, so a woken waiter that resumes after shutdown() was woken before.
  #transitGetters = 0;
  #transitPutters = 0;
  readonly #joiners = new WaiterList<Waiter<void>>();
  #unfinished = 0;
  #shutdown = false;
  /** shutdown(true) was called: woken getters find their items dropped. */
  #shutdownImmediate = false;
  /** The done Future of a put() or join() that did not wait. */
  #done: Waiter<void> | null = null;
  /** What the getters' and the putters' hand-overs report to, made on the first wait. */
  #getterOwner: WaiterOwner | null = null;
  #putterOwner: WaiterOwner | null = null;

  /**
   * @param maxsize The most items the queue holds; 0 or less (the default) for no limit.
   * @throws TypeError when maxsize is not a number.
   */
  constructor(maxsize = 0, options: object = {}) {
    super();
    if (typeof maxsize !== 'number' || Number.isNaN(maxsize)) {
      throw new TypeError(`${new.target.name}() expects maxsize as a number of items, got ${describe(maxsize)}; 0 means no limit`);
    }
    this.#maxsize = maxsize;
    this.#store = this.createStore(maxsize, options);
  }

  /** Makes the store of items; FIFO here, overridden by PriorityQueue and LifoQueue. */
  protected createStore(_maxsize: number, _options: object): QueueStore<T> {
    return new RingBuffer<T>();
  }

  /** The most items the queue holds; 0 or less for no limit. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** How many items are in the queue. */
  qsize(): number {
    return this.#store.length;
  }

  /** True when there is no item in the queue. */
  empty(): boolean {
    return this.#store.length === 0;
  }

  /** True when put() would wait: maxsize items are in the queue, or promised to woken waiters. */
  full(): boolean {
    return this.#maxsize > 0 && this.#store.length + this.#transitGetters + this.#transitPutters >= this.#maxsize;
  }

  /**
   * Puts an item without waiting.
   * @throws QueueFull when the queue is full; QueueShutDown after shutdown().
   */
  putNowait(item: T): void {
    if (this.#shutdown) throw new QueueShutDown('putNowait() on a shut-down queue');
    if (this.full()) throw new QueueFull(`putNowait() on a full queue (maxsize ${this.#maxsize}); await put() to wait for a free slot`);
    this.#put(item);
  }

  /**
   * Puts an item, waiting for a free slot while the queue is full: a Future
   * that resolves once the item is in the queue. It fails with QueueShutDown
   * after shutdown(), also while waiting.
   * @throws RuntimeError when no loop is running, or the queue waits on another loop.
   * @example
   * await queue.put(item);     // async function
   * yield* queue.put(item);    // generator coroutine
   */
  put(item: T): Future<void> {
    const loop = getRunningLoop();
    if (this.#shutdown) return Waiter.failed(loop, new QueueShutDown('put() on a shut-down queue'));
    // Putters wait only while the queue is full: not full means nobody waits.
    if (!this.full()) {
      this.#put(item);
      return (this.#done = doneOn(this.#done, loop, undefined));
    }
    this.bindLoop(loop);
    const waiter = new Waiter<void>(loop, this.#putterOwner ?? this.#makeOwners(true), item, true);
    this.#putters.push(waiter);
    return waiter;
  }

  /**
   * Removes and returns the next item without waiting.
   * @throws QueueEmpty when the queue is empty; QueueShutDown when it is empty and shut down.
   */
  getNowait(): T {
    if (this.#store.length === 0) {
      if (this.#shutdown) throw new QueueShutDown('getNowait() on a shut-down, empty queue');
      throw new QueueEmpty('getNowait() on an empty queue; await get() to wait for an item');
    }
    return this.#get();
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty: a
   * Future of the item. It fails with QueueShutDown once the queue is shut
   * down and empty (at once after shutdown(true)).
   * @throws RuntimeError when no loop is running, or the queue waits on another loop.
   * @example
   * const item = await queue.get();     // async function
   * const item = yield* queue.get();    // generator coroutine
   */
  get(): Future<T> {
    const loop = getRunningLoop();
    // Getters wait only while the queue is empty: an item means nobody waits.
    if (this.#store.length > 0) return Waiter.resolved(loop, this.#get());
    if (this.#shutdown) return Waiter.failed(loop, new QueueShutDown('get() on a shut-down, empty queue'));
    this.bindLoop(loop);
    const waiter = new Waiter<T>(loop, this.#getterOwner ?? this.#makeOwners(false), undefined);
    this.#getters.push(waiter);
    return waiter;
  }

  /**
   * Marks one item taken from the queue as processed; join() resolves when
   * every item put was marked so.
   * @throws ValueError when called more times than items were put.
   */
  taskDone(): void {
    if (this.#unfinished <= 0) {
      throw new ValueError('taskDone() called too many times: more than items were put; call it once per item taken');
    }
    this.#unfinished--;
    if (this.#unfinished === 0) this.#finished();
  }

  /**
   * A Future that resolves once every item put has been taken and marked
   * processed with taskDone() (already done when none is unfinished).
   * @throws RuntimeError when no loop is running, or the queue waits on another loop.
   */
  join(): Future<void> {
    const loop = getRunningLoop();
    if (this.#unfinished === 0) return (this.#done = doneOn(this.#done, loop, undefined));
    this.bindLoop(loop);
    const waiter = new Waiter<void>(loop, null, undefined);
    this.#joiners.push(waiter);
    return waiter;
  }

  /**
   * Shuts the queue down: put() and putNowait() fail with QueueShutDown from
   * now on, and so do get() and getNowait() once the queue is empty. Waiting
   * putters and getters fail at once. With `immediate`, the items left are
   * dropped (and counted as done for join()), so gets fail at once too.
   */
  shutdown(immediate = false): void {
    this.#shutdown = true;
    // A woken putter that has not resumed would put into a shut-down queue:
    // it fails when it resumes, and keeps no slot.
    this.#transitPutters = 0;
    if (immediate) {
      // A woken getter's item counts as still in the queue: dropped with the rest.
      this.#shutdownImmediate = true;
      this.#unfinished = Math.max(0, this.#unfinished - this.#transitGetters);
      this.#transitGetters = 0;
      while (this.#store.length > 0) {
        this.#store.get();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      if (this.#unfinished === 0) this.#finished();
    }
    for (const getter of this.#getters.drain()) getter.setException(new QueueShutDown('get() on a queue shut down while waiting'));
    for (const putter of this.#putters.drain()) putter.setException(new QueueShutDown('put() on a queue shut down while waiting'));
  }

  /**
   * Iterates over the items as get() gives them, until the queue is shut
   * down and empty. taskDone() is still the consumer's to call.
   * @example
   * for await (const item of queue) { ...; queue.taskDone(); }
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    const next = (): Promise<IteratorResult<T, undefined>> =>
      this.get().then(
        (value): IteratorResult<T, undefined> => ({ value, done: false }),
        (error: unknown): IteratorResult<T, undefined> => {
          if (QueueShutDown.isInstance(error)) return { value: undefined, done: true };
          throw error;
        },
      );
    const iterator: AsyncIterableIterator<T> = {
      next,
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #put(item: T): void {
    this.#unfinished++;
    if (this.#getters.length > 0 && this.#store.length === 0) {
      // Straight to the first getter (what #settle() would do, without the store).
      const getter = this.#getters.shift()!;
      getter.payload = item;
      this.#transitGetters++;
      getter.handOver();
      return;
    }
    this.#store.put(item);
    if (this.#getters.length > 0) this.#settle();
  }

  #get(): T {
    const item = this.#store.get();
    if (this.#putters.length > 0) this.#settle();
    return item;
  }

  #finished(): void {
    for (let waiter = this.#joiners.shift(); waiter !== null; waiter = this.#joiners.shift()) waiter.setResult(undefined);
  }

  /**
   * Hands items to waiting getters and free slots to waiting putters, first
   * come first served, until neither can go on. A woken waiter keeps its
   * slot (counted by full()) until it resumes: a putter puts its item then,
   * a getter cancelled before that puts its item back at the front.
   */
  #settle(): void {
    for (;;) {
      if (this.#getters.length > 0 && this.#store.length > 0) {
        const getter = this.#getters.shift()!;
        getter.payload = this.#store.get();
        this.#transitGetters++;
        getter.handOver();
      } else if (this.#putters.length > 0 && !this.full()) {
        const putter = this.#putters.shift()!;
        this.#transitPutters++;
        putter.handOver();
      } else {
        return;
      }
    }
  }

  /** Makes the owners of the getters' and the putters' waiters; returns one of them. */
  #makeOwners(putters: boolean): WaiterOwner {
    this.#getterOwner = {
      resumed: () => {
        // asyncio's getter would find the queue drained when it runs.
        if (this.#shutdownImmediate) throw new QueueShutDown('get() on a queue shut down with immediate=true before the getter resumed');
        this.#transitGetters--;
        // Its slot is free now: a putter may go on.
        if (this.#putters.length > 0) this.#settle();
      },
      abandoned: (waiter) => {
        if (this.#shutdownImmediate) return;
        this.#transitGetters--;
        this.#store.unget(waiter.payload as T);
        this.#settle();
      },
      left: ignore,
    };
    this.#putterOwner = {
      resumed: (waiter) => {
        // asyncio's putter would meet the shutdown in put_nowait() when it runs.
        if (this.#shutdown) throw new QueueShutDown('put() on a queue shut down before the putter resumed');
        this.#transitPutters--;
        this.#store.put(waiter.payload as T);
        this.#unfinished++;
        this.#settle();
      },
      abandoned: () => {
        if (this.#shutdown) return;
        this.#transitPutters--;
        this.#settle();
      },
      left: ignore,
    };
    return putters ? this.#putterOwner : this.#getterOwner;
  }

  /** `Queue [maxsize:0, items:[1, 2], getters:1, tasks:2, shutdown]`, after asyncio's repr. */
  override toString(): string {
    const parts = [`maxsize:${this.#maxsize}`];
    if (this.#store.length > 0) {
      const items = this.#store.toArray();
      const shown = items.slice(0, 10).map((item) => describe(item));
      if (items.length > 10) shown.push(`... ${items.length - 10} more`);
      parts.push(`items:[${shown.join(', ')}]`);
    }
    if (this.#getters.length > 0) parts.push(`getters:${this.#getters.length}`);
    if (this.#putters.length > 0) parts.push(`putters:${this.#putters.length}`);
    if (this.#unfinished > 0) parts.push(`tasks:${this.#unfinished}`);
    if (this.#shutdown) parts.push('shutdown');
    return `${this.constructor.name} [${parts.join(', ')}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * A queue that gives the smallest item first: by Python's `<` as heapq
 * (numbers, strings, Dates, and arrays compared element by element, so
 * `[priority, item]` pairs work), or by the `compare` option.
 * @example
 * const jobs = new PriorityQueue<[number, string]>();
 * jobs.putNowait([2, 'later']);
 * jobs.putNowait([1, 'first']);
 * jobs.getNowait(); // [1, 'first']
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * @param maxsize The most items the queue holds; 0 or less (the default) for no limit.
   * @param options `compare(a, b)`: negative when a comes out first.
   */
  constructor(maxsize = 0, options: PriorityQueueOptions<T> = {}) {
    super(maxsize, options);
  }

  protected override createStore(_maxsize: number, options: PriorityQueueOptions<T>): QueueStore<T> {
    const compare = options.compare;
    if (compare === undefined) return new BinaryHeap<T>(pythonLess);
    if (typeof compare !== 'function') {
      throw new TypeError(`PriorityQueue() expects options.compare as a function (a, b) => number, got ${describe(compare)}`);
    }
    return new BinaryHeap<T>((a, b) => compare(a, b) < 0);
  }
}

/**
 * A queue that gives the most recently put item first.
 * @example
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1);
 * stack.putNowait(2);
 * stack.getNowait(); // 2
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  protected override createStore(): QueueStore<T> {
    return new Stack<T>();
  }
}

class Stack<T> implements QueueStore<T> {
  readonly #items: T[] = [];

  get length(): number {
    return this.#items.length;
  }

  put(item: T): void {
    this.#items.push(item);
  }

  get(): T {
    return this.#items.pop() as T;
  }

  unget(item: T): void {
    this.#items.push(item);
  }

  toArray(): T[] {
    return this.#items.slice();
  }
}

function ignore(): void {}
