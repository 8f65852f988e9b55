// The loop's timers, ordered by deadline, then by insertion order, so that
// timers with the same deadline run in the order they were scheduled (as
// asyncio's heapq of TimerHandles, whose ties fall back to creation order).
//
// Two parts: a binary min-heap that takes each new timer, and a sorted run
// that the heap is poured into once it has grown big (at least 1,024 timers
// and half the run). Popping from a heap of 200,000 timers costs a few
// hundred nanoseconds each, most of it mispredicted branches on the way
// down; sorting the lot at once with the engine's numeric sort and then
// taking them from the front of the run costs a fraction of that. A program
// with a few timers never leaves the heap.
//
// The keys live in typed arrays beside the items: comparing numbers in
// contiguous memory instead of chasing a pointer to each timer.

export interface HeapItem {
  /** The sort key (a timer's deadline). */
  readonly deadline: number;
}

/** The heap is sorted into the run when it holds this many items and at least half as many as the run. */
const SORT_AT = 1024;

/** The quantized deadlines' range (31 bits, and one more quantum for +Infinity), sorted in passes of RADIX_BITS (see sortedOrder). */
const QUANTA = 2 ** 31 - 1;
const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

export class TimerHeap<T extends HeapItem> {
  #items: (T | undefined)[] = [];
  #deadlines = new Float64Array(64);
  #sequences = new Float64Array(64);
  #size = 0;
  #sequence = 0;

  /** The sorted run, taken from the front: items [#runHead, #runEnd). */
  #runItems: (T | undefined)[] = [];
  #runDeadlines: Float64Array = new Float64Array(0);
  #runSequences: Float64Array = new Float64Array(0);
  #runHead = 0;
  #runEnd = 0;

  get length(): number {
    return this.#size + this.#runEnd - this.#runHead;
  }

