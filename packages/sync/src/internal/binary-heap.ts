// A binary min-heap: the items of a PriorityQueue. The sifting is heapq's
// (siftup moves the hole to a leaf, then siftdown), so items that compare
// equal come out in the same order as from Python's heapq.

export class BinaryHeap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  get length(): number {
    return this.#items.length;
  }

  /** Adds `item` (heapq.heappush). */
  put(item: T): void {
    this.#items.push(item);
    this.#siftDown(0, this.#items.length - 1);
  }

  /** Removes and returns the smallest item (heapq.heappop); the caller checks length first. */
  get(): T {
    const items = this.#items;
    const last = items.pop() as T;
    if (items.length === 0) return last;
    const smallest = items[0] as T;
    items[0] = last;
    this.#siftUp(0);
    return smallest;
  }

  /** Puts back an item get() gave: it is pushed again. */
  unget(item: T): void {
    this.put(item);
  }

  /** The items in heap order (as CPython prints a PriorityQueue's list). */
  toArray(): T[] {
    return this.#items.slice();
  }

  /** Moves the item at `pos` up towards `start` while it is less than its parent. */
  #siftDown(start: number, pos: number): void {
    const items = this.#items;
    const item = items[pos] as T;
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = items[parentPos] as T;
      if (!this.#less(item, parent)) break;
      items[pos] = parent;
      pos = parentPos;
    }
    items[pos] = item;
  }

  /** Moves the hole at `pos` down to a leaf along the smaller children, then sifts the item into place. */
  #siftUp(pos: number): void {
    const items = this.#items;
    const end = items.length;
    const start = pos;
    const item = items[pos] as T;
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !this.#less(items[child] as T, items[right] as T)) child = right;
      items[pos] = items[child] as T;
      pos = child;
      child = 2 * pos + 1;
    }
    items[pos] = item;
    this.#siftDown(start, pos);
  }
}
