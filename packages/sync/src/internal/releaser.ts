// What hold() gives: a Disposable that releases the primitive once, for
// `using` (Python's `async with lock:`).

/**
 * The result of `hold()`: releases what was acquired, once, when disposed.
 * @example
 * using held = yield* lock.hold();        // generator coroutine
 * await using held = await lock.hold();   // async function
 */
export interface Releaser extends Disposable {
  /** Releases the primitive; a second call does nothing. */
  release(): void;
  /** True once released. */
  readonly released: boolean;
}

/** A Releaser calling `owner.release()` once. */
export class OnceReleaser implements Releaser {
  readonly #owner: { release(): void };
  #released = false;

  constructor(owner: { release(): void }) {
    this.#owner = owner;
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#owner.release();
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
