// A FIFO queue of waiters on a ring buffer, where a waiter may also leave
// from the middle (a cancelled waiter). asyncio keeps a deque and removes a
// cancelled future from it (deque.remove, O(n)); here leaving is O(1): the
// waiter forgets the list (its `list` field) and its slot stays behind as a
// hole, which shift() skips and a compaction drops once holes outnumber the
// waiters. So `length` (and `waiters:N`) counts only those still waiting, a
// waiter carries one field for it rather than two links, and a waiter that
// is cancelled over and over (a retry with a timeout behind a lock held for
// long) leaves nothing behind for long.
//
// A waiter that left a list is never pushed into it again (each list's
// waiters are new Futures, or move on to another list): its hole would come
// back to life.

/** What a list holds: the Waiter class provides this field. */
export interface Linked {
  /** The list the waiter is in, or null. */
  list: WaiterList<Linked> | null;
}

export class WaiterList<W extends Linked> {
  /** The slots, holes included: a ring of a power-of-two size. */
  #slots: (W | undefined)[] = new Array<W | undefined>(8);
  #mask = 7;
  #head = 0;
  /** Slots in use, holes included. */
  #used = 0;
  /** Waiters in the list. */
  #length = 0;

  /** How many waiters are in the list. */
  get length(): number {
    return this.#length;
  }

  /** Adds `waiter` at the end; it must not be in a list. */
  push(waiter: W): void {
    if (this.#used > this.#mask) this.#resize();
    waiter.list = this as unknown as WaiterList<Linked>;
    this.#slots[(this.#head + this.#used) & this.#mask] = waiter;
    this.#used++;
    this.#length++;
  }

  /** Removes and returns the first waiter, or null when the list is empty. */
  shift(): W | null {
    while (this.#used > 0) {
      const waiter = this.#slots[this.#head]!;
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
      this.#used--;
      if (waiter.list === (this as unknown as WaiterList<Linked>)) {
        waiter.list = null;
        this.#length--;
        return waiter;
      }
    }
    return null;
  }

  /** Removes `waiter` if it is in this list; true when it was. */
  remove(waiter: W): boolean {
    if (waiter.list !== (this as unknown as WaiterList<Linked>)) return false;
    waiter.list = null;
    this.#length--;
    // Holes at the front go at once (a queue's woken waiters leave in about
    // the order they came); the others, when they outnumber the waiters.
    while (this.#used > 0 && this.#slots[this.#head]!.list !== (this as unknown as WaiterList<Linked>)) {
      this.#slots[this.#head] = undefined;
      this.#head = (this.#head + 1) & this.#mask;
      this.#used--;
    }
    if (this.#used > 2 * this.#length + 16) this.#resize();
    return true;
  }

  /** Removes every waiter and returns them in order. */
  drain(): W[] {
    const all: W[] = [];
    for (let waiter = this.shift(); waiter !== null; waiter = this.shift()) all.push(waiter);
    return all;
  }

  *[Symbol.iterator](): IterableIterator<W> {
    for (const waiter of this.#waiters()) yield waiter;
  }

  /** The waiters in order, without the holes. */
  #waiters(): W[] {
    const used = this.#used;
    // No holes (a ring grown full): one preallocated copy.
    const waiters: W[] = this.#length === used ? new Array<W>(used) : [];
    for (let i = 0, j = 0; i < used; i++) {
      const waiter = this.#slots[(this.#head + i) & this.#mask]!;
      if (waiter.list === (this as unknown as WaiterList<Linked>)) waiters[j++] = waiter;
    }
    return waiters;
  }

  /** Drops the holes, into a ring with room for as many waiters again. */
  #resize(): void {
    const slots: (W | undefined)[] = this.#waiters();
    const used = slots.length;
    let size = 8;
    while (size < 2 * used) size *= 2;
    slots.length = size;
    this.#slots = slots;
    this.#mask = size - 1;
    this.#head = 0;
    this.#used = used;
  }
}
