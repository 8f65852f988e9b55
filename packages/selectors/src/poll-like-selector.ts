/**
 * PollLikeSelector: the selector over a native poller with register, modify,
 * unregister and poll — poll(2), epoll or kqueue (Python's
 * `_PollLikeSelector`). The concrete selectors only choose the poller.
 *
 * Differences from Python: kqueue goes through this base too (its addon class
 * speaks poll-like bits and merges the read and write filters of an fd into
 * one entry), so a KqueueSelector reports each fd once, as the others do. A
 * signal that interrupts the wait (EINTR) restarts it with the time left, as
 * CPython's select module has done since PEP 475.
 */
import type { NativePoller } from './binding.js';
import { BaseSelector, type SelectorReady } from './base-selector.js';
import { ValueError } from './errors.js';
import { EVENT_READ, EVENT_WRITE } from './events.js';
import type { PollerBackend, PollerKind } from './internal/backends.js';
import { checkEvents, describe, type FileObject } from './internal/checks.js';
import { nativeError } from './internal/native-error.js';
import type { SelectorKey } from './selector-key.js';

/** The longest wait one poll(2)/epoll_wait call takes (int milliseconds). */
const MAX_WAIT_MS = 2 ** 31 - 1;

/** A selector over one native poller; see PollSelector, EpollSelector, KqueueSelector, DefaultSelector. */
export abstract class PollLikeSelector<T = unknown> extends BaseSelector<T> {
  /** The system call this selector stands on: `'poll'`, `'epoll'` or `'kqueue'`. */
  readonly kind: PollerKind;
  readonly #poller: NativePoller;
  readonly #read: number;
  readonly #write: number;
  // The (fd, events) pairs poll() fills: reused across calls, grown to the
  // number of registered fds so one call can report them all.
  #out = new Int32Array(2);

  protected constructor(backend: PollerBackend) {
    super();
    this.kind = backend.kind;
    this.#poller = backend.poller;
    this.#read = backend.read;
    this.#write = backend.write;
  }

  override register(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    const key = super.register(fileobj, events, data);
    try {
      this.#poller.register(key.fd, this.#pollerEvents(events));
    } catch (error) {
      this.forget(key.fd);
      throw nativeError(error, `register(): fd ${key.fd}`);
    }
    return key;
  }

  override unregister(fileobj: FileObject): SelectorKey<T> {
    const key = super.unregister(fileobj);
    try {
      this.#poller.unregister(key.fd);
    } catch (error) {
      // The fd was closed since it was registered: the kernel has dropped it
      // already, and unregistering a closed file object is not an error.
      if (typeof (error as { errno?: unknown })?.errno !== 'number') throw error;
    }
    return key;
  }

  override modify(fileobj: FileObject, events: number, data?: T): SelectorKey<T> {
    const key = this.lookupKey(fileobj, 'modify');
    checkEvents(events, 'modify');
    if (events !== key.events) {
      try {
        this.#poller.modify(key.fd, this.#pollerEvents(events));
      } catch (error) {
        // As Python does: a file object the kernel refuses is no longer registered.
        this.forget(key.fd);
        throw nativeError(error, `modify(): fd ${key.fd}`);
      }
    }
    if (events !== key.events || data !== key.data) return this.replaceKey(key, events, data as T);
    return key;
  }

  override select(timeout?: number | null): SelectorReady<T>[] {
    this.checkOpen('select');
    const wait = waitMilliseconds(timeout);
    const deadline = wait > 0 ? performance.now() + wait : 0;
    const capacity = 2 * Math.max(this.size, 1);
    if (this.#out.length < capacity) this.#out = new Int32Array(capacity);
    let remaining = wait;
    for (;;) {
      let count: number;
      try {
        count = this.#poller.poll(Math.min(remaining, MAX_WAIT_MS), this.#out);
      } catch (error) {
        throw nativeError(error, 'select()');
      }
      if (count > 0) return this.#ready(count);
      if (count === 0 && remaining <= MAX_WAIT_MS) return [];
      // A signal interrupted the wait (EINTR), or the wait is longer than one
      // call can take: wait again for the time left (PEP 475).
      if (wait > 0) {
        remaining = Math.ceil(deadline - performance.now());
        if (remaining <= 0) return [];
      }
    }
  }

  override close(): void {
    this.#poller.close();
    super.close();
  }

  /**
   * The fd of the kernel object (epoll or kqueue), e.g. to watch this
   * selector from another one; -1 for poll(2), which has none.
   */
  fileno(): number {
    this.checkOpen('fileno');
    return this.#poller.fileno();
  }

  protected override describeState(): string[] {
    return [this.kind, ...super.describeState()];
  }

  #pollerEvents(events: number): number {
    return (events & EVENT_READ ? this.#read : 0) | (events & EVENT_WRITE ? this.#write : 0);
  }

  #ready(count: number): SelectorReady<T>[] {
    const out = this.#out;
    const ready: SelectorReady<T>[] = [];
    for (let i = 0; i < count; i++) {
      const bits = out[2 * i + 1]!;
      // Whatever is not the other direction's bit counts: a hang-up or an
      // error makes the fd both readable and writable, so that the reader
      // or writer finds out by trying (Python's mapping).
      let events = 0;
      if (bits & ~this.#read) events |= EVENT_WRITE;
      if (bits & ~this.#write) events |= EVENT_READ;
      const key = this.keyFromFd(out[2 * i]!);
      if (key) ready.push([key, events & key.events]);
    }
    return ready;
  }
}

/**
 * A select() timeout in seconds as poll(2) milliseconds: -1 waits for ever,
 * 0 does not wait, and a positive wait rounds up so that it lasts at least
 * `timeout` seconds.
 */
function waitMilliseconds(timeout: number | null | undefined): number {
  if (timeout === null || timeout === undefined) return -1;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new ValueError(`select(): invalid timeout ${describe(timeout)}; give seconds as a number, or null to wait for ever`);
  }
  if (timeout <= 0) return 0;
  if (timeout === Infinity) return -1;
  return Math.ceil(timeout * 1e3);
}
