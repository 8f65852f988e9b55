// The loop's readers and writers: which Handle runs when an fd is readable or
// writable, kept as the data of a selector's keys (asyncio's
// BaseSelectorEventLoop._add_reader, _remove_reader, _add_writer,
// _remove_writer and _process_events, in a file of their own).
//
// Differences from asyncio: each fd's data is one mutable {reader, writer}
// pair, so replacing a reader or writer re-registers nothing with the kernel
// unless the events watched change; and fds that a transport owns are kept
// here too (asyncio's _transports map, used by _ensure_fd_no_transport).
import { EVENT_READ, EVENT_WRITE, type BaseSelector, type FileObject, type SelectorKey } from '@asyncio-ts/selectors';
import { RuntimeError, ValueError } from '../errors.js';
import type { Handle } from '../handle.js';
import { describe } from './checks.js';
import type { Deque } from './deque.js';

/** The handles waiting on one fd. */
export class IoEntry {
  reader: Handle | null;
  writer: Handle | null;

  constructor(reader: Handle | null, writer: Handle | null) {
    this.reader = reader;
    this.writer = writer;
  }
}

/** What the registry needs of a transport that owns an fd: whether it is closing. */
export interface FdOwner {
  isClosing(): boolean;
}

/**
 * The fd of a file object (an fd or an object with `fileno()`), as Python's
 * selectors._fileobj_to_fd; -1 for an object whose fileno() says it is closed.
 */
export function fileobjToFd(method: string, fileobj: unknown): number {
  if (typeof fileobj === 'number') {
    if (Number.isInteger(fileobj) && fileobj >= 0) return fileobj;
    throw new ValueError(`${method}(): invalid file descriptor ${describe(fileobj)}; pass an open fd (a non-negative integer) or an object with fileno()`);
  }
  const fileno = typeof fileobj === 'object' && fileobj !== null ? (fileobj as { fileno?: unknown }).fileno : undefined;
  if (typeof fileno !== 'function') {
    throw new ValueError(`${method}(): invalid file object ${describe(fileobj)}; pass an fd (a non-negative integer) or an object with fileno()`);
  }
  const fd = fileno.call(fileobj) as unknown;
  if (typeof fd !== 'number' || !Number.isInteger(fd)) {
    throw new ValueError(`${method}(): fileno() of ${describe(fileobj)} returned ${describe(fd)}, not an fd`);
  }
  return fd < 0 ? -1 : fd;
}

export class IoRegistry {
  readonly selector: BaseSelector<IoEntry>;
  /** Told when the registry goes from no fd to some, and back. */
  readonly #activeChanged: (active: boolean) => void;
  #owners: Map<number, FdOwner> | null = null;

  constructor(selector: BaseSelector<IoEntry>, activeChanged: (active: boolean) => void) {
    this.selector = selector;
    this.#activeChanged = activeChanged;
  }

  /** How many fds are registered. */
  get size(): number {
    return this.selector.closed ? 0 : this.selector.getMap().size;
  }

  /** Makes `handle` the reader of `fileobj`, cancelling the reader it replaces. */
  addReader(method: string, fileobj: FileObject, handle: Handle): void {
    const key = this.#key(method, fileobj);
    if (key === undefined) {
      this.#register(fileobj, EVENT_READ, new IoEntry(handle, null));
      return;
    }
    const entry = key.data;
    if ((key.events & EVENT_READ) === 0) this.selector.modify(fileobj, key.events | EVENT_READ, entry);
    const previous = entry.reader;
    entry.reader = handle;
    if (previous !== null) previous.cancel();
  }

  /** Makes `handle` the writer of `fileobj`, cancelling the writer it replaces. */
  addWriter(method: string, fileobj: FileObject, handle: Handle): void {
    const key = this.#key(method, fileobj);
    if (key === undefined) {
      this.#register(fileobj, EVENT_WRITE, new IoEntry(null, handle));
      return;
    }
    const entry = key.data;
    if ((key.events & EVENT_WRITE) === 0) this.selector.modify(fileobj, key.events | EVENT_WRITE, entry);
    const previous = entry.writer;
    entry.writer = handle;
    if (previous !== null) previous.cancel();
  }