  peek(): T | undefined {
    if (this.#fromRun()) return this.#runItems[this.#runHead];
    return this.#size > 0 ? this.#items[0] : undefined;
  }

  /** The insertion sequence the next pushed item gets. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /** The insertion sequence of the earliest item; Infinity when empty. */
  peekSequence(): number {
    if (this.#fromRun()) return this.#runSequences[this.#runHead]!;
    return this.#size > 0 ? this.#sequences[0]! : Infinity;
  }

  /** The earliest deadline; Infinity when empty. */
  peekDeadline(): number {
    if (this.#fromRun()) return this.#runDeadlines[this.#runHead]!;
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
    if (this.#fromRun()) {
      const head = this.#runHead++;
      const item = this.#runItems[head];
      this.#runItems[head] = undefined;
      if (this.#runHead === this.#runEnd) this.#dropRun();
      return item;
    }
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
    const items: T[] = [];
    const deadlines: number[] = [];
    const sequences: number[] = [];
    const take = (item: T, deadline: number, sequence: number) => {
      if (!keep(item)) return;
      items.push(item);
      deadlines.push(deadline);
      sequences.push(sequence);
    };
    for (let index = this.#runHead; index < this.#runEnd; index++) take(this.#runItems[index]!, this.#runDeadlines[index]!, this.#runSequences[index]!);
    for (let index = 0; index < this.#size; index++) take(this.#items[index]!, this.#deadlines[index]!, this.#sequences[index]!);
    this.#items = [];
    this.#size = 0;
    this.#dropRun();
    const order = sortedOrder(Float64Array.from(deadlines), Float64Array.from(sequences), items.length);
    this.#setRun(
      order.map((index) => items[index]!),
      Float64Array.from(order, (index) => deadlines[index]!),
      Float64Array.from(order, (index) => sequences[index]!),
    );
  }

  values(): readonly T[] {
    return [...this.#runItems.slice(this.#runHead, this.#runEnd), ...this.#items.slice(0, this.#size)] as T[];
  }

  /**
   * True when the earliest item is the run's. Pours a big heap into the run
   * first: this is where the heap's growth is noticed, before its top is read.
   */
  #fromRun(): boolean {
    const size = this.#size;
    const runLength = this.#runEnd - this.#runHead;
    if (size >= SORT_AT && size * 2 >= runLength) {
      this.#pourHeapIntoRun();
      return this.#runEnd > this.#runHead;
    }
    if (runLength === 0) return false;
    if (size === 0) return true;
    const runDeadline = this.#runDeadlines[this.#runHead]!;
    const heapDeadline = this.#deadlines[0]!;
    return runDeadline < heapDeadline || (runDeadline === heapDeadline && this.#runSequences[this.#runHead]! < this.#sequences[0]!);
  }

  /** Sorts the heap's items and merges them with what is left of the run; the heap is empty after. */
  #pourHeapIntoRun(): void {
    const size = this.#size;
    const order = sortedOrder(this.#deadlines, this.#sequences, size);
    const runHead = this.#runHead;
    const runLength = this.#runEnd - runHead;
    const items: (T | undefined)[] = new Array(size + runLength);
    const deadlines = new Float64Array(size + runLength);
    const sequences = new Float64Array(size + runLength);
    // Merge: the sorted heap items (through `order`) and the run.
    let from = 0;
    let run = runHead;
    for (let to = 0; to < size + runLength; to++) {
      let takeRun = run < this.#runEnd;
      if (takeRun && from < size) {
        const index = order[from]!;
        const heapDeadline = this.#deadlines[index]!;
        const runDeadline = this.#runDeadlines[run]!;
        takeRun = runDeadline < heapDeadline || (runDeadline === heapDeadline && this.#runSequences[run]! < this.#sequences[index]!);
      }
      if (takeRun) {
        items[to] = this.#runItems[run];
        deadlines[to] = this.#runDeadlines[run]!;
        sequences[to] = this.#runSequences[run]!;
        run++;
      } else {
        const index = order[from++]!;
        items[to] = this.#items[index];
        deadlines[to] = this.#deadlines[index]!;
        sequences[to] = this.#sequences[index]!;
      }
    }
    this.#items = [];
    this.#size = 0;
    this.#setRun(items, deadlines, sequences);
  }

  #setRun(items: (T | undefined)[], deadlines: Float64Array, sequences: Float64Array): void {
    this.#runItems = items;
    this.#runDeadlines = deadlines;
    this.#runSequences = sequences;
    this.#runHead = 0;
    this.#runEnd = items.length;
  }

  #dropRun(): void {
    this.#setRun([], new Float64Array(0), new Float64Array(0));
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

/**
 * The indexes 0..count-1 ordered by (deadline, sequence), exactly. The
 * deadlines are quantized (monotonically, in 2^31 steps over their range)
 * and the indexes sorted by quantum with a stable radix sort, three passes of
 * 11 bits: a few milliseconds for 200,000 timers, where the engine's sort
 * takes tens. Indexes whose deadlines share a quantum come out together:
 * each such group is then put in exact order with the comparison (they are
 * few and small, unless many timers share a deadline).
 */
function sortedOrder(deadlines: Float64Array, sequences: Float64Array, count: number): number[] {
  // The range of the finite deadlines; +Infinity takes a quantum after them all.
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < count; index++) {
    const deadline = deadlines[index]!;
    if (deadline < min && deadline !== -Infinity) min = deadline;
    if (deadline > max && deadline !== Infinity) max = deadline;
  }
  let scale = max > min ? QUANTA / (max - min) : 0;
  if (!Number.isFinite(scale)) scale = 0;
  const order: number[] = new Array(count);
  let quanta = new Uint32Array(count);
  let indexes = new Uint32Array(count);
  for (let index = 0; index < count; index++) {
    const deadline = deadlines[index]!;
    // -Infinity becomes quantum 0 (ToUint32 of -Infinity).
    quanta[index] = deadline === Infinity ? QUANTA + 1 : Math.floor((deadline - min) * scale);
    indexes[index] = index;
  }
  let nextQuanta = new Uint32Array(count);
  let nextIndexes = new Uint32Array(count);
  const counts = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    for (let index = 0; index < count; index++) counts[(quanta[index]! >>> shift) & RADIX_MASK]!++;
    let total = 0;
    for (let digit = 0; digit < RADIX; digit++) {
      const digitCount = counts[digit]!;
      counts[digit] = total;
      total += digitCount;
    }
    for (let index = 0; index < count; index++) {
      const quantum = quanta[index]!;
      const position = counts[(quantum >>> shift) & RADIX_MASK]!++;
      nextQuanta[position] = quantum;
      nextIndexes[position] = indexes[index]!;
    }
    [quanta, nextQuanta] = [nextQuanta, quanta];
    [indexes, nextIndexes] = [nextIndexes, indexes];
  }
  // A group of equal quanta is often in order already (timers that share a
  // deadline stay in insertion order in the heap): sort only those that are not.
  let groupStart = 0;
  let inOrder = true;
  for (let position = 0; position < count; position++) {
    const index = indexes[position]!;
    order[position] = index;
    if (position === 0) continue;
    if (quanta[position] !== quanta[position - 1]) {
      if (!inOrder) sortRange(order, groupStart, position, deadlines, sequences);
      groupStart = position;
      inOrder = true;
    } else if (inOrder) {
      const previous = order[position - 1]!;
      const deadline = deadlines[index]!;
      const previousDeadline = deadlines[previous]!;
      inOrder = previousDeadline < deadline || (previousDeadline === deadline && sequences[previous]! < sequences[index]!);
    }
  }
  if (!inOrder) sortRange(order, groupStart, count, deadlines, sequences);
  return order;
}

/** Sorts order[start, end) by (deadline, sequence): insertion sort for a few, the engine's sort for more. */
function sortRange(order: number[], start: number, end: number, deadlines: Float64Array, sequences: Float64Array): void {
  if (end - start > 32) {
    const sorted = order.slice(start, end).sort((a, b) => deadlines[a]! - deadlines[b]! || sequences[a]! - sequences[b]!);
    for (let offset = 0; offset < sorted.length; offset++) order[start + offset] = sorted[offset]!;
    return;
  }
  for (let position = start + 1; position < end; position++) {
    const index = order[position]!;
    const deadline = deadlines[index]!;
    const sequence = sequences[index]!;
    let to = position - 1;
    for (; to >= start; to--) {
      const other = order[to]!;
      const otherDeadline = deadlines[other]!;
      if (otherDeadline < deadline || (otherDeadline === deadline && sequences[other]! < sequence)) break;
      order[to + 1] = other;
    }
    order[to + 1] = index;
  }
}
