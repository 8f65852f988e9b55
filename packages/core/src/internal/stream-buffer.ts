// StreamBuffer: the bytes a StreamReader holds, in one contiguous view, as
// asyncio's bytearray: appended at the end, taken from the front, searched.
//
// Bytes go into storage past the end of what was ever stored, never before:
// so take() hands out views into the storage with no copy, and a view once
// handed out is never written again. When the storage is full, new storage is
// made (twice what is needed) and the live bytes are copied over; the old one
// lives on as long as views into it do. A chunk that arrives in an empty
// buffer is kept as it is (borrowed, never written), so read() of a whole
// chunk returns that very chunk.

/** Smallest storage made when bytes must be copied together. */
const MIN_CAPACITY = 16 * 1024;

const EMPTY = Buffer.alloc(0);

export class StreamBuffer {
  /** The storage: owned (we may append into it past #end) or a borrowed chunk. */
  #storage: Buffer = EMPTY;
  #owned = false;
  #start = 0;
  #end = 0;

  /** How many bytes are buffered. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Appends a copy of `data` (or keeps `data` itself when the buffer is empty). */
  append(data: Uint8Array): void {
    const size = data.length;
    if (size === 0) return;
    if (this.#end === this.#start) {
      this.#storage = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, size);
      this.#owned = false;
      this.#start = 0;
      this.#end = size;
      return;
    }
    if (!this.#owned || this.#end + size > this.#storage.length) this.#grow(size);
    this.#storage.set(data, this.#end);
    this.#end += size;
  }

  /** Puts `data` back at the front: a read handed it out, and its reader gave it back. */
  prepend(data: Uint8Array): void {
    if (data.length === 0) return;
    const rest = this.#storage.subarray(this.#start, this.#end);
    const storage = Buffer.alloc(Math.max(MIN_CAPACITY, 2 * (data.length + rest.length)));
    storage.set(data, 0);
    storage.set(rest, data.length);
    this.#storage = storage;
    this.#owned = true;
    this.#start = 0;
    this.#end = data.length + rest.length;
  }

  /** Removes and returns the first `n` bytes (fewer if fewer are buffered): a view, not a copy. */
  take(n: number): Buffer {
    const end = Math.min(this.#start + n, this.#end);
    const taken = this.#storage.subarray(this.#start, end);
    this.#start = end;
    if (end === this.#end) this.clear();
    return taken;
  }

  /** Removes and returns every buffered byte. */
  takeAll(): Buffer {
    return this.take(this.length);
  }

  /** Drops the first `n` bytes. */
  skip(n: number): void {
    this.take(n);
  }

  /** Drops every buffered byte. */
  clear(): void {
    // Borrowed or not, nothing past #end is ours to write into once views
    // may point there: start afresh.
    this.#storage = EMPTY;
    this.#owned = false;
    this.#start = this.#end = 0;
  }

  /** The index of `needle` at or after `offset` (relative to the front), or -1. */
  indexOf(needle: Uint8Array, offset: number): number {
    return this.#storage.subarray(this.#start, this.#end).indexOf(needle, offset);
  }

  /** True when the bytes at `offset` are `needle`. */
  startsWith(needle: Uint8Array, offset: number): boolean {
    const at = this.#start + offset;
    if (at + needle.length > this.#end) return false;
    return this.#storage.subarray(at, at + needle.length).equals(needle);
  }

  /** The buffered bytes, without taking them (a view). */
  peek(): Buffer {
    return this.#storage.subarray(this.#start, this.#end);
  }

  /** New owned storage with room for `extra` more bytes past the live ones. */
  #grow(extra: number): void {
    const live = this.#storage.subarray(this.#start, this.#end);
    const storage = Buffer.alloc(Math.max(MIN_CAPACITY, 2 * (live.length + extra)));
    storage.set(live, 0);
    this.#storage = storage;
    this.#owned = true;
    this.#start = 0;
    this.#end = live.length;
  }
}