  /** Stops watching `fileobj` for reading; true when it had a reader. */
  removeReader(method: string, fileobj: FileObject): boolean {
    return this.#remove(method, fileobj, EVENT_READ);
  }

  /** Stops watching `fileobj` for writing; true when it had a writer. */
  removeWriter(method: string, fileobj: FileObject): boolean {
    return this.#remove(method, fileobj, EVENT_WRITE);
  }

  /** Stops watching `fileobj` for `event` and cancels its handle; true when it had one. */
  #remove(method: string, fileobj: FileObject, event: number): boolean {
    const key = this.#key(method, fileobj);
    if (key === undefined) return false;
    const entry = key.data;
    this.#watchOnly(key, key.events & ~event);
    const handle = event === EVENT_READ ? entry.reader : entry.writer;
    if (event === EVENT_READ) entry.reader = null;
    else entry.writer = null;
    if (handle === null) return false;
    handle.cancel();
    return true;
  }

  /** True when `fileobj` has a reader (or a writer, with `events` EVENT_WRITE). */
  isWatched(fileobj: FileObject, events: number): boolean {
    const key = this.#key('isWatched', fileobj);
    return key !== undefined && (key.events & events) !== 0;
  }

  /**
   * Waits for ready fds (up to `timeout` seconds; null waits for ever, 0 not
   * at all) and appends their handles to `ready`, as asyncio's
   * _process_events; a cancelled handle is removed instead. Returns how many
   * fds were ready.
   */
  poll(ready: Deque<Handle>, timeout: number | null): number {
    const events = this.selector.select(timeout);
    for (let i = 0; i < events.length; i++) {
      const [key, mask] = events[i]!;
      const entry = key.data;
      if ((mask & EVENT_READ) !== 0 && entry.reader !== null) {
        if (entry.reader.isCancelled) this.removeReader('poll', key.fileobj);
        else ready.push(entry.reader);
      }
      if ((mask & EVENT_WRITE) !== 0 && entry.writer !== null) {
        if (entry.writer.isCancelled) this.removeWriter('poll', key.fileobj);
        else ready.push(entry.writer);
      }
    }
    return events.length;
  }

  /** Records that a transport owns `fd`: addReader() and friends refuse it until it closes. */
  setOwner(fd: number, owner: FdOwner): void {
    (this.#owners ??= new Map()).set(fd, owner);
  }

  /** Forgets the owner of `fd`. */
  deleteOwner(fd: number): void {
    this.#owners?.delete(fd);
  }

  /** asyncio's _ensure_fd_no_transport: the public methods refuse an fd a live transport owns. */
  checkNoOwner(method: string, fileobj: FileObject): void {
    const owners = this.#owners;
    if (owners === null || owners.size === 0) return;
    const owner = owners.get(fileobjToFd(method, fileobj));
    if (owner !== undefined && !owner.isClosing()) {
      throw new RuntimeError(`${method}(): file descriptor ${describe(fileobj)} is used by transport ${describe(owner)}; use the transport instead, or close it first`);
    }
  }

  close(): void {
    const wasActive = this.size > 0;
    this.selector.close();
    this.#owners = null;
    if (wasActive) this.#activeChanged(false);
  }

  #register(fileobj: FileObject, events: number, entry: IoEntry): void {
    this.selector.register(fileobj, events, entry);
    if (this.selector.getMap().size === 1) this.#activeChanged(true);
  }

  /** Watches `key`'s fd for `events` only: none unregisters it. */
  #watchOnly(key: SelectorKey<IoEntry>, events: number): void {
    if (events === key.events) return;
    if (events !== 0) {
      this.selector.modify(key.fileobj, events, key.data);
      return;
    }
    this.selector.unregister(key.fileobj);
    if (this.selector.getMap().size === 0) this.#activeChanged(false);
  }

  /** The key of `fileobj`, or undefined when it is not registered. */
  #key(method: string, fileobj: FileObject): SelectorKey<IoEntry> | undefined {
    const map = this.selector.getMap();
    const fd = fileobjToFd(method, fileobj);
    if (fd >= 0) return map.get(fd);
    // A file object closed since it was registered is found by identity, as
    // Python's selectors do, so that it can still be removed.
    for (const key of map.values()) if (key.fileobj === fileobj) return key;
    return undefined;
  }
}
