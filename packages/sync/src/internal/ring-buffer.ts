// A FIFO ring buffer: the items of a Queue. Array.shift() is O(n) once an
// array leaves V8's fast path, and a queue may hold many items. unshift()
// puts back an item that a cancelled getter received.

export class RingBuffer<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;
  #mask: number;

  constructor(capacity = 16) {
    let size = 16;
    while (size < capacity) size *= 2;
    this.#items = new Array(size);
    this.#mask = size - 1;
  }

  get length(): number {
    return this.#length;
  }

  /** Adds `item` at the back. */
  put(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Removes and returns the front item; the caller checks length first. */
  get(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Puts `item` back at the front. */
  unget(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = item;
    this.#length++;
  }

  /** The items, front first. */
  toArray(): T[] {
    const items: T[] = [];
    for (let i = 0; i < this.#length; i++) items.push(this.#items[(this.#head + i) & this.#mask] as T);
    return items;
  }

  #grow(): void {
    const items = this.toArray() as (T | undefined)[];
    const size = (this.#mask + 1) * 2;
    items.length = size;
    this.#items = items;
    this.#head = 0;
    this.#mask = size - 1;
  }
}
