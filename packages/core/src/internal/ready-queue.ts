// The loop's ready queue: a FIFO ring of entries, each a Handle (one slot)
// or a bare callback with up to two arguments and its async context (four).
//
// callSoon() must return a Handle, but the package's own callbacks (a task's
// step, its wake-up, a done callback, sleep(0)'s completion) never hand
// theirs out: they are queued bare, and a loop running 100,000 tasks makes no
// object per step for the collector to copy. A Handle is made for a bare
// entry only when one is needed: its callback failed (the exception
// handler's context names the handle), or someone asks for the entry itself
// (shift(), peek()).
//
// It is a Deque<Handle> to whoever only pushes Handles (the I/O registry).
import { Handle, reportCallbackError, type Callback, type HandleOwner } from '../handle.js';
import type { ContextRunner } from './context.js';
import { Deque } from './deque.js';

/** Slots a bare callback takes: the callback, arg0, arg1, its context. A Handle takes one. */
const CALL_SLOTS = 4;

/** The ring's size (in slots) after iterationDone() let a ring of LARGE or more go. */
const INITIAL = 1024;
const LARGE = 16 * INITIAL;

/**
 * Stands in the first slot of a bare entry that was made into a Handle
 * (which its second slot holds from then on), so that the entry keeps its
 * four slots.
 */
function madeHandle(): void {}

export class ReadyQueue extends Deque<Handle> {
  /**
   * A ring of slots: an entry is a Handle (one slot), or a callback followed
   * by its two arguments and its context (four slots). A function starts a
   * bare entry; anything else is a Handle.
   */
  #slots: unknown[];
  /** The first entry's slot; slots in use; entries; the ring's mask (capacity - 1, in slots). */
  #head = 0;
  #used = 0;
  #count = 0;
  #mask: number;
  /** Slots consumed since the last iterationDone(). */
  #ran = 0;

  constructor(capacity = 16) {
    super();
    let size = 16;
    while (size < capacity) size *= 2;
    this.#slots = new Array(size);
    this.#mask = size - 1;
  }

  override get length(): number {
    return this.#count;
  }

