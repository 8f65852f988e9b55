// An intrusive FIFO list of waiters: each waiter carries its own links, so
// that joining, leaving from the middle (a cancelled waiter) and waking the
// first cost O(1) and allocate nothing. asyncio keeps a deque and skips the
// cancelled futures lazily; leaving at once keeps `waiters:N` exact and lets
// a waiter that is cancelled over and over (a retry with a timeout behind a
// lock held for long) leave nothing behind.

/** What a list links: the Waiter base class provides these fields. */
export interface Linked {
  prevWaiter: Linked | null;
  nextWaiter: Linked | null;
  list: WaiterList<Linked> | null;
}

export class WaiterList<W extends Linked> {
  #head: W | null = null;
  #tail: W | null = null;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The first waiter, or null. */
  peek(): W | null {
    return this.#head;
  }

  /** Adds `waiter` at the end; it must not be in a list. */
  push(waiter: W): void {
    waiter.list = this as unknown as WaiterList<Linked>;
    waiter.prevWaiter = this.#tail;
    waiter.nextWaiter = null;
    if (this.#tail === null) this.#head = waiter;
    else this.#tail.nextWaiter = waiter;
    this.#tail = waiter;
    this.#length++;
  }

  /** Removes and returns the first waiter, or null when the list is empty. */
  shift(): W | null {
    const head = this.#head;
    if (head !== null) this.remove(head);
    return head;
  }

  /** Removes `waiter` if it is in this list; true when it was. */
  remove(waiter: W): boolean {
    if (waiter.list !== (this as unknown as WaiterList<Linked>)) return false;
    const { prevWaiter, nextWaiter } = waiter;
    if (prevWaiter === null) this.#head = nextWaiter as W | null;
    else prevWaiter.nextWaiter = nextWaiter;
    if (nextWaiter === null) this.#tail = prevWaiter as W | null;
    else nextWaiter.prevWaiter = prevWaiter;
    waiter.prevWaiter = null;
    waiter.nextWaiter = null;
    waiter.list = null;
    this.#length--;
    return true;
  }

  /** Removes every waiter and returns them in order. */
  drain(): W[] {
    const all: W[] = [];
    for (let waiter = this.shift(); waiter !== null; waiter = this.shift()) all.push(waiter);
    return all;
  }

  *[Symbol.iterator](): IterableIterator<W> {
    for (let waiter = this.#head; waiter !== null; waiter = waiter.nextWaiter as W | null) yield waiter;
  }
}
