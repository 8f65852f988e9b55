// A binary min-heap of timers ordered by deadline, then by insertion order, so
// timers with the same deadline run in the order they were scheduled (as
// asyncio's heapq of TimerHandles, whose ties fall back to creation order).
//
// The keys live in typed arrays beside the items: sifting compares numbers in
// contiguous memory instead of chasing a pointer to each timer, which is what
// a heap of 200,000 timers spends its time on otherwise.

export interface HeapItem {
  /** The sort key (a timer's deadline). */
  readonly deadline: number;
}

export class TimerHeap<T extends HeapItem> {
  #items: (T | undefined)[] = [];
  #deadlines = new Float64Array(64);
  #sequences = new Float64Array(64);
  #size = 0;
  #sequence = 0;

  get length(): number {
    return this.#size;
  }

  peek(): T | undefined {
    return this.#size > 0 ? this.#items[0] : undefined;
  }

  /** The insertion sequence the next pushed item gets. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** The insertion sequence of the earliest item; Infinity when empty. */
  peekSequence(): number {
    return this.#size > 0 ? this.#sequences[0]! : Infinity;
  }

  /** The earliest deadline; Infinity when empty. */
  peekDeadline(): number {
    return this.#size > 0 ? this.#deadlines[0]! : Infinity;
  }

  push(item: T): void {
    if (this.#size === this.#deadlines.length) this.#grow();
    const deadline = item.deadline;
    const sequence = this.#sequence++;
    const items = this.#items;
    const deadlines = this.#deadlines;
    const sequences = this.#sequences;
    let index = this.#size++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentDeadline = deadlines[parent]!;
      if (parentDeadline < deadline || (parentDeadline === deadline && sequences[parent]! < sequence)) break;
      items[index] = items[parent];
      deadlines[index] = parentDeadline;
      sequences[index] = sequences[parent]!;
      index = parent;
    }
    items[index] = item;
    deadlines[index] = deadline;
    sequences[index] = sequence;
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const items = this.#items;
    const top = items[0];
    const last = --this.#size;
    if (last > 0) this.#siftDown(items[last]!, this.#deadlines[last]!, this.#sequences[last]!, last);
    items[last] = undefined;
    return top;
  }

  /** Keeps only the items that pass `keep` (asyncio's heap rebuild when too many timers are cancelled). */
  filter(keep: (item: T) => boolean): void {
    const kept: [T, number][] = [];
    for (let index = 0; index < this.#size; index++) {
      const item = this.#items[index]!;
      if (keep(item)) kept.push([item, this.#sequences[index]!]);
    }
    kept.sort((a, b) => a[0].deadline - b[0].deadline || a[1] - b[1]);
    this.#items = kept.map(([item]) => item);
    for (let index = 0; index < kept.length; index++) {
      this.#deadlines[index] = kept[index]![0].deadline;
      this.#sequences[index] = kept[index]![1];
    }
    this.#size = kept.length;
  }

  values(): readonly T[] {
    return this.#items.slice(0, this.#size) as T[];
  }

  /** Moves `item` (with its keys) down from the root into place, in a heap of `size` items. */
  #siftDown(item: T, deadline: number, sequence: number, size: number): void {
    const items = this.#items;
    const deadlines = this.#deadlines;
    const sequences = this.#sequences;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      let child = left;
      const right = left + 1;
      if (right < size) {
        const rightDeadline = deadlines[right]!;
        const leftDeadline = deadlines[left]!;
        if (rightDeadline < leftDeadline || (rightDeadline === leftDeadline && sequences[right]! < sequences[left]!)) child = right;
      }
      const childDeadline = deadlines[child]!;
      if (deadline < childDeadline || (deadline === childDeadline && sequence < sequences[child]!)) break;
      items[index] = items[child];
      deadlines[index] = childDeadline;
      sequences[index] = sequences[child]!;
      index = child;
    }
    items[index] = item;
    deadlines[index] = deadline;
    sequences[index] = sequence;
  }

  #grow(): void {
    const capacity = this.#deadlines.length * 2;
    const deadlines = new Float64Array(capacity);
    deadlines.set(this.#deadlines);
    const sequences = new Float64Array(capacity);
    sequences.set(this.#sequences);
    this.#deadlines = deadlines;
    this.#sequences = sequences;
  }
}
