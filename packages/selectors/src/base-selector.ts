/**
 * BaseSelector: the table of registered file objects every selector keeps
 * (Python's `BaseSelector` and `_BaseSelectorImpl` in one class).
 *
 * Differences from Python: `getMap()` is a read-only `Map` keyed by fd (a live
 * view, emptied by close()), where Python's mapping is also indexed by file
 * object; `getKey(fileobj)` takes either. `using selector = …` replaces
 * `with`. Every method but close() throws a RuntimeError once the selector is
 * closed (Python's raise a mix of RuntimeError, ValueError, or nothing).
 */
import { inspect } from 'node:util';
import { KeyError, RuntimeError, ValueError } from './errors.js';
import { checkEvents, describe, fileobjToFd, type FileObject } from './internal/checks.js';
import { SelectorKey } from './selector-key.js';

/** One ready file object: its key and the events it is ready for (a subset of `key.events`). */
export type SelectorReady<T = unknown> = [key: SelectorKey<T>, events: number];

/**
 * A selector: register file objects for EVENT_READ and/or EVENT_WRITE, then
 * `select()` the ones that are ready. `T` is the type of the attached data.
 *
 * @example
 * ```ts
 * using selector = new DefaultSelector<string>();
 * selector.register(fd, EVENT_READ, 'pipe');
 * for (const [key, events] of selector.select(1)) console.log(key.data, events);
 * ```
 */
export abstract class BaseSelector<T = unknown> implements Disposable {
  readonly #fdToKey = new Map<number, SelectorKey<T>>();
  #closed = false;

  /**
   * Starts watching `fileobj` for `events`, with `data` attached.
   *
   * @param fileobj an fd, or an object with `fileno()`.
   * @param events EVENT_READ, EVENT_WRITE, or both or-ed.
   * @returns the new key.
   * @throws {ValueError} for an invalid file object, fd or events mask.
   * @throws {KeyError} when the fd is already registered.
   * @throws {OSError} when the system call refuses it (EBADF for a closed fd).
   */
  register(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    this.checkOpen('register');
    checkEvents(events, 'register');
    const fd = this.#lookup(fileobj, 'register');
    const existing = this.#fdToKey.get(fd);
    if (existing) {
      throw new KeyError(
        `register(): ${describe(fileobj)} (fd ${fd}) is already registered; use modify() to change its events or data`,
      );
    }
    const key = new SelectorKey(fileobj, fd, events, data as T);
    this.#fdToKey.set(fd, key);
    return key;
  }

  /**
   * Stops watching `fileobj`. A file object closed since it was registered
   * unregisters without error.
   *
   * @returns the key it had.
   * @throws {KeyError} when it is not registered.
   */
  unregister(fileobj: FileObject): SelectorKey<T> {
    this.checkOpen('unregister');
    const key = this.#fdToKey.get(this.#lookup(fileobj, 'unregister'));
    if (!key) throw new KeyError(`unregister(): ${describe(fileobj)} is not registered`);
    this.#fdToKey.delete(key.fd);
    return key;
  }

  /**
   * Changes the events watched on a registered file object, or its data.
   *
   * @returns the new key (the old one is unchanged: keys are immutable).
   * @throws {KeyError} when it is not registered; anything register() throws.
   */
  modify(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    const key = this.lookupKey(fileobj, 'modify');
    checkEvents(events, 'modify');
    if (events !== key.events) {
      this.unregister(fileobj);
      return this.register(fileobj, events, data);
    }
    if (data !== key.data) return this.replaceKey(key, events, data as T);
    return key;
  }

  /**
   * Waits until some registered file objects are ready, or `timeout` passes.
   *
   * @param timeout seconds: `null`/`undefined` waits for ever, `<= 0` only
   * polls, anything else waits at most that long (at least a millisecond).
   * @returns `[key, events]` for each ready file object; empty on timeout.
   */
  abstract select(timeout?: number | null): SelectorReady<T>[];

  /**
   * Closes the selector, releasing its kernel resources. Idempotent; every
   * other method throws a RuntimeError afterwards.
   */
  close(): void {
    this.#closed = true;
    this.#fdToKey.clear();
  }

  /**
   * The key of a registered file object (an fd or an object with `fileno()`).
   *
   * @throws {KeyError} when it is not registered.
   */
  getKey(fileobj: FileObject): SelectorKey<T> {
    return this.lookupKey(fileobj, 'getKey');
  }

  /** The number of registered file objects (for subclasses sizing their buffers). */
  protected get size(): number {
    return this.#fdToKey.size;
  }

  /** The registered keys by fd: a live, read-only view, emptied by close(). */
  getMap(): ReadonlyMap<number, SelectorKey<T>> {
    this.checkOpen('getMap');
    return this.#fdToKey;
  }

  /** Closes the selector at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  [inspect.custom](): string {
    return `${this.constructor.name} [${this.describeState().join(', ')}]`;
  }

  /** What inspect() shows between the brackets; subclasses may add to it. */
  protected describeState(): string[] {
    return [this.#closed ? 'closed' : `fds:${this.#fdToKey.size}`];
  }

  /** The key of a registered file object; a KeyError naming `method` otherwise. */
  protected lookupKey(fileobj: FileObject, method: string): SelectorKey<T> {
    this.checkOpen(method);
    let fd: number;
    try {
      fd = this.#lookup(fileobj, method);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      throw new KeyError(`${method}(): ${describe(fileobj)} is not registered`, { cause: error });
    }
    const key = this.#fdToKey.get(fd);
    if (!key) throw new KeyError(`${method}(): ${describe(fileobj)} is not registered`);
    return key;
  }

  /** The key registered for `fd`, if any (for select() in subclasses). */
  protected keyFromFd(fd: number): SelectorKey<T> | undefined {
    return this.#fdToKey.get(fd);
  }

  /** Stores a new key for `key.fd` with these events and data (modify's shortcut). */
  protected replaceKey(key: SelectorKey<T>, events: number, data: T): SelectorKey<T> {
    const replaced = new SelectorKey(key.fileobj, key.fd, events, data);
    this.#fdToKey.set(key.fd, replaced);
    return replaced;
  }

  /** Drops `fd` from the table without a system call (a failed register/modify). */
  protected forget(fd: number): void {
    this.#fdToKey.delete(fd);
  }

  /** Throws a RuntimeError naming `method` once the selector is closed. */
  protected checkOpen(method: string): void {
    if (this.#closed) {
      throw new RuntimeError(`${method}(): the selector is closed; create a new ${this.constructor.name}`);
    }
  }

  // Python's _fileobj_lookup: an object whose fileno() now fails (it was
  // closed) is still found by identity, so that it can be unregistered.
  #lookup(fileobj: FileObject, method: string): number {
    try {
      return fileobjToFd(fileobj, method);
    } catch (error) {
      for (const key of this.#fdToKey.values()) {
        if (key.fileobj === fileobj) return key.fd;
      }
      throw error;
    }
  }
}