  /** Appends a Handle; it runs unless cancelled meanwhile. */
  override push(handle: Handle): void {
    if (this.#used === this.#mask + 1) this.#grow(1);
    this.#slots[(this.#head + this.#used) & this.#mask] = handle;
    this.#used++;
    this.#count++;
  }

  /** Appends `callback(arg0, arg1)`, to run in `context` (null: the loop's own), with no Handle made. */
  pushCall(callback: Callback, arg0: unknown, arg1: unknown, context: ContextRunner | null): void {
    if (this.#used + CALL_SLOTS > this.#mask + 1) this.#grow(CALL_SLOTS);
    const slots = this.#slots;
    const mask = this.#mask;
    const index = this.#head + this.#used;
    slots[index & mask] = callback;
    slots[(index + 1) & mask] = arg0;
    slots[(index + 2) & mask] = arg1;
    slots[(index + 3) & mask] = context;
    this.#used += CALL_SLOTS;
    this.#count++;
  }

  /** The context the first entry runs in (null: the loop's own scope); undefined when empty. */
  peekContext(): ContextRunner | null | undefined {
    if (this.#count === 0) return undefined;
    const first = this.#slots[this.#head];
    if (typeof first !== 'function') return (first as Handle).context;
    return this.#slots[(this.#head + 3) & this.#mask] as ContextRunner | null;
  }

  /**
   * Removes the first entry and runs it in the async context that is
   * current (the caller entered the entry's): a cancelled Handle is skipped,
   * and an error goes to the loop's exception handler.
   */
  runFirst(loop: HandleOwner): void {
    const slots = this.#slots;
    const mask = this.#mask;
    const head = this.#head;
    const first = slots[head];
    slots[head] = undefined;
    if (typeof first !== 'function') {
      this.#head = (head + 1) & mask;
      this.#used--;
      this.#count--;
      this.#ran++;
      const handle = first as Handle;
      if (handle.callback !== null) handle.runHere(loop);
      return;
    }
    const arg0 = slots[(head + 1) & mask];
    const arg1 = slots[(head + 2) & mask];
    const context = slots[(head + 3) & mask] as ContextRunner | null;
    slots[(head + 1) & mask] = slots[(head + 2) & mask] = slots[(head + 3) & mask] = undefined;
    this.#head = (head + CALL_SLOTS) & mask;
    this.#used -= CALL_SLOTS;
    this.#count--;
    this.#ran += CALL_SLOTS;
    if (first === madeHandle) {
      const handle = arg0 as Handle;
      if (handle.callback !== null) handle.runHere(loop);
      return;
    }
    loop.scope.callbackStarting();
    try {
      (first as Callback)(arg0, arg1);
    } catch (error) {
      reportCallbackError(loop, new Handle(first as Callback, null, context, arg0, arg1), first as Callback, error);
    }
  }

  /** Removes and returns the first entry as a Handle (made for a bare callback); undefined when empty. */
  override shift(): Handle | undefined {
    if (this.#count === 0) return undefined;
    const head = this.#head;
    const size = typeof this.#slots[head] === 'function' ? CALL_SLOTS : 1;
    const handle = this.#handleAt(head);
    for (let offset = 0; offset < size; offset++) this.#slots[(head + offset) & this.#mask] = undefined;
    this.#head = (head + size) & this.#mask;
    this.#used -= size;
    this.#count--;
    return handle;
  }

  /** The first entry as a Handle; a bare callback becomes one, which stands for it from then on. */
  override peek(): Handle | undefined {
    return this.#count === 0 ? undefined : this.#handleAt(this.#head);
  }

  /** Removes the first entry that is `item`; true when there was one. */
  override remove(item: Handle): boolean {
    const handles = [...this];
    const index = handles.indexOf(item);
    if (index < 0) return false;
    handles.splice(index, 1);
    this.clear();
    for (const handle of handles) this.push(handle);
    return true;
  }

  override clear(): void {
    this.#slots = new Array(16);
    this.#mask = 15;
    this.#head = 0;
    this.#used = 0;
    this.#count = 0;
  }

  /** The entries as Handles (bare callbacks become Handles, which stand for them from then on). */
  override *[Symbol.iterator](): IterableIterator<Handle> {
    let slot = this.#head;
    for (let entry = 0; entry < this.#count; entry++) {
      const size = typeof this.#slots[slot] === 'function' ? CALL_SLOTS : 1;
      yield this.#handleAt(slot);
      slot = (slot + size) & this.#mask;
    }
  }

  /** The entry at `slot` as a Handle, made once for a bare callback (see madeHandle). */
  #handleAt(slot: number): Handle {
    const slots = this.#slots;
    const first = slots[slot];
    if (typeof first !== 'function') return first as Handle;
    const mask = this.#mask;
    if (first === madeHandle) return slots[(slot + 1) & mask] as Handle;
    const handle = new Handle(first as Callback, null, slots[(slot + 3) & mask] as ContextRunner | null, slots[(slot + 1) & mask], slots[(slot + 2) & mask]);
    slots[slot] = madeHandle;
    slots[(slot + 1) & mask] = handle;
    slots[(slot + 2) & mask] = undefined;
    return handle;
  }

  /**
   * Called after each iteration: lets a big ring go once a burst is over,
   * that is when the queue is empty and the iteration used a small part of
   * it (a burst of 100,000 tasks would leave megabytes behind). A queue
   * that empties every iteration but is refilled in full (async functions
   * refill it between iterations) keeps its ring.
   */
  iterationDone(): void {
    const ran = this.#ran;
    this.#ran = 0;
    if (this.#count > 0 || this.#mask < LARGE || ran * 8 > this.#mask) return;
    this.#slots = new Array(INITIAL);
    this.#mask = INITIAL - 1;
    this.#head = 0;
    this.#used = 0;
  }

  #grow(needed: number): void {
    const old = this.#slots;
    let capacity = (this.#mask + 1) * 2;
    while (capacity < this.#used + needed) capacity *= 2;
    const slots: unknown[] = new Array(capacity);
    for (let offset = 0; offset < this.#used; offset++) slots[offset] = old[(this.#head + offset) & this.#mask];
    this.#slots = slots;
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
