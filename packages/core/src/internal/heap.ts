// A binary min-heap ordered by a key and then by insertion order, so timers
// with the same deadline run in the order they were scheduled. (asyncio's
// heapq of TimerHandles compares deadlines only, so its order for ties is
// arbitrary; scheduling order is one it may produce, and the one users expect.)

export interface HeapItem {
  /** The sort key (a timer's deadline). */
  readonly deadline: number;
  /** Insertion sequence, set by the heap; breaks ties FIFO. */
  heapSequence: number;
}

export class TimerHeap<T extends HeapItem> {
  #items: T[] = [];
  #sequence = 0;

  get length(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    item.heapSequence = this.#sequence++;
    const items = this.#items;
    let index = items.length;
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(item, items[parent]!)) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) this.#siftDown(last);
    return top;
  }

  /** Keeps only the items that pass `keep`, in O(n) (asyncio's heap rebuild when too many timers are cancelled). */
  filter(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    kept.sort((a, b) => (before(a, b) ? -1 : 1));
    this.#items = kept;
  }

  values(): readonly T[] {
    return this.#items;
  }

  #siftDown(item: T): void {
    const items = this.#items;
    const length = items.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, item)) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = item;
  }
}

function before(a: HeapItem, b: HeapItem): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.heapSequence < b.heapSequence);
}
